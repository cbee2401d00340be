// SPDX-License-Identifier: Apache-2.0
//! Report documents: read what upstream writes, write what upstream reads.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chrono::NaiveDateTime;
use scs_standards::embedded::load_scope;
use scs_standards::report::{AnyReport, Invocation, Report, ReportSpec, Run};
use scs_standards::{TestResult, Verdict, read_reports, write_reports};
use std::collections::BTreeMap;

/// The shape of a report as `scs-compliance-check.py` writes it (values invented).
const UPSTREAM: &str = "\
---
spec:
  uuid: 50393e6f-2ae1-4c5c-a62c-3b75f2abef3f
  name: SCS-compatible IaaS
  url: https://raw.githubusercontent.com/SovereignCloudStack/standards/main/Tests/scs-compatible-iaas.yaml
checked_at: 2026-08-20 03:12:44.123456
reference_date: 2026-08-20
subject: cloud-a
run:
  uuid: 7f3d1a9e-0000-4000-8000-000000000001
  argv: [./scs-compliance-check.py, -s, cloud-a]
  assignment:
    os_cloud: cloud-a
  sections: null
  forced_version: null
  forced_tests: null
  invocations:
    1b0c3f52-0000-4000-8000-000000000002:
      id: 1b0c3f52-0000-4000-8000-000000000002
      cmd: ./iaas/openstack_test.py -c cloud-a scs-0100-semantics-check scs-0100-syntax-check
      results:
        scs-0100-syntax-check: 1
        scs-0100-semantics-check: -1
        scs-0101-entropy-avail: 0
      rc: 0
      stdout: ['scs-0100-syntax-check: PASS', 'scs-0100-semantics-check: FAIL']
      stderr: ['WARNING: something']
      info: 0
      warning: 1
      error: 0
      critical: 0
---
spec: {uuid: 1fffebe6-fd4b-44d3-a36c-fc58b4bb0180, name: SCS-compatible KaaS}
checked_at: 2026-08-20T04:00:00Z
reference_date: 2026-08-20
subject: cluster-1.34
run:
  uuid: 7f3d1a9e-0000-4000-8000-000000000003
  invocations: {}
versions:
  v1: {version-policy-check: {result: 1, invocation: null}}
";

#[test]
fn reads_upstream_multi_document_reports() {
    let reports = read_reports("report.yaml", UPSTREAM).expect("read");
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].subject(), "cloud-a");
    let records = reports[0].records();
    let get = |id: &str| records.iter().find(|r| r.testcase == id).map(|r| r.result);
    assert_eq!(get("scs-0100-syntax-check"), Some(TestResult::Pass));
    assert_eq!(get("scs-0100-semantics-check"), Some(TestResult::Fail));
    assert_eq!(get("scs-0101-entropy-avail"), Some(TestResult::Abort));
    assert_eq!(reports[1].checked_at().to_string(), "2026-08-20 04:00:00");
    assert_eq!(reports[1].records()[0].testcase, "version-policy-check");
}

#[test]
fn writes_and_reads_back_both_shapes() {
    let reports = read_reports("report.yaml", UPSTREAM).expect("read");
    let text = write_reports(&reports).expect("write");
    assert!(text.starts_with("---\n"));
    let again = read_reports("again.yaml", &text).expect("read back");
    assert_eq!(reports, again);

    let v2 = "---\nuuid: r-1\ncreator: SCS test suite; version=20260623\nscope: 50393e6f-2ae1-4c5c-a62c-3b75f2abef3f\nchecked_at: 2026-06-23 10:00:00\nsubject: cloud-b\ntests:\n  scs-0100-syntax-check: {result: 1}\n  scs-0116-permissions: {result: null}\nlog: |\n  line one\n  line two\n";
    let parsed = read_reports("v2.yaml", v2).expect("v2");
    let AnyReport::V2(report) = &parsed[0] else { panic!("not v2") };
    assert_eq!(report.log, ["line one", "line two"]);
    assert_eq!(parsed[0].records().len(), 1);
    let text = write_reports(&parsed).expect("write v2");
    assert_eq!(read_reports("v2.yaml", &text).expect("read v2 back"), parsed);
}

#[test]
fn our_additions_survive_and_stay_optional() {
    let mut invocation = Invocation { id: "i".into(), ..Default::default() };
    invocation.results.insert("scs-0100-syntax-check".into(), Some(TestResult::Pass));
    invocation.evidence.insert("scs-0100-syntax-check".into(), vec!["checked 12 SCS- flavors".into()]);
    invocation.durations_ms.insert("scs-0100-syntax-check".into(), 12);
    let report = Report {
        spec: ReportSpec { uuid: "u".into(), name: "n".into(), url: None },
        checked_at: NaiveDateTime::parse_from_str("2026-01-01 00:00:00", "%Y-%m-%d %H:%M:%S").expect("ts"),
        reference_date: "2026-01-01".parse().expect("date"),
        subject: "s".into(),
        run: Run {
            uuid: "r".into(),
            argv: vec![],
            assignment: BTreeMap::new(),
            sections: None,
            forced_version: None,
            forced_tests: None,
            invocations: BTreeMap::from([("i".into(), invocation)]),
        },
        versions: None,
    };
    let text = write_reports(&[AnyReport::Upstream(Box::new(report))]).expect("write");
    assert!(text.contains("evidence:"), "{text}");
    assert!(
        text.contains("checked_at: 2026-01-01 00:00:00.000000")
            || text.contains("checked_at: \"2026-01-01 00:00:00.000000\""),
        "{text}"
    );
    let back = read_reports("x.yaml", &text).expect("read");
    let AnyReport::Upstream(back) = &back[0] else { panic!() };
    assert_eq!(back.run.invocations["i"].durations_ms["scs-0100-syntax-check"], 12);
}

#[test]
fn evaluation_of_a_report_against_our_scope() {
    let scope = load_scope("scs-compatible-iaas").expect("scope");
    let reports = read_reports("report.yaml", UPSTREAM).expect("read");
    let now = NaiveDateTime::parse_from_str("2026-08-21 00:00:00", "%Y-%m-%d %H:%M:%S").expect("ts");
    let eval = scope.evaluate(&reports[0].records(), now, false);
    assert_eq!(eval.relevant, ["v5.1"]);
    assert_eq!(eval.result, Some(Verdict::Fail));
    assert!(eval.winner.is_none());
    assert_eq!(eval.summary(), "🛑 –");
    assert!(eval.missing.contains(&"scs-0117-test-backup".to_owned()));
}
