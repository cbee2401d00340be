// SPDX-License-Identifier: Apache-2.0
//! The SCS flavor-naming standard (scs-0100) as a library.
//!
//! Flavor names such as `SCS-2V-4-20s` encode vCPUs, RAM, root disk and
//! optional extensions (hypervisor, nested virtualization, CPU brand, GPU,
//! InfiniBand). Checks (scs-0100 syntax and semantics, scs-0103 standard
//! flavors) and the `scs flavor` command both need the same grammar, so it
//! lives here, pure and without I/O.
//!
//! ```
//! let parsed = scs_flavor::parse("SCS-2V-4-20s").unwrap();
//! assert_eq!(parsed.name.describe(), "2 shared vCPUs, 4 GiB RAM, 20 GB local SSD root disk");
//! assert_eq!(parsed.name.to_string(), "SCS-2V-4-20s");
//! ```

mod describe;
mod extra_specs;
pub mod model;
mod parse;
mod render;

pub use model::FlavorName;
pub use parse::{Component, ParseError, Syntax, parse_with};
use serde::Serialize;

/// Which version of the naming standard a valid name conforms to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NamingVersion {
    /// scs-0100-v3 (its syntax is also v2's).
    V3,
    /// Only the deprecated v1 syntax; the checker tolerates it with a warning.
    V1Tolerated,
}

impl NamingVersion {
    /// The short label used in reports and CLI output.
    pub fn label(self) -> &'static str {
        match self {
            Self::V3 => "v3",
            Self::V1Tolerated => "v1",
        }
    }
}

/// A name that parsed, with the syntax it was written in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Parsed {
    /// The parsed name.
    pub name: FlavorName,
    /// The syntax the text used.
    pub syntax: Syntax,
}

impl Parsed {
    /// The version of the standard the name conforms to.
    pub fn version(&self) -> NamingVersion {
        match self.syntax {
            Syntax::V2 => NamingVersion::V3,
            Syntax::V1 => NamingVersion::V1Tolerated,
        }
    }
}

/// Parses a name as the scs-0100 checker does: v3 syntax first; if that
/// fails, the v1 syntax is tolerated. On failure the error of the syntax the
/// name most likely meant is returned (v1 if it contains a `:`).
pub fn parse(name: &str) -> Result<Parsed, ParseError> {
    match parse_with(name, Syntax::V2) {
        Ok(name) => Ok(Parsed { name, syntax: Syntax::V2 }),
        Err(v2_error) => match parse_with(name, Syntax::V1) {
            Ok(name) => Ok(Parsed { name, syntax: Syntax::V1 }),
            Err(v1_error) if name.contains(':') => Err(v1_error),
            Err(_) => Err(v2_error),
        },
    }
}

/// Whether `name` claims to be an SCS name, i.e. must satisfy scs-0100.
pub fn is_scs_name(name: &str) -> bool {
    name.starts_with("SCS-")
}
