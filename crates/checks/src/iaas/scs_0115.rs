// SPDX-License-Identifier: Apache-2.0
//! scs-0115 default security-group rules: no ingress except from the group
//! itself, egress for IPv4 and IPv6.

use crate::facts::DefaultRules;
use crate::{Facts, Outcome, fact};

/// scs-0115-default-rules.
pub fn default_rules(facts: &Facts) -> Outcome {
    let rules = fact!(facts.default_rules, "default security-group rules");
    let mut problems = Vec::new();
    match rules {
        DefaultRules::Api { rules } => {
            for r in rules.iter().filter(|r| r.direction == "ingress") {
                let own_group_only = r.remote_group_id.as_deref() == Some("PARENT") && !r.used_in_non_default_sg;
                if !own_group_only {
                    problems.push(format!(
                        "default rule {}: ingress {} from {} (used in default group: {}, in other groups: {})",
                        r.id,
                        r.ethertype,
                        r.remote_ip_prefix.as_deref().or(r.remote_group_id.as_deref()).unwrap_or("anywhere"),
                        r.used_in_default_sg,
                        r.used_in_non_default_sg
                    ));
                }
            }
            for ethertype in ["IPv4", "IPv6"] {
                let egress = |pick: &dyn Fn(&scs_openstack::DefaultSecurityGroupRule) -> bool| {
                    rules.iter().any(|r| {
                        r.direction == "egress" && r.ethertype == ethertype && r.remote_ip_prefix.is_none() && pick(r)
                    })
                };
                if !egress(&|r| r.used_in_default_sg) {
                    problems.push(format!("no default rule allows {ethertype} egress in the default group"));
                }
                if !egress(&|r| r.used_in_non_default_sg) {
                    problems.push(format!("no default rule allows {ethertype} egress in other groups"));
                }
            }
        }
        DefaultRules::FreshGroup { rules } => {
            for r in rules.iter().filter(|r| r.direction == "ingress") {
                problems.push(format!(
                    "a new security group allows ingress {} from {}",
                    r.ethertype,
                    r.remote_ip_prefix.as_deref().or(r.remote_group_id.as_deref()).unwrap_or("anywhere")
                ));
            }
            for ethertype in ["IPv4", "IPv6"] {
                if !rules.iter().any(|r| r.direction == "egress" && r.ethertype == ethertype) {
                    problems.push(format!("a new security group allows no {ethertype} egress"));
                }
            }
        }
    }
    Outcome::from_problems(problems, "default rules allow no foreign ingress and allow egress")
}
