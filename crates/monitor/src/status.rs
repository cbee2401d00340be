// SPDX-License-Identifier: Apache-2.0
//! `GET /status`: every subject's evaluation against every scope, in the JSON
//! shape upstream's monitor returns (results as 1/0/-1/null).

use crate::store::{Store, StoreError};
use chrono::NaiveDateTime;
use scs_standards::evaluation::ResultRecord;
use scs_standards::{Scope, TestResult, Verdict};
use serde_json::{Map, Value, json};

/// Upstream's number for a verdict: PASS 1, ABORT 0, FAIL -1, MISSING null.
pub fn verdict_code(v: Verdict) -> Value {
    match v {
        Verdict::Pass => json!(1),
        Verdict::Abort => json!(0),
        Verdict::Fail => json!(-1),
        Verdict::Missing => Value::Null,
    }
}

/// The stored results of `subject` against `scope`, as evaluation records.
pub async fn records(store: &Store, subject: &str, scope: &Scope) -> Result<Vec<ResultRecord>, StoreError> {
    let uuid = scope.uuid.clone().unwrap_or_default();
    Ok(store
        .latest_results(subject, &uuid)
        .await?
        .into_iter()
        .filter_map(|r| {
            Some(ResultRecord {
                testcase: r.testcase,
                result: TestResult::from_code(i64::from(r.result))?,
                checked_at: r.checked_at,
                report: Some(r.report),
            })
        })
        .collect())
}

/// One subject's standing against one scope, upstream's shape.
pub fn scope_status(scope: &Scope, records: &[ResultRecord], now: NaiveDateTime, include_drafts: bool) -> Value {
    let eval = scope.evaluate(records, now, include_drafts);
    let results: Map<String, Value> = eval
        .results
        .iter()
        .map(|(tc, r)| {
            let at = r.checked_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
            (tc.clone(), json!({ "result": r.result.code(), "checked_at": at, "report": r.report }))
        })
        .collect();
    // buckets: testcases of the relevant versions by their result, main-target testcases first
    let mut buckets: Map<String, Value> = Map::new();
    let mut placed = std::collections::BTreeSet::new();
    let mut ordered: Vec<String> = Vec::new();
    for v in eval.versions.iter().filter(|v| eval.relevant.contains(&v.name)) {
        for (target, t) in &v.targets {
            if target == "main" {
                ordered.extend(t.testcases.iter().cloned());
            }
        }
    }
    for v in eval.versions.iter().filter(|v| eval.relevant.contains(&v.name)) {
        for t in v.targets.values() {
            ordered.extend(t.testcases.iter().cloned());
        }
    }
    for tc in ordered {
        if !placed.insert(tc.clone()) {
            continue;
        }
        let key = eval.results.get(&tc).map_or("None".to_owned(), |r| r.result.code().to_string());
        if let Value::Array(list) = buckets.entry(key).or_insert_with(|| json!([])) {
            list.push(json!(tc));
        }
    }
    let versions: Map<String, Value> = eval
        .versions
        .iter()
        .enumerate()
        .map(|(idx, v)| {
            let targets: Map<String, Value> = v
                .targets
                .iter()
                .map(|(t, te)| (t.clone(), json!({ "testcases": te.testcases, "result": verdict_code(te.result) })))
                .collect();
            let tc_target: Map<String, Value> = v
                .targets
                .iter()
                .flat_map(|(t, te)| te.testcases.iter().map(move |tc| (tc.clone(), json!(t))))
                .collect();
            let body = json!({
                "_idx": idx,
                "result": verdict_code(v.result),
                "targets": targets,
                "tc_target": tc_target,
                "validity": v.validity.to_string(),
            });
            (v.name.clone(), body)
        })
        .collect();
    let testcases: Map<String, Value> = scope
        .testcases
        .iter()
        .map(|t| {
            (t.id.clone(), json!({ "description": t.description, "url": t.url, "lifetime": t.lifetime.to_string() }))
        })
        .collect();
    json!({
        "name": scope.name,
        "testcases": testcases,
        "results": results,
        "buckets": buckets,
        "versions": versions,
        "relevant": eval.relevant,
        "result": eval.result.map_or(Value::Null, verdict_code),
        "passed": eval.passed,
        "passed_str": eval.summary(),
        "best_passed": eval.passed.first(),
        "validity": eval.validity.to_string(),
        "missing": eval.missing,
    })
}

/// Upstream's order for picking a group's representative: FAIL < MISSING <
/// no result < ABORT < PASS (the lowest represents the group).
pub fn rank(status: &Value) -> u8 {
    let has_versions = status["relevant"].as_array().is_some_and(|r| !r.is_empty());
    match &status["result"] {
        Value::Number(n) if n.as_i64() == Some(-1) => 0,
        Value::Null if has_versions => 1,
        Value::Null => 2,
        Value::Number(n) if n.as_i64() == Some(0) => 3,
        _ => 4,
    }
}
