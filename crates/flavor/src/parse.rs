// SPDX-License-Identifier: Apache-2.0
//! A hand-written scanner for flavor names.
//!
//! Upstream matches a sequence of regular expressions; we scan once, left to
//! right, so that an invalid name is reported with the byte position and the
//! component that is wrong ("unknown CPU type 'X' at 5") instead of a bare
//! "does not match". The accepted language is the upstream one, with the value
//! tables of scs-0100-v3 (CPU generations, GPU generations) enforced.

use crate::model::{Cpu, CpuBrand, CpuType, CpuVendor, Disk, DiskType, FlavorName, Gpu, GpuVendor, Hypervisor, Ram};
use serde::Serialize;
use std::fmt;

/// The two concrete syntaxes. v2 and v3 share one syntax; v1 used `:` where
/// v2 uses `-`, and `-` where v2 uses `_`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Syntax {
    /// scs-0100-v1 (deprecated, tolerated by the checker).
    V1,
    /// scs-0100-v2 and v3.
    V2,
}

impl Syntax {
    /// Separates CPU, RAM and disk.
    pub fn field_separator(self) -> u8 {
        match self {
            Self::V1 => b':',
            Self::V2 => b'-',
        }
    }

    /// Introduces each extension.
    pub fn extension_separator(self) -> u8 {
        match self {
            Self::V1 => b'-',
            Self::V2 => b'_',
        }
    }
}

/// Which part of the name an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    /// The `SCS-` prefix.
    Prefix,
    /// Number of vCPUs.
    CpuCount,
    /// CPU type letter and `i`.
    CpuType,
    /// RAM amount and suffixes.
    Ram,
    /// Root disk.
    Disk,
    /// Hypervisor extension.
    Hypervisor,
    /// `hwv` extension.
    HardwareVirtualization,
    /// CPU brand extension.
    CpuBrand,
    /// GPU extension.
    Gpu,
    /// `ib` extension.
    Infiniband,
    /// An extension that is none of the above, or in the wrong place.
    Extension,
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Prefix => "prefix",
            Self::CpuCount => "vCPU count",
            Self::CpuType => "CPU type",
            Self::Ram => "RAM",
            Self::Disk => "disk",
            Self::Hypervisor => "hypervisor",
            Self::HardwareVirtualization => "hardware virtualization",
            Self::CpuBrand => "CPU brand",
            Self::Gpu => "GPU",
            Self::Infiniband => "InfiniBand",
            Self::Extension => "extension",
        })
    }
}

/// Why a name is not a valid SCS flavor name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{message} at {position}")]
pub struct ParseError {
    /// Byte offset (0-based) of the offending character.
    pub position: usize,
    /// The component that is wrong.
    pub component: Component,
    /// What is wrong, without the position.
    pub message: String,
    /// The syntax the error was found with.
    pub syntax: Syntax,
}

/// Parses `name` in the given syntax.
pub fn parse_with(name: &str, syntax: Syntax) -> Result<FlavorName, ParseError> {
    Scanner { text: name, bytes: name.as_bytes(), pos: 0, syntax }.flavor()
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    syntax: Syntax,
}

/// Extension slots in their mandatory order.
const SLOT_NAMES: [&str; 5] = ["hypervisor", "hwv", "CPU brand", "GPU", "ib"];

