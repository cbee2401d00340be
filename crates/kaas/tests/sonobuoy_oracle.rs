// SPDX-License-Identifier: Apache-2.0
//! Sonobuoy itself as the oracle for reading its results: the same tarballs
//! go to the real `sonobuoy results` (built from its Go module by
//! `lab/kubernetes up`) and to scs, and the counts and failed test names
//! must agree.
//!
//! The tarballs: three that real Sonobuoy runs on kind clusters wrote (from
//! Sonobuoy's own test data, copied by the lab: e2e with four failures, a
//! run without failures, and one with four plugins), and variations of a
//! real one whose e2e results hold what SCS adds on top: failures on the
//! SCS okToFail list, a timeout, Ginkgo's `[It]` prefix, a third plugin.
//! Sonobuoy knows nothing of okToFail: its failed tests are scs's failed
//! plus accepted failures.
//!
//! Without the lab these tests fail; `SCS_SKIP_LAB=1` opts out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use scs_kaas::sonobuoy::{Suite, decide, load_config, read_results};
use scs_standards::TestResult;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What `sonobuoy results --plugin P` prints, read back.
#[derive(Debug, Default, PartialEq)]
struct Summary {
    total: usize,
    passed: usize,
    /// `failed` and `timeout`, as Sonobuoy counts them
    failed: usize,
    skipped: usize,
    /// any other status, by name (Sonobuoy prints them after `Skipped:`)
    other: std::collections::BTreeMap<String, usize>,
    failed_tests: BTreeSet<String>,
}

fn sonobuoy_summary(sonobuoy: &Path, tarball: &Path, plugin: &str) -> Summary {
    let out = Command::new(sonobuoy).args(["results", "--plugin", plugin]).arg(tarball).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "sonobuoy results {}: {}{stdout}",
        tarball.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut summary = Summary::default();
    let mut in_failed = false;
    for line in stdout.lines() {
        if in_failed {
            if !line.trim().is_empty() {
                summary.failed_tests.insert(line.trim().to_owned());
            }
            continue;
        }
        let number = |prefix: &str| line.strip_prefix(prefix).map(|n| n.trim().parse::<usize>().unwrap());
        if let Some(n) = number("Total:") {
            summary.total = n;
        } else if let Some(n) = number("Passed:") {
            summary.passed = n;
        } else if let Some(n) = number("Failed:") {
            summary.failed = n;
        } else if let Some(n) = number("Skipped:") {
            summary.skipped = n;
        } else if line == "Failed tests:" {
            in_failed = true;
        } else if let Some((status, n)) = line.rsplit_once(": ")
            && summary.total > 0
            && !matches!(status, "Plugin" | "Status")
            && let Ok(n) = n.trim().parse::<usize>()
        {
            summary.other.insert(status.to_owned(), n);
        }
    }
    summary
}

/// The same, as scs reads the tarball: every test, its status, and the
/// failures the SCS configuration accepts counted as failed (as Sonobuoy
/// counts them).
fn scs_summary(tarball: &Path) -> Summary {
    let tests = read_results(tarball).unwrap_or_else(|e| panic!("{e}"));
    let count = |status: &str| tests.iter().filter(|t| t.status == status).count();
    let failed = tests.iter().filter(|t| t.status == "failed" || t.status == "timeout");
    let mut other = std::collections::BTreeMap::new();
    for test in tests.iter().filter(|t| !matches!(t.status.as_str(), "passed" | "skipped" | "failed" | "timeout")) {
        *other.entry(test.status.clone()).or_insert(0) += 1;
    }
    Summary {
        total: tests.len(),
        passed: count("passed"),
        failed: failed.clone().count(),
        skipped: count("skipped"),
        other,
        // Sonobuoy lists names without Ginkgo's `[It]` node prefix
        failed_tests: failed.map(|t| t.name.trim_start_matches("[It]").trim().to_owned()).collect(),
    }
}

fn recorded(name: &str) -> Option<PathBuf> {
    let sonobuoy = scs_testkit::lab::kubernetes_program("sonobuoy")?;
    let path = sonobuoy.with_file_name("sonobuoy-results").join(name);
    assert!(path.is_file(), "{} missing: run `lab/kubernetes up`", path.display());
    Some(path)
}

/// Every entry of a gzip'ed tarball, in order.
fn entries(tarball: &Path) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(tarball).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut all = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.header().entry_type().is_dir() {
            continue;
        }
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut body = Vec::new();
        entry.read_to_end(&mut body).unwrap();
        all.push((name, body));
    }
    all
}

fn write_tarball(path: &Path, entries: &[(String, Vec<u8>)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(file, flate2::Compression::fast()));
    for (name, body) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, body.as_slice()).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap();
}

/// The e2e results of a certified-conformance run in the shape Sonobuoy's
/// post-processing writes (file, suite, tests), with `tests` as (name, status).
fn e2e_results(tests: &[(&str, &str)]) -> Vec<u8> {
    let failed = tests.iter().any(|(_, s)| *s == "failed" || *s == "timeout");
    let overall = if failed { "failed" } else { "passed" };
    let mut yaml = format!(
        "name: e2e\nstatus: {overall}\nmeta:\n  type: summary\nitems:\n- name: junit_01.xml\n  status: {overall}\n  meta:\n    file: results/global/junit_01.xml\n    type: file\n  items:\n  - name: Kubernetes e2e suite\n    status: {overall}\n    items:\n"
    );
    for (name, status) in tests {
        yaml.push_str(&format!("    - name: '{}'\n      status: {status}\n", name.replace('\'', "''")));
        if *status == "failed" || *status == "timeout" {
            yaml.push_str("      details:\n        failure: 'timed out waiting for the condition'\n");
        }
    }
    yaml.into_bytes()
}

