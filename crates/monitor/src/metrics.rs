// SPDX-License-Identifier: Apache-2.0
//! The monitor's gauges for `/metrics`: every subject's verdict per scope,
//! the result and age of every testcase, stored reports and how long the
//! evaluation took (upstream documents `/metrics/{subject}` but has no
//! route). Request metrics come from the shared layer of `scs-web`.

use crate::standing::StatusDocument;
use scs_web::metrics::{Exposition, Kind};

/// The gauges of a `/status` document.
pub fn render(
    status: &StatusDocument,
    scope_names: &[(String, String)],
    reports: i64,
    evaluation_seconds: f64,
    now: chrono::NaiveDateTime,
) -> Exposition {
    let name_of = |uuid: &str| scope_names.iter().find(|(u, _)| u == uuid).map_or(uuid.to_owned(), |(_, n)| n.clone());
    let mut verdicts = Exposition::new();
    verdicts.family(
        "scs_monitor_verdict",
        Kind::Gauge,
        "1 for the subject's verdict on a scope (pass, abort, missing, fail, none).",
    );
    let mut results = Exposition::new();
    results.family("scs_monitor_result", Kind::Gauge, "Latest valid result per testcase: 1 PASS, 0 ABORT, -1 FAIL.");
    let mut ages = Exposition::new();
    ages.family("scs_monitor_result_age_seconds", Kind::Gauge, "Age of that result.");
    for (subject, scopes) in status {
        for (uuid, s) in scopes {
            let scope = name_of(uuid);
            let verdict = match crate::status::rank(s) {
                0 => "fail",
                1 => "missing",
                2 => "none",
                3 => "abort",
                _ => "pass",
            };
            // without any valid result nothing passed, whatever the bare evaluation says
            let passed = if s.results.is_empty() { String::new() } else { s.passed.join(",") };
            verdicts.sample(
                "scs_monitor_verdict",
                &[("subject", subject), ("scope", &scope), ("verdict", verdict), ("passed", &passed)],
                1,
            );
            for (tc, r) in &s.results {
                let labels = [("subject", subject.as_str()), ("scope", &scope), ("testcase", tc)];
                results.sample("scs_monitor_result", &labels, r.result);
                if let Ok(at) = chrono::NaiveDateTime::parse_from_str(&r.checked_at, "%Y-%m-%dT%H:%M:%S%.f") {
                    ages.sample("scs_monitor_result_age_seconds", &labels, (now - at).num_seconds().max(0));
                }
            }
        }
    }
    let mut out = verdicts;
    out.append(results);
    out.append(ages);
    out.family("scs_monitor_reports", Kind::Gauge, "Reports stored.");
    out.sample("scs_monitor_reports", &[], reports);
    out.family("scs_monitor_evaluation_seconds", Kind::Gauge, "Time this scrape spent evaluating every subject.");
    out.sample("scs_monitor_evaluation_seconds", &[], format!("{evaluation_seconds:.6}"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::{ResultEntry, ScopeStatus};

    #[test]
    fn labels_are_escaped_and_results_listed() {
        let scope = ScopeStatus {
            result: Some(1),
            relevant: vec!["v5.1".into()],
            passed: vec!["v5.1".into()],
            results: [(
                "tc-1".to_owned(),
                ResultEntry { result: -1, checked_at: "2026-11-26T10:00:00.000000".into(), report: None },
            )]
            .into(),
            ..ScopeStatus::default()
        };
        let status: StatusDocument = [("a\"b".to_owned(), [("u1".to_owned(), scope)].into())].into();
        let now = chrono::NaiveDateTime::parse_from_str("2026-11-26 11:00:00", "%Y-%m-%d %H:%M:%S").unwrap_or_default();
        let text = render(&status, &[("u1".into(), "SCS-compatible IaaS".into())], 3, 0.5, now).finish();
        assert!(text.contains("scs_monitor_verdict{subject=\"a\\\"b\",scope=\"SCS-compatible IaaS\",verdict=\"pass\",passed=\"v5.1\"} 1"), "{text}");
        assert!(
            text.contains("scs_monitor_result{subject=\"a\\\"b\",scope=\"SCS-compatible IaaS\",testcase=\"tc-1\"} -1"),
            "{text}"
        );
        assert!(text.contains("scs_monitor_reports 3"));
    }
}