impl Scanner<'_> {
    fn err<T>(&self, position: usize, component: Component, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError { position, component, message: message.into(), syntax: self.syntax })
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn char_at(&self, pos: usize) -> String {
        self.text
            .get(pos..)
            .and_then(|s| s.chars().next())
            .map_or_else(|| "end of name".to_owned(), |c| format!("'{}'", c.escape_default()))
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn digits(&mut self) -> &str {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    fn number(&mut self, component: Component, what: &str) -> Result<Option<u32>, ParseError> {
        let start = self.pos;
        let digits = self.digits().to_owned();
        if digits.is_empty() {
            return Ok(None);
        }
        match digits.parse::<u32>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => self.err(start, component, beyond_limit(what, &digits, u32::MAX.into())),
        }
    }

    fn flavor(mut self) -> Result<FlavorName, ParseError> {
        if !self.text.starts_with("SCS-") {
            return self.err(0, Component::Prefix, "name must start with 'SCS-'");
        }
        self.pos = 4;
        let cpu = self.cpu()?;
        let ram = self.ram()?;
        let mut name = FlavorName::new(cpu, ram);
        if self.eat(self.syntax.field_separator()) {
            name.disk = Some(self.disk()?);
        }
        self.extensions(&mut name)?;
        Ok(name)
    }

    fn cpu(&mut self) -> Result<Cpu, ParseError> {
        let start = self.pos;
        let Some(count) = self.number(Component::CpuCount, "vCPU count")? else {
            return self.err(start, Component::CpuCount, format!("expected vCPU count, found {}", self.char_at(start)));
        };
        if count == 0 {
            return self.err(start, Component::CpuCount, "vCPU count must be positive");
        }
        let at = self.pos;
        let kind = match self.peek().and_then(|b| CpuType::from_letter(char::from(b))) {
            Some(kind) => kind,
            None if self.peek() == Some(b'i')
                && self.bytes.get(at + 1).is_some_and(|&b| CpuType::from_letter(char::from(b)).is_some()) =>
            {
                return self.err(at, Component::CpuType, "insecure suffix 'i' must follow the CPU type letter");
            }
            None if self.peek().is_none() => {
                return self.err(at, Component::CpuType, "missing CPU type (L, V, T or C)");
            }
            None => return self.err(at, Component::CpuType, format!("unknown CPU type {}", self.char_at(at))),
        };
        self.pos += 1;
        let insecure = self.eat(b'i');
        Ok(Cpu { count, kind, insecure })
    }

    fn ram(&mut self) -> Result<Ram, ParseError> {
        let sep = self.syntax.field_separator();
        if !self.eat(sep) {
            let at = self.pos;
            if self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
                return self.err(at, Component::CpuType, format!("unexpected {} after the CPU type", self.char_at(at)));
            }
            return self.err(
                at,
                Component::Ram,
                format!("expected '{}' before RAM size, found {}", char::from(sep), self.char_at(at)),
            );
        }
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit() || b == b'.') {
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        if text.is_empty() {
            return self.err(start, Component::Ram, format!("expected RAM size in GiB, found {}", self.char_at(start)));
        }
        let Some(half_gib) = half_units(text) else {
            let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
            let a_half = !whole.is_empty() && matches!(frac.trim_end_matches('0'), "" | "5");
            if a_half && whole.bytes().all(|b| b.is_ascii_digit()) {
                // an exact half, but more than 32 bits of half GiB hold
                return self.err(start, Component::Ram, beyond_limit("RAM size in GiB", text, u64::from(u32::MAX / 2)));
            }
            return self.err(start, Component::Ram, format!("RAM size '{text}' must be a multiple of 0.5 GiB"));
        };
        if half_gib == 0 {
            return self.err(start, Component::Ram, "RAM size must be positive");
        }
        let no_ecc = self.eat(b'u');
        let oversubscribed = self.eat(b'o');
        if oversubscribed && self.peek() == Some(b'u') {
            let at = self.pos;
            return self.err(at, Component::Ram, "RAM suffix 'u' must come before 'o'");
        }
        Ok(Ram { half_gib, no_ecc, oversubscribed })
    }

    fn disk(&mut self) -> Result<Disk, ParseError> {
        let mut disk = Disk::default();
        let start = self.pos;
        let number = self.number(Component::Disk, "disk size")?;
        if self.eat(b'x') {
            match number {
                Some(0) => return self.err(start, Component::Disk, "disk count must be positive"),
                Some(n) => disk.count = Some(n),
                None => return self.err(start, Component::Disk, "expected disk count before 'x'"),
            }
            disk.size_gb = self.number(Component::Disk, "disk size")?;
        } else {
            disk.size_gb = number;
        }
        if disk.size_gb == Some(0) {
            return self.err(start, Component::Disk, "disk size must be positive");
        }
        if let Some(kind) = self.peek().and_then(|b| DiskType::from_letter(char::from(b))) {
            disk.kind = Some(kind);
            self.pos += 1;
        }
        if self.peek() == Some(b'.') {
            let at = self.pos;
            return self.err(at, Component::Disk, "disk size must be a whole number of GB");
        }
        Ok(disk)
    }

    fn extensions(&mut self, name: &mut FlavorName) -> Result<(), ParseError> {
        let sep = self.syntax.extension_separator();
        let mut last_slot: Option<usize> = None;
        while let Some(b) = self.peek() {
            let at = self.pos;
            if b != sep {
                let (component, expected) = if name.disk.is_some() || last_slot.is_some() {
                    (Component::Extension, format!("expected '{}' before an extension", char::from(sep)))
                } else {
                    (Component::Disk, "unexpected character".to_owned())
                };
                let found = self.char_at(at);
                return self.err(at, component, format!("{expected}, found {found}"));
            }
            self.pos += 1;
            let seg_start = self.pos;
            let seg_end =
                self.bytes[seg_start..].iter().position(|&c| c == sep).map_or(self.bytes.len(), |i| seg_start + i);
            let segment = &self.text[seg_start..seg_end];
            let slot = self.extension(segment, seg_start, name)?;
            if let Some(last) = last_slot {
                if slot == last {
                    return self.err(at, Component::Extension, format!("duplicate {} extension", SLOT_NAMES[slot]));
                }
                if slot < last {
                    return self.err(
                        at,
                        Component::Extension,
                        format!(
                            "{} extension '{}' must come before the {} extension",
                            SLOT_NAMES[slot], segment, SLOT_NAMES[last]
                        ),
                    );
                }
            }
            last_slot = Some(slot);
            self.pos = seg_end;
        }
        Ok(())
    }

    /// Parses one extension segment (without its separator) and returns its slot.
    fn extension(&self, segment: &str, at: usize, name: &mut FlavorName) -> Result<usize, ParseError> {
        if segment.is_empty() {
            return self.err(at, Component::Extension, "empty extension");
        }
        if let Some(hyp) = Hypervisor::ALL.iter().find(|h| h.code() == segment) {
            if *hyp == Hypervisor::CloudHypervisor && self.syntax == Syntax::V1 {
                return self.err(at, Component::Hypervisor, "hypervisor 'chy' is not defined in naming v1");
            }
            name.hypervisor = Some(*hyp);
            return Ok(0);
        }
        match segment {
            "hwv" => {
                name.hardware_virtualization = true;
                return Ok(1);
            }
            "ib" => {
                name.infiniband = true;
                return Ok(4);
            }
            _ => {}
        }
        let first = segment.as_bytes()[0];
        if let Some(vendor) = CpuVendor::from_letter(char::from(first)) {
            name.cpu_brand = Some(self.cpu_brand(vendor, &segment[1..], at + 1)?);
            return Ok(2);
        }
        if first == b'G' || first == b'g' {
            name.gpu = Some(self.gpu(first == b'G', &segment[1..], at + 1)?);
            return Ok(3);
        }
        self.err(
            at,
            Component::Extension,
            format!("unknown extension '{}{segment}'", char::from(self.syntax.extension_separator())),
        )
    }

    fn cpu_brand(&self, vendor: CpuVendor, rest: &str, at: usize) -> Result<CpuBrand, ParseError> {
        let digits_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let generation = if digits_len == 0 {
            None
        } else {
            let gen_text = &rest[..digits_len];
            let known = vendor.generations().len();
            match gen_text.parse::<u8>() {
                Ok(g) if usize::from(g) < known => Some(g),
                _ => {
                    return self.err(
                        at,
                        Component::CpuBrand,
                        format!(
                            "unknown {} generation '{gen_text}' (known: 0 to {})",
                            vendor.prose(),
                            known.saturating_sub(1)
                        ),
                    );
                }
            }
        };
        let h_len = rest[digits_len..].bytes().take_while(|&b| b == b'h').count();
        let end = digits_len + h_len;
        if end < rest.len() {
            return self.err(
                at + end,
                Component::CpuBrand,
                format!("unexpected {} in CPU brand", self.char_at(at + end)),
            );
        }
        if h_len > 3 {
            return self.err(at + digits_len, Component::CpuBrand, "at most 'hhh' (>3.75 GHz) is defined");
        }
        Ok(CpuBrand { vendor, generation, frequency: h_len as u8 })
    }

    fn gpu(&self, passthrough: bool, rest: &str, at: usize) -> Result<Gpu, ParseError> {
        let Some(vendor) = rest.chars().next().and_then(GpuVendor::from_letter) else {
            return self.err(at, Component::Gpu, format!("unknown GPU vendor {} (N, A or I)", self.char_at(at)));
        };
        let inner_sep = self.syntax.field_separator();
        let bytes = rest.as_bytes();
        let mut i = 1;
        while i < bytes.len() && bytes[i] != inner_sep && bytes[i] != b'h' {
            i += 1;
        }
        let generation = &rest[1..i];
        if !generation.is_empty() && !gpu_generation_is_valid(vendor, generation) {
            return self.err(
                at + 1,
                Component::Gpu,
                format!("unknown {} GPU generation '{generation}'", vendor.prose()),
            );
        }
        let mut gpu = Gpu {
            passthrough,
            vendor,
            generation: (!generation.is_empty()).then(|| generation.to_owned()),
            units: None,
            units_high_frequency: 0,
            vram_gib: None,
            vram_high_bandwidth: false,
        };
        let number = |i: &mut usize, what: &str| -> Result<u32, ParseError> {
            let start = *i;
            while *i < bytes.len() && bytes[*i].is_ascii_digit() {
                *i += 1;
            }
            match rest[start..*i].parse::<u32>() {
                Ok(0) => self.err(at + start, Component::Gpu, format!("{what} must be at least 1")),
                Ok(n) => Ok(n),
                Err(_) if start == *i => self.err(at + start, Component::Gpu, format!("expected {what}")),
                Err(_) => self.err(at + start, Component::Gpu, beyond_limit(what, &rest[start..*i], u32::MAX.into())),
            }
        };
        let count_h = |i: &mut usize| {
            let start = *i;
            while *i < bytes.len() && bytes[*i] == b'h' {
                *i += 1;
            }
            *i - start
        };
        if i < bytes.len() && bytes[i] == inner_sep {
            i += 1;
            gpu.units = Some(number(&mut i, vendor.unit_name())?);
            let h = count_h(&mut i);
            if h > 2 {
                return self.err(at + i - h, Component::Gpu, "at most 'hh' is defined for GPU compute units");
            }
            gpu.units_high_frequency = h as u8;
            if i < bytes.len() && bytes[i] == inner_sep {
                i += 1;
                gpu.vram_gib = Some(number(&mut i, "VRAM size in GiB")?);
                let h = count_h(&mut i);
                if h > 1 {
                    return self.err(at + i - h + 1, Component::Gpu, "VRAM takes at most one 'h'");
                }
                gpu.vram_high_bandwidth = h == 1;
            }
        }
        if i < bytes.len() {
            return self.err(at + i, Component::Gpu, format!("unexpected {} in GPU", self.char_at(at + i)));
        }
        Ok(gpu)
    }
}

