// SPDX-License-Identifier: Apache-2.0
//! scs-0100 flavor naming: every `SCS-` flavor name parses (v3; v1 tolerated),
//! and no name promises more than the flavor has.

use crate::{Facts, Outcome, fact};
use scs_flavor::{NamingVersion, is_scs_name, parse};

/// scs-0100-syntax-check.
pub fn syntax(facts: &Facts) -> Outcome {
    let flavors = fact!(facts.flavors, "flavors");
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut checked = 0;
    for flavor in flavors.iter().filter(|f| is_scs_name(&f.name)) {
        checked += 1;
        match parse(&flavor.name) {
            Ok(p) if p.version() == NamingVersion::V1Tolerated => {
                notes.push(format!("flavor {}: merely tolerated (v1 syntax; v3 name {})", flavor.name, p.name))
            }
            Ok(_) => {}
            Err(e) => problems.push(format!("flavor {}: {} ({})", flavor.name, e, e.component)),
        }
    }
    if problems.is_empty() {
        notes.insert(0, format!("{checked} SCS- flavor names parse"));
        Outcome::pass(notes)
    } else {
        Outcome::fail(problems)
    }
}

/// RAM in GiB the way upstream rounds it: one decimal, from MiB.
fn ram_gib(ram_mib: u64) -> f64 {
    ((ram_mib as f64 + 51.0) / 102.4).trunc() / 10.0
}

/// scs-0100-semantics-check: vCPUs, RAM and root disk are at least what the name says.
pub fn semantics(facts: &Facts) -> Outcome {
    let flavors = fact!(facts.flavors, "flavors");
    let mut problems = Vec::new();
    let mut checked = 0;
    for flavor in flavors.iter().filter(|f| is_scs_name(&f.name)) {
        let Ok(parsed) = parse(&flavor.name) else { continue };
        checked += 1;
        let name = &parsed.name;
        if u64::from(flavor.vcpus) < u64::from(name.cpu.count) {
            problems.push(format!("flavor {}: {} vCPUs, name promises {}", flavor.name, flavor.vcpus, name.cpu.count));
        }
        if ram_gib(flavor.ram) < name.ram.gib() {
            problems.push(format!(
                "flavor {}: ram {} MiB, name promises {} GiB",
                flavor.name,
                flavor.ram,
                name.ram.amount_text()
            ));
        }
        let disk = u64::from(name.disk_size_gb());
        if flavor.disk < disk {
            problems.push(format!("flavor {}: disk {} GiB, name promises {disk} GB", flavor.name, flavor.disk));
        }
    }
    Outcome::from_problems(problems, format!("{checked} SCS- flavors deliver what their names promise"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ram_rounding_matches_upstream() {
        assert_eq!(ram_gib(4096), 4.0);
        assert_eq!(ram_gib(4000), 3.9);
        assert_eq!(ram_gib(3994), 3.9);
        assert_eq!(ram_gib(512), 0.5);
    }
}
