// SPDX-License-Identifier: Apache-2.0
//! Failure modes against the real lab: unreachable Keystone, wrong password,
//! and real Keystone with services that answer 500, garbage or nothing (the
//! lab's `LabBroken` region points them at a server these tests run). Every
//! affected testcase ABORTs with a clear reason; nothing panics.
//! Needs the lab; `SCS_SKIP_LAB=1` opts out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use scs_checks::run::{CheckRequest, CheckRun, RunMeta, run};
use scs_openstack::config::Credentials;
use scs_openstack::{CloudConfig, SessionOptions};
use scs_standards::TestResult;
use scs_standards::embedded::load_scope;
use scs_standards::selection::SelectionRequest;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

fn lab_clouds() -> Option<PathBuf> {
    scs_testkit::lab::clouds_yaml()
}

fn check(cloud: &CloudConfig) -> CheckRun {
    let scope = load_scope("scs-compatible-iaas").unwrap();
    let request = SelectionRequest { version: Some("v5.1".into()), ..Default::default() };
    let mut selection = scope.select(&request, chrono::Local::now().date_naive()).unwrap();
    // These tests are about reaching the cloud. The testcases that create resources run in
    // lab.rs, one at a time: here, parallel tests would share their resource names.
    selection.to_run.retain(|id| !scs_checks::iaas::live::creates(id));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run(CheckRequest {
        scope: &scope,
        selection: &selection,
        cloud,
        subject: "lab".into(),
        meta: RunMeta::default(),
        session: SessionOptions {
            timeout: Duration::from_secs(5),
            attempts: 2,
            backoff: Duration::from_millis(50),
            ..SessionOptions::default()
        },
        options: Default::default(),
        interrupt: None,
    }))
}

fn all_abort(result: &CheckRun, reason: &str) {
    assert!(!result.outcomes.is_empty());
    for (id, o) in &result.outcomes {
        assert_eq!(o.result, TestResult::Abort, "{id}");
        assert!(o.evidence[0].contains(reason), "{id}: {:?}", o.evidence);
    }
    assert_eq!(result.critical.len(), 1, "{:?}", result.critical);
}

#[test]
fn unreachable_keystone_aborts_everything() {
    let Some(clouds) = lab_clouds() else { return };
    let mut cloud = CloudConfig::load_from(&clouds, "lab-member").unwrap();
    cloud.auth_url = "http://127.0.0.1:1/v3".into();
    let result = check(&cloud);
    all_abort(&result, "cannot connect");
    // the report still says what happened
    assert!(result.report.run.invocations.values().any(|i| i.critical == 1));
}

#[test]
fn wrong_password_aborts_everything() {
    let Some(clouds) = lab_clouds() else { return };
    let mut cloud = CloudConfig::load_from(&clouds, "lab-member").unwrap();
    if let Credentials::Password { password, .. } = &mut cloud.credentials {
        *password = "wrong".into();
    }
    all_abort(&check(&cloud), "authentication at http://127.0.0.1:5000/v3/auth/tokens failed: HTTP 401");
}

/// Answers by path prefix: compute 500, image garbage, volume wrong JSON
/// shape, network hangs up without answering.
fn misbehaving_server(port: u16) {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("port for the broken region");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                let n = stream.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("").to_owned();
                let (status, body) = if path.starts_with("/compute") {
                    ("500 Internal Server Error", "{\"computeFault\": {\"message\": \"boom\"}}")
                } else if path.starts_with("/image") {
                    ("200 OK", "this is not JSON")
                } else if path.starts_with("/volume") {
                    ("200 OK", "{\"volume_types\": 42}")
                } else {
                    return; // network: connection closed without an answer
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
}

#[test]
fn broken_services_abort_their_testcases_with_the_reason() {
    let Some(clouds) = lab_clouds() else { return };
    misbehaving_server(18999);
    let cloud = CloudConfig::load_from(&clouds, "lab-member-broken").unwrap();
    let result = check(&cloud);
    assert!(result.critical.is_empty(), "{:?}", result.critical);
    let outcome = |id: &str| result.outcomes.get(id).unwrap_or_else(|| panic!("{id} not decided"));
    let expect_abort = |id: &str, reason: &str| {
        let o = outcome(id);
        assert_eq!(o.result, TestResult::Abort, "{id}: {:?}", o.evidence);
        assert!(o.evidence[0].contains(reason), "{id}: {:?} lacks {reason}", o.evidence);
    };
    expect_abort("scs-0100-syntax-check", "HTTP 500");
    expect_abort("scs-0103-flavor-1v-4", "HTTP 500");
    expect_abort("scs-0102-prop-architecture", "unexpected response");
    expect_abort("scs-0104-image-ubuntu-2404", "unexpected response");
    expect_abort("scs-0114-syntax-check", "unexpected response");
    expect_abort("scs-0115-default-rules", "/network/");
    // the catalog itself is fine
    assert_eq!(outcome("scs-0123-service-compute").result, TestResult::Pass);
}

#[test]
fn a_token_that_stops_working_aborts_the_testcases_that_need_the_cloud() {
    let Some(clouds) = lab_clouds() else { return };
    let cloud = CloudConfig::load_from(&clouds, "lab-member").unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let facts = runtime.block_on(async {
        let session = scs_openstack::Session::connect(&cloud, SessionOptions::default()).await.unwrap();
        // A revoked token is refused exactly like an expired one (401).
        session.revoke_token(&cloud.auth_url).await.unwrap();
        scs_checks::gather(
            &session,
            scs_checks::Needs { flavors: true, images: true, volume_types: true, default_rules: true },
            &scs_checks::scratch::Ledger::default(),
        )
        .await
    });
    for id in ["scs-0100-syntax-check", "scs-0102-prop-architecture", "scs-0114-syntax-check", "scs-0115-default-rules"]
    {
        let o = scs_checks::iaas::decide(id, &facts, &Default::default()).unwrap();
        assert_eq!(o.result, TestResult::Abort, "{id}: {:?}", o.evidence);
        assert!(o.evidence[0].contains("401"), "{id}: {:?}", o.evidence);
    }
}

#[test]
fn tls_needs_the_cloud_ca_or_insecure() {
    let Some(clouds) = lab_clouds() else { return };
    // Keystone on 5443 serves TLS with a certificate from the lab's own CA.
    let with_ca = CloudConfig::load_from(&clouds, "lab-member-tls").unwrap();
    assert!(with_ca.cacert.is_some());
    let result = check(&with_ca);
    assert!(result.critical.is_empty(), "{:?}", result.critical);
    assert_eq!(result.outcomes["scs-0100-syntax-check"].result, TestResult::Pass);

    let without_ca = CloudConfig { cacert: None, ..with_ca.clone() };
    let result = check(&without_ca);
    assert_eq!(result.critical.len(), 1);
    assert!(result.critical[0].contains("https://127.0.0.1:5443/v3/auth/tokens"), "{:?}", result.critical);
    assert!(result.critical[0].to_lowercase().contains("certificate"), "{:?}", result.critical);

    let insecure = CloudConfig { cacert: None, insecure: true, ..with_ca };
    let result = check(&insecure);
    assert!(result.critical.is_empty(), "{:?}", result.critical);
}
