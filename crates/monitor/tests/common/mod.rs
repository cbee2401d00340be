// SPDX-License-Identifier: Apache-2.0
//! Helpers of the monitor's integration tests: a monitor on a database with
//! three accounts, reports signed by OpenSSH's `ssh-keygen`, a fresh
//! PostgreSQL database per test.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test binary uses a part

use base64::Engine as _;
use scs_monitor::{App, Store, router};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const IAAS: &str = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";

pub struct Monitor {
    pub url: String,
    pub http: reqwest::Client,
    pub _dir: tempfile::TempDir,
    pub keys: PathBuf,
}

pub fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = scs_testkit::ssh::keygen(dir, name);
    let body = scs_testkit::ssh::public_body(&key);
    (key, format!("{{public_key: {body}, public_key_type: ssh-ed25519, public_key_name: k}}"))
}

/// A key of another type (`ssh-keygen` arguments), as an accounts-file entry
/// named after the key.
pub fn keygen_typed(dir: &Path, name: &str, type_args: &[&str]) -> String {
    let key = scs_testkit::ssh::keygen_typed(dir, name, type_args);
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let mut words = public.split_whitespace();
    let (key_type, body) = (words.next().unwrap(), words.next().unwrap());
    format!("{{public_key: {body}, public_key_type: {key_type}, public_key_name: {name}}}")
}

pub fn argon2_hash(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(b"scs-monitor-test").unwrap();
    argon2::Argon2::default().hash_password(password.as_bytes(), &salt).unwrap().to_string()
}

/// Starts a monitor on `database_url` with three accounts: `alpha` (own
/// key), `beta` (delegates to `alpha`, no key of its own), `gamma`, and
/// `auditor` (read_any, approve; password `secret`).
pub async fn start(database_url: &str, now: Option<&str>) -> Monitor {
    start_with(database_url, now, Vec::new()).await.0
}

/// [`start`] with webhooks delivering; also returns the app (a replica's view).
pub async fn start_with(
    database_url: &str,
    now: Option<&str>,
    hooks: Vec<scs_monitor::webhooks::Webhook>,
) -> (Monitor, App) {
    let dir = tempfile::tempdir().unwrap();
    let (_, alpha_pub) = keygen(dir.path(), "alpha");
    // alpha also signs with RSA and ECDSA keys, as ssh-keygen users do
    let alpha_rsa = keygen_typed(dir.path(), "alpha-rsa", &["-t", "rsa", "-b", "3072"]);
    let alpha_ecdsa = keygen_typed(dir.path(), "alpha-ecdsa", &["-t", "ecdsa", "-b", "384"]);
    let (_, gamma_pub) = keygen(dir.path(), "gamma");
    let hash = argon2_hash("secret");
    let bcrypt_hash = bcrypt::hash("gamma-secret", 4).unwrap();
    let accounts = dir.path().join("bootstrap.yaml");
    std::fs::write(
        &accounts,
        format!(
            "accounts:\n\
             - {{subject: alpha, api_keys: ['{hash}'], keys: [{alpha_pub}, {alpha_rsa}, {alpha_ecdsa}], roles: [append_any, admin], group: g}}\n\
             - {{subject: beta, api_keys: ['{hash}'], delegates: [alpha]}}\n\
             - {{subject: gamma, api_keys: ['{bcrypt_hash}'], keys: [{gamma_pub}], group: g}}\n\
             - {{subject: auditor, api_keys: ['{hash}'], roles: [read_any, approve]}}\n"
        ),
    )
    .unwrap();
    let store = Store::connect(database_url).await.unwrap();
    let mut app = App::new(store, scs_standards::embedded::all_scopes().unwrap()).unwrap();
    app.accounts_file = Some(accounts);
    app.clock =
        scs_web::Clock::fixed_at(now.map(|n| chrono::NaiveDateTime::parse_from_str(n, "%Y-%m-%d %H:%M:%S").unwrap()));
    app.reload_accounts().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    if !hooks.is_empty() {
        tokio::spawn(scs_monitor::webhooks::deliver_forever(app.clone(), hooks));
    }
    let served = app.clone();
    tokio::spawn(async move { axum::serve(listener, router(served, 64 * 1024)).await.unwrap() });
    (Monitor { url, http: reqwest::Client::new(), keys: dir.path().to_owned(), _dir: dir }, app)
}

/// [`start_with`] on a SQLite file in `dir`, on 2026-11-27 12:00, without
/// webhooks: the monitor and its app.
pub async fn start_sqlite(dir: &Path) -> (Monitor, App) {
    start_with(&format!("sqlite://{}", dir.join("m.db").display()), Some("2026-11-27 12:00:00"), Vec::new()).await
}

/// Every v5.1 main-target testcase, passed.
pub fn all_pass(main: &[String]) -> Vec<(&str, i32)> {
    main.iter().map(|t| (t.as_str(), 1)).collect()
}

pub fn version_main(version: &str) -> Vec<String> {
    let scope = scs_standards::embedded::load_scope("scs-compatible-iaas").unwrap();
    scope.version(version).unwrap().main_target().to_vec()
}

pub fn report(subject: &str, uuid: &str, checked_at: &str, results: &[(&str, i32)]) -> String {
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
pub fn sign(dir: &Path, key: &str, text: &str, namespace: &str) -> String {
    scs_testkit::ssh::sign(&dir.join(key), namespace, text)
}

impl Monitor {
    pub async fn post(&self, user: &str, password: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
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

    pub async fn upload(&self, user: &str, key: &str, text: &str) -> (u16, String) {
        self.upload_as(user, "secret", key, text).await
    }

    /// `GET path` with HTTP Basic `user`:`secret`; status and JSON body.
    pub async fn get_as(&self, user: &str, path: &str) -> (u16, Value) {
        let r = self.http.get(format!("{}{path}", self.url)).basic_auth(user, Some("secret")).send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// Signs `text` with `key` and uploads it as `user` with `password`.
    pub async fn upload_as(&self, user: &str, password: &str, key: &str, text: &str) -> (u16, String) {
        let sig = sign(&self.keys, key, text, "report");
        self.post(user, password, "application/x-signed-yaml", [sig.as_bytes(), b"&", text.as_bytes()].concat()).await
    }

    /// `GET path` without credentials: the JSON answer (status 200).
    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.http.get(format!("{}{path}", self.url)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.json().await.unwrap()
    }

    pub async fn status(&self, subject: &str) -> Value {
        let r = self.http.get(format!("{}/status?subject={subject}&scopeuuid={IAAS}", self.url)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.json::<Value>().await.unwrap()[subject][IAAS].clone()
    }
}

/// Every testcase of v5.1's main target.
pub fn v51_main() -> Vec<String> {
    let scope = scs_standards::embedded::load_scope("scs-compatible-iaas").unwrap();
    scope.version("v5.1").unwrap().main_target().to_vec()
}

#[allow(unused_imports)] // not every test binary that includes this module needs it
pub use scs_testkit::postgres::fresh as fresh_postgres;
