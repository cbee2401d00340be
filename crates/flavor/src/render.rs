// SPDX-License-Identifier: Apache-2.0
//! Rendering names back to text, in either syntax, and the canonical short form.

use crate::model::FlavorName;
use crate::parse::Syntax;
use std::fmt::{self, Write as _};

impl FlavorName {
    /// Renders the name in `syntax`, canonically as upstream's tooling does:
    /// a disk count of 1 and a CPU generation of 0 are left out (`1x10` is
    /// `10`, `_i0` is `_i`). For every name the scanner accepts in this
    /// canonical spelling, `render(parse(x)) == x`.
    pub fn render(&self, syntax: Syntax) -> String {
        let field = char::from(syntax.field_separator());
        let ext = char::from(syntax.extension_separator());
        let mut out = String::with_capacity(24);
        // Writing to a String cannot fail; the results are ignored on purpose.
        let _ = write!(out, "SCS-{}{}", self.cpu.count, self.cpu.kind.letter());
        if self.cpu.insecure {
            out.push('i');
        }
        let _ = write!(out, "{field}{}", self.ram.amount_text());
        if self.ram.no_ecc {
            out.push('u');
        }
        if self.ram.oversubscribed {
            out.push('o');
        }
        if let Some(disk) = &self.disk {
            out.push(field);
            if let Some(count) = disk.count.filter(|c| *c != 1) {
                let _ = write!(out, "{count}x");
            }
            if let Some(size) = disk.size_gb {
                let _ = write!(out, "{size}");
            }
            if let Some(kind) = disk.kind {
                out.push(kind.letter());
            }
        }
        if let Some(hyp) = self.hypervisor {
            let _ = write!(out, "{ext}{}", hyp.code());
        }
        if self.hardware_virtualization {
            let _ = write!(out, "{ext}hwv");
        }
        if let Some(brand) = &self.cpu_brand {
            let _ = write!(out, "{ext}{}", brand.vendor.letter());
            if let Some(generation) = brand.generation.filter(|g| *g != 0) {
                let _ = write!(out, "{generation}");
            }
            out.extend(std::iter::repeat_n('h', usize::from(brand.frequency)));
        }
        if let Some(gpu) = &self.gpu {
            let _ = write!(
                out,
                "{ext}{}{}{}",
                if gpu.passthrough { 'G' } else { 'g' },
                gpu.vendor.letter(),
                gpu.generation.as_deref().unwrap_or("")
            );
            if let Some(units) = gpu.units {
                let _ = write!(out, "{field}{units}");
                out.extend(std::iter::repeat_n('h', usize::from(gpu.units_high_frequency)));
                if let Some(vram) = gpu.vram_gib {
                    let _ = write!(out, "{field}{vram}");
                    if gpu.vram_high_bandwidth {
                        out.push('h');
                    }
                }
            }
        }
        if self.infiniband {
            let _ = write!(out, "{ext}ib");
        }
        out
    }

    /// The canonical short name (upstream `shorten`): drops the hypervisor,
    /// `_hwv`, an x86 CPU brand, the generation and frequency of other brands,
    /// and the GPU's high-frequency/bandwidth modifiers.
    pub fn shorten(&self) -> FlavorName {
        let mut short = self.clone();
        short.hypervisor = None;
        short.hardware_virtualization = false;
        short.cpu_brand = self.cpu_brand.filter(|b| !b.vendor.is_x86()).map(|mut b| {
            b.generation = None;
            b.frequency = 0;
            b
        });
        if let Some(gpu) = &mut short.gpu {
            gpu.units_high_frequency = 0;
            gpu.vram_high_bandwidth = false;
        }
        short
    }
}

impl fmt::Display for FlavorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Syntax::V2))
    }
}
