// SPDX-License-Identifier: Apache-2.0
//! The compliance monitor end to end, on SQLite and on a real PostgreSQL:
//! signed uploads (signatures by OpenSSH's `ssh-keygen`), every rejection
//! path, and `/status` for pass, fail, missing, aborted, expired, delegated.
//!
//! PostgreSQL: `SCS_TEST_POSTGRES_URL` (a role that may create databases;
//! `.ci/run` sets it). Without it the PostgreSQL half fails;
//! `SCS_SKIP_POSTGRES=1` opts out for quick local runs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use base64::Engine as _;
use scs_monitor::{App, Store, router};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const IAAS: &str = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";

struct Monitor {
    url: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    keys: PathBuf,
}

fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    assert!(
        Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key).status().unwrap().success()
    );
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let mut parts = public.split_whitespace();
    (key, format!("{{public_key: {}, public_key_type: {}, public_key_name: k}}", parts.nth(1).unwrap(), "ssh-ed25519"))
}

fn argon2_hash(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(b"scs-monitor-test").unwrap();
    argon2::Argon2::default().hash_password(password.as_bytes(), &salt).unwrap().to_string()
}

/// Starts a monitor on `database_url` with three accounts: `alpha` (own
/// key), `beta` (delegates to `alpha`, no key of its own), `gamma`.
async fn start(database_url: &str, now: Option<&str>) -> Monitor {
    let dir = tempfile::tempdir().unwrap();
    let (_, alpha_pub) = keygen(dir.path(), "alpha");
    let (_, gamma_pub) = keygen(dir.path(), "gamma");
    let hash = argon2_hash("secret");
    let bcrypt_hash = bcrypt::hash("gamma-secret", 4).unwrap();
    let accounts = dir.path().join("bootstrap.yaml");
    std::fs::write(
        &accounts,
        format!(
            "accounts:\n\
             - {{subject: alpha, api_keys: ['{hash}'], keys: [{alpha_pub}], roles: [append_any, admin], group: g}}\n\
             - {{subject: beta, api_keys: ['{hash}'], delegates: [alpha]}}\n\
             - {{subject: gamma, api_keys: ['{bcrypt_hash}'], keys: [{gamma_pub}], group: g}}\n"
        ),
    )
    .unwrap();
    let store = Store::connect(database_url).await.unwrap();
    let app = App {
        store,
        scopes: Arc::new(scs_standards::embedded::all_scopes().unwrap()),
        base_url: "/".into(),
        accounts_file: Some(accounts),
        fixed_now: now.map(|n| chrono::NaiveDateTime::parse_from_str(n, "%Y-%m-%d %H:%M:%S").unwrap()),
    };
    app.reload_accounts().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(app, 64 * 1024)).await.unwrap() });
    Monitor { url, http: reqwest::Client::new(), keys: dir.path().to_owned(), _dir: dir }
}

fn version_main(version: &str) -> Vec<String> {
    let scope = scs_standards::embedded::load_scope("scs-compatible-iaas").unwrap();
    scope.version(version).unwrap().main_target().to_vec()
}

fn report(subject: &str, uuid: &str, checked_at: &str, results: &[(&str, i32)]) -> String {
    let results: Vec<String> = results.iter().map(|(tc, r)| format!("{tc}: {r}")).collect();
    format!(
        "---\nspec: {{uuid: {IAAS}, name: SCS-compatible IaaS}}\nchecked_at: {checked_at}\nreference_date: {}\n\
         subject: {subject}\nrun:\n  uuid: {uuid}\n  argv: []\n  assignment: {{os_cloud: {subject}}}\n  sections: null\n\
         forced_version: null\n  forced_tests: null\n  invocations:\n    i-{uuid}:\n      id: i-{uuid}\n      cmd: test\n\
         results: {{{}}}\n      rc: 0\n      stdout: []\n      stderr: []\n      info: 0\n      warning: 0\n      error: 0\n      critical: 0\n",
        &checked_at[..10],
        results.join(", ")
    )
    .replace("\nforced_version", "\n  forced_version")
    .replace("\nresults:", "\n      results:")
}

/// `ssh-keygen -Y sign -n report` over `text` with key `name`.
fn sign(dir: &Path, key: &str, text: &str, namespace: &str) -> String {
    let file = dir.join("upload.yaml");
    std::fs::write(&file, text).unwrap();
    let _ = std::fs::remove_file(dir.join("upload.yaml.sig"));
    let ok =
        Command::new("ssh-keygen").args(["-Y", "sign", "-n", namespace, "-f"]).arg(dir.join(key)).arg(&file).output();
    assert!(ok.unwrap().status.success());
    std::fs::read_to_string(dir.join("upload.yaml.sig")).unwrap()
}

