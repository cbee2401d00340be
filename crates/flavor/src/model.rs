// SPDX-License-Identifier: Apache-2.0
//! The parts of an SCS flavor name, as typed values.
//!
//! Every part keeps exactly what the name said (including an explicit
//! generation `0` or an empty disk part), so that rendering a parsed name gives
//! the same text back: `render(parse(x)) == x` for every canonical name.

use serde::Serialize;

/// How the vCPUs of a flavor are backed (scs-0100 "CPU suffixes").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CpuType {
    /// `L`: heavily oversubscribed vCPUs (crowded core).
    CrowdedCore,
    /// `V`: oversubscribed vCPUs with a guaranteed 20 % of a core (shared core).
    SharedCore,
    /// `T`: a dedicated hyperthread per vCPU.
    DedicatedThread,
    /// `C`: a dedicated core per vCPU.
    DedicatedCore,
}

impl CpuType {
    /// The letter used in flavor names.
    pub fn letter(self) -> char {
        match self {
            Self::CrowdedCore => 'L',
            Self::SharedCore => 'V',
            Self::DedicatedThread => 'T',
            Self::DedicatedCore => 'C',
        }
    }

    /// Maps a name letter back to the type.
    pub fn from_letter(c: char) -> Option<Self> {
        Some(match c {
            'L' => Self::CrowdedCore,
            'V' => Self::SharedCore,
            'T' => Self::DedicatedThread,
            'C' => Self::DedicatedCore,
            _ => return None,
        })
    }

    /// The value of the `scs:cpu-type` extra spec (scs-0103).
    pub fn extra_spec_value(self) -> &'static str {
        match self {
            Self::CrowdedCore => "crowded-core",
            Self::SharedCore => "shared-core",
            Self::DedicatedThread => "dedicated-thread",
            Self::DedicatedCore => "dedicated-core",
        }
    }
}

/// Number and kind of vCPUs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Cpu {
    /// Number of vCPUs (positive).
    pub count: u32,
    /// How they are backed.
    pub kind: CpuType,
    /// `i`: the provider does not commit to CPU vulnerability mitigations.
    pub insecure: bool,
}

/// Memory of a flavor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Ram {
    /// Memory in half GiB units; the standard allows halves (`SCS-1V-0.5`).
    pub half_gib: u32,
    /// `u`: no ECC memory.
    pub no_ecc: bool,
    /// `o`: memory is oversubscribed.
    pub oversubscribed: bool,
}

impl Ram {
    /// Memory in GiB.
    pub fn gib(&self) -> f64 {
        f64::from(self.half_gib) / 2.0
    }

    /// Memory in MiB, as Nova reports `ram`.
    pub fn mib(&self) -> u64 {
        u64::from(self.half_gib) * 512
    }

    /// The memory amount as written in names: `4`, `0.5`, `3.5`.
    pub fn amount_text(&self) -> String {
        if self.half_gib.is_multiple_of(2) {
            (self.half_gib / 2).to_string()
        } else {
            format!("{}.5", self.half_gib / 2)
        }
    }
}

/// What storage backs the root disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiskType {
    /// `n`: network shared storage (ceph/cinder).
    Network,
    /// `h`: local HDD.
    Hdd,
    /// `s`: local SSD (scs-0110 requirements apply).
    Ssd,
    /// `p`: local high-performance NVMe.
    Nvme,
}

impl DiskType {
    /// The letter used in flavor names.
    pub fn letter(self) -> char {
        match self {
            Self::Network => 'n',
            Self::Hdd => 'h',
            Self::Ssd => 's',
            Self::Nvme => 'p',
        }
    }

    /// Maps a name letter back to the type.
    pub fn from_letter(c: char) -> Option<Self> {
        Some(match c {
            'n' => Self::Network,
            'h' => Self::Hdd,
            's' => Self::Ssd,
            'p' => Self::Nvme,
            _ => return None,
        })
    }

    /// The value of the `scs:diskN-type` extra spec (scs-0103).
    pub fn extra_spec_value(self) -> &'static str {
        match self {
            Self::Network => "network",
            Self::Hdd => "hdd",
            Self::Ssd => "ssd",
            Self::Nvme => "nvme",
        }
    }
}

/// The root disk part. Its presence alone (`SCS-2C-4-`) means the cloud
/// provisions a root disk; its absence means boot from volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Disk {
    /// `Mx`: the disk is provisioned M times.
    pub count: Option<u32>,
    /// Size in GB; `None` lets the cloud pick (at least the image's `min_disk`).
    pub size_gb: Option<u32>,
    /// Storage type; `None` lets the cloud pick.
    pub kind: Option<DiskType>,
}

