// SPDX-License-Identifier: Apache-2.0
//! Flavor-name parsing speed, reported as ratios within one run: our
//! single-pass scanner against a regex pipeline shaped like upstream's, on a
//! short and a long name.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use criterion::{Criterion, criterion_group, criterion_main};
use regex::Regex;
use std::hint::black_box;

const SHORT: &str = "SCS-2V-4-20s";
const LONG: &str = "SCS-16T-64-200s_bms_hwv_z3hh_GNa-72h-24h_ib";

/// The upstream approach: one anchored regex per component, applied in order.
struct RegexPipeline(Vec<Regex>);

impl RegexPipeline {
    fn new() -> Self {
        let parts = [
            r"^([0-9]*)([LVTC])(i|)\-([0-9\.]*)(u|)(o|)",
            r"^\-(?:([0-9]*)x|)([0-9]*)([nhsp]|)",
            r"^_(kvm|xen|vmw|hyv|bms|chy)",
            r"^_(hwv)",
            r"^_([izar])([0-9]*)(h*)(?:$|_)",
            r"^_([gG])([NAI])([^\-h]*)(?:\-([0-9]+)|)(h*)(?:\-([0-9]+)|)(h*)",
            r"^_(ib)",
        ];
        Self(parts.iter().filter_map(|p| Regex::new(p).ok()).collect())
    }

    fn matches(&self, name: &str) -> bool {
        let Some(mut rest) = name.strip_prefix("SCS-") else { return false };
        for (i, re) in self.0.iter().enumerate() {
            match re.captures(rest) {
                Some(c) => {
                    let end = c.get(0).map_or(0, |m| m.end());
                    // the brand lookahead consumed a `_` that belongs to the next part
                    let end = if i == 4 && rest[..end].ends_with('_') { end - 1 } else { end };
                    rest = &rest[end..];
                }
                None if i == 0 => return false,
                None => {}
            }
        }
        rest.is_empty()
    }
}

fn parsing(c: &mut Criterion) {
    let pipeline = RegexPipeline::new();
    assert!(pipeline.matches(SHORT) && pipeline.matches(LONG));
    let mut group = c.benchmark_group("flavor-parse");
    group.bench_function("scanner/short", |b| b.iter(|| scs_flavor::parse(black_box(SHORT))));
    group.bench_function("regex-pipeline/short", |b| b.iter(|| pipeline.matches(black_box(SHORT))));
    group.bench_function("scanner/long", |b| b.iter(|| scs_flavor::parse(black_box(LONG))));
    group.bench_function("regex-pipeline/long", |b| b.iter(|| pipeline.matches(black_box(LONG))));
    group.bench_function("scanner/describe-long", |b| {
        b.iter(|| scs_flavor::parse(black_box(LONG)).map(|p| p.name.describe()))
    });
    group.finish();
}

criterion_group!(benches, parsing);
criterion_main!(benches);
