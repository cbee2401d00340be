// SPDX-License-Identifier: Apache-2.0
//! Any bytes as a status page provisioning file: parsing must not panic; an
//! error names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = scs_status::provision::parse("provisioning.yaml", text) {
        assert!(e.to_string().starts_with("provisioning.yaml: "), "{e}");
    }
});
