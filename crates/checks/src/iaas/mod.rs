// SPDX-License-Identifier: Apache-2.0
//! The read-only IaaS testcases of SCS-compatible IaaS, by standard.

pub mod live;
mod scs_0100;
mod scs_0102;
mod scs_0103;
mod scs_0104;
mod scs_0104_v2;
mod scs_0114;
mod scs_0115;
mod scs_0123;

use crate::Outcome;
use crate::facts::{Facts, Needs};

/// Choices where upstream code and standard text differ (docs/checks.md).
/// The default follows upstream's code, so a cloud passes here exactly when
/// it passes the official suite.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Follow the standard text where it is stricter than upstream's code:
    /// scs-0102 `hw_disk_bus` must be set (upstream accepts it unset).
    pub follow_text: bool,
    /// scs-0123-swift-s3 accepts only upstream's S3 error codes
    /// (`InvalidAccessKeyId`, `NoSuchKey`), not those of Swift's s3api.
    pub strict_s3_probe: bool,
}

/// Whether this crate decides `id` from facts.
pub fn implemented(id: &str) -> bool {
    needs_of(id).is_some()
}

/// Whether this crate decides `id` at all (from facts, or by creating resources).
pub fn decides(id: &str) -> bool {
    implemented(id) || live::creates(id)
}

/// The facts a testcase needs; `None` if the testcase is not decided here.
fn needs_of(id: &str) -> Option<Needs> {
    let none = Needs::default();
    Some(if id.starts_with("scs-0100-") {
        if !matches!(id, "scs-0100-syntax-check" | "scs-0100-semantics-check") {
            return None;
        }
        Needs { flavors: true, ..none }
    } else if id.starts_with("scs-0102-") {
        if !scs_0102::knows(id) {
            return None;
        }
        Needs { images: true, ..none }
    } else if id.starts_with("scs-0103-flavor-") {
        Needs { flavors: true, ..none }
    } else if scs_0104_v2::knows(id) {
        Needs { images: true, ..none }
    } else if id.starts_with("scs-0104-") {
        scs_0104::definition(id)?;
        Needs { images: true, ..none }
    } else if matches!(id, "scs-0114-syntax-check" | "scs-0114-encrypted-type" | "scs-0114-replicated-type") {
        Needs { volume_types: true, ..none }
    } else if id == "scs-0115-default-rules" {
        Needs { default_rules: true, ..none }
    } else if id == "scs-0116-presence" || id == "scs-0123-storage-apis" || scs_0123::service_type(id).is_some() {
        none
    } else {
        return None;
    })
}

/// The union of the facts `ids` need.
pub fn needs(ids: &[String]) -> Needs {
    ids.iter().filter_map(|id| needs_of(id)).fold(Needs::default(), |a, b| Needs {
        flavors: a.flavors || b.flavors,
        images: a.images || b.images,
        volume_types: a.volume_types || b.volume_types,
        default_rules: a.default_rules || b.default_rules,
    })
}

/// Decides `id`; `None` if the testcase is not decided from facts.
pub fn decide(id: &str, facts: &Facts, options: &Options) -> Option<Outcome> {
    needs_of(id)?;
    Some(match id {
        "scs-0100-syntax-check" => scs_0100::syntax(facts),
        "scs-0100-semantics-check" => scs_0100::semantics(facts),
        "scs-0114-syntax-check" => scs_0114::syntax(facts),
        "scs-0114-encrypted-type" => scs_0114::has_aspect(facts, "encrypted"),
        "scs-0114-replicated-type" => scs_0114::has_aspect(facts, "replicated"),
        "scs-0115-default-rules" => scs_0115::default_rules(facts),
        "scs-0123-storage-apis" => scs_0123::storage_apis(facts),
        "scs-0116-presence" => scs_0123::service(facts, "key-manager"),
        _ if id.starts_with("scs-0103-flavor-") => scs_0103::standard_flavor(facts, id),
        _ if id.starts_with("scs-0102-") => scs_0102::decide(facts, id, options)?,
        _ if scs_0104_v2::knows(id) => scs_0104_v2::decide(facts, id)?,
        _ if id.starts_with("scs-0104-") => scs_0104::decide(facts, id)?,
        _ => scs_0123::service(facts, scs_0123::service_type(id)?),
    })
}
