// SPDX-License-Identifier: Apache-2.0
//! An accepted upload is durable: `scs serve` is killed with SIGKILL in the
//! middle of a stream of uploads, restarted on the same database, and every
//! upload that got a 2xx is there. On SQLite and on PostgreSQL
//! (`SCS_TEST_POSTGRES_URL`, as in the monitor's tests; `SCS_SKIP_POSTGRES=1` opts out).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test
#![allow(clippy::zombie_processes)] // every server is killed and waited for

mod common;

use common::start_serve;
use std::process::Command;
use std::time::Duration;

fn report(n: usize) -> String {
    format!(
        "---\nspec: {{uuid: 50393e6f-2ae1-4c5c-a62c-3b75f2abef3f, name: SCS-compatible IaaS}}\n\
         checked_at: 2026-11-27 10:00:00\nreference_date: 2026-11-27\nsubject: alpha\nrun:\n  uuid: durable-{n}\n\
         \x20 argv: []\n  assignment: {{}}\n  sections: null\n  forced_version: null\n  forced_tests: null\n\
         \x20 invocations:\n    i-{n}:\n      id: i-{n}\n      cmd: test\n      results: {{scs-0100-syntax-check: 1}}\n\
         \x20     rc: 0\n      stdout: []\n      stderr: []\n      info: 0\n      warning: 0\n      error: 0\n      critical: 0\n"
    )
}

fn kill_during_uploads(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (accounts, key) = common::alpha_account(dir.path());
    let signer = scs_signing::Signer::from_file(&key).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = start_serve(database_url, &accounts, port);
    let url = format!("http://127.0.0.1:{port}");

    // a stream of uploads from another thread; each 2xx is remembered
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let uploads = std::thread::spawn({
        let url = url.clone();
        let count = count.clone();
        move || {
            let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
            let mut acknowledged = Vec::new();
            for n in 0.. {
                let text = report(n);
                let sig = signer.sign("report", text.as_bytes()).unwrap();
                let sent = http
                    .post(format!("{url}/reports"))
                    .basic_auth("alpha", Some("secret"))
                    .header("Content-Type", "application/x-signed-yaml")
                    .body(scs_signing::signed_body(&sig, text.as_bytes()))
                    .send();
                match sent {
                    Ok(r) if r.status().is_success() => {
                        acknowledged.push(format!("durable-{n}"));
                        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    Ok(r) => panic!("upload {n}: HTTP {}", r.status()),
                    Err(_) => return acknowledged, // the server is gone
                }
            }
            acknowledged
        }
    });
    // kill in the middle of the stream: after a few acknowledged uploads, while more are in flight
    let started = std::time::Instant::now();
    while count.load(std::sync::atomic::Ordering::SeqCst) < 8 {
        assert!(started.elapsed() < Duration::from_secs(60), "uploads do not get through");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    let acknowledged = uploads.join().unwrap();
    assert!(acknowledged.len() >= 5, "only {} uploads before the kill", acknowledged.len());

    let mut server = start_serve(database_url, &accounts, port);
    let http = reqwest::blocking::Client::new();
    for uuid in &acknowledged {
        let r = http.get(format!("{url}/reports/{uuid}")).basic_auth("alpha", Some("secret")).send().unwrap();
        assert_eq!(r.status(), 200, "acknowledged upload {uuid} is lost");
    }
    server.kill().unwrap();
    server.wait().unwrap();
    eprintln!("{database_url}: {} acknowledged uploads survived SIGKILL", acknowledged.len());
}

#[test]
fn sqlite_keeps_every_acknowledged_upload() {
    let dir = tempfile::tempdir().unwrap();
    kill_during_uploads(&format!("sqlite://{}", dir.path().join("scs.db").display()));
}

#[test]
fn postgres_keeps_every_acknowledged_upload() {
    let Ok(admin) = std::env::var("SCS_TEST_POSTGRES_URL") else {
        assert!(std::env::var_os("SCS_SKIP_POSTGRES").is_some(), "set SCS_TEST_POSTGRES_URL (or SCS_SKIP_POSTGRES=1)");
        return;
    };
    let name = format!("scs_durability_{}", std::process::id());
    let psql = |sql: &str| {
        let out =
            Command::new("psql").arg(&admin).args(["-qtA", "-c", sql]).output().expect("psql (postgresql-client)");
        assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
    };
    psql(&format!("DROP DATABASE IF EXISTS {name}"));
    psql(&format!("CREATE DATABASE {name}"));
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    kill_during_uploads(url.as_str());
    psql(&format!("DROP DATABASE {name}"));
}