/// A GPU generation is one of its vendor's table (Nvidia's letters, AMD's
/// and Intel's numbers), as upstream's checker holds them: a new generation
/// needs a new table entry, here as there.
fn gpu_generation_is_valid(vendor: GpuVendor, generation: &str) -> bool {
    vendor.generations().iter().any(|(code, _)| *code == generation)
}

/// The message for a number the standard allows but this tool cannot hold.
fn beyond_limit(what: &str, digits: &str, limit: u64) -> String {
    format!("{what} '{digits}' is beyond this tool's limit of {limit} (the standard sets none)")
}

/// Parses a decimal RAM amount into half-GiB units, `None` unless it is an exact
/// multiple of 0.5 (`"4"`, `"0.5"`, `"3.50"`).
fn half_units(text: &str) -> Option<u32> {
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if frac.contains('.') || (whole.is_empty() && frac.is_empty()) {
        return None;
    }
    let whole: u32 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac = frac.trim_end_matches('0');
    let half = match frac {
        "" => 0,
        "5" => 1,
        _ => return None,
    };
    whole.checked_mul(2)?.checked_add(half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_units_accepts_exact_halves_only() {
        assert_eq!(half_units("4"), Some(8));
        assert_eq!(half_units("0.5"), Some(1));
        assert_eq!(half_units("3.50"), Some(7));
        assert_eq!(half_units(".5"), Some(1));
        assert_eq!(half_units("1.25"), None);
        assert_eq!(half_units("1.2.3"), None);
        assert_eq!(half_units("."), None);
        assert_eq!(half_units("99999999999"), None);
    }

    #[test]
    fn error_names_position_and_component() {
        let err = parse_with("SCS-2X-4", Syntax::V2).unwrap_err();
        assert_eq!(err.to_string(), "unknown CPU type 'X' at 5");
        assert_eq!(err.component, Component::CpuType);
    }
}
