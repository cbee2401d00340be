// SPDX-License-Identifier: Apache-2.0
//! Any bytes as a Sonobuoy results archive (tar, gzip'ed or not) and as the
//! results YAML inside it: reading must not panic, and whatever parses must
//! decide both e2e testcases without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scs_kaas::sonobuoy::{Suite, decide, parse_results, results_from_archive};

fuzz_target!(|data: &[u8]| {
    let text = match results_from_archive(data) {
        Ok(text) => text,
        Err(_) => match std::str::from_utf8(data) {
            Ok(t) => t.to_owned(),
            Err(_) => return,
        },
    };
    if let Ok(tests) = parse_results(&text) {
        for suite in [Suite::Conformance, Suite::Networking] {
            let _ = decide(suite, &tests, &[], "fuzz");
        }
    }
});
