// SPDX-License-Identifier: Apache-2.0
//! Any text as each lock file `scs sbom` reads (Cargo.lock, package-lock.json,
//! requirements.txt, go.sum): parsing must not panic, and what parses must
//! render as CycloneDX and SPDX without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scs_oss::sbom::{BomMeta, cyclonedx, parse_lock, spdx};
use std::path::Path;

const META: BomMeta<'static> =
    BomMeta { subject: "fuzz", timestamp: "2026-01-01T00:00:00Z", uuid: "0", tool_version: "0" };

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["Cargo.lock", "package-lock.json", "requirements.txt", "go.sum"] {
        if let Ok(components) = parse_lock(&Path::new("/nonexistent").join(name), text) {
            let _ = cyclonedx(&components, &META);
            let _ = spdx(&components, &META);
        }
    }
});
