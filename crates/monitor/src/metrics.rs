// SPDX-License-Identifier: Apache-2.0
//! `/metrics` in the Prometheus text format: every subject's verdict per scope,
//! the result and age of every testcase, stored reports and how long the
//! evaluation took (upstream documents `/metrics/{subject}` but has no route).

use serde_json::Value;
use std::fmt::Write as _;

fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Renders the metrics from a `/status`-shaped document.
pub fn render(status: &Value, scope_names: &[(String, String)], reports: i64, evaluation_seconds: f64) -> String {
    let mut out = String::new();
    let name_of = |uuid: &str| scope_names.iter().find(|(u, _)| u == uuid).map_or(uuid.to_owned(), |(_, n)| n.clone());
    let _ = writeln!(
        out,
        "# HELP scs_monitor_verdict 1 for the subject's verdict on a scope (pass, abort, missing, fail, none)."
    );
    let _ = writeln!(out, "# TYPE scs_monitor_verdict gauge");
    let mut results = String::new();
    let mut ages = String::new();
    let now = chrono::Utc::now().naive_utc();
    for (subject, scopes) in status.as_object().into_iter().flatten() {
        for (uuid, s) in scopes.as_object().into_iter().flatten() {
            let scope = label(&name_of(uuid));
            let subject = label(subject);
            let verdict = match crate::status::rank(s) {
                0 => "fail",
                1 => "missing",
                2 => "none",
                3 => "abort",
                _ => "pass",
            };
            let passed =
                s["passed"].as_array().map(|v| v.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","));
            let _ = writeln!(
                out,
                "scs_monitor_verdict{{subject=\"{subject}\",scope=\"{scope}\",verdict=\"{verdict}\",passed=\"{}\"}} 1",
                label(&passed.unwrap_or_default())
            );
            for (tc, r) in s["results"].as_object().into_iter().flatten() {
                let tc = label(tc);
                let code = r["result"].as_i64().unwrap_or(0);
                let _ = writeln!(
                    results,
                    "scs_monitor_result{{subject=\"{subject}\",scope=\"{scope}\",testcase=\"{tc}\"}} {code}"
                );
                if let Some(at) = r["checked_at"]
                    .as_str()
                    .and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").ok())
                {
                    let age = (now - at).num_seconds().max(0);
                    let _ = writeln!(
                        ages,
                        "scs_monitor_result_age_seconds{{subject=\"{subject}\",scope=\"{scope}\",testcase=\"{tc}\"}} {age}"
                    );
                }
            }
        }
    }
    let _ = writeln!(out, "# HELP scs_monitor_result Latest valid result per testcase: 1 PASS, 0 ABORT, -1 FAIL.");
    let _ = writeln!(out, "# TYPE scs_monitor_result gauge");
    out.push_str(&results);
    let _ = writeln!(out, "# HELP scs_monitor_result_age_seconds Age of that result.");
    let _ = writeln!(out, "# TYPE scs_monitor_result_age_seconds gauge");
    out.push_str(&ages);
    let _ = writeln!(out, "# HELP scs_monitor_reports Reports stored.");
    let _ = writeln!(out, "# TYPE scs_monitor_reports gauge");
    let _ = writeln!(out, "scs_monitor_reports {reports}");
    let _ = writeln!(out, "# HELP scs_monitor_evaluation_seconds Time this scrape spent evaluating every subject.");
    let _ = writeln!(out, "# TYPE scs_monitor_evaluation_seconds gauge");
    let _ = writeln!(out, "scs_monitor_evaluation_seconds {evaluation_seconds:.6}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_are_escaped_and_results_listed() {
        let status = json!({"a\"b": {"u1": {"result": 1, "relevant": ["v5.1"], "passed": ["v5.1"],
            "results": {"tc-1": {"result": -1, "checked_at": "2026-11-26T10:00:00.000000"}}}}});
        let text = render(&status, &[("u1".into(), "SCS-compatible IaaS".into())], 3, 0.5);
        assert!(text.contains("scs_monitor_verdict{subject=\"a\\\"b\",scope=\"SCS-compatible IaaS\",verdict=\"pass\",passed=\"v5.1\"} 1"), "{text}");
        assert!(
            text.contains("scs_monitor_result{subject=\"a\\\"b\",scope=\"SCS-compatible IaaS\",testcase=\"tc-1\"} -1"),
            "{text}"
        );
        assert!(text.contains("scs_monitor_reports 3"));
    }
}
