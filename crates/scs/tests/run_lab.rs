// SPDX-License-Identifier: Apache-2.0
//! `scs run` against the lab: two subjects (two clouds.yaml entries) from an
//! upstream-shaped config.toml, checked in parallel, one concatenated report
//! with both, signed with the keyfile (verified by OpenSSH) and uploaded to a
//! stand-in monitor that checks the body. Needs the lab; `SCS_SKIP_LAB=1` opts out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::process::Command;

#[test]
fn two_subjects_one_signed_uploaded_report() {
    let Some(clouds) = scs_testkit::lab::seeded_clouds_yaml() else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = scs_testkit::ssh::keygen(dir.path(), "keyfile");
    std::fs::write(dir.path().join("tokenfile"), format!("{}\n", common::TOKEN)).unwrap();
    let (url, received) = common::monitor(dir.path(), &key.with_extension("pub"));
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        r#"[secrets]
keyfile = "keyfile"
tokenfile = "tokenfile"

[presets.lab]
scopes = ["scs-compatible-iaas"]
subjects = ["lab-member", "lab-member-appcred"]
workers = 2

[scopes.scs-compatible-iaas]
spec = "./scs-compatible-iaas.yaml"   # not here: scs uses its own copy of the scope

[subjects._.mapping]
os_cloud = "{subject}"
subject_root = "{subject}"
kubeconfig = "{subject}/kubeconfig.yaml"
"#,
    )
    .unwrap();
    let report = dir.path().join("report.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["run", "--config", config.to_str().unwrap(), "--preset", "lab", "--monitor-url", &url])
        .args(["--tests", "scs-0100-|scs-0103-flavor-(1v-4|2v-8)$|scs-0123-service-", "-o", report.to_str().unwrap()])
        .env("OS_CLIENT_CONFIG_FILE", &clouds)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("wrote 2 reports") && stdout.contains("report accepted"), "{stdout}");

    let text = std::fs::read_to_string(&report).unwrap();
    let reports = scs_standards::read_reports("report.yaml", &text).unwrap();
    let subjects: Vec<&str> = reports.iter().map(|r| r.subject()).collect();
    assert_eq!(subjects, ["lab-member", "lab-member-appcred"]);
    for r in &reports {
        assert!(r.records().len() >= 6, "{}: {:?}", r.subject(), r.records());
        assert!(r.records().iter().all(|x| x.result == scs_standards::TestResult::Pass), "{:?}", r.records());
    }
    // OpenSSH verifies the signature scs run wrote
    assert!(common::openssh_verifies(&key.with_extension("pub"), &report, &dir.path().join("report.yaml.sig")));
    // and the monitor got exactly signature & report
    let bodies = received.lock().unwrap();
    assert_eq!(bodies.len(), 1);
    let sig = std::fs::read(dir.path().join("report.yaml.sig")).unwrap();
    assert_eq!(bodies[0], [sig.as_slice(), b"&", text.as_bytes()].concat());
}
