// SPDX-License-Identifier: Apache-2.0
//! scs-0103 standard flavors: the flavor exists (found by `scs:name-v2`, else
//! by name) with exactly the vCPUs, RAM and disk of its name and the `scs:*`
//! extra specs derived from it.
//!
//! Where several flavors claim one name with `scs:name-v2`, upstream's
//! lookup (a dict built in the API's list order) keeps the last of them and
//! judges only that one; so does the default here, naming every claimant in
//! the evidence. With `--follow-text` every claimant must match: the
//! standard reads `scs:name-vN=NAME` as "NAME is a valid name of this
//! flavor" and binds it on whichever flavor carries it.

use super::Options;
use crate::{Facts, Outcome, fact};
use scs_openstack::resources::Flavor;

/// The flavor name a `scs-0103-flavor-…` id stands for (`2v-4-20s` → `SCS-2V-4-20s`).
pub fn name_of(id: &str) -> Option<String> {
    let rest = id.strip_prefix("scs-0103-flavor-")?;
    let (cpu, tail) = rest.split_once('-')?;
    Some(format!("SCS-{}-{tail}", cpu.to_ascii_uppercase()))
}

/// Decides one standard-flavor testcase.
pub fn standard_flavor(facts: &Facts, id: &str, options: &Options) -> Outcome {
    let flavors = fact!(facts.flavors, "flavors");
    let Some(name) = name_of(id) else { return Outcome::abort(format!("{id}: not a standard-flavor id")) };
    let expected = match scs_flavor::parse(&name) {
        Ok(p) => p.name,
        Err(e) => return Outcome::abort(format!("{id}: {name} does not parse: {e}")),
    };
    let claimants: Vec<&Flavor> = flavors.iter().filter(|f| f.extra_specs.get("scs:name-v2") == Some(&name)).collect();
    // upstream: the last claimant in list order, else a flavor of that name
    let Some(judged) = claimants.last().copied().or_else(|| flavors.iter().find(|f| f.name == name)) else {
        return Outcome::fail(vec![format!("no flavor named {name} (nor with scs:name-v2={name})")]);
    };
    let mut notes = Vec::new();
    if claimants.len() > 1 {
        let names: Vec<String> = claimants.iter().map(|f| format!("{} ({})", f.name, f.id)).collect();
        notes.push(format!(
            "{} flavors claim scs:name-v2={name}, in list order: {}; {}",
            claimants.len(),
            names.join(", "),
            if options.follow_text {
                "every one must match (--follow-text)".to_owned()
            } else {
                format!("upstream's lookup judges the last, {} (--follow-text judges every one)", judged.name)
            }
        ));
    }
    let judged_ones = if options.follow_text && claimants.len() > 1 { claimants } else { vec![judged] };
    let mut problems = Vec::new();
    for flavor in &judged_ones {
        problems.extend(mismatches(flavor, &name, &expected));
    }
    let labels: Vec<String> = judged_ones.iter().map(|f| format!("{} ({})", label(f, &name), f.id)).collect();
    let mut outcome = Outcome::from_problems(problems, format!("{} matches", labels.join(", ")));
    outcome.evidence.extend(notes);
    outcome
}

fn label(flavor: &Flavor, name: &str) -> String {
    if flavor.name == name { format!("flavor {name}") } else { format!("flavor {} (scs:name-v2={name})", flavor.name) }
}

/// How `flavor` differs from the standard flavor `name`.
fn mismatches(flavor: &Flavor, name: &str, expected: &scs_flavor::FlavorName) -> Vec<String> {
    let label = label(flavor, name);
    let mut problems = Vec::new();
    if flavor.vcpus != expected.cpu.count {
        problems.push(format!("{label}: vcpus {}, expected {}", flavor.vcpus, expected.cpu.count));
    }
    let ram = u64::from(expected.ram.half_gib) * 512;
    if flavor.ram != ram {
        problems.push(format!("{label}: ram {} MiB, expected {ram} MiB", flavor.ram));
    }
    let disk = u64::from(expected.disk_size_gb());
    if flavor.disk != disk {
        problems.push(format!("{label}: disk {} GiB, expected {disk}", flavor.disk));
    }
    for (key, value) in expected.extra_specs() {
        match flavor.extra_specs.get(&key) {
            Some(actual) if *actual == value => {}
            Some(actual) => problems.push(format!("{label}: extra spec {key}={actual}, expected {value}")),
            None => problems.push(format!("{label}: extra spec {key} missing, expected {value}")),
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_to_names() {
        assert_eq!(name_of("scs-0103-flavor-2v-4-20s").as_deref(), Some("SCS-2V-4-20s"));
        assert_eq!(name_of("scs-0103-flavor-1l-1").as_deref(), Some("SCS-1L-1"));
        assert_eq!(name_of("scs-0103-flavor-16v-128").as_deref(), Some("SCS-16V-128"));
    }
}
