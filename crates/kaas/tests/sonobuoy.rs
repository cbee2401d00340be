// SPDX-License-Identifier: Apache-2.0
//! cncf-k8s-conformance and kaas-networking-check from Sonobuoy results
//! archives in the layout `sonobuoy retrieve` writes (built here), with the
//! shipped okToFail list. No cluster is needed: these testcases are decided
//! from the results alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use scs_checks::run::RunMeta;
use scs_kaas::run::{KaasRequest, Settings, run};
use scs_standards::TestResult;
use scs_standards::embedded::load_scope;
use scs_standards::selection::SelectionRequest;
use std::path::{Path, PathBuf};
use std::time::Duration;

const PASSED_CONFORMANCE: &[&str] = &[
    "[sig-apps] Deployment deployment should support rollover [Conformance]",
    "[sig-network] Services should serve a basic endpoint from pods  [Conformance]",
    "[sig-storage] EmptyDir volumes should support (root,0644,default) [LinuxOnly] [NodeConformance] [Conformance]",
];

/// `plugins/e2e/sonobuoy_results.yaml` as Sonobuoy writes it: result file, suite, tests.
fn results_yaml(tests: &[(&str, &str)]) -> String {
    let mut yaml = String::from(
        "name: e2e\nstatus: failed\nmeta:\n  type: summary\nitems:\n- name: global/junit_01.xml\n  status: failed\n  meta:\n    file: results/global/junit_01.xml\n  items:\n  - name: Kubernetes e2e suite\n    status: failed\n    items:\n",
    );
    for (name, status) in tests {
        yaml.push_str(&format!("    - name: '{}'\n", name.replace('\'', "''")));
        if !status.is_empty() {
            yaml.push_str(&format!("      status: {status}\n"));
        }
        if *status == "failed" {
            yaml.push_str("      details:\n        failure: 'timed out waiting for the condition'\n");
        }
    }
    yaml
}

/// A results tarball: `sonobuoy retrieve`'s gzip'ed tar with the plugin results and some neighbours.
fn tarball(dir: &Path, name: &str, tests: &[(&str, &str)]) -> PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(file, flate2::Compression::fast()));
    let mut add = |entry: &str, body: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, entry, body).unwrap();
    };
    add("meta/config.json", br#"{"Version":"v0.57.3"}"#);
    add("plugins/e2e/results/global/junit_01.xml", b"<testsuites/>");
    add("plugins/e2e/sonobuoy_results.yaml", results_yaml(tests).as_bytes());
    builder.into_inner().unwrap().finish().unwrap();
    path
}

async fn check(tests: &str, results: Vec<(Option<String>, PathBuf)>) -> scs_kaas::run::KaasRun {
    check_with(tests, results, None, Path::new("lab-1.34")).await
}

async fn check_with(
    tests: &str,
    results: Vec<(Option<String>, PathBuf)>,
    sonobuoy: Option<PathBuf>,
    root: &Path,
) -> scs_kaas::run::KaasRun {
    let scope = load_scope("scs-compatible-kaas").unwrap();
    let date = "2026-11-27".parse().unwrap();
    let selection = scope
        .select(&SelectionRequest { date: Some(date), version: None, sections: None, tests: Some(tests.into()) }, date)
        .unwrap();
    run(KaasRequest {
        scope: &scope,
        selection: &selection,
        // never contacted: the e2e testcases need only their results
        kubeconfig: "/nonexistent/kubeconfig".into(),
        subject: Some("lab-1.34".into()),
        meta: RunMeta { forced_tests: Some(tests.into()), ..RunMeta::default() },
        settings: Settings {
            context: None,
            release_data: None,
            sonobuoy_results: results,
            sonobuoy_config: None,
            sonobuoy_binary: sonobuoy,
            timeout: Duration::from_secs(5),
            storage_wait: Duration::from_secs(1),
        },
        execution_mode: "parallel".into(),
        results_root: Some(root.to_owned()),
    })
    .await
}

