// SPDX-License-Identifier: Apache-2.0
//! The OpenAPI document: the committed `openapi/monitor.json` equals what
//! the code generates (update with `SCS_UPDATE_OPENAPI=1`, then review the
//! diff), the server serves it, every documented operation is routed, and a
//! real `/status` answer has exactly the documented fields.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use serde_json::Value;
use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi/monitor.json")
}

#[test]
fn committed_document_matches_the_code() {
    let generated = scs_monitor::http::openapi_document();
    let path = committed_path();
    if std::env::var_os("SCS_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} drifted from the code: run `SCS_UPDATE_OPENAPI=1 cargo test -p scs-monitor --test openapi`, review the diff, commit it",
        path.display()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn documented_operations_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let m = start(&format!("sqlite://{}", dir.path().join("openapi.db").display()), Some("2026-11-27 12:00:00")).await;
    let served: Value = m.http.get(format!("{}/openapi.json", m.url)).send().await.unwrap().json().await.unwrap();
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(committed_path()).unwrap()).unwrap();
    assert_eq!(served, committed);

    let main = v51_main();
    let pass: Vec<(&str, i32)> = main.iter().map(|t| (t.as_str(), 1)).collect();
    assert_eq!(m.upload("alpha", "alpha", &report("alpha", "o-1", "2026-11-26 10:00:00", &pass)).await.0, 200);
    let mut operations = 0;
    for (path, item) in served["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{view}", "page")
            .replace("{subject}", "alpha")
            .replace("{scope}", "scs-compatible-iaas.svg")
            .replace("{uuid}", "o-1");
        let concrete = if concrete.starts_with("/page/") { concrete.replace(".svg", "") } else { concrete };
        for method in item.as_object().unwrap().keys() {
            let request = match method.as_str() {
                "get" => m.http.get(format!("{}{concrete}", m.url)),
                "post" => m.http.post(format!("{}{concrete}", m.url)),
                other => panic!("undocumented method {other}"),
            };
            let r = request.basic_auth("alpha", Some("secret")).send().await.unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            // the router's own 404/405 have empty bodies; every handler explains itself
            assert!(!body.is_empty(), "{method} {concrete}: {status} without a body: not routed?");
            assert_ne!(status, 405, "{method} {concrete}");
            let documented = item[method]["responses"].as_object().unwrap();
            assert!(documented.contains_key(&status.to_string()), "{method} {concrete}: {status} is not documented");
            operations += 1;
        }
    }
    assert!(operations >= 19, "{operations}");

    // a real /status answer has the documented fields, the required ones all present
    let schema = &served["components"]["schemas"]["ScopeStatus"];
    let properties: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    let status: Value =
        m.http.get(format!("{}/status?subject=alpha", m.url)).send().await.unwrap().json().await.unwrap();
    for scope in status["alpha"].as_object().unwrap().values() {
        for key in scope.as_object().unwrap().keys() {
            assert!(properties.contains(&key), "{key} is not documented");
        }
        for required in schema["required"].as_array().unwrap() {
            assert!(scope.get(required.as_str().unwrap()).is_some(), "{required} missing");
        }
    }
}
