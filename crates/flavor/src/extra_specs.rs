// SPDX-License-Identifier: Apache-2.0
//! The `scs:*` extra specs that scs-0103 expects on a flavor with a given name.

use crate::model::{DiskType, FlavorName};
use crate::parse::Syntax;

impl FlavorName {
    /// The extra specs scs-0103 requires for a flavor of this name, sorted by
    /// key: `scs:cpu-type`, `scs:disk0-type` (only with a root disk; an
    /// unspecified disk type counts as `network`, as upstream derives it),
    /// `scs:name-v1`, `scs:name-v2`.
    pub fn extra_specs(&self) -> Vec<(&'static str, String)> {
        let mut specs = Vec::with_capacity(4);
        specs.push(("scs:cpu-type", self.cpu.kind.extra_spec_value().to_owned()));
        if let Some(disk) = &self.disk {
            let kind = disk.kind.unwrap_or(DiskType::Network);
            specs.push(("scs:disk0-type", kind.extra_spec_value().to_owned()));
        }
        specs.push(("scs:name-v1", self.render(Syntax::V1)));
        specs.push(("scs:name-v2", self.render(Syntax::V2)));
        specs
    }
}
