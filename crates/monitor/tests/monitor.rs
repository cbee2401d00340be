// SPDX-License-Identifier: Apache-2.0
//! The compliance monitor end to end, on SQLite and on a real PostgreSQL:
//! signed uploads (signatures by OpenSSH's `ssh-keygen`), every rejection
//! path, and `/status` for pass, fail, missing, aborted, expired, delegated.
//!
//! PostgreSQL: `SCS_TEST_POSTGRES_URL` (a role that may create databases;
//! `.ci/run` sets it). Without it the PostgreSQL half fails;
//! `SCS_SKIP_POSTGRES=1` opts out for quick local runs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use serde_json::Value;

async fn suite(database_url: &str) {
    let m = start(database_url, Some("2026-11-27 12:00:00")).await;
    let main = v51_main();
    let all_pass: Vec<(&str, i32)> = main.iter().map(|t| (t.as_str(), 1)).collect();

    // before any report, /status lists nobody (upstream lists subjects with valid results only)
    assert_eq!(m.get_json("/status").await, serde_json::json!({}));

    // pass
    let (code, body) = m.upload("alpha", "alpha", &report("alpha", "u-pass", "2026-11-26 10:00:00", &all_pass)).await;
    assert_eq!(code, 200, "{body}");
    // as upstream (issue 18, point 2): only alpha, and only the scope it has results for;
    // a subject without results, an unknown subject or scope answers {}
    let all = m.get_json("/status").await;
    let listed: Vec<(&String, Vec<&String>)> =
        all.as_object().unwrap().iter().map(|(s, v)| (s, v.as_object().unwrap().keys().collect())).collect();
    assert_eq!(listed, [(&"alpha".to_owned(), vec![&IAAS.to_owned()])], "{all}");
    for query in ["subject=beta", "subject=nobody", "subject=alpha&scopeuuid=no-such-scope"] {
        assert_eq!(m.get_json(&format!("/status?{query}")).await, serde_json::json!({}), "{query}");
    }
    // group g (alpha passes, gamma never reported): upstream's overview ranks the member
    // without any result below missing testcases, and shows 🛑 – for it (point 3)
    let g = &m.get_json(&format!("/status?subject=group-g&scopeuuid={IAAS}")).await["group-g"][IAAS];
    assert_eq!((&g["subject"], &g["summary"]), (&Value::from("gamma"), &Value::from("🛑 –")), "{g}");
    let table = m.http.get(format!("{}/markdown/table", m.url)).send().await.unwrap().text().await.unwrap();
    let row = table.lines().find(|l| l.starts_with("| group-g")).unwrap();
    assert!(row.contains("[🛑 –]"), "{row}");
    let s = m.status("alpha").await;
    assert_eq!(s["versions"]["v5.1"]["result"], 1, "{s}");
    // as upstream's /status (issue 18, point 1): passed_str is the plain list of passed
    // versions with validity marks, best_passed the winner's position in the scope file
    // (its _idx); the page summary with its mark is ours, beside them
    assert_eq!(s["passed_str"], "v5.1", "{s}");
    assert_eq!(s["summary"], "✅ v5.1", "{s}");
    let scope = scs_standards::embedded::load_scope("scs-compatible-iaas").unwrap();
    let v51 = scope.versions.iter().position(|v| v.name == "v5.1").unwrap();
    assert_eq!(s["best_passed"], v51, "{s}");
    assert_eq!(s["versions"]["v5.1"]["_idx"], v51, "{s}");

    let badge = m.http.get(format!("{}/badge/alpha/scs-compatible-iaas.svg", m.url)).send().await.unwrap();
    assert_eq!(badge.headers()["content-type"], "image/svg+xml");
    let svg = badge.text().await.unwrap();
    assert!(svg.contains("SCS-compatible IaaS: v5.1"), "{svg}");

    let metrics = m.http.get(format!("{}/metrics", m.url)).send().await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains(
            "scs_monitor_verdict{subject=\"alpha\",scope=\"SCS-compatible IaaS\",verdict=\"pass\",passed=\"v5.1\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("scs_monitor_reports 1"), "{metrics}");

    // RSA and ECDSA keys sign as well as ed25519 ones (issue 18, point 8; signed by ssh-keygen)
    for (key, uuid) in [("alpha-rsa", "u-rsa"), ("alpha-ecdsa", "u-ecdsa")] {
        let (code, body) = m.upload("alpha", key, &report("alpha", uuid, "2026-11-26 09:00:00", &all_pass)).await;
        assert_eq!(code, 200, "{key}: {body}");
    }

    // fail: a newer report with one FAIL
    let mut one_fail = all_pass.clone();
    one_fail[0].1 = -1;
    let (code, body) = m.upload("alpha", "alpha", &report("alpha", "u-fail", "2026-11-26 11:00:00", &one_fail)).await;
    assert_eq!(code, 200, "{body}");
    let s = m.status("alpha").await;
    assert_eq!(s["versions"]["v5.1"]["result"], -1, "{s}");
    assert!(s["buckets"]["-1"].as_array().unwrap().contains(&Value::from(main[0].clone())), "{s}");

    // aborted and missing for gamma (bcrypt key)
    let mut abort_and_missing = all_pass.clone();
    abort_and_missing[0].1 = 0;
    abort_and_missing.pop();
    let text = report("gamma", "u-gamma", "2026-11-26 10:00:00", &abort_and_missing);
    let sig = sign(&m.keys, "gamma", &text, "report");
    let (code, body) = m
        .post("gamma", "gamma-secret", "application/x-signed-yaml", [sig.as_bytes(), b"&", text.as_bytes()].concat())
        .await;
    assert_eq!(code, 200, "{body}");
    let s = m.status("gamma").await;
    assert_eq!(s["versions"]["v5.1"]["result"], Value::Null, "missing wins over abort: {s}");
    assert!(s["buckets"]["0"].as_array().unwrap().contains(&Value::from(main[0].clone())), "{s}");
    // the missing testcases' bucket is "null", as Python's json writes the key None
    assert!(s["buckets"]["null"].as_array().unwrap().contains(&Value::from(main.last().unwrap().clone())), "{s}");
    assert!(s["buckets"].get("None").is_none(), "{s}");

    // delegated: alpha uploads for beta, which delegates to it
    let (code, body) = m.upload("alpha", "alpha", &report("beta", "u-beta", "2026-11-26 10:00:00", &all_pass)).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(m.status("beta").await["versions"]["v5.1"]["result"], 1);

    // listings as upstream: own reports newest first, others with read_any
    let (code, list) = m.get_as("alpha", "/reports").await;
    assert_eq!(code, 200);
    let uuids: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["run"]["uuid"].as_str().unwrap()).collect();
    assert_eq!(uuids, ["u-fail", "u-pass", "u-ecdsa", "u-rsa"], "newest first, equal times newest upload first");
    assert_eq!(m.get_as("alpha", "/reports?limit=1&skip=1").await.1[0]["run"]["uuid"], "u-pass");
    assert_eq!(m.get_as("alpha", "/reports?subject=beta").await.0, 403);
    let (code, list) = m.get_as("auditor", "/reports?subject=beta").await;
    assert_eq!((code, list.as_array().unwrap().len()), (200, 1));
    assert_eq!(m.get_as("alpha", "/results").await.0, 403, "results need read_any");
    let (code, rows) = m.get_as("auditor", &format!("/results?approved=false&limit={}", 1000)).await;
    assert_eq!(code, 200);
    let failed = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reportuuid"] == "u-fail" && r["check"] == main[0].as_str())
        .unwrap_or_else(|| panic!("the FAIL row is unapproved: {rows}"))
        .clone();
    assert_eq!(failed["result"], -1);
    let decision = serde_json::json!([{ "reportuuid": "u-fail", "scopeuuid": IAAS, "version": failed["version"],
                                         "check": main[0], "approval": true }]);
    let post = |user: &'static str| {
        m.http.post(format!("{}/results", m.url)).basic_auth(user, Some("secret")).json(&decision).send()
    };
    assert_eq!(post("alpha").await.unwrap().status(), 403, "approving needs the approve role");
    let r = post("auditor").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["changed"], 1);
    let (_, rows) = m.get_as("auditor", "/results?approved=true&limit=1000").await;
    assert!(rows.as_array().unwrap().iter().any(|r| r["reportuuid"] == "u-fail" && r["check"] == main[0].as_str()));
    // one decision as a plain object, as upstream takes it too (point 7)
    let one = serde_json::json!({ "reportuuid": "u-fail", "scopeuuid": IAAS, "version": failed["version"],
                                  "check": main[0], "approval": false });
    let r = m.http.post(format!("{}/results", m.url)).basic_auth("auditor", Some("secret")).json(&one).send();
    let r = r.await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["changed"], 1);
    let r = m.http.post(format!("{}/results", m.url)).basic_auth("auditor", Some("secret")).json(&"yes").send();
    let r = r.await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("one approval or a list of them"));
    assert_eq!(m.status("alpha").await["versions"]["v5.1"]["result"], -1, "approval changes no verdict");

    // rejections
    let good = report("alpha", "u-new", "2026-11-26 12:00:00", &all_pass);
    let sig = sign(&m.keys, "alpha", &good, "report");
    let body = |sig: &str, text: &str| [sig.as_bytes(), b"&", text.as_bytes()].concat();
    let (code, _) = m.post("alpha", "wrong", "application/x-signed-yaml", body(&sig, &good)).await;
    assert_eq!(code, 401, "wrong password");
    let (code, _) = m.post("nobody", "secret", "application/x-signed-yaml", body(&sig, &good)).await;
    assert_eq!(code, 401, "unknown subject");
    let (code, _) = m.post("alpha", "secret", "text/yaml", body(&sig, &good)).await;
    assert_eq!(code, 415, "wrong content type");
    let (code, _) = m.post("alpha", "secret", "application/x-signed-yaml", good.clone().into_bytes()).await;
    assert_eq!(code, 401, "no signature");
    let (code, _) =
        m.post("alpha", "secret", "application/x-signed-yaml", body(&sig, &good.replace("u-new", "u-forged"))).await;
    assert_eq!(code, 401, "altered report");
    let gamma_sig = sign(&m.keys, "gamma", &good, "report");
    let (code, _) = m.post("alpha", "secret", "application/x-signed-yaml", body(&gamma_sig, &good)).await;
    assert_eq!(code, 401, "signed with another account's key");
    let file_sig = sign(&m.keys, "alpha", &good, "file");
    let (code, _) = m.post("alpha", "secret", "application/x-signed-yaml", body(&file_sig, &good)).await;
    assert_eq!(code, 401, "wrong namespace");
    let (code, _) = m.upload("alpha", "alpha", &report("gamma", "u-x", "2026-11-26 12:00:00", &all_pass)).await;
    assert_eq!(code, 401, "subject that does not delegate to alpha");
    let text = report("beta", "u-y", "2026-11-26 12:00:00", &all_pass);
    let sig_g = sign(&m.keys, "gamma", &text, "report");
    let (code, _) = m.post("gamma", "gamma-secret", "application/x-signed-yaml", body(&sig_g, &text)).await;
    assert_eq!(code, 401, "gamma lacks append_any and delegation");
    let (code, _) = m.upload("alpha", "alpha", &report("alpha", "u-pass", "2026-11-26 10:00:00", &all_pass)).await;
    assert_eq!(code, 409, "duplicate run uuid");
    let (code, _) = m.upload("alpha", "alpha", "---\nsubject: [unclosed\n").await;
    assert_eq!(code, 400, "malformed YAML");
    let big = format!("{good}# {}\n", "x".repeat(70 * 1024));
    let (code, _) = m.upload("alpha", "alpha", &big).await;
    assert_eq!(code, 413, "oversize body");
    // an all-or-nothing upload: the second document is refused, so the first is not stored either
    let two = format!(
        "{}{}",
        report("alpha", "u-two-a", "2026-11-26 12:00:00", &all_pass),
        report("gamma", "u-two-b", "2026-11-26 12:00:00", &all_pass)
    );
    let (code, _) = m.upload("alpha", "alpha", &two).await;
    assert_eq!(code, 401);
    let r = m.http.get(format!("{}/reports/u-two-a", m.url)).basic_auth("alpha", Some("secret")).send().await.unwrap();
    assert_eq!(r.status(), 404, "a refused upload leaves no trace");
    let r = m.http.get(format!("{}/reports/u-pass", m.url)).basic_auth("alpha", Some("secret")).send().await.unwrap();
    assert_eq!(r.status(), 200);

    // a testcase the scope does not know is stored but not evaluated
    let mut with_unknown = all_pass.clone();
    with_unknown.push(("scs-9999-unknown", 1));
    let (code, answer) =
        m.upload("alpha", "alpha", &report("alpha", "u-unknown", "2026-11-26 13:00:00", &with_unknown)).await;
    assert_eq!(code, 200, "{answer}");
    let s = m.status("alpha").await;
    assert!(s["results"].get("scs-9999-unknown").is_none(), "{s}");
    assert_eq!(s["versions"]["v5.1"]["result"], 1, "the newest report passes everything: {s}");

    // group: the worst member (gamma: missing) represents group g
    let r = m.http.get(format!("{}/status?subject=group-g&scopeuuid={IAAS}", m.url)).send().await.unwrap();
    let g = r.json::<Value>().await.unwrap()["group-g"][IAAS].clone();
    assert_eq!(g["subject"], "gamma", "{g}");
    assert_eq!(g["result"], Value::Null, "{g}");

    // stored as received (issue 18, point 4): keys the monitor does not know stay, at the top,
    // in `run` and in invocations; GET /reports/{uuid} answers the document as it was signed
    let extra = report("alpha", "u-extra", "2026-11-26 13:10:00", &all_pass)
        .replace("\nsubject: alpha\n", "\nsubject: alpha\nx-operator-note: {ticket: 42, text: 'as signed'}\n")
        .replace("\n  argv: []\n", "\n  argv: []\n  runner: {host: ci-7, attempt: 2}\n")
        .replace("\n      rc: 0\n", "\n      rc: 0\n      duration_seconds: 12.5\n");
    assert_eq!(m.upload("alpha", "alpha", &extra).await.0, 200);
    let (code, stored) = m.get_as("alpha", "/reports/u-extra").await;
    assert_eq!(code, 200);
    assert_eq!(stored["x-operator-note"], serde_json::json!({"ticket": 42, "text": "as signed"}), "{stored}");
    assert_eq!(stored["run"]["runner"], serde_json::json!({"host": "ci-7", "attempt": 2}), "{stored}");
    assert_eq!(stored["run"]["invocations"]["i-u-extra"]["duration_seconds"], 12.5, "{stored}");
    assert_eq!(stored["checked_at"], "2026-11-26 13:10:00", "a YAML timestamp as Python's json writes it");
    // a JSON upload is stored byte for byte and served so
    let mut doc: Value = serde_saphyr::from_str(&report("alpha", "u-json", "2026-11-26 13:20:00", &all_pass)).unwrap();
    doc["zzz-first-or-last"] = Value::from("kept");
    let text = format!("  {}\n", serde_json::to_string_pretty(&doc).unwrap());
    let sig = sign(&m.keys, "alpha", &text, "report");
    let (code, answer) = m.post("alpha", "secret", "application/x-signed-json", body(&sig, &text)).await;
    assert_eq!(code, 200, "{answer}");
    let r = m.http.get(format!("{}/reports/u-json", m.url)).basic_auth("alpha", Some("secret")).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), text, "the signed bytes");
    // YAML sent as x-signed-json is refused, though YAML would read it (point 7)
    let yaml = report("alpha", "u-yaml-as-json", "2026-11-26 13:30:00", &all_pass);
    let sig = sign(&m.keys, "alpha", &yaml, "report");
    let (code, answer) = m.post("alpha", "secret", "application/x-signed-json", body(&sig, &yaml)).await;
    assert_eq!(code, 400, "{answer}");
    assert!(answer.contains("is not JSON"), "{answer}");

    // group ties: with both members passing, the one listed first in the accounts file
    // represents the group (upstream's order), not the first alphabetically
    let text = report("gamma", "u-gamma-pass", "2026-11-26 13:30:00", &all_pass);
    assert_eq!(m.upload_as("gamma", "gamma-secret", "gamma", &text).await.0, 200);
    let group_g = || async {
        m.get_json(&format!("/status?subject=group-g&scopeuuid={IAAS}")).await["group-g"][IAAS]["subject"].clone()
    };
    assert_eq!(group_g().await, "alpha");
    let accounts = m.keys.join("bootstrap.yaml");
    let text = std::fs::read_to_string(&accounts).unwrap();
    let (alpha_line, rest): (Vec<&str>, Vec<&str>) = text.lines().partition(|l| l.contains("subject: alpha"));
    let reordered: String = rest.iter().chain(&alpha_line).map(|l| format!("{l}\n")).collect();
    std::fs::write(&accounts, &reordered).unwrap();
    let r = m.http.post(format!("{}/admin/reload", m.url)).basic_auth("alpha", Some("secret")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(group_g().await, "gamma", "gamma is now listed before alpha");
    // the group's detail page shows every member, with a jump list
    let detail = m.http.get(format!("{}/markdown/detail/group-g/{IAAS}", m.url)).send().await.unwrap();
    let detail = detail.text().await.unwrap();
    let members: Vec<&str> = detail.lines().filter(|l| l.starts_with("- [")).collect();
    assert_eq!(members.len(), 2, "{detail}");
    assert!(members[0].starts_with("- [gamma](#member-gamma)") && members[1].starts_with("- [alpha]"), "{detail}");
    assert!(detail.contains("## gamma: ✅ v5.1 {#member-gamma}") && detail.contains("## alpha: ✅ v5.1"), "{detail}");

    // reload: gamma leaves, delta arrives; removed accounts lose access
    let text = std::fs::read_to_string(&accounts).unwrap();
    let text: String = text.lines().filter(|l| !l.contains("subject: gamma")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&accounts, format!("{text}- {{subject: delta, api_keys: []}}\n")).unwrap();
    let r = m.http.post(format!("{}/admin/reload", m.url)).basic_auth("beta", Some("secret")).send().await.unwrap();
    assert_eq!(r.status(), 403, "beta is no admin");
    let r = m.http.post(format!("{}/admin/reload", m.url)).basic_auth("alpha", Some("secret")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let all =
        m.http.get(format!("{}/status?scopeuuid={IAAS}", m.url)).send().await.unwrap().json::<Value>().await.unwrap();
    // the subjects with results, whether or not they still have an account (upstream keeps
    // results apart from accounts); accounts without results are not listed
    let subjects: Vec<&String> = all.as_object().unwrap().keys().collect();
    assert_eq!(subjects, ["alpha", "beta", "gamma"]);
    let text = report("gamma", "u-gone", "2026-11-26 14:00:00", &all_pass);
    let sig = sign(&m.keys, "gamma", &text, "report");
    let (code, _) = m.post("gamma", "gamma-secret", "application/x-signed-yaml", body(&sig, &text)).await;
    assert_eq!(code, 401, "a removed account");

    // expired: the same history evaluated two months later (lifetimes of weeks and months run out)
    // (upstream lists nobody then; the overview shows 🛑 – where it showed 🟧 v5.1 before)
    let later = start(database_url, Some("2027-02-01 12:00:00")).await;
    assert_eq!(later.get_json("/status").await, serde_json::json!({}));
    let table = later.http.get(format!("{}/markdown/table", later.url)).send().await.unwrap().text().await.unwrap();
    let row = table.lines().find(|l| l.starts_with("| beta")).unwrap();
    assert!(row.contains("[🛑 –]"), "{row}");
}

/// Version validity shows in the verdict: passing only v4 while it is `warn`
/// gives 🟧 v4†; once it is deprecated, 🛑 v4††.
async fn validity_suite(database_url: &str) {
    let v4 = version_main("v4");
    let v51_only: Vec<String> = version_main("v5.1").into_iter().filter(|t| !v4.contains(t)).collect();
    let mut results: Vec<(&str, i32)> = v4.iter().map(|t| (t.as_str(), 1)).collect();
    results.push((v51_only[0].as_str(), -1));
    let warn = start(database_url, Some("2025-03-01 12:00:00")).await;
    let (code, body) = warn.upload("alpha", "alpha", &report("alpha", "v-warn", "2025-02-28 10:00:00", &results)).await;
    assert_eq!(code, 200, "{body}");
    let s = warn.status("alpha").await;
    assert_eq!(s["versions"]["v4"]["validity"], "warn", "{s}");
    assert_eq!((&s["passed_str"], &s["summary"]), (&Value::from("v4†"), &Value::from("🟧 v4†")), "{s}");
    let deprecated = start(database_url, Some("2025-07-02 12:00:00")).await;
    let (code, body) =
        deprecated.upload("alpha", "alpha", &report("alpha", "v-dep", "2025-07-01 10:00:00", &results)).await;
    assert_eq!(code, 200, "{body}");
    let s = deprecated.status("alpha").await;
    assert_eq!((&s["passed_str"], &s["summary"]), (&Value::from("v4††"), &Value::from("🛑 v4††")), "{s}");
    assert_eq!(s["validity"], "deprecated", "{s}");
    // the draft version (next) is only evaluated on request (`_full` pages)
    let later = start(database_url, Some("2026-11-27 12:00:00")).await;
    let (code, body) = later.upload("alpha", "alpha", &report("alpha", "v-now", "2026-11-26 10:00:00", &results)).await;
    assert_eq!(code, 200, "{body}");
    let s = later.status("alpha").await;
    assert!(!s["relevant"].as_array().unwrap().contains(&Value::from("next")), "{s}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    suite(&format!("sqlite://{}", dir.path().join("monitor.db").display())).await;
    validity_suite(&format!("sqlite://{}", dir.path().join("validity.db").display())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres() {
    let Some(url) = fresh_postgres("scs_monitor_test").await else { return };
    suite(&url).await;
    let Some(url) = fresh_postgres("scs_monitor_test_v").await else { return };
    validity_suite(&url).await;
}
