// SPDX-License-Identifier: Apache-2.0
//! Taking over an upstream deployment (issue 18, point 6): a PostgreSQL
//! database laid out as upstream's compliance monitor lays out its schema v4
//! (the tables, columns and types its `sql.py` creates, restated here), with
//! reports as JSONB, results with approvals and a NULL result, and accounts.
//!
//! - `scs serve` on that database refuses to start, naming upstream's schema
//!   and the import, and adds none of its own tables to it;
//! - `scs serve import --from` copies reports and results (approvals kept)
//!   into a new database, SQLite and PostgreSQL, and again copies nothing;
//! - `scs serve` on the new database answers `/status`, `/reports/{uuid}` and
//!   `/results` from the imported data, with the accounts from the same
//!   `bootstrap.yaml`.
//!
//! Needs `SCS_TEST_POSTGRES_URL` (`.ci/run` sets it) and `psql`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::KillOnDrop;
use serde_json::Value;
use std::process::{Command, Stdio};

const IAAS: &str = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";

/// Upstream's schema v4: the tables and columns its monitor creates.
const UPSTREAM_V4: &str = "
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO meta (key, value) VALUES ('version', 'v4');
CREATE TABLE account (accountid SERIAL PRIMARY KEY, subject text UNIQUE, roles integer, \"group\" text);
CREATE TABLE apikey (apikeyid SERIAL PRIMARY KEY, apikeyhash text,
  accountid integer NOT NULL REFERENCES account ON DELETE CASCADE ON UPDATE CASCADE, UNIQUE (accountid, apikeyhash));
CREATE TABLE publickey (keyid SERIAL PRIMARY KEY, key text, keytype text, keyname text,
  accountid integer NOT NULL REFERENCES account ON DELETE CASCADE ON UPDATE CASCADE, UNIQUE (accountid, keyname));
CREATE TABLE report (reportid SERIAL PRIMARY KEY, reportuuid text UNIQUE, checked_at timestamp, subject text, data jsonb);
CREATE TABLE result2 (resultid SERIAL PRIMARY KEY, checked_at timestamp NOT NULL, subject text NOT NULL,
  scopeuuid text NOT NULL, version text NOT NULL, testcase text NOT NULL, result int, approval boolean,
  reportid integer NOT NULL REFERENCES report ON DELETE CASCADE ON UPDATE CASCADE);
CREATE TABLE delegation (delegateid integer NOT NULL REFERENCES account ON DELETE CASCADE ON UPDATE CASCADE,
  accountid integer NOT NULL REFERENCES account ON DELETE CASCADE ON UPDATE CASCADE, UNIQUE (delegateid, accountid));
";

fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql").arg(url).args(["-v", "ON_ERROR_STOP=1", "-qtA", "-c", sql]).output().unwrap();
    assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn fresh_database(admin: &str, name: &str) -> String {
    let name = format!("{name}_{}", std::process::id());
    psql(admin, &format!("DROP DATABASE IF EXISTS {name}"));
    psql(admin, &format!("CREATE DATABASE {name}"));
    let mut url = reqwest::Url::parse(admin).unwrap();
    url.set_path(&name);
    url.to_string()
}

/// Every testcase of v5.1's main target.
fn v51_main() -> Vec<String> {
    let scope = scs_standards::embedded::load_scope("scs-compatible-iaas").unwrap();
    scope.version("v5.1").unwrap().main_target().to_vec()
}

/// Upstream's data: alpha passes every v5.1 testcase (report u-1, one result
/// approved by hand after a FAIL), beta fails one (u-2) and has a NULL row.
fn fill_upstream(url: &str) {
    psql(url, UPSTREAM_V4);
    psql(url, "INSERT INTO account (subject, roles, \"group\") VALUES ('alpha', 0, NULL), ('beta', 0, NULL)");
    let main = v51_main();
    for (id, uuid, subject, failing) in [(1, "u-1", "alpha", None), (2, "u-2", "beta", Some(&main[0]))] {
        let results: serde_json::Map<String, Value> =
            main.iter().map(|tc| (tc.clone(), Value::from(if Some(tc) == failing { -1 } else { 1 }))).collect();
        let document = serde_json::json!({
            "spec": {"uuid": IAAS, "name": "SCS-compatible IaaS"}, "checked_at": "2026-11-26 10:00:00",
            "reference_date": "2026-11-26", "subject": subject, "x-upstream-extra": {"kept": true},
            "run": {"uuid": uuid, "argv": [], "assignment": {"os_cloud": subject}, "sections": null,
                    "forced_version": null, "forced_tests": null,
                    "invocations": {format!("i-{uuid}"): {"id": format!("i-{uuid}"), "cmd": "test", "results": results,
                                    "rc": 0, "stdout": [], "stderr": [], "info": 0, "warning": 0, "error": 0, "critical": 0}}},
        });
        psql(
            url,
            &format!(
                "INSERT INTO report (reportid, reportuuid, checked_at, subject, data) VALUES \
                 ({id}, '{uuid}', '2026-11-26 10:00:00', '{subject}', '{}'::jsonb)",
                document.to_string().replace('\'', "''")
            ),
        );
        for tc in &main {
            let result = if Some(tc) == failing { -1 } else { 1 };
            psql(
                url,
                &format!(
                    "INSERT INTO result2 (checked_at, subject, scopeuuid, version, testcase, result, approval, reportid) \
                     VALUES ('2026-11-26 10:00:00', '{subject}', '{IAAS}', '*', '{tc}', {result}, {}, {id})",
                    result == 1 || subject == "beta"
                ),
            );
        }
    }
    psql(
        url,
        &format!(
            "INSERT INTO result2 (checked_at, subject, scopeuuid, version, testcase, result, approval, reportid) \
             VALUES ('2026-11-26 10:00:00', 'beta', '{IAAS}', '*', 'scs-9999-null', NULL, NULL, 2)"
        ),
    );
}

fn scs(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scs")).args(args).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn an_upstream_database_is_imported_not_served() {
    let admin =
        std::env::var("SCS_TEST_POSTGRES_URL").expect("SCS_TEST_POSTGRES_URL (a role that may create databases)");
    let upstream = fresh_database(&admin, "scs_upstream_v4");
    fill_upstream(&upstream);
    let tables = || {
        psql(
            &upstream,
            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'",
        )
    };
    let before = tables();

    // serving upstream's database itself is refused, and leaves it as it was
    let port = common::free_port();
    let listen = format!("127.0.0.1:{port}");
    let (ok, out) = scs(&["serve", "--listen", &listen, "--database-url", &upstream]);
    assert!(!ok, "{out}");
    assert!(out.contains("holds upstream's compliance monitor (schema v4)") && out.contains("import --from"), "{out}");
    assert_eq!(tables(), before, "no table of ours was added");

    let dir = tempfile::tempdir().unwrap();
    let targets = [format!("sqlite://{}", dir.path().join("scs.db").display()), fresh_database(&admin, "scs_imported")];
    let accounts = dir.path().join("bootstrap.yaml");
    let hash = bcrypt::hash("secret", 4).unwrap();
    std::fs::write(
        &accounts,
        format!(
            "accounts:\n- {{subject: alpha, api_keys: ['{hash}']}}\n- {{subject: beta, api_keys: ['{hash}']}}\n\
             - {{subject: auditor, api_keys: ['{hash}'], roles: [read_any]}}\n"
        ),
    )
    .unwrap();
    let main = v51_main();
    for target in &targets {
        let (ok, out) = scs(&["serve", "import", "--from", &upstream, "--database-url", target]);
        assert!(ok, "{out}");
        let results = 2 * main.len();
        assert!(out.contains(&format!("imported 2 reports with {results} results from upstream's schema v4")), "{out}");
        assert!(out.contains("1 results without a value skipped"), "{out}");
        let (ok, again) = scs(&["serve", "import", "--from", &upstream, "--database-url", target]);
        assert!(ok && again.contains("imported 0 reports") && again.contains("2 reports were here already"), "{again}");

        let port = common::free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_scs"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", target])
            .args(["--evaluate-at", "2026-11-27T12:00:00", "--services", "monitor", "--accounts"])
            .arg(&accounts)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let _server = KillOnDrop(child);
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < std::time::Duration::from_secs(30), "scs serve did not listen");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::new();
        let status: Value = http.get(format!("{base}/status")).send().unwrap().json().unwrap();
        assert_eq!(status["alpha"][IAAS]["passed_str"], "v5.1", "{target}: {status}");
        assert_eq!(status["beta"][IAAS]["result"], -1, "{target}: {status}");
        assert_eq!(status.as_object().unwrap().len(), 2, "{target}: {status}");
        // the report as upstream stored it, its extra key too
        let report: Value =
            http.get(format!("{base}/reports/u-1")).basic_auth("alpha", Some("secret")).send().unwrap().json().unwrap();
        assert_eq!(report["x-upstream-extra"]["kept"], true, "{target}: {report}");
        // approvals as upstream had them: beta's FAIL was approved, alpha's passes too
        let results = |approved: bool| -> Value {
            let url = format!("{base}/results?approved={approved}&limit=1000");
            http.get(url).basic_auth("auditor", Some("secret")).send().unwrap().json().unwrap()
        };
        assert_eq!(results(false), serde_json::json!([]), "{target}: every imported row was approved upstream");
        let rows = results(true);
        assert_eq!(rows.as_array().unwrap().len(), 2 * main.len(), "{target}: {rows}");
        assert!(
            rows.as_array().unwrap().iter().any(|r| r["reportuuid"] == "u-2" && r["result"] == -1),
            "{target}: the approved FAIL"
        );
    }
}
