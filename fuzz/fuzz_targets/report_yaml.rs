// SPDX-License-Identifier: Apache-2.0
//! Any bytes as a report stream: reading, writing back and re-reading must
//! not panic, and what we write we can read again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scs_standards::{read_reports, write_reports};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(reports) = read_reports("fuzz.yaml", text) {
        for r in &reports {
            let _ = r.records();
        }
        if let Ok(written) = write_reports(&reports) {
            assert!(read_reports("again.yaml", &written).is_ok(), "cannot re-read:\n{written}");
        }
    }
});
