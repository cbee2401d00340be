// SPDX-License-Identifier: Apache-2.0
//! Any bytes as a status page request body, for every resource: parsing and
//! checking must not panic, and a refusal always says what is wrong.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scs_status::model::{ComponentIn, ImpactTypeIn, IncidentIn, IncidentState, PhaseListIn, SeverityIn, UpdateIn, parse_body};

fuzz_target!(|data: &[u8]| {
    let check = |r: Result<(), scs_status::model::Invalid>| {
        if let Err(e) = r {
            assert!(!e.0.is_empty());
        }
    };
    if let Ok(b) = parse_body::<IncidentIn>(data) {
        check(b.apply(None).map(drop));
        check(b.apply(Some(&IncidentState { display_name: "x".into(), ..Default::default() })).map(drop));
    }
    if let Ok(b) = parse_body::<ComponentIn>(data) {
        check(b.validate(true));
        check(b.validate(false));
    }
    if let Ok(b) = parse_body::<SeverityIn>(data) {
        check(b.validate(true));
    }
    if let Ok(b) = parse_body::<ImpactTypeIn>(data) {
        check(b.validate(true));
    }
    if let Ok(b) = parse_body::<UpdateIn>(data) {
        check(b.validate(true));
    }
    if let Ok(b) = parse_body::<PhaseListIn>(data) {
        check(b.validate());
    }
});
