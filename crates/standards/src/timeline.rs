// SPDX-License-Identifier: Apache-2.0
//! Which scope versions are valid on a date.
//!
//! The timeline entry in force on a date is the one with the latest date not
//! after it, whatever the order in the file. A version it lists is
//! *explicitly valid* with the listed code; any other version is implicitly
//! `deprecated` and is skipped by default by both the checker and the monitor.

use crate::scope::{Scope, TimelineEntry};
pub use crate::scope::{UnknownValidity, Validity};
use chrono::NaiveDate;
use serde::Serialize;

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
