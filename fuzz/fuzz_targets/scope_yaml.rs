// SPDX-License-Identifier: Apache-2.0
//! Any bytes as a scope file: loading and selecting must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scs_standards::{Scope, SelectionRequest};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(scope) = Scope::from_yaml("fuzz.yaml", text) {
        let today = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap_or_default();
        let _ = scope.select(&SelectionRequest::default(), today);
        let _ = scope.evaluate(&[], today.and_time(chrono::NaiveTime::MIN), true);
    }
});
