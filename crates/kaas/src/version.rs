// SPDX-License-Identifier: Apache-2.0
//! Kubernetes release versions as the API server and the release list spell
//! them (`v1.34.2`, `v1.31.4-eks-2a1b3c`, `v1.30.5+k3s1`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// `MAJOR.MINOR.PATCH`; what follows (pre-release, distribution build) is
/// dropped because the version policy is about upstream patch levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    /// Major (1).
    pub major: u32,
    /// Minor: the branch within the major.
    pub minor: u32,
    /// Patch level.
    pub patch: u32,
}

/// A string that is not a Kubernetes version.
#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a Kubernetes version (expected v1.MINOR.PATCH)")]
pub struct VersionError(pub String);

impl KubeVersion {
    /// The branch (`1.34`) this version belongs to.
    pub fn branch(&self) -> Branch {
        Branch { major: self.major, minor: self.minor }
    }
}

impl FromStr for KubeVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || VersionError(s.to_owned());
        let core = s.trim().strip_prefix('v').unwrap_or(s.trim());
        let core = core.split(['-', '+']).next().unwrap_or_default();
        let mut parts = core.split('.');
        let mut next = || parts.next().and_then(|p| p.parse::<u32>().ok()).ok_or_else(bad);
        let version = KubeVersion { major: next()?, minor: next()?, patch: next()? };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(version)
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl Serialize for KubeVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}.{}.{}", self.major, self.minor, self.patch))
    }
}

impl<'de> Deserialize<'de> for KubeVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A release branch (`1.34`): what providers offer and the EOL table lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Branch {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
}

impl FromStr for Branch {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || VersionError(s.to_owned());
        let (major, minor) = s.trim().strip_prefix('v').unwrap_or(s.trim()).split_once('.').ok_or_else(bad)?;
        Ok(Branch { major: major.parse().map_err(|_| bad())?, minor: minor.parse().map_err(|_| bad())? })
    }
}

impl fmt::Display for Branch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Serialize for Branch {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Branch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_of_distributions_parse_to_the_upstream_patch_level() {
        let v = |s: &str| s.parse::<KubeVersion>().map(|v| (v.major, v.minor, v.patch)).ok();
        assert_eq!(v("v1.20.2"), Some((1, 20, 2)));
        assert_eq!(v("v1.31.4-eks-2a1b3c"), Some((1, 31, 4)));
        assert_eq!(v("v1.30.5+k3s1"), Some((1, 30, 5)));
        assert_eq!(v("1.33.0"), Some((1, 33, 0)));
        for bad in ["", "v1.20", "v1.x.2", "v1.2.3.4", "latest"] {
            assert!(bad.parse::<KubeVersion>().is_err(), "{bad}");
        }
        assert!("v1.34.2".parse::<KubeVersion>().is_ok_and(|v| v.branch().to_string() == "1.34"));
        assert!("1.9".parse::<Branch>().is_ok_and(|b| b < "1.10".parse().unwrap_or(b)));
    }
}
