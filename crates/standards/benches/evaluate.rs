// SPDX-License-Identifier: Apache-2.0
//! Evaluating a subject against SCS-compatible IaaS over a history of results,
//! reported as ratios within one run: 10,000 vs 1,000 results (linear scaling
//! means ~10x), and evaluation vs. merely reading the records.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chrono::{Duration, NaiveDateTime};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use scs_standards::embedded::load_scope;
use scs_standards::{ResultRecord, TestResult};
use std::hint::black_box;

fn history(n: usize, ids: &[String], start: NaiveDateTime) -> Vec<ResultRecord> {
    (0..n)
        .map(|i| ResultRecord {
            testcase: ids[i % ids.len()].clone(),
            result: match i % 7 {
                0 => TestResult::Fail,
                1 => TestResult::Abort,
                _ => TestResult::Pass,
            },
            checked_at: start + Duration::minutes(i as i64),
            report: Some(format!("report-{}", i / ids.len())),
        })
        .collect()
}

fn evaluation(c: &mut Criterion) {
    let Ok(scope) = load_scope("scs-compatible-iaas") else { panic!("embedded scope does not load") };
    let ids: Vec<String> = scope.testcases.iter().map(|t| t.id.clone()).collect();
    let start = NaiveDateTime::parse_from_str("2026-08-01 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap_or_default();
    let now = start + Duration::days(8);
    let mut group = c.benchmark_group("evaluate-iaas");
    for n in [1_000usize, 10_000] {
        let records = history(n, &ids, start);
        group.bench_with_input(BenchmarkId::new("evaluate", n), &records, |b, r| {
            b.iter(|| scope.evaluate(black_box(r), now, false))
        });
        group.bench_with_input(BenchmarkId::new("scan-only", n), &records, |b, r| {
            b.iter(|| black_box(r).iter().filter(|x| x.result == TestResult::Pass).count())
        });
    }
    group.finish();
}

criterion_group!(benches, evaluation);
criterion_main!(benches);