#[tokio::test]
async fn a_failure_on_the_ok_to_fail_list_passes_and_another_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut accepted: Vec<(&str, &str)> = PASSED_CONFORMANCE.iter().map(|n| (*n, "passed")).collect();
    accepted.push((
        "[sig-network] HostPort validates that there is no conflict between pods with same hostPort but different hostIP and protocol [LinuxOnly] [Conformance]",
        "failed",
    ));
    accepted.push(("[sig-storage] CSI mock volume should not be run", ""));
    let ok = tarball(dir.path(), "ok.tar.gz", &accepted);
    let run = check("cncf-k8s-conformance", vec![(None, ok.clone())]).await;
    let o = &run.check.outcomes["cncf-k8s-conformance"];
    assert_eq!(o.result, TestResult::Pass, "{o:?}");
    assert_eq!(
        o.evidence[0],
        format!("{}: 4 test(s) run, 3 passed, 0 failed, 1 accepted failure(s), 1 skipped", ok.display())
    );
    assert!(o.evidence[1].starts_with("accepted failure: [sig-network] HostPort validates"), "{o:?}");
    assert!(run.check.critical.is_empty(), "the cluster is not contacted: {:?}", run.check.critical);

    let mut broken = accepted.clone();
    broken.push((
        "[sig-api-machinery] Watchers should be able to restart watching from the last resource version [Conformance]",
        "failed",
    ));
    let bad = tarball(dir.path(), "bad.tar.gz", &broken);
    let run = check("cncf-k8s-conformance", vec![(None, bad)]).await;
    let o = &run.check.outcomes["cncf-k8s-conformance"];
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert_eq!(
        o.evidence[0],
        "failed: [sig-api-machinery] Watchers should be able to restart watching from the last resource version [Conformance]"
    );
}

#[tokio::test]
async fn networking_is_judged_on_the_network_policy_tests() {
    let dir = tempfile::tempdir().unwrap();
    let netpol = [
        (
            "[sig-network] Netpol NetworkPolicy between server and client should support a 'default-deny-ingress' policy [Feature:NetworkPolicy]",
            "passed",
        ),
        (
            "[sig-network] Netpol NetworkPolicy between server and client should allow egress access to server in CIDR block [Feature:NetworkPolicy]",
            "failed",
        ),
        (
            "[sig-network] Netpol [Feature:SCTPConnectivity][LinuxOnly] NetworkPolicy between server and client using SCTP should support a 'default-deny-ingress' policy",
            "failed",
        ),
    ];
    let focused = tarball(dir.path(), "netpol.tar.gz", &netpol);
    let run = check("kaas-networking-check", vec![(Some("kaas-networking-check".into()), focused)]).await;
    let o = &run.check.outcomes["kaas-networking-check"];
    assert_eq!(o.result, TestResult::Pass, "{o:?}");
    assert!(o.evidence[0].ends_with("3 test(s) run, 1 passed, 0 failed, 2 accepted failure(s), 0 skipped"), "{o:?}");

    let mut failing = netpol.to_vec();
    failing.push(("[sig-network] Netpol NetworkPolicy between server and client should deny ingress from pods on other namespaces [Feature:NetworkPolicy]", "failed"));
    let bad = tarball(dir.path(), "netpol-bad.tar.gz", &failing);
    let run = check("kaas-networking-check", vec![(None, bad)]).await;
    let o = &run.check.outcomes["kaas-networking-check"];
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert!(o.evidence[0].contains("should deny ingress from pods on other namespaces"), "{o:?}");

    // a conformance-only run has no NetworkPolicy test: ABORT, not PASS
    let conformance = tarball(dir.path(), "conf.tar.gz", &[(PASSED_CONFORMANCE[0], "passed")]);
    let run = check("kaas-networking-check", vec![(None, conformance.clone())]).await;
    let o = &run.check.outcomes["kaas-networking-check"];
    assert_eq!(o.result, TestResult::Abort, "{o:?}");
    assert!(o.evidence[0].contains("no NetworkPolicy test was run"), "{o:?}");
    // and a networking run is no conformance run
    let netpol_only = tarball(dir.path(), "netpol2.tar.gz", &netpol[..1]);
    let run = check("cncf-k8s-conformance", vec![(None, netpol_only)]).await;
    assert_eq!(run.check.outcomes["cncf-k8s-conformance"].result, TestResult::Abort);
}