impl Monitor {
    async fn post(&self, user: &str, password: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let r = self
            .http
            .post(format!("{}/reports", self.url))
            .header("Authorization", format!("Basic {token}"))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn upload(&self, user: &str, key: &str, text: &str) -> (u16, String) {
        let sig = sign(&self.keys, key, text, "report");
        self.post(user, "secret", "application/x-signed-yaml", [sig.as_bytes(), b"&", text.as_bytes()].concat()).await
    }

    async fn status(&self, subject: &str) -> Value {
        let r = self.http.get(format!("{}/status?subject={subject}&scopeuuid={IAAS}", self.url)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.json::<Value>().await.unwrap()[subject][IAAS].clone()
    }
}

/// Every testcase of v5.1's main target.
fn v51_main() -> Vec<String> {
    let scope = scs_standards::embedded::load_scope("scs-compatible-iaas").unwrap();
    scope.version("v5.1").unwrap().main_target().to_vec()
}

async fn suite(database_url: &str) {
    let m = start(database_url, Some("2026-11-27 12:00:00")).await;
    let main = v51_main();
    let all_pass: Vec<(&str, i32)> = main.iter().map(|t| (t.as_str(), 1)).collect();

    // pass
    let (code, body) = m.upload("alpha", "alpha", &report("alpha", "u-pass", "2026-11-26 10:00:00", &all_pass)).await;
    assert_eq!(code, 200, "{body}");
    let s = m.status("alpha").await;
    assert_eq!(s["versions"]["v5.1"]["result"], 1, "{s}");
    assert!(s["passed_str"].as_str().unwrap().starts_with("✅ v5.1"), "{s}");

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
    assert!(s["buckets"]["None"].as_array().unwrap().contains(&Value::from(main.last().unwrap().clone())), "{s}");

    // delegated: alpha uploads for beta, which delegates to it
    let (code, body) = m.upload("alpha", "alpha", &report("beta", "u-beta", "2026-11-26 10:00:00", &all_pass)).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(m.status("beta").await["versions"]["v5.1"]["result"], 1);

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

    // reload: gamma leaves, delta arrives; removed accounts lose access
    let accounts = m.keys.join("bootstrap.yaml");
    let text = std::fs::read_to_string(&accounts).unwrap();
    let text: String = text.lines().filter(|l| !l.contains("subject: gamma")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&accounts, format!("{text}- {{subject: delta, api_keys: []}}\n")).unwrap();
    let r = m.http.post(format!("{}/admin/reload", m.url)).basic_auth("beta", Some("secret")).send().await.unwrap();
    assert_eq!(r.status(), 403, "beta is no admin");
    let r = m.http.post(format!("{}/admin/reload", m.url)).basic_auth("alpha", Some("secret")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let all =
        m.http.get(format!("{}/status?scopeuuid={IAAS}", m.url)).send().await.unwrap().json::<Value>().await.unwrap();
    let subjects: Vec<&String> = all.as_object().unwrap().keys().collect();
    assert_eq!(subjects, ["alpha", "beta", "delta"]);
    let text = report("gamma", "u-gone", "2026-11-26 14:00:00", &all_pass);
    let sig = sign(&m.keys, "gamma", &text, "report");
    let (code, _) = m.post("gamma", "gamma-secret", "application/x-signed-yaml", body(&sig, &text)).await;
    assert_eq!(code, 401, "a removed account");

    // expired: the same history evaluated two months later (lifetimes of weeks and months run out)
    let later = start(database_url, Some("2027-02-01 12:00:00")).await;
    let s = later.status("alpha").await;
    assert_eq!(s["versions"]["v5.1"]["result"], Value::Null, "expired results are missing: {s}");
    assert!(s["results"].as_object().unwrap().is_empty(), "{s}");
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
    assert_eq!(s["passed_str"], "🟧 v4†", "{s}");
    let deprecated = start(database_url, Some("2025-07-02 12:00:00")).await;
    let (code, body) =
        deprecated.upload("alpha", "alpha", &report("alpha", "v-dep", "2025-07-01 10:00:00", &results)).await;
    assert_eq!(code, 200, "{body}");
    let s = deprecated.status("alpha").await;
    assert_eq!(s["passed_str"], "🛑 v4††", "{s}");
    assert_eq!(s["validity"], "deprecated", "{s}");
    // the draft version (next) is only evaluated on request (`_full` pages)
    let later = start(database_url, Some("2026-11-27 12:00:00")).await;
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
    let Ok(admin) = std::env::var("SCS_TEST_POSTGRES_URL") else {
        assert!(std::env::var_os("SCS_SKIP_POSTGRES").is_some(), "set SCS_TEST_POSTGRES_URL (or SCS_SKIP_POSTGRES=1)");
        return;
    };
    // a fresh database per run
    let name = format!("scs_monitor_test_{}", std::process::id());
    let pool = sqlx::PgPool::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&pool).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await.unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    suite(url.as_str()).await;
    let validity = format!("{name}_v");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {validity}"))).execute(&pool).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {validity}"))).execute(&pool).await.unwrap();
    url.set_path(&validity);
    validity_suite(url.as_str()).await;
    pool.close().await;
}
