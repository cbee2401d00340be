// SPDX-License-Identifier: Apache-2.0
//! Any bytes as the monitor's accounts file (upstream's bootstrap.yaml):
//! parsing must not panic; an error names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = scs_monitor::accounts::parse_bootstrap("bootstrap.yaml", text) {
        assert!(e.to_string().contains("bootstrap.yaml"), "{e}");
    }
});
