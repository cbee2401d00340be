// SPDX-License-Identifier: Apache-2.0
//! `GET /status`: every subject's evaluation against every scope, in the JSON
//! shape upstream's monitor returns (results as 1/0/-1/null).

use crate::store::{Store, StoreError};
use chrono::NaiveDateTime;
use scs_standards::evaluation::ResultRecord;
use scs_standards::{Scope, TestResult, Verdict};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// The stored results of `subject` against `scope`, as evaluation records.
pub async fn records(store: &Store, subject: &str, scope: &Scope) -> Result<Vec<ResultRecord>, StoreError> {
    let uuid = scope.uuid.clone().unwrap_or_default();
    Ok(store.latest_results(subject, &uuid).await?.into_iter().filter_map(record).collect())
}

/// What the scope says of a testcase.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestcaseInfo {
    /// What the testcase verifies.
    pub description: Option<String>,
    /// Where it is specified.
    pub url: Option<String>,
    /// How long a result counts: day, week, month, quarter, year, ...
    pub lifetime: String,
}

/// The valid result a verdict rests on.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ResultEntry {
    /// 1 PASS, 0 ABORT, -1 FAIL.
    pub result: i8,
    /// When the test ran (UTC).
    pub checked_at: String,
    /// The run uuid of the report holding it.
    pub report: Option<String>,
}

/// One target (`main`, `recommended`, ...) of a version.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetStatus {
    /// Its testcases.
    pub testcases: Vec<String>,
    /// 1, 0, -1, or null when results are missing.
    pub result: Option<i8>,
}

/// One explicitly valid version of the scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionStatus {
    /// Position in the scope file.
    pub _idx: usize,
    /// Its `main` target's result: 1, 0, -1, or null (missing).
    pub result: Option<i8>,
    /// Every target.
    pub targets: BTreeMap<String, TargetStatus>,
    /// The target of each testcase.
    pub tc_target: BTreeMap<String, String>,
    /// draft, effective, warn or deprecated (as of the evaluation).
    pub validity: String,
}