/// A real tarball with its e2e results replaced, and a plugin added.
fn variation(dir: &Path, name: &str, tests: &[(&str, &str)]) -> PathBuf {
    let mut all: Vec<(String, Vec<u8>)> = entries(&recorded("results-4-e2e-failures.tar.gz").unwrap())
        .into_iter()
        .filter(|(n, _)| n != "meta/info.json" && n != "plugins/e2e/sonobuoy_results.yaml")
        .collect();
    all.push(("meta/info.json".into(), br#"{"plugins":["e2e","systemd-logs","scs-kaas-conformance"]}"#.to_vec()));
    all.push(("plugins/e2e/sonobuoy_results.yaml".into(), e2e_results(tests)));
    all.push((
        "plugins/scs-kaas-conformance/sonobuoy_results.yaml".into(),
        b"name: scs-kaas-conformance\nstatus: passed\nmeta:\n  type: summary\nitems:\n- name: junit.xml\n  status: passed\n  meta:\n    file: results/global/junit.xml\n    type: file\n  items:\n  - name: scs\n    status: passed\n    items:\n    - name: TestScsKaasConformance\n      status: passed\n".to_vec(),
    ));
    let path = dir.join(name);
    write_tarball(&path, &all);
    path
}

fn agree(sonobuoy: &Path, tarball: &Path) -> Summary {
    let theirs = sonobuoy_summary(sonobuoy, tarball, "e2e");
    let ours = scs_summary(tarball);
    assert_eq!(ours, theirs, "{}: scs (left) and sonobuoy (right) disagree", tarball.display());
    ours
}

#[test]
fn sonobuoys_own_recorded_runs_read_the_same_in_scs() {
    let Some(sonobuoy) = scs_testkit::lab::kubernetes_program("sonobuoy") else { return };
    let failures = agree(&sonobuoy, &recorded("results-4-e2e-failures.tar.gz").unwrap());
    assert_eq!(failures.failed, 4, "{failures:?}");
    assert!(failures.skipped > 5000, "{failures:?}");
    let clean = agree(&sonobuoy, &recorded("results-quick-no-failures.tar.gz").unwrap());
    assert_eq!(clean.failed, 0, "{clean:?}");
    assert!(clean.passed > 0, "{clean:?}");
    // four plugins, e2e among them
    let several = recorded("testResultsOutput.tar.gz").unwrap();
    agree(&sonobuoy, &several);
    let names: Vec<String> = entries(&several)
        .into_iter()
        .filter_map(|(n, _)| n.strip_suffix("/sonobuoy_results.yaml").map(str::to_owned))
        .collect();
    assert!(names.len() >= 3, "{names:?}");
}

#[test]
fn accepted_failures_timeouts_and_ginkgo_prefixes_count_as_sonobuoy_counts_them() {
    let Some(sonobuoy) = scs_testkit::lab::kubernetes_program("sonobuoy") else { return };
    let dir = tempfile::tempdir().unwrap();
    let ok_to_fail = load_config(None).unwrap();
    // a name on the shipped okToFail list
    let accepted = "[sig-network] Feature:SCTPConnectivity works [Conformance]";
    assert!(ok_to_fail.iter().any(|o| o.regex.is_match(accepted)));
    let tests = [
        ("[sig-apps] Deployment deployment should support rollover [Conformance]", "passed"),
        ("[It] [sig-node] Pods should be submitted and removed [NodeConformance] [Conformance]", "passed"),
        ("[sig-storage] EmptyDir volumes should support (root,0644,default) [LinuxOnly] [Conformance]", "skipped"),
        (accepted, "failed"),
        ("[It] [sig-network] Services should serve a basic endpoint from pods [Conformance]", "failed"),
        (
            "[sig-cli] Kubectl client Guestbook application should create and stop a working application [Conformance]",
            "timeout",
        ),
    ];
    let mixed = variation(dir.path(), "mixed.tar.gz", &tests);
    let summary = agree(&sonobuoy, &mixed);
    assert_eq!((summary.passed, summary.failed, summary.skipped, summary.total), (2, 3, 1, 6));

    // what the testcase makes of it: the accepted failure is not a failure, the others are
    let results = read_results(&mixed).unwrap();
    let outcome = decide(Suite::Conformance, &results, &ok_to_fail, "mixed.tar.gz");
    assert_eq!(outcome.result, TestResult::Fail, "{outcome:?}");
    assert!(
        outcome
            .evidence
            .iter()
            .any(|e| e == "mixed.tar.gz: 5 test(s) run, 2 passed, 2 failed, 1 accepted failure(s), 1 skipped"),
        "{outcome:?}"
    );
    assert!(outcome.evidence.iter().any(|e| e.starts_with(&format!("accepted failure: {accepted} ("))), "{outcome:?}");

    // only accepted failures: sonobuoy says failed, the testcase passes
    let only_accepted = variation(dir.path(), "accepted.tar.gz", &[tests[0], (accepted, "failed")]);
    let summary = agree(&sonobuoy, &only_accepted);
    assert_eq!(summary.failed, 1);
    let outcome = decide(Suite::Conformance, &read_results(&only_accepted).unwrap(), &ok_to_fail, "accepted.tar.gz");
    assert_eq!(outcome.result, TestResult::Pass, "{outcome:?}");
}