#[tokio::test]
async fn an_extracted_directory_works_and_broken_results_abort_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let extracted = dir.path().join("sono-results-e2e");
    std::fs::create_dir_all(extracted.join("plugins/e2e")).unwrap();
    let tests: Vec<(&str, &str)> = PASSED_CONFORMANCE.iter().map(|n| (*n, "passed")).collect();
    std::fs::write(extracted.join("plugins/e2e/sonobuoy_results.yaml"), results_yaml(&tests)).unwrap();
    let run = check("cncf-k8s-conformance", vec![(None, extracted.clone())]).await;
    assert_eq!(run.check.outcomes["cncf-k8s-conformance"].result, TestResult::Pass);

    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.tar.gz", b"", "holds no plugins/e2e/sonobuoy_results.yaml"),
        ("notar.tar.gz", b"\x1f\x8b\x08\x00garbage", "reading the archive"),
        ("text.tar", b"just some text, not an archive at all", "reading the archive"),
        ("missing.tar.gz", b"", "No such file"),
    ];
    for (name, bytes, reason) in cases {
        let path = dir.path().join(name);
        if name != "missing.tar.gz" {
            std::fs::write(&path, bytes).unwrap();
        }
        let run = check("cncf-k8s-conformance", vec![(None, path.clone())]).await;
        let o = &run.check.outcomes["cncf-k8s-conformance"];
        assert_eq!(o.result, TestResult::Abort, "{name}: {o:?}");
        assert!(o.evidence[0].starts_with(&format!("Sonobuoy results {}:", path.display())), "{name}: {o:?}");
        assert!(o.evidence[0].contains(reason), "{name}: {o:?}");
    }
    std::fs::write(extracted.join("plugins/e2e/sonobuoy_results.yaml"), "items: [{items: 7}]\n").unwrap();
    let run = check("cncf-k8s-conformance", vec![(None, extracted)]).await;
    let o = &run.check.outcomes["cncf-k8s-conformance"];
    assert_eq!(o.result, TestResult::Abort, "{o:?}");
    assert!(o.evidence[0].contains("plugins/e2e/sonobuoy_results.yaml:"), "{o:?}");

    let run = check("cncf-k8s-conformance", vec![]).await;
    assert!(!run.check.outcomes.contains_key("cncf-k8s-conformance"), "missing, not decided");
    assert!(run.check.warnings[0].starts_with("cncf-k8s-conformance: no Sonobuoy results given"));
}

/// A stand-in for the `sonobuoy` CLI: logs its arguments; `retrieve DIR` copies the prepared
/// tarball into DIR and prints its path, as Sonobuoy does; `run` fails when `fail-run` exists.
/// (Real Sonobuoy needs container images no registry here serves; this proves the orchestration.)
fn stub_sonobuoy(dir: &Path, tarball: &Path) -> PathBuf {
    let path = dir.join("sonobuoy");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{log}'\ncase \"$3\" in\n  run) [ -e '{dir}/fail-run' ] && {{ echo 'error: the cluster is not ready' >&2; exit 1; }} ;;\n  retrieve) cp '{tarball}' \"$4/202611271200_sonobuoy_x.tar.gz\"; echo \"$4/202611271200_sonobuoy_x.tar.gz\" ;;\nesac\nexit 0\n",
        log = dir.join("log").display(),
        dir = dir.display(),
        tarball = tarball.display()
    );
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[tokio::test]
async fn without_results_an_installed_sonobuoy_is_run_and_its_run_deleted_again() {
    let dir = tempfile::tempdir().unwrap();
    let tests: Vec<(&str, &str)> = PASSED_CONFORMANCE.iter().map(|n| (*n, "passed")).collect();
    let tarball = tarball(dir.path(), "prepared.tar.gz", &tests);
    let binary = stub_sonobuoy(dir.path(), &tarball);
    let root = dir.path().join("subjects");
    let run = check_with("cncf-k8s-conformance", vec![], Some(binary.clone()), &root).await;
    let o = &run.check.outcomes["cncf-k8s-conformance"];
    assert_eq!(o.result, TestResult::Pass, "{o:?}");
    let results = root.join("sono-results-e2e/202611271200_sonobuoy_x.tar.gz");
    assert!(o.evidence[0].starts_with(&format!("{}: 3 test(s) run", results.display())), "{o:?}");
    let log = std::fs::read_to_string(dir.path().join("log")).unwrap();
    let k = "--kubeconfig /nonexistent/kubeconfig";
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            format!("{k} delete --wait"),
            format!(
                "{k} run --wait --mode=certified-conformance --plugin-env e2e.E2E_EXTRA_ARGS=--ginkgo.flake-attempts=2 --e2e-parallel=true"
            ),
            format!("{k} retrieve {}", root.join("sono-results-e2e").display()),
            format!("{k} delete --wait"),
        ]
    );

    std::fs::remove_file(dir.path().join("log")).unwrap();
    std::fs::write(dir.path().join("fail-run"), "").unwrap();
    let run = check_with("cncf-k8s-conformance", vec![], Some(binary), &root).await;
    let o = &run.check.outcomes["cncf-k8s-conformance"];
    assert_eq!(o.result, TestResult::Abort, "{o:?}");
    assert!(o.evidence[0].starts_with("running Sonobuoy: sonobuoy run --wait --mode=certified-conformance"), "{o:?}");
    assert!(o.evidence[0].ends_with("exit status: 1 (error: the cluster is not ready)"), "{o:?}");
    // the run is deleted even though it failed
    let log = std::fs::read_to_string(dir.path().join("log")).unwrap();
    assert_eq!(log.lines().last(), Some(format!("{k} delete --wait").as_str()));
}