/// One subject's standing against one scope: upstream's `/status` shape,
/// plus `missing` (and `subject` for groups).
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ScopeStatus {
    /// The scope's name.
    pub name: String,
    /// Every testcase of the scope.
    pub testcases: BTreeMap<String, TestcaseInfo>,
    /// The latest valid result of each testcase.
    pub results: BTreeMap<String, ResultEntry>,
    /// Testcases of the relevant versions by result (`1`, `0`, `-1`, and
    /// `null` for missing: upstream's JSON key for Python's `None`), main targets first.
    pub buckets: BTreeMap<String, Vec<String>>,
    /// The explicitly valid versions.
    pub versions: BTreeMap<String, VersionStatus>,
    /// The versions walked, in file order.
    pub relevant: Vec<String>,
    /// The result of the last version walked; null for missing or no version.
    pub result: Option<i8>,
    /// The versions walked that did not fail.
    pub passed: Vec<String>,
    /// The passed versions with validity suffixes (`v5.1`, `v4†`, or empty), as upstream.
    pub passed_str: String,
    /// The summary people see on the pages, e.g. `✅ v5.1`, `🛑 –` (ours; not upstream's).
    pub summary: String,
    /// The winning (first passed non-draft) version's position in the scope
    /// file (its `_idx`), as upstream; null when none won.
    pub best_passed: Option<usize>,
    /// The winning version's validity, else `deprecated`.
    pub validity: String,
    /// Main-target testcases of the walked versions without a valid result.
    pub missing: Vec<String>,
    /// For `group-NAME`: the member that represents the group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

fn code(v: Verdict) -> Option<i8> {
    match v {
        Verdict::Pass => Some(1),
        Verdict::Abort => Some(0),
        Verdict::Fail => Some(-1),
        Verdict::Missing => None,
    }
}

fn record(r: crate::store::LatestResult) -> Option<ResultRecord> {
    Some(ResultRecord {
        testcase: r.testcase,
        result: TestResult::from_code(i64::from(r.result))?,
        checked_at: r.checked_at,
        report: Some(r.report),
    })
}

/// Stored results fetched ahead for many subjects: scope uuid → subject →
/// records.
#[derive(Default)]
pub struct Prefetched(HashMap<String, HashMap<String, Vec<ResultRecord>>>);

impl Prefetched {
    /// Every subject's latest results against `scopes`, one query per scope.
    pub async fn load(store: &Store, scopes: &[&Scope]) -> Result<Self, StoreError> {
        let mut all = HashMap::new();
        for scope in scopes {
            let uuid = scope.uuid.clone().unwrap_or_default();
            let mut by_subject: HashMap<String, Vec<ResultRecord>> = HashMap::new();
            for (subject, row) in store.latest_results_all(&uuid).await? {
                if let Some(r) = record(row) {
                    by_subject.entry(subject).or_default().push(r);
                }
            }
            all.insert(uuid, by_subject);
        }
        Ok(Self(all))
    }

    /// The latest results of each of `subjects` against `scopes`, a query
    /// per subject and scope: cheaper than [`Prefetched::load`] for a few.
    pub async fn load_subjects(store: &Store, scopes: &[&Scope], subjects: &[String]) -> Result<Self, StoreError> {
        let mut all: HashMap<String, HashMap<String, Vec<ResultRecord>>> = HashMap::new();
        for scope in scopes {
            let by_subject = all.entry(scope.uuid.clone().unwrap_or_default()).or_default();
            for subject in subjects {
                by_subject.insert(subject.clone(), records(store, subject, scope).await?);
            }
        }
        Ok(Self(all))
    }

    /// Every subject with stored results against any of the scopes fetched.
    pub fn subjects(&self) -> std::collections::BTreeSet<&str> {
        self.0.values().flat_map(|by_subject| by_subject.keys().map(String::as_str)).collect()
    }

    /// The first time after `now` at which one of the fetched results of
    /// `scopes` expires (answers built from them change then).
    pub fn next_expiry(&self, scopes: &[&Scope], now: NaiveDateTime) -> Option<NaiveDateTime> {
        scopes
            .iter()
            .filter_map(|scope| Some((scope, self.0.get(scope.uuid.as_deref().unwrap_or_default())?)))
            .flat_map(|(scope, by_subject)| {
                by_subject
                    .values()
                    .flatten()
                    .filter_map(|r| Some(scope.testcase(&r.testcase)?.lifetime.expires_at(r.checked_at)))
            })
            .filter(|t| *t > now)
            .min()
    }

    /// The records of `subject` against `scope`, if they were fetched.
    pub fn get(&self, subject: &str, scope: &Scope) -> Option<&[ResultRecord]> {
        let by_subject = self.0.get(scope.uuid.as_deref().unwrap_or_default())?;
        Some(by_subject.get(subject).map_or(&[][..], Vec::as_slice))
    }
}

/// One subject's standing against one scope, upstream's `/status` shape.
pub fn evaluate(scope: &Scope, records: &[ResultRecord], now: NaiveDateTime, include_drafts: bool) -> ScopeStatus {
    let eval = scope.evaluate(records, now, include_drafts);
    let results = eval
        .results
        .iter()
        .map(|(tc, r)| {
            let checked_at = r.checked_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
            (tc.clone(), ResultEntry { result: r.result.code(), checked_at, report: r.report.clone() })
        })
        .collect();
    // buckets: testcases of the relevant versions by their result, main-target testcases first
    let mut buckets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut placed = std::collections::BTreeSet::new();
    let relevant = || eval.versions.iter().filter(|v| eval.relevant.contains(&v.name));
    let main_first = relevant()
        .flat_map(|v| v.targets.iter().filter(|(t, _)| *t == "main").flat_map(|(_, t)| t.testcases.iter()))
        .chain(relevant().flat_map(|v| v.targets.values().flat_map(|t| t.testcases.iter())));
    for tc in main_first {
        if placed.insert(tc.clone()) {
            let key = eval.results.get(tc).map_or("null".to_owned(), |r| r.result.code().to_string());
            buckets.entry(key).or_default().push(tc.clone());
        }
    }
    let versions = eval
        .versions
        .iter()
        .map(|v| {
            // the position among all of the scope's versions, as upstream counts
            let idx = scope.versions.iter().position(|sv| sv.name == v.name).unwrap_or_default();
            let targets = v
                .targets
                .iter()
                .map(|(t, te)| (t.clone(), TargetStatus { testcases: te.testcases.clone(), result: code(te.result) }))
                .collect();
            let tc_target = v
                .targets
                .iter()
                .flat_map(|(t, te)| te.testcases.iter().map(move |tc| (tc.clone(), t.clone())))
                .collect();
            let body = VersionStatus {
                _idx: idx,
                result: code(v.result),
                targets,
                tc_target,
                validity: v.validity.to_string(),
            };
            (v.name.clone(), body)
        })
        .collect();
    let testcases = scope
        .testcases
        .iter()
        .map(|t| {
            let info = TestcaseInfo {
                description: t.description.clone(),
                url: t.url.clone(),
                lifetime: t.lifetime.to_string(),
            };
            (t.id.clone(), info)
        })
        .collect();
    ScopeStatus {
        name: scope.name.clone(),
        testcases,
        results,
        buckets,
        versions,
        relevant: eval.relevant.clone(),
        result: eval.result.and_then(code),
        passed: eval.passed.clone(),
        passed_str: eval.passed_str(),
        summary: summary_of(&eval),
        best_passed: eval.winner.as_ref().and_then(|w| scope.versions.iter().position(|sv| &sv.name == w)),
        validity: eval.validity.to_string(),
        missing: eval.missing.clone(),
        subject: None,
    }
}

/// What the overview, the badges and change tracking need of a standing,
/// without building the whole `/status` document.
#[derive(Clone, Debug)]
pub struct Summary {
    /// e.g. `✅ v5.1`.
    pub passed_str: String,
    /// Main-target testcases without a valid result.
    pub missing: usize,
    /// Whether any valid result exists.
    pub has_results: bool,
    /// See [`rank`].
    pub rank: u8,
    /// For groups: the member that represents it.
    pub subject: Option<String>,
}

/// The [`Summary`] of `records` against `scope`.
pub fn summarize(scope: &Scope, records: &[ResultRecord], now: NaiveDateTime, include_drafts: bool) -> Summary {
    let eval = scope.evaluate(records, now, include_drafts);
    let has_results = !eval.results.is_empty();
    let rank = rank_of(eval.result, !eval.relevant.is_empty(), has_results);
    Summary { passed_str: summary_of(&eval), missing: eval.missing.len(), has_results, rank, subject: None }
}

/// The mark people see: upstream's overview shows `🛑 –` for a subject
/// without any valid result (its evaluation alone would pass every version
/// whose testcases are all missing rather than failed).
fn summary_of(eval: &scs_standards::evaluation::Evaluation) -> String {
    if eval.results.is_empty() { NO_RESULTS.to_owned() } else { eval.summary() }
}

/// The summary of a subject without valid results.
pub const NO_RESULTS: &str = "🛑 –";

/// Upstream's order for picking a group's representative: FAIL < MISSING <
/// no valid result at all < ABORT < PASS (the lowest represents the group;
/// among equals, the member listed first in the accounts file).
pub fn rank(status: &ScopeStatus) -> u8 {
    let verdict = match status.result {
        Some(-1) => Some(Verdict::Fail),
        Some(0) => Some(Verdict::Abort),
        Some(_) => Some(Verdict::Pass),
        None => None,
    };
    rank_of(verdict, !status.relevant.is_empty(), !status.results.is_empty())
}

/// [`rank`] of an evaluation's result; `walked`: some version was evaluated
/// (a null result then means missing testcases, not "no version");
/// `has_results`: any valid result (upstream ranks a member without any as
/// having no evaluation, above missing testcases).
fn rank_of(result: Option<Verdict>, walked: bool, has_results: bool) -> u8 {
    if !has_results {
        return 2;
    }
    match result {
        Some(Verdict::Fail) => 0,
        Some(Verdict::Missing) => 1,
        None if walked => 1,
        None => 2,
        Some(Verdict::Abort) => 3,
        Some(Verdict::Pass) => 4,
    }
}
