// SPDX-License-Identifier: Apache-2.0
//! Which scope versions are valid on a date.
//!
//! The timeline entry in force on a date is the one with the latest date not
//! after it, whatever the order in the file. A version it lists is
//! *explicitly valid* with the listed code; any other version is implicitly
//! `deprecated` and is skipped by default by both the checker and the monitor.

use crate::scope::{Scope, TimelineEntry};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A validity code of the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Validity {
    /// Certifiable; the version must be stable.
    Effective,
    /// Certifiable, but a PASS must warn that the version is about to expire.
    Warn,
    /// Testable, not certifiable.
    Draft,
    /// Testable, not certifiable (also every version a timeline entry omits).
    Deprecated,
}

impl Validity {
    /// All codes.
    pub const ALL: [Self; 4] = [Self::Effective, Self::Warn, Self::Draft, Self::Deprecated];

    /// The code as written in scope files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Effective => "effective",
            Self::Warn => "warn",
            Self::Draft => "draft",
            Self::Deprecated => "deprecated",
        }
    }

    /// Whether a certificate can be issued against a version with this code.
    pub fn is_certifiable(self) -> bool {
        matches!(self, Self::Effective | Self::Warn)
    }

    /// The suffix the monitor appends to a passed version (`v4†`).
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Effective => "",
            Self::Draft => "*",
            Self::Warn => "†",
            Self::Deprecated => "††",
        }
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not a validity code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown validity '{0}'")]
pub struct UnknownValidity(pub String);

impl FromStr for Validity {
    type Err = UnknownValidity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| UnknownValidity(s.to_owned()))
    }
}

/// A version's standing on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// Its validity code.
    pub validity: Validity,
    /// Whether the timeline entry in force lists it.
    pub explicit: bool,
}

impl Scope {
    /// The timeline entry in force on `date`, if any.
    pub fn timeline_entry(&self, date: NaiveDate) -> Option<&TimelineEntry> {
        self.timeline.iter().filter(|e| e.date <= date).max_by_key(|e| e.date)
    }

    /// The standing of `version` on `date`.
    pub fn standing(&self, version: &str, date: NaiveDate) -> Standing {
        match self.timeline_entry(date).and_then(|e| e.versions.get(version)) {
            Some(&validity) => Standing { validity, explicit: true },
            None => Standing { validity: Validity::Deprecated, explicit: false },
        }
    }

    /// Every version in file order with its standing on `date`.
    pub fn standings(&self, date: NaiveDate) -> Vec<(&str, Standing)> {
        self.versions.iter().map(|v| (v.name.as_str(), self.standing(&v.name, date))).collect()
    }
}
