// SPDX-License-Identifier: Apache-2.0
//! scs-0114 volume types: aspects declared as `[scs:a, b]` at the start of a
//! volume type's description are sorted, unique and known.

use crate::{Facts, Outcome, fact};
use scs_openstack::VolumeType;

/// The aspects scs-0114 defines.
pub const KNOWN_ASPECTS: [&str; 2] = ["encrypted", "replicated"];

/// The aspect list at the start of a description, if there is one.
pub fn aspects(description: &str) -> Option<Vec<String>> {
    let rest = description.strip_prefix("[scs:")?;
    let end = rest.find(']')?;
    let list = &rest[..end];
    if list.contains('[') {
        return None;
    }
    Some(list.split(',').map(|a| a.trim().to_owned()).collect())
}

fn label(t: &VolumeType) -> String {
    format!("volume type {} ({})", t.name, t.id)
}

/// scs-0114-syntax-check.
pub fn syntax(facts: &Facts) -> Outcome {
    let types = fact!(facts.volume_types, "volume types");
    let mut problems = Vec::new();
    for t in types {
        let Some(list) = t.description.as_deref().and_then(aspects) else { continue };
        let mut sorted = list.clone();
        sorted.sort();
        sorted.dedup();
        if sorted != list {
            problems.push(format!("{}: aspects [{}] must be sorted and unique", label(t), list.join(", ")));
        }
        for a in &list {
            if !KNOWN_ASPECTS.contains(&a.as_str()) {
                problems.push(format!("{}: unknown aspect '{a}' (known: encrypted, replicated)", label(t)));
            }
        }
    }
    Outcome::from_problems(problems, format!("{} volume types checked", types.len()))
}

/// scs-0114-encrypted-type / -replicated-type: some type declares the aspect.
pub fn has_aspect(facts: &Facts, aspect: &str) -> Outcome {
    let types = fact!(facts.volume_types, "volume types");
    match types
        .iter()
        .find(|t| t.description.as_deref().and_then(aspects).is_some_and(|l| l.iter().any(|a| a == aspect)))
    {
        Some(t) => Outcome::pass(vec![format!("{} declares '{aspect}'", label(t))]),
        None => Outcome::fail(vec![format!("no volume type declares [scs:{aspect}] ({} types)", types.len())]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspect_lists() {
        assert_eq!(aspects("[scs:encrypted, replicated] fast"), Some(vec!["encrypted".into(), "replicated".into()]));
        assert_eq!(aspects("plain"), None);
        assert_eq!(aspects(" [scs:encrypted]"), None);
    }
}
