// SPDX-License-Identifier: Apache-2.0
//! Any bytes as a signed upload (`signature & report`) and as a key file: the
//! compliance monitor takes both from the network. Splitting, parsing keys and
//! verifying must never panic (the seed body is
//! validly signed by KEY, so mutations explore the verifier's edges).
#![no_main]

use libfuzzer_sys::fuzz_target;

const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIByCgCST3JquHZm8z+mHkeCaveqdDVIkrBM9JG37z8kM fuzz";

fuzz_target!(|data: &[u8]| {
    let _ = scs_signing::parse_public_keys("fuzz", &String::from_utf8_lossy(data));
    let Ok(keys) = scs_signing::parse_public_keys("key", KEY) else { return };
    if let Ok((signature, report)) = scs_signing::split_signed_body(data) {
        let _ = scs_signing::verify(&keys, "report", report, signature);
    }
});
