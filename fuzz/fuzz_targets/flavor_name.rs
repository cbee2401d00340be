// SPDX-License-Identifier: Apache-2.0
//! Any text: parsing must not panic, and a name that parses must render,
//! describe and convert without panicking, and its canonical rendering must
//! parse back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scs_flavor::{Syntax, parse, parse_with};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(parsed) = parse(text) {
        let name = parsed.name;
        let _ = name.describe();
        let _ = name.extra_specs();
        let _ = name.shorten().to_string();
        let canonical = name.render(Syntax::V2);
        assert_eq!(parse_with(&canonical, Syntax::V2).ok().as_ref(), Some(&name), "{canonical}");
    }
});
