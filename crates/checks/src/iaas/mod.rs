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
mod table;

pub use table::IAAS;

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
    IAAS.from_facts(id).is_some()
}

/// Whether this crate decides `id` at all (from facts, or by creating resources).
pub fn decides(id: &str) -> bool {
    IAAS.decides(id)
}

/// The union of the facts `ids` need.
pub fn needs(ids: &[String]) -> Needs {
    IAAS.needs(ids, |all, n| {
        all.flavors |= n.flavors;
        all.images |= n.images;
        all.volume_types |= n.volume_types;
        all.default_rules |= n.default_rules;
    })
}

/// Decides `id`; `None` if the testcase is not decided from facts.
pub fn decide(id: &str, facts: &Facts, options: &Options) -> Option<Outcome> {
    IAAS.from_facts(id)?(facts, id, options)
}
