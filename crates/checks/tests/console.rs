// SPDX-License-Identifier: Apache-2.0
//! scs-0101's console-log parser on realistic serial-console texts of a
//! Debian and an Ubuntu guest: passing, failing, a cloud-init error, a log cut
//! off mid-line, and what Nova's fake driver returns.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use scs_checks::iaas::live::{decide_entropy as decide, parse_console};
use scs_standards::TestResult;

fn console(name: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/console").join(name))
        .unwrap()
}

#[test]
fn passing_guest() {
    let v = parse_console(&console("passing.txt"));
    assert!(v.booted && v.done && !v.script_failed);
    let (avail, fips) = decide(&v);
    assert_eq!(avail.result, TestResult::Pass, "{:?}", avail.evidence);
    assert_eq!(fips.result, TestResult::Pass, "{:?}", fips.evidence);
    assert_eq!(fips.evidence, ["rngtest: 2 FIPS 140-2 failures in 1000 blocks"]);
}

#[test]
fn failing_guest() {
    let (avail, fips) = decide(&parse_console(&console("failing.txt")));
    assert_eq!(avail.result, TestResult::Fail);
    assert!(avail.evidence[0].contains("entropy_avail is 183"), "{:?}", avail.evidence);
    assert_eq!(fips.result, TestResult::Fail);
    assert!(fips.evidence[0].contains("15 FIPS 140-2 failures"), "{:?}", fips.evidence);
}

#[test]
fn cloud_init_error_fails_both() {
    let v = parse_console(&console("cloud-init-error.txt"));
    assert!(v.script_failed && v.booted && !v.done);
    let (avail, fips) = decide(&v);
    assert_eq!(avail.result, TestResult::Fail);
    assert_eq!(fips.result, TestResult::Fail);
    assert!(avail.evidence[0].contains("scripts-user"), "{:?}", avail.evidence);
}

#[test]
fn truncated_log_is_not_finished_and_aborts_what_is_missing() {
    let v = parse_console(&console("truncated.txt"));
    assert!(v.booted && !v.done);
    assert_eq!(v.entropy_avail.as_deref(), Some("256"));
    assert_eq!(v.fips_failures, None, "a cut-off marker is no result");
    let (avail, fips) = decide(&v);
    assert_eq!(avail.result, TestResult::Pass);
    assert_eq!(fips.result, TestResult::Abort);
}

#[test]
fn fake_driver_console_shows_no_boot() {
    let v = parse_console(&console("fake-driver.txt"));
    assert!(!v.booted && !v.done && v.entropy_avail.is_none());
}

#[test]
fn fips_line_without_a_count_aborts() {
    let v = parse_console(
        "Linux version 6.1\n_scs-test-entropy-avail: 256\n_scs-test-fips-test: bash: rngtest: not found\n_scs-test-end\n",
    );
    assert_eq!(v.fips_failures, Some(None));
    assert_eq!(decide(&v).1.result, TestResult::Abort);
}
