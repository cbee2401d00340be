// SPDX-License-Identifier: Apache-2.0
//! Any bytes as release data (`data/kubernetes.json` or a refreshed copy)
//! and as a CVE record fetched by `scs data refresh`: parsing must not
//! panic; errors name the file; parsed data must be judged without panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scs_kaas::data::ReleaseData;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match ReleaseData::parse(text, Path::new("kubernetes.json")) {
        Ok(parsed) => {
            let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
            let _ = scs_kaas::version_policy::decide("v1.20.2", &parsed, "fuzz", today);
            let _ = parsed.to_json();
        }
        Err(e) => assert!(e.to_string().starts_with("kubernetes.json: "), "{e}"),
    }
    if let Ok(record) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = scs_kaas::refresh::critical_cve("CVE-0", &record, &mut Vec::new());
    }
});
