// SPDX-License-Identifier: Apache-2.0
//! Evaluating a subject's result history against a scope, as the compliance
//! monitor does.
//!
//! 1. Keep the latest result per testcase; drop testcases the scope does not
//!    know and results whose lifetime has run out.
//! 2. For every version explicitly valid at `now`, evaluate each target; the
//!    version's verdict is its `main` target's.
//! 3. Walk the versions in file order (drafts only when asked): each one walked
//!    is *relevant*; one that does not FAIL has *passed*, and the first passed
//!    non-draft version is the winner, which ends the walk.

use crate::scope::Scope;
use crate::timeline::Validity;
use crate::verdict::{TestResult, Verdict};
use chrono::NaiveDateTime;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One stored result of one testcase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResultRecord {
    /// Testcase id.
    pub testcase: String,
    /// The result.
    pub result: TestResult,
    /// When the check ran.
    pub checked_at: NaiveDateTime,
    /// The report it came from (run uuid).
    pub report: Option<String>,
}

/// A target's evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetEvaluation {
    /// The testcases of the target.
    pub testcases: Vec<String>,
    /// Their verdict.
    pub result: Verdict,
}

/// A version's evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionEvaluation {
    /// Version name.
    pub name: String,
    /// Validity at evaluation time.
    pub validity: Validity,
    /// Verdict of the `main` target.
    pub result: Verdict,
    /// Per target.
    pub targets: BTreeMap<String, TargetEvaluation>,
}

/// A subject's standing against one scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The latest valid result per testcase.
    pub results: BTreeMap<String, ResultRecord>,
    /// Explicitly valid versions, in file order.
    pub versions: Vec<VersionEvaluation>,
    /// Versions walked, in order.
    pub relevant: Vec<String>,
    /// Versions walked that did not fail.
    pub passed: Vec<String>,
    /// Verdict of the last version walked; `None` without any version.
    pub result: Option<Verdict>,
    /// The first passed non-draft version.
    pub winner: Option<String>,
    /// Validity of the winner; `deprecated` without one.
    pub validity: Validity,
    /// Main-target testcases of walked versions without a valid result,
    /// including manual ones (users asked for them explicitly: standards#941).
    pub missing: Vec<String>,
}

impl Evaluation {
    /// The passed versions with their validity suffixes, as upstream's
    /// `/status` gives them in `passed_str`: `v5.1`, `v4†`, `v6*, v5.1`,
    /// or empty.
    pub fn passed_str(&self) -> String {
        let passed: Vec<String> = self
            .passed
            .iter()
            .map(|v| {
                let validity = self.versions.iter().find(|e| &e.name == v).map_or(Validity::Deprecated, |e| e.validity);
                format!("{v}{}", validity.suffix())
            })
            .collect();
        passed.join(", ")
    }

    /// The monitor's summary on its pages: an emoji and [`Self::passed_str`]
    /// (`–` when none passed), e.g. `✅ v5.1`, `🟧 v4†`, `🛑 –`.
    pub fn summary(&self) -> String {
        let Some(result) = self.result else { return "🛑 –".to_owned() };
        let mut emoji = match result {
            Verdict::Fail => "🛑",
            Verdict::Missing => "🟧",
            Verdict::Abort => "✅*",
            Verdict::Pass => "✅",
        };
        if result != Verdict::Fail {
            match self.validity {
                Validity::Warn => emoji = "🟧",
                Validity::Deprecated => emoji = "🛑",
                _ => {}
            }
        }
        let passed = self.passed_str();
        if passed.is_empty() { format!("{emoji} –") } else { format!("{emoji} {passed}") }
    }
}

impl Scope {
    /// Evaluates `records` (in any order) at `now`.
    pub fn evaluate(&self, records: &[ResultRecord], now: NaiveDateTime, include_drafts: bool) -> Evaluation {
        let mut latest: HashMap<&str, &ResultRecord> = HashMap::with_capacity(self.testcases.len());
        for record in records {
            let Some(tc) = self.testcase(&record.testcase) else { continue };
            if !tc.lifetime.is_valid(record.checked_at, now) {
                continue;
            }
            match latest.get(record.testcase.as_str()) {
                Some(seen) if seen.checked_at >= record.checked_at => {}
                _ => {
                    latest.insert(tc.id.as_str(), record);
                }
            }
        }
        let result_of = |id: &str| latest.get(id).map(|r| r.result);
        let date = now.date();
        let mut evaluation = Evaluation {
            results: latest.iter().map(|(k, v)| ((*k).to_owned(), (*v).clone())).collect(),
            versions: Vec::new(),
            relevant: Vec::new(),
            passed: Vec::new(),
            result: None,
            winner: None,
            validity: Validity::Deprecated,
            missing: Vec::new(),
        };
        for version in &self.versions {
            let standing = self.standing(&version.name, date);
            if !standing.explicit {
                continue;
            }
            let targets: BTreeMap<String, TargetEvaluation> = version
                .targets
                .iter()
                .map(|(name, ids)| {
                    let result = Verdict::evaluate(ids.iter().map(|id| result_of(id)));
                    (name.clone(), TargetEvaluation { testcases: ids.clone(), result })
                })
                .collect();
            let result = targets.get("main").map_or(Verdict::Pass, |t| t.result);
            evaluation.versions.push(VersionEvaluation {
                name: version.name.clone(),
                validity: standing.validity,
                result,
                targets,
            });
        }
        for version in &evaluation.versions {
            if version.validity == Validity::Draft && !include_drafts {
                continue;
            }
            evaluation.relevant.push(version.name.clone());
            evaluation.result = Some(version.result);
            for id in version.targets.get("main").map(|t| t.testcases.as_slice()).unwrap_or_default() {
                if result_of(id).is_none() && !evaluation.missing.contains(id) {
                    evaluation.missing.push(id.clone());
                }
            }
            if version.result != Verdict::Fail {
                evaluation.passed.push(version.name.clone());
                if version.validity != Validity::Draft {
                    evaluation.winner = Some(version.name.clone());
                    evaluation.validity = version.validity;
                    break;
                }
            }
        }
        evaluation
    }
}
