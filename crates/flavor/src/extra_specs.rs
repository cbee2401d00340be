// SPDX-License-Identifier: Apache-2.0
//! The `scs:*` extra specs that scs-0103 expects on a flavor with a given name.

use crate::model::{DiskType, FlavorName};
use crate::parse::Syntax;

impl FlavorName {
    /// The extra specs of a flavor of this name, as upstream derives them
    /// (`flavor-add-extra-specs.py`), in this order: `scs:cpu-type`;
    /// `scs:diskN-type` for each of the root disk's `Mx` copies (an
    /// unspecified type counts as `network`); and `scs:name-v1`, `-v2`, …:
    /// the v1 and v2 spellings of the name and of its short form, each
    /// once, longest first and v1 before v2 at equal length.
    pub fn extra_specs(&self) -> Vec<(String, String)> {
        let mut specs = vec![("scs:cpu-type".to_owned(), self.cpu.kind.extra_spec_value().to_owned())];
        if let Some(disk) = &self.disk {
            let kind = disk.kind.unwrap_or(DiskType::Network).extra_spec_value();
            for n in 0..disk.count.unwrap_or(1).max(1) {
                specs.push((format!("scs:disk{n}-type"), kind.to_owned()));
            }
        }
        let short = self.shorten();
        let mut names: Vec<(String, u8)> = Vec::with_capacity(4);
        for name in [self, &short] {
            for (text, version) in [(name.render(Syntax::V1), 1), (name.render(Syntax::V2), 2)] {
                if !names.iter().any(|(t, _)| *t == text) {
                    names.push((text, version));
                }
            }
        }
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        for (n, (text, _)) in names.into_iter().enumerate() {
            specs.push((format!("scs:name-v{}", n + 1), text));
        }
        specs
    }
}
