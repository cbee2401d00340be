// SPDX-License-Identifier: Apache-2.0
//! What the version policy is judged against: the end-of-life table of the
//! Kubernetes branches, the release list with publication times, and the
//! critical CVEs with the versions they affect.
//!
//! The project ships a copy (`data/kubernetes.json`, compiled in) so that a
//! check works without network access; `scs data refresh` fetches a current
//! one where a network exists. Every copy says when it was fetched, and the
//! check reports that age, because a release missing from old data cannot
//! make a cluster fail.

use crate::version::{Branch, KubeVersion};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The copy shipped with this build.
pub const SHIPPED: &str = include_str!("../../../data/kubernetes.json");

/// Release data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseData {
    /// When the data was fetched from its sources.
    pub fetched_at: DateTime<Utc>,
    /// Where it came from (free text, for people).
    #[serde(default)]
    pub sources: Vec<String>,
    /// End of life per branch.
    pub branches: Vec<BranchLife>,
    /// Published releases (no pre-releases).
    pub releases: Vec<Release>,
    /// CVEs with a CVSS base score of 8 or more that affect Kubernetes itself.
    #[serde(default)]
    pub critical_cves: Vec<Cve>,
}

/// One row of the end-of-life table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchLife {
    /// The branch (`1.34`).
    pub branch: Branch,
    /// Last day of upstream support.
    pub end_of_life: NaiveDate,
}

/// A published release.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Version.
    pub version: KubeVersion,
    /// When it was published.
    pub published_at: DateTime<Utc>,
}

/// A critical CVE.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cve {
    /// `CVE-YYYY-NNNN`.
    pub id: String,
    /// The highest CVSS base score of the record.
    pub base_score: f64,
    /// Affected version ranges.
    pub affected: Vec<AffectedRange>,
}

/// Versions from `from` up to `below` (exclusive) or `up_to` (inclusive);
/// neither bound means `from` alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffectedRange {
    /// First affected version.
    pub from: KubeVersion,
    /// First version no longer affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<KubeVersion>,
    /// Last affected version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<KubeVersion>,
}

impl AffectedRange {
    /// Whether `v` lies in the range.
    pub fn contains(&self, v: KubeVersion) -> bool {
        match (self.below, self.up_to) {
            (Some(below), _) => self.from <= v && v < below,
            (None, Some(up_to)) => self.from <= v && v <= up_to,
            (None, None) => self.from == v,
        }
    }
}

impl Cve {
    /// Whether `v` is affected.
    pub fn affects(&self, v: KubeVersion) -> bool {
        self.affected.iter().any(|r| r.contains(v))
    }
}

/// Release data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Not readable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid release data.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Which field and why (line and column included).
        message: String,
    },
}

impl ReleaseData {
    /// The copy compiled into this build.
    pub fn shipped() -> Result<Self, DataError> {
        Self::parse(SHIPPED, Path::new("<shipped data/kubernetes.json>"))
    }

    /// Parses release data; errors name the field, line and column.
    pub fn parse(text: &str, path: &Path) -> Result<Self, DataError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de)
            .map_err(|e| DataError::Invalid { path: path.to_owned(), message: format!("{}: {}", e.path(), e.inner()) })
    }

    /// Reads a file written by `scs data refresh` (or by hand).
    pub fn load(path: &Path) -> Result<Self, DataError> {
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io { path: path.to_owned(), source })?;
        Self::parse(&text, path)
    }

    /// The data a check uses: `explicit` if given; else the refreshed copy
    /// in the user's data directory when it is newer than the shipped one;
    /// else the shipped one. Also says which it took.
    pub fn choose(explicit: Option<&Path>) -> Result<(Self, String), DataError> {
        if let Some(path) = explicit {
            return Ok((Self::load(path)?, path.display().to_string()));
        }
        let shipped = Self::shipped()?;
        if let Some(path) = default_path().filter(|p| p.exists()) {
            let refreshed = Self::load(&path)?;
            if refreshed.fetched_at > shipped.fetched_at {
                return Ok((refreshed, path.display().to_string()));
            }
        }
        Ok((shipped, "shipped with scs".into()))
    }

    /// The end of life of a branch, if the table lists it.
    pub fn end_of_life(&self, branch: Branch) -> Option<NaiveDate> {
        self.branches.iter().find(|b| b.branch == branch).map(|b| b.end_of_life)
    }

    /// Writes the data as pretty JSON (what the shipped file looks like).
    pub fn to_json(&self) -> String {
        let mut sorted = self.clone();
        sorted.branches.sort_by_key(|b| std::cmp::Reverse(b.branch));
        sorted.releases.sort_by_key(|r| std::cmp::Reverse(r.version));
        sorted.critical_cves.sort_by(|a, b| a.id.cmp(&b.id));
        serde_json::to_string_pretty(&sorted).unwrap_or_default() + "\n"
    }
}

/// Where `scs data refresh` writes: `$XDG_DATA_HOME/scs/kubernetes.json`,
/// else `~/.local/share/scs/kubernetes.json`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("scs").join("kubernetes.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_data_parses_and_lists_the_branches_of_the_upstream_table() {
        let data = ReleaseData::shipped().unwrap_or_else(|e| panic!("{e}"));
        for (branch, eol) in [("1.36", "2027-06-28"), ("1.31", "2025-10-28"), ("1.20", "2022-02-28")] {
            assert_eq!(
                data.end_of_life(branch.parse().unwrap_or_else(|e| panic!("{e}"))).map(|d| d.to_string()),
                Some(eol.to_owned())
            );
        }
        assert!(data.releases.iter().any(|r| r.version.to_string() == "v1.20.15"));
    }

    #[test]
    fn errors_name_the_field() {
        let text = r#"{"fetched_at": "2026-01-01T00:00:00Z", "branches": [{"branch": "one", "end_of_life": "2026-01-01"}], "releases": []}"#;
        let e = ReleaseData::parse(text, Path::new("k.json")).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("k.json: branches[0].branch: 'one' is not"), "{e}");
    }

    #[test]
    fn ranges_have_exclusive_and_inclusive_ends() {
        let v = |s: &str| s.parse::<KubeVersion>().unwrap_or_else(|e| panic!("{e}"));
        let below = AffectedRange { from: v("1.27.0"), below: Some(v("1.27.5")), up_to: None };
        assert!(below.contains(v("1.27.4")) && !below.contains(v("1.27.5")) && !below.contains(v("1.26.9")));
        let up_to = AffectedRange { from: v("1.28.0"), below: None, up_to: Some(v("1.28.0")) };
        assert!(up_to.contains(v("1.28.0")) && !up_to.contains(v("1.28.1")));
    }
}
