// SPDX-License-Identifier: Apache-2.0
//! Prose descriptions of flavor names, for operators and their customers.

use crate::model::{CpuType, DiskType, FlavorName};

fn plural(n: u32, singular: &str) -> String {
    if n == 1 { format!("{n} {singular}") } else { format!("{n} {singular}s") }
}

impl FlavorName {
    /// Describes the name in one English sentence fragment, e.g.
    /// "2 shared vCPUs, 4 GiB RAM, 20 GB local SSD root disk".
    pub fn describe(&self) -> String {
        let mut parts = Vec::with_capacity(8);
        let cpu_noun = match self.cpu.kind {
            CpuType::CrowdedCore => "crowded vCPU",
            CpuType::SharedCore => "shared vCPU",
            CpuType::DedicatedThread => "dedicated thread",
            CpuType::DedicatedCore => "dedicated core",
        };
        let mut cpu = plural(self.cpu.count, cpu_noun);
        if self.cpu.insecure {
            cpu.push_str(" (insecure: mitigations not guaranteed)");
        }
        parts.push(cpu);

        let mut ram = format!("{} GiB RAM", self.ram.amount_text());
        match (self.ram.no_ecc, self.ram.oversubscribed) {
            (true, true) => ram.push_str(" (no ECC, oversubscribed)"),
            (true, false) => ram.push_str(" (no ECC)"),
            (false, true) => ram.push_str(" (oversubscribed)"),
            (false, false) => {}
        }
        parts.push(ram);

        parts.push(match &self.disk {
            None => "no root disk (boot from volume)".to_owned(),
            Some(disk) => {
                let kind = match disk.kind {
                    Some(DiskType::Network) => "network ",
                    Some(DiskType::Hdd) => "local HDD ",
                    Some(DiskType::Ssd) => "local SSD ",
                    Some(DiskType::Nvme) => "local NVMe ",
                    None => "",
                };
                let count = disk.count.unwrap_or(1);
                let noun = if count == 1 { "root disk" } else { "root disks" };
                let prefix = if disk.count.is_some() { format!("{count}x ") } else { String::new() };
                match disk.size_gb {
                    Some(size) => format!("{prefix}{size} GB {kind}{noun}"),
                    None if kind.is_empty() => format!("{prefix}{noun} of a type and size the cloud chooses"),
                    None => format!("{prefix}{kind}{noun} sized by the cloud"),
                }
            }
        });

        if let Some(hyp) = self.hypervisor {
            parts.push(match hyp {
                crate::model::Hypervisor::BareMetal => "bare metal".to_owned(),
                other => format!("{} hypervisor", other.prose()),
            });
        }
        if self.hardware_virtualization {
            parts.push("hardware virtualization available".to_owned());
        }
        if let Some(brand) = &self.cpu_brand {
            let mut text = brand.vendor.prose().to_owned();
            if let Some(generation) = brand.generation {
                let names = brand.vendor.generations();
                let name = names.get(usize::from(generation)).copied().unwrap_or("unknown");
                text.push_str(&format!(" {name} (generation {generation})"));
            }
            match brand.frequency {
                0 => {}
                1 => text.push_str(", >2.75 GHz all-core"),
                2 => text.push_str(", >3.25 GHz all-core"),
                _ => text.push_str(", >3.75 GHz all-core"),
            }
            parts.push(text);
        }
        if let Some(gpu) = &self.gpu {
            let mut text =
                format!("{} {}", if gpu.passthrough { "pass-through" } else { "virtual" }, gpu.vendor.prose());
            if let Some(code) = &gpu.generation {
                let name = gpu.vendor.generations().iter().find(|(c, _)| c == code).map_or(code.as_str(), |(_, n)| n);
                text.push(' ');
                text.push_str(name);
            }
            text.push_str(" GPU");
            if let Some(units) = gpu.units {
                text.push_str(&format!(" with {units} {}", gpu.vendor.unit_name()));
                match gpu.units_high_frequency {
                    0 => {}
                    1 => text.push_str(" (high frequency)"),
                    _ => text.push_str(" (very high frequency)"),
                }
            }
            if let Some(vram) = gpu.vram_gib {
                text.push_str(&format!(
                    " and {vram} GiB {}VRAM",
                    if gpu.vram_high_bandwidth { "high-bandwidth " } else { "" }
                ));
            }
            parts.push(text);
        }
        if self.infiniband {
            parts.push("InfiniBand".to_owned());
        }
        parts.join(", ")
    }
}
