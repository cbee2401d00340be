// SPDX-License-Identifier: Apache-2.0
//! The status page's OpenAPI document: a superset of status-page-openapi
//! v1.1.2 (every upstream path and method, with upstream's operationId), and
//! the committed `openapi/status.json` equals what the code generates
//! (update with `SCS_UPDATE_OPENAPI=1`, then review the diff).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::PathBuf;

#[test]
fn superset_of_the_upstream_spec() {
    let upstream: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(scs_testkit::status_page_openapi()).unwrap()).unwrap();
    let ours = scs_status::openapi::document();
    let mut checked = 0;
    for (path, item) in upstream["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mine = &ours["paths"][path][method];
            assert!(mine.is_object(), "{method} {path} is missing");
            assert_eq!(mine["operationId"], op["operationId"], "{method} {path}");
            for code in op["responses"].as_object().unwrap().keys() {
                assert!(mine["responses"][code].is_object(), "{method} {path}: response {code} undocumented");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 27, "upstream's operations");
}

#[test]
fn committed_document_matches_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi/status.json");
    let generated = serde_json::to_string_pretty(&scs_status::openapi::document()).unwrap() + "\n";
    if std::env::var_os("SCS_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} drifted from the code: run `SCS_UPDATE_OPENAPI=1 cargo test -p scs-status --test openapi`, review the diff, commit it",
        path.display()
    );
}
