// SPDX-License-Identifier: Apache-2.0
//! Any bytes as a server's console log (scs-0101) or an S3 answer
//! (scs-0123): both come from the cloud, and parsing them must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let console = scs_checks::iaas::live::parse_console(&text);
    let _ = scs_checks::iaas::live::decide_entropy(&console);
    let _ = scs_openstack::s3::error_code(&text);
});
