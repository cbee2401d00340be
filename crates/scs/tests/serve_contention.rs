// SPDX-License-Identifier: Apache-2.0
//! One service's write does not starve the other's: the monitor and the
//! status page share one SQLite file, whose writers take turns. An upload is
//! one transaction, so the number of results one upload may hold is capped
//! (`max_results_per_report`, 10,000 by default): a larger upload is refused
//! before it takes the write lock, and one at the cap leaves status-page
//! writes answering while it is stored.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::KillOnDrop;

use reqwest::blocking::Client;
use std::process::Command;
use std::time::{Duration, Instant};

/// A v5.1 IaaS report of `alpha` whose one invocation holds `n` results.
fn report(uuid: &str, n: usize) -> String {
    let mut text = format!(
        "---\nspec: {{uuid: 50393e6f-2ae1-4c5c-a62c-3b75f2abef3f, name: SCS-compatible IaaS}}\n\
         checked_at: 2026-11-27 10:00:00\nreference_date: 2026-11-27\nsubject: alpha\nrun:\n  uuid: {uuid}\n\
         \x20 argv: []\n  assignment: {{}}\n  sections: null\n  forced_version: null\n  forced_tests: null\n\
         \x20 invocations:\n    i-1:\n      id: i-1\n      cmd: test\n      rc: 0\n      stdout: []\n      stderr: []\n\
         \x20     info: 0\n      warning: 0\n      error: 0\n      critical: 0\n      results:\n"
    );
    for i in 0..n {
        text.push_str(&format!("        scs-9999-generated-{i:06}: 1\n"));
    }
    text
}

#[test]
fn an_upload_at_the_results_cap_leaves_status_page_writes_answering_and_a_larger_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("scs.db").display());
    let (accounts, key) = common::alpha_account(dir.path());
    let token = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["status", "token", "create", "ops", "--database-url", &database_url])
        .output()
        .unwrap();
    assert!(token.status.success(), "{}", String::from_utf8_lossy(&token.stderr));
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    let port = common::free_port();
    let _server = KillOnDrop(common::start_serve(&database_url, &accounts, port));
    let url = format!("http://127.0.0.1:{port}");
    let signer = scs_signing::Signer::from_file(&key).unwrap();
    let signed =
        |text: &str| scs_signing::signed_body(&signer.sign("report", text.as_bytes()).unwrap(), text.as_bytes());
    let http = Client::builder().timeout(Duration::from_secs(120)).build().unwrap();
    let upload = |body: Vec<u8>| {
        http.post(format!("{url}/reports"))
            .basic_auth("alpha", Some("secret"))
            .header("Content-Type", "application/x-signed-yaml")
            .body(body)
            .send()
            .unwrap()
    };

    // 124,000 results, as the report that held the write lock for 26 s: refused, naming the setting
    let big = signed(&report("too-many", 124_000));
    let started = Instant::now();
    let r = upload(big);
    let refused_in = started.elapsed();
    assert_eq!(r.status().as_u16(), 413);
    let detail = r.text().unwrap();
    assert!(detail.contains("124000 results") && detail.contains("max_results_per_report"), "{detail}");
    eprintln!("124,000 results refused in {refused_in:?}");

    // at the cap: stored, while status-page writes keep answering
    let at_cap = signed(&report("at-cap", 10_000));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writes = std::thread::spawn({
        let (url, token, done) = (url.clone(), token.clone(), done.clone());
        move || {
            let http = Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
            let mut answers = Vec::new();
            let mut n = 0;
            // at least 20 writes, and on until the upload is done
            while n < 20 || !done.load(std::sync::atomic::Ordering::SeqCst) {
                let started = Instant::now();
                let status = http
                    .post(format!("{url}/components"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"displayName": format!("component {n}")}))
                    .send()
                    .unwrap()
                    .status()
                    .as_u16();
                answers.push((status, started.elapsed()));
                n += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            answers
        }
    });
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    let r = upload(at_cap);
    let stored_in = started.elapsed();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().unwrap_or_default());
    let answers = writes.join().unwrap();
    let slowest = answers.iter().map(|(_, t)| *t).max().unwrap();
    eprintln!("10,000 results stored in {stored_in:?}; {} status writes meanwhile, slowest {slowest:?}", answers.len());
    assert!(answers.iter().all(|(s, _)| *s == 201), "every status write succeeded: {answers:?}");
    assert!(slowest < Duration::from_secs(5), "a status write waited {slowest:?}");
    let stored: serde_json::Value =
        http.get(format!("{url}/reports/at-cap")).basic_auth("alpha", Some("secret")).send().unwrap().json().unwrap();
    assert_eq!(stored["run"]["uuid"], "at-cap");
}
