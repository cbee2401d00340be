// SPDX-License-Identifier: Apache-2.0
//! `node-distribution-check` (scs-0214-v2), as far as the API shows it.
//!
//! The API does not say which physical machine a node runs on, so the
//! standard's supplement leaves the check manual. What can be decided:
//! every node carries the zone and region labels; control-plane nodes (where
//! the cluster shows them) are more than one and are shown to be apart,
//! either by SCS's host label or by different zones. A control plane that
//! shows no nodes (a managed one) leaves that part to the audit.

use crate::cluster::NodeFacts;
use scs_checks::Outcome;
use std::collections::BTreeSet;

/// Zone label of scs-0214-v2.
pub const ZONE: &str = "topology.kubernetes.io/zone";
/// Region label of scs-0214-v2.
pub const REGION: &str = "topology.kubernetes.io/region";
/// The label SCS proposed for the physical host of a node.
pub const HOST_ID: &str = "topology.scs.community/host-id";
/// Role labels of control-plane nodes (the second is the pre-1.24 spelling).
pub const CONTROL_PLANE: [&str; 2] = ["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"];

/// Whether the node is a control-plane node.
pub fn is_control_plane(node: &NodeFacts) -> bool {
    CONTROL_PLANE.iter().any(|l| node.labels.contains_key(*l))
}

/// Decides the testcase.
pub fn decide(nodes: &Result<Vec<NodeFacts>, String>) -> Outcome {
    let nodes = scs_checks::fact!(nodes, "the nodes");
    if nodes.is_empty() {
        return Outcome::abort("the cluster shows no Node objects: nothing to judge the distribution by");
    }
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for node in nodes {
        let missing: Vec<&str> = [ZONE, REGION].into_iter().filter(|l| !node.labels.contains_key(*l)).collect();
        if !missing.is_empty() {
            problems.push(format!("node {} lacks the label(s) {}", node.name, missing.join(", ")));
        }
    }
    let control: Vec<&NodeFacts> = nodes.iter().filter(|n| is_control_plane(n)).collect();
    let workers: Vec<&NodeFacts> = nodes.iter().filter(|n| !is_control_plane(n)).collect();
    let names = |list: &[&NodeFacts]| list.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ");
    let values = |list: &[&NodeFacts], label: &str| -> BTreeSet<String> {
        list.iter().filter_map(|n| n.labels.get(label).cloned()).collect()
    };
    match control.len() {
        0 => notes.push(
            "no control-plane nodes are visible (a managed control plane): their distribution over machines is for the audit"
                .to_owned(),
        ),
        1 => problems.push(format!("one control-plane node ({}): the control plane runs on a single machine", names(&control))),
        n => {
            let zones = values(&control, ZONE);
            let all_have_host = control.iter().all(|c| c.labels.contains_key(HOST_ID));
            if all_have_host {
                let hosts = values(&control, HOST_ID);
                if hosts.len() < 2 {
                    problems.push(format!(
                        "the {n} control-plane nodes ({}) all carry {HOST_ID}={}: one machine",
                        names(&control),
                        hosts.iter().next().map(String::as_str).unwrap_or_default()
                    ));
                } else {
                    notes.push(format!("{n} control-plane nodes on {} hosts by {HOST_ID}", hosts.len()));
                }
            } else if zones.len() < 2 {
                problems.push(format!(
                    "the {n} control-plane nodes ({}) are in {} and do not carry {HOST_ID}: nothing shows they run on more than one machine",
                    names(&control),
                    if zones.is_empty() { "no zone".to_owned() } else { format!("one zone ({})", zones.iter().cloned().collect::<Vec<_>>().join("")) }
                ));
            } else {
                notes.push(format!("{n} control-plane nodes in {} zones", zones.len()));
            }
            if zones.len() < 2 {
                notes.push("warning: the control plane SHOULD span more than one failure zone".to_owned());
            }
        }
    }
    if workers.len() > 1 && values(&workers, ZONE).len() < 2 {
        notes.push("note: worker nodes are RECOMMENDED to span more than one zone".to_owned());
    }
    crate::verdict(problems, notes, || format!("{} node(s), all with zone and region labels", nodes.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scs_standards::TestResult;

    fn node(name: &str, labels: &[(&str, &str)]) -> NodeFacts {
        NodeFacts {
            name: name.into(),
            labels: labels.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            ready: true,
        }
    }

    #[test]
    fn host_ids_decide_before_zones() {
        let cp = |name, host| node(name, &[(ZONE, "z1"), (REGION, "r"), (CONTROL_PLANE[0], ""), (HOST_ID, host)]);
        let same = decide(&Ok(vec![cp("a", "h1"), cp("b", "h1")]));
        assert_eq!(same.result, TestResult::Fail);
        assert!(same.evidence[0].contains("all carry topology.scs.community/host-id=h1"), "{same:?}");
        let apart = decide(&Ok(vec![cp("a", "h1"), cp("b", "h2")]));
        assert_eq!(apart.result, TestResult::Pass, "{apart:?}");
        assert!(apart.evidence.iter().any(|e| e.contains("SHOULD span more than one failure zone")));
    }

    #[test]
    fn a_forbidden_list_aborts_with_the_reason() {
        let o = decide(&Err("listing nodes: forbidden: HTTP 403".into()));
        assert_eq!(o.result, TestResult::Abort);
        assert_eq!(o.evidence, ["cannot read the nodes: listing nodes: forbidden: HTTP 403"]);
    }
}
