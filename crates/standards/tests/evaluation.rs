// SPDX-License-Identifier: Apache-2.0
//! The monitor's evaluation rules on a small scope.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chrono::NaiveDateTime;
use scs_standards::scope::Scope;
use scs_standards::selection::SelectionRequest;
use scs_standards::{ResultRecord, TestResult, Validity, Verdict};

const SCOPE: &str = "\
name: Eval
uuid: 00000000-0000-0000-0000-00000000000e
testcases:
  - {id: a, lifetime: day, section: light}
  - {id: b, section: heavy}
  - {id: c}
  - {id: m, manual: true}
modules:
  - {id: m1, targets: {main: [a, b], recommended: [c]}}
  - {id: m2, targets: {main: [a, b, c, m]}}
versions:
  - {version: next, include: [m2]}
  - {version: v2, stabilized_at: 2025-01-01, include: [m2]}
  - {version: v1, stabilized_at: 2024-01-01, include: [m1]}
timeline:
  - {date: 2025-01-01, versions: {next: draft, v2: effective, v1: warn}}
  - {date: 2024-01-01, versions: {v1: effective}}
";

fn ts(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("timestamp")
}

fn rec(tc: &str, result: TestResult, at: &str) -> ResultRecord {
    ResultRecord { testcase: tc.into(), result, checked_at: ts(at), report: None }
}

#[test]
fn latest_result_wins_and_expired_results_are_missing() {
    let scope = Scope::from_yaml("eval.yaml", SCOPE).expect("scope");
    let records = [
        rec("a", TestResult::Fail, "2025-03-01 10:00:00"),
        rec("a", TestResult::Pass, "2025-03-03 10:00:00"),
        rec("b", TestResult::Pass, "2025-03-03 10:00:00"),
        rec("c", TestResult::Pass, "2025-03-03 10:00:00"),
        rec("unknown", TestResult::Fail, "2025-03-03 10:00:00"),
    ];
    // v2 needs the manual testcase m: MISSING, which is not FAIL, so v2
    // "passed" and, being no draft, wins: the walk stops before v1.
    let eval = scope.evaluate(&records, ts("2025-03-04 12:00:00"), false);
    assert_eq!(eval.relevant, ["v2"]);
    assert_eq!(eval.passed, ["v2"]);
    assert_eq!(eval.winner.as_deref(), Some("v2"));
    assert_eq!(eval.result, Some(Verdict::Missing));
    assert_eq!(eval.missing, ["m"]);
    assert_eq!(eval.summary(), "🟧 v2");
    // Two days later the day-lifetime result of `a` has expired.
    let eval = scope.evaluate(&records, ts("2025-03-05 00:00:00"), false);
    assert_eq!(eval.versions.iter().find(|v| v.name == "v1").map(|v| v.result), Some(Verdict::Missing));
    // With drafts, `next` is walked first and passes without being the winner.
    let eval = scope.evaluate(&records, ts("2025-03-04 12:00:00"), true);
    assert_eq!(eval.relevant[0], "next");
}

#[test]
fn a_failing_newest_version_falls_back_to_an_older_one() {
    let scope = Scope::from_yaml("eval.yaml", SCOPE).expect("scope");
    let records = [
        rec("a", TestResult::Pass, "2025-03-03 10:00:00"),
        rec("b", TestResult::Pass, "2025-03-03 10:00:00"),
        rec("c", TestResult::Fail, "2025-03-03 10:00:00"),
    ];
    let eval = scope.evaluate(&records, ts("2025-03-04 00:00:00"), false);
    assert_eq!(eval.versions[1].targets["main"].result, Verdict::Fail);
    assert_eq!(eval.winner.as_deref(), Some("v1"));
    assert_eq!(eval.validity, Validity::Warn);
    assert_eq!(eval.summary(), "🟧 v1†");
}

#[test]
fn selection_filters_like_upstream() {
    let scope = Scope::from_yaml("eval.yaml", SCOPE).expect("scope");
    let today = "2025-06-01".parse().expect("date");
    let all = scope.select(&SelectionRequest::default(), today).expect("select");
    assert_eq!(all.versions.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["next", "v2", "v1"]);
    assert_eq!(all.to_run, ["a", "b", "c"]);
    assert_eq!(all.manual, ["m"]);
    let light = SelectionRequest { sections: Some(vec!["light".into()]), ..Default::default() };
    assert_eq!(scope.select(&light, today).expect("select").to_run, ["a"]);
    let pattern = SelectionRequest { tests: Some("b|c".into()), ..Default::default() };
    assert_eq!(scope.select(&pattern, today).expect("select").to_run, ["b", "c"]);
    let old = SelectionRequest { date: Some("2024-06-01".parse().expect("date")), ..Default::default() };
    let sel = scope.select(&old, today).expect("select");
    assert_eq!(sel.versions.len(), 1);
    assert_eq!(sel.to_run, ["a", "b", "c"]);
    let forced = SelectionRequest { version: Some("v9".into()), ..Default::default() };
    assert!(scope.select(&forced, today).is_err());
}
