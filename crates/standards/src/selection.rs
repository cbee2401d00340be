// SPDX-License-Identifier: Apache-2.0
//! Which versions and testcases a check runs, with upstream's filters.
//!
//! Without `--version`, every explicitly valid version on the reference date
//! is checked. The testcases are the union over all targets of those
//! versions. `--sections` keeps testcases whose section is listed (testcases
//! without a section are then dropped) and `--tests` is a regular expression
//! matched at the start of the id, as Python's `re.match`. Manual testcases are
//! never run; where a target needs them they stay without result (MISSING).

use crate::scope::Scope;
use crate::timeline::Validity;
use chrono::NaiveDate;
use regex::Regex;
use serde::Serialize;

/// What the user asked for.
#[derive(Clone, Debug, Default)]
pub struct SelectionRequest {
    /// Reference date for validity.
    pub date: Option<NaiveDate>,
    /// Check exactly this version, whatever its validity.
    pub version: Option<String>,
    /// Only testcases of these sections.
    pub sections: Option<Vec<String>>,
    /// Only testcases whose id matches at its start.
    pub tests: Option<String>,
}

/// A version chosen for the check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SelectedVersion {
    /// Version name.
    pub name: String,
    /// Its validity on the reference date.
    pub validity: Validity,
}

/// The outcome of selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// Reference date used.
    pub date: NaiveDate,
    /// Versions to check, in file order.
    pub versions: Vec<SelectedVersion>,
    /// Union of the testcases of all targets of those versions, in scope order.
    pub testcases: Vec<String>,
    /// The automated testcases to run after filtering, in scope order.
    pub to_run: Vec<String>,
    /// Manual testcases among `testcases` (never run).
    pub manual: Vec<String>,
    /// Whether a filter was applied (then missing results are not reported).
    pub filtered: bool,
}

/// Selection failed.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    /// `--version` names no version of the scope.
    #[error("scope '{scope}' has no version '{version}' (known: {known})")]
    UnknownVersion {
        /// The scope name.
        scope: String,
        /// The requested version.
        version: String,
        /// Known versions, comma-separated.
        known: String,
    },
    /// `--tests` is not a valid regular expression.
    #[error("invalid --tests pattern: {0}")]
    BadPattern(#[from] regex::Error),
}

impl Scope {
    /// Selects versions and testcases for a check.
    pub fn select(&self, request: &SelectionRequest, today: NaiveDate) -> Result<Selection, SelectionError> {
        let date = request.date.unwrap_or(today);
        let versions: Vec<SelectedVersion> = match &request.version {
            Some(name) => {
                if self.version(name).is_none() {
                    return Err(SelectionError::UnknownVersion {
                        scope: self.name.clone(),
                        version: name.clone(),
                        known: self.versions.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(", "),
                    });
                }
                vec![SelectedVersion { name: name.clone(), validity: self.standing(name, date).validity }]
            }
            None => self
                .standings(date)
                .into_iter()
                .filter(|(_, s)| s.explicit)
                .map(|(name, s)| SelectedVersion { name: name.to_owned(), validity: s.validity })
                .collect(),
        };
        let pattern = match &request.tests {
            Some(p) => Some(Regex::new(&format!("^(?:{p})"))?),
            None => None,
        };
        let wanted: std::collections::HashSet<&str> = versions
            .iter()
            .filter_map(|v| self.version(&v.name))
            .flat_map(|v| v.targets.values().flatten().map(String::as_str))
            .collect();
        let mut selection = Selection {
            date,
            versions,
            testcases: Vec::new(),
            to_run: Vec::new(),
            manual: Vec::new(),
            filtered: request.sections.is_some() || pattern.is_some(),
        };
        for tc in self.testcases.iter().filter(|tc| wanted.contains(tc.id.as_str())) {
            selection.testcases.push(tc.id.clone());
            if tc.manual {
                selection.manual.push(tc.id.clone());
                continue;
            }
            let section_ok = request
                .sections
                .as_ref()
                .is_none_or(|sections| tc.section.as_ref().is_some_and(|s| sections.contains(s)));
            let pattern_ok = pattern.as_ref().is_none_or(|re| re.is_match(&tc.id));
            if section_ok && pattern_ok {
                selection.to_run.push(tc.id.clone());
            }
        }
        Ok(selection)
    }
}
