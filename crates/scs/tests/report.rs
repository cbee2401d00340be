// SPDX-License-Identifier: Apache-2.0
//! `scs report`: sign/verify interoperate with OpenSSH's `ssh-keygen`, show
//! and diff summarise, and upload sends upstream's body to a server that
//! checks it as the compliance monitor does (split at `&`, `ssh-keygen -Y
//! verify`, content type, Basic token) and answers 200/401/409/415.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;
use common::monitor;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scs")).args(args).output().expect("run scs")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

use scs_testkit::ssh::keygen;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn sign_then_openssh_verifies_and_scs_verifies_openssh_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "csp");
    let report = dir.path().join("report.yaml");
    std::fs::copy(fixture("report-a.yaml"), &report).unwrap();
    let o = scs(&["report", "sign", "-k", key.to_str().unwrap(), report.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    // OpenSSH accepts our signature
    let signers = dir.path().join("allowed_signers");
    std::fs::write(&signers, format!("mail@csp.eu {}", std::fs::read_to_string(key.with_extension("pub")).unwrap()))
        .unwrap();
    assert!(common::openssh_verifies(&key.with_extension("pub"), &report, &dir.path().join("report.yaml.sig")));
    // we accept our own and OpenSSH's signature, with the allowed_signers file too
    let o = scs(&["report", "verify", "-p", signers.to_str().unwrap(), report.to_str().unwrap()]);
    assert!(o.status.success() && text(&o).contains("Good \"report\" signature"), "{}", text(&o));
    let theirs = Command::new("ssh-keygen").args(["-Y", "sign", "-n", "report", "-f"]).arg(&key).arg(&report).output();
    assert!(theirs.unwrap().status.success());
    let o = scs(&["report", "verify", "-p", key.with_extension("pub").to_str().unwrap(), report.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    // an altered report is rejected, naming the files
    std::fs::write(&report, std::fs::read_to_string(&report).unwrap().replace("subject: lab", "subject: lab2"))
        .unwrap();
    let o = scs(&["report", "verify", "-p", signers.to_str().unwrap(), report.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("report.yaml") && text(&o).contains("does not match"), "{}", text(&o));
}

#[test]
fn show_and_diff() {
    let a = fixture("report-a.yaml");
    let b = fixture("report-b.yaml");
    let o = scs(&["report", "show", a.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let shown = text(&o);
    assert!(shown.contains("lab SCS-compatible IaaS checked 2026-11-20 03:12:44.123456"), "{shown}");
    assert!(shown.contains("3 testcases: 2 passed, 0 failed, 1 aborted"), "{shown}");
    assert!(shown.contains("stayed 'creating' for 110 s"), "{shown}");
    let o = scs(&["report", "diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let d = text(&o);
    assert!(d.contains("lab SCS-compatible IaaS scs-0100-semantics-check: PASS -> FAIL"), "{d}");
    assert!(d.contains("scs-0117-test-backup: ABORT -> PASS"), "{d}");
    assert!(!d.contains("syntax-check"), "{d}");
    let o = scs(&["report", "diff", a.to_str().unwrap(), a.to_str().unwrap()]);
    assert!(o.status.success() && text(&o).contains("no testcase changed"), "{}", text(&o));
    let o = scs(&["report", "show", "/nonexistent/report.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("/nonexistent/report.yaml"), "{}", text(&o));
}

#[test]
fn upload_sends_the_upstream_body_and_names_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "csp");
    let stranger = keygen(dir.path(), "stranger");
    let (url, _received) = monitor(dir.path(), &key.with_extension("pub"));
    let token = dir.path().join("tokenfile");
    std::fs::write(&token, "bGFiOnNlY3JldA==\n").unwrap(); // base64("lab:secret")
    let report = fixture("report-a.yaml");
    let upload = |key: &Path, token: &Path| {
        scs(&[
            "report",
            "upload",
            "--monitor-url",
            &url,
            "-t",
            token.to_str().unwrap(),
            "-k",
            key.to_str().unwrap(),
            report.to_str().unwrap(),
        ])
    };
    let o = upload(&key, &token);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("report accepted"), "{}", text(&o));
    let o = upload(&key, &token);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("409 Conflict"), "{}", text(&o));
    let o = upload(&stranger, &token);
    assert!(text(&o).contains("401 Unauthorized") && text(&o).contains("signature rejected"), "{}", text(&o));
    let bad_token = dir.path().join("badtoken");
    std::fs::write(&bad_token, "bm9ib2R5Om5vdGhpbmc=").unwrap();
    let o = upload(&key, &bad_token);
    assert!(text(&o).contains("401 Unauthorized") && text(&o).contains("bad token"), "{}", text(&o));
    // a JSON report goes out as x-signed-json, which this monitor refuses
    let reports = scs_standards::read_reports("a", &std::fs::read_to_string(&report).unwrap()).unwrap();
    let scs_standards::AnyReport::Upstream(r) = &reports[0] else { panic!("upstream report") };
    let json = dir.path().join("report.json");
    std::fs::write(&json, serde_json::to_string(r).unwrap()).unwrap();
    let args = ["report", "upload", "--monitor-url", &url, "-t", token.to_str().unwrap(), "-k", key.to_str().unwrap()];
    let o = scs(&[&args[..], &[json.to_str().unwrap()]].concat());
    assert!(text(&o).contains("415 Unsupported Media Type"), "{}", text(&o));
    // an unparseable report is refused before upload, naming the file
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "---\nsubject: [\n").unwrap();
    let o = scs(&[&args[..], &[broken.to_str().unwrap()]].concat());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("broken.yaml"), "{}", text(&o));
}
