// SPDX-License-Identifier: Apache-2.0
//! The whole chain on real parts: `scs check` against the lab writes a
//! report, `scs report upload` signs and sends it to `scs serve` (SQLite, and
//! PostgreSQL from `SCS_TEST_POSTGRES_URL`), and `/status` shows exactly the
//! report's results, with the main-target testcases it lacks as missing.
//! Needs the lab (`SCS_SKIP_LAB=1` opts out) and PostgreSQL (`SCS_SKIP_POSTGRES=1`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test
#![allow(clippy::zombie_processes)] // every server is killed and waited for

mod common;

use common::start_serve;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const IAAS: &str = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";

fn scs(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scs")).args(args).output().unwrap()
}

/// Serves `database_url`, uploads `report` with `key`, returns `/status` of `lab-cloud`.
fn upload_and_status(database_url: &str, dir: &Path, report: &Path) -> Value {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = start_serve(database_url, &dir.join("bootstrap.yaml"), port);
    let url = format!("http://127.0.0.1:{port}");
    let (token, key) = (dir.join("tokenfile"), dir.join("key"));
    let o = scs(&[
        "report",
        "upload",
        "--monitor-url",
        &url,
        "-t",
        token.to_str().unwrap(),
        "-k",
        key.to_str().unwrap(),
        report.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let status: Value =
        reqwest::blocking::get(format!("{url}/status?subject=lab-cloud&scopeuuid={IAAS}")).unwrap().json().unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    status["lab-cloud"][IAAS].clone()
}

#[test]
fn a_lab_report_uploaded_is_evaluated_on_both_backends() {
    let Some(clouds) = scs_testkit::lab::seeded_clouds_yaml() else { return };
    let postgres = match std::env::var("SCS_TEST_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var_os("SCS_SKIP_POSTGRES").is_some(),
                "set SCS_TEST_POSTGRES_URL (or SCS_SKIP_POSTGRES=1)"
            );
            None
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["check", "scs-compatible-iaas", "-s", "lab-cloud", "-a", "os_cloud=lab-member", "-V", "v5.1"])
        .args(["--read-only", "-o", report.to_str().unwrap()])
        .env("OS_CLIENT_CONFIG_FILE", &clouds)
        .env_remove("OS_CLOUD")
        .output()
        .unwrap();
    assert!(report.exists(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&report).unwrap();
    let records = scs_standards::read_reports("report.yaml", &text).unwrap()[0].records();
    assert!(records.len() >= 10, "{text}");

    // the operator's key and token, the monitor's account for them
    let key = scs_testkit::ssh::keygen(dir.path(), "key");
    let body = scs_testkit::ssh::public_body(&key);
    let body = body.as_str();
    let hash = bcrypt::hash("secret", 4).unwrap();
    std::fs::write(
        dir.path().join("bootstrap.yaml"),
        format!("accounts:\n- {{subject: lab-cloud, api_keys: ['{hash}'], keys: [{{public_key: {body}, public_key_type: ssh-ed25519, public_key_name: ci}}]}}\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("tokenfile"), "bGFiLWNsb3VkOnNlY3JldA==\n").unwrap(); // lab-cloud:secret

    // what /status must say: every result of the report, and v5.1's main testcases it lacks as missing
    let scope = scs_standards::embedded::load_scope("scs-compatible-iaas").unwrap();
    let main = scope.version("v5.1").unwrap().main_target().to_vec();
    let expected_missing: Vec<&String> = main.iter().filter(|t| !records.iter().any(|r| &r.testcase == *t)).collect();
    let expected_result = if records.iter().any(|r| main.contains(&r.testcase) && r.result.code() == -1) {
        Value::from(-1)
    } else if !expected_missing.is_empty() {
        Value::Null
    } else if records.iter().any(|r| main.contains(&r.testcase) && r.result.code() == 0) {
        Value::from(0)
    } else {
        Value::from(1)
    };

    let mut backends = vec![format!("sqlite://{}", dir.path().join("scs.db").display())];
    if let Some(admin) = postgres {
        let name = format!("scs_monitor_lab_{}", std::process::id());
        let psql = |sql: &str| {
            let out = Command::new("psql").arg(&admin).args(["-qtA", "-c", sql]).output().unwrap();
            assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
        };
        psql(&format!("DROP DATABASE IF EXISTS {name}"));
        psql(&format!("CREATE DATABASE {name}"));
        let mut url = reqwest::Url::parse(&admin).unwrap();
        url.set_path(&name);
        backends.push(url.to_string());
    }
    for backend in &backends {
        let s = upload_and_status(backend, dir.path(), &report);
        for r in &records {
            if scope.testcase(&r.testcase).is_some() {
                assert_eq!(s["results"][&r.testcase]["result"], r.result.code(), "{backend}: {}: {s}", r.testcase);
            }
        }
        let mut missing: Vec<&str> = s["missing"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
        let mut expected: Vec<&str> = expected_missing.iter().map(|m| m.as_str()).collect();
        missing.sort_unstable();
        expected.sort_unstable();
        assert_eq!(missing, expected, "{backend}");
        assert_eq!(s["versions"]["v5.1"]["result"], expected_result, "{backend}: {s}");
        eprintln!("{backend}: {} results, {} missing, {}", records.len(), missing.len(), s["passed_str"]);
    }
}
