// SPDX-License-Identifier: Apache-2.0
//! Image specs of scs-0104-v1: which images a cloud must, should or may offer
//! and where they must come from.

use crate::error::{FileError, from_yaml};
use serde::{Deserialize, Serialize};

/// How strongly an image is required.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageStatus {
    /// MUST be offered.
    Mandatory,
    /// SHOULD be offered.
    Recommended,
    /// MAY be offered; if offered, its source must match.
    #[default]
    Optional,
}

/// One or several URL prefixes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Sources {
    /// A single prefix.
    One(String),
    /// Several prefixes.
    Many(Vec<String>),
}

impl Sources {
    /// The prefixes as a slice.
    pub fn prefixes(&self) -> &[String] {
        match self {
            Self::One(s) => std::slice::from_ref(s),
            Self::Many(v) => v,
        }
    }
}

/// An image (or a class of images, with `name_scheme`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageEntry {
    /// Image name, or class name with `name_scheme`.
    pub name: String,
    /// Regex (anchored at the start) that names of the class match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_scheme: Option<String>,
    /// Allowed `image_source` prefixes.
    pub source: Sources,
    /// Requirement level.
    #[serde(default)]
    pub status: ImageStatus,
}

/// An image spec file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageSpec {
    /// The entries in file order.
    pub images: Vec<ImageEntry>,
}

impl ImageSpec {
    /// Loads a spec from YAML text; `source` names it in errors.
    pub fn from_yaml(source: &str, text: &str) -> Result<Self, FileError> {
        from_yaml(source, text)
    }
}