/// Hypervisor extension (`_kvm`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hypervisor {
    /// `kvm`: KVM with qemu, the default assumption.
    Kvm,
    /// `chy`: Cloud Hypervisor (not in v1).
    CloudHypervisor,
    /// `xen`: Xen.
    Xen,
    /// `vmw`: VMware.
    Vmware,
    /// `hyv`: Hyper-V.
    HyperV,
    /// `bms`: bare metal, no hypervisor.
    BareMetal,
}

impl Hypervisor {
    /// All hypervisors in table order.
    pub const ALL: [Self; 6] =
        [Self::Kvm, Self::CloudHypervisor, Self::Xen, Self::Vmware, Self::HyperV, Self::BareMetal];

    /// The code used in flavor names.
    pub fn code(self) -> &'static str {
        match self {
            Self::Kvm => "kvm",
            Self::CloudHypervisor => "chy",
            Self::Xen => "xen",
            Self::Vmware => "vmw",
            Self::HyperV => "hyv",
            Self::BareMetal => "bms",
        }
    }

    /// Human name.
    pub fn prose(self) -> &'static str {
        match self {
            Self::Kvm => "KVM",
            Self::CloudHypervisor => "Cloud Hypervisor",
            Self::Xen => "Xen",
            Self::Vmware => "VMware",
            Self::HyperV => "Hyper-V",
            Self::BareMetal => "bare metal",
        }
    }
}

/// CPU vendor / architecture in the brand extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CpuVendor {
    /// `i`: Intel x86-64.
    Intel,
    /// `z`: AMD (Zen) x86-64.
    Amd,
    /// `a`: ARM v8+.
    Arm,
    /// `r`: RISC-V.
    RiscV,
}

impl CpuVendor {
    /// The letter used in flavor names.
    pub fn letter(self) -> char {
        match self {
            Self::Intel => 'i',
            Self::Amd => 'z',
            Self::Arm => 'a',
            Self::RiscV => 'r',
        }
    }

    /// Maps a name letter back to the vendor.
    pub fn from_letter(c: char) -> Option<Self> {
        Some(match c {
            'i' => Self::Intel,
            'z' => Self::Amd,
            'a' => Self::Arm,
            'r' => Self::RiscV,
            _ => return None,
        })
    }

    /// Generations the standard defines, by number (index = generation).
    pub fn generations(self) -> &'static [&'static str] {
        match self {
            Self::Intel => &[
                "pre-Skylake",
                "Skylake",
                "Cascade Lake",
                "Ice Lake",
                "Sapphire Rapids",
                "Sierra Forest (E-cores)",
                "Granite Rapids (P-cores)",
            ],
            Self::Amd => &[
                "pre-Zen",
                "Zen-1 (Naples)",
                "Zen-2 (Rome)",
                "Zen-3 (Milan)",
                "Zen-4 (Genoa)",
                "Zen-5 (Turin)",
                "Zen-6 (Venice)",
            ],
            Self::Arm => &[
                "pre-Cortex A76",
                "A76/Neoverse N1 class",
                "A78/X1/Neoverse V1 class",
                "A71x/Neoverse N2/V2 (ARMv9)",
                "AmpereOne (ARMv8.6)",
                "A72x/Neoverse N3/V3 (ARMv9.2)",
            ],
            Self::RiscV => &["unspecified"],
        }
    }

    /// Human name.
    pub fn prose(self) -> &'static str {
        match self {
            Self::Intel => "Intel x86-64",
            Self::Amd => "AMD x86-64",
            Self::Arm => "ARM64",
            Self::RiscV => "RISC-V",
        }
    }

    /// Whether the vendor is x86; x86 brands are dropped from short names.
    pub fn is_x86(self) -> bool {
        matches!(self, Self::Intel | Self::Amd)
    }
}

/// The CPU brand extension (`_z3h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CpuBrand {
    /// Vendor / architecture.
    pub vendor: CpuVendor,
    /// Generation number as written (`0` is allowed but discouraged).
    pub generation: Option<u8>,
    /// Number of `h`: >2.75, >3.25, >3.75 GHz all-core.
    pub frequency: u8,
}

/// GPU vendor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GpuVendor {
    /// `N`: Nvidia; units are streaming multiprocessors.
    Nvidia,
    /// `A`: AMD; units are compute units.
    Amd,
    /// `I`: Intel; units are execution units.
    Intel,
}

impl GpuVendor {
    /// The letter used in flavor names.
    pub fn letter(self) -> char {
        match self {
            Self::Nvidia => 'N',
            Self::Amd => 'A',
            Self::Intel => 'I',
        }
    }

    /// Maps a name letter back to the vendor.
    pub fn from_letter(c: char) -> Option<Self> {
        Some(match c {
            'N' => Self::Nvidia,
            'A' => Self::Amd,
            'I' => Self::Intel,
            _ => return None,
        })
    }

    /// Human name.
    pub fn prose(self) -> &'static str {
        match self {
            Self::Nvidia => "Nvidia",
            Self::Amd => "AMD",
            Self::Intel => "Intel",
        }
    }

    /// What the vendor calls its processing units.
    pub fn unit_name(self) -> &'static str {
        match self {
            Self::Nvidia => "SMs",
            Self::Amd => "CUs",
            Self::Intel => "EUs",
        }
    }

    /// Known generation codes with their names (scs-0100-v3 GPU table).
    pub fn generations(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Nvidia => &[
                ("f", "Fermi"),
                ("k", "Kepler"),
                ("m", "Maxwell"),
                ("p", "Pascal"),
                ("v", "Volta"),
                ("t", "Turing"),
                ("a", "Ampere"),
                ("l", "Ada Lovelace"),
                ("g", "Grace Hopper"),
                ("b", "Blackwell"),
                ("u", "Blackwell Ultra"),
            ],
            Self::Amd => &[
                ("0.4", "GCN-4"),
                ("0.5", "GCN-5"),
                ("1", "CDNA-1"),
                ("1.1", "RDNA-1"),
                ("2", "CDNA-2"),
                ("2.1", "RDNA-2"),
                ("3", "CDNA-3"),
                ("3.1", "RDNA-3"),
                ("3.5", "RDNA-3.5"),
                ("4", "CDNA-4"),
                ("4.1", "RDNA-4"),
                ("5.1", "RDNA-5"),
            ],
            Self::Intel => &[
                ("0.9", "Gen9"),
                ("0.95", "Gen9.5"),
                ("1", "Xe (12.1/DG1)"),
                ("2", "Xe (12.2)"),
                ("3", "Arc (12.7/DG2)"),
                ("4", "Battlemage (20.0)"),
            ],
        }
    }
}

/// The GPU extension (`_GNa-14-6h`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Gpu {
    /// `G` pass-through (true) or `g` virtual GPU (false).
    pub passthrough: bool,
    /// Vendor.
    pub vendor: GpuVendor,
    /// Generation code as written (`a`, `3.1`, ...).
    pub generation: Option<String>,
    /// Number of SMs/CUs/EUs.
    pub units: Option<u32>,
    /// Number of `h` after the unit count (high-frequency units).
    pub units_high_frequency: u8,
    /// Video memory in GiB (rounded down).
    pub vram_gib: Option<u32>,
    /// `h` after the VRAM: high-bandwidth memory.
    pub vram_high_bandwidth: bool,
}

/// A parsed SCS flavor name. `Display` renders the v2/v3 syntax.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct FlavorName {
    /// vCPUs.
    pub cpu: Cpu,
    /// Memory.
    pub ram: Ram,
    /// Root disk; `None` = no root disk (boot from volume).
    pub disk: Option<Disk>,
    /// `_kvm` etc.
    pub hypervisor: Option<Hypervisor>,
    /// `_hwv`: hardware/nested virtualization available.
    pub hardware_virtualization: bool,
    /// `_z3h` etc.
    pub cpu_brand: Option<CpuBrand>,
    /// `_GNa-14-6h` etc.
    pub gpu: Option<Gpu>,
    /// `_ib`: InfiniBand.
    pub infiniband: bool,
}

impl FlavorName {
    /// A name with just CPU and RAM, the smallest valid shape.
    pub fn new(cpu: Cpu, ram: Ram) -> Self {
        Self {
            cpu,
            ram,
            disk: None,
            hypervisor: None,
            hardware_virtualization: false,
            cpu_brand: None,
            gpu: None,
            infiniband: false,
        }
    }

    /// Root disk size in GB as scs-0100's semantics check compares it (0 without a size).
    pub fn disk_size_gb(&self) -> u32 {
        self.disk.and_then(|d| d.size_gb).unwrap_or(0)
    }
}
