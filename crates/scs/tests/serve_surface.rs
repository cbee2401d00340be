// SPDX-License-Identifier: Apache-2.0
//! What `scs serve` shows a client about itself, with both services
//! running: one OpenAPI document in which every reference resolves, each
//! service's errors keep their own shape and each protected operation names
//! its credentials; and the headers every answer carries (no sniffing, a
//! content security policy, no framing except for the monitor's fragments).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::KillOnDrop;

use reqwest::blocking::Client;
use serde_json::Value;
use std::collections::BTreeSet;

fn serve() -> (KillOnDrop, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("scs.db").display());
    let accounts = dir.path().join("accounts.yaml");
    std::fs::write(&accounts, "accounts: []\n").unwrap();
    let port = common::free_port();
    let server = KillOnDrop(common::start_serve(&database_url, &accounts, port));
    (server, format!("http://127.0.0.1:{port}"), dir)
}

fn references(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "$ref" {
                    out.insert(v.as_str().unwrap().to_owned());
                }
                references(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

/// The schema a response of `method path` with `status` refers to.
fn error_schema<'a>(document: &'a Value, method: &str, path: &str, status: &str) -> &'a Value {
    let reference =
        document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} {status} has no schema"));
    let name = reference.trim_start_matches("#/components/schemas/");
    &document["components"]["schemas"][name]
}

#[test]
fn the_merged_document_resolves_and_keeps_each_services_error_shape_and_credentials() {
    let (_server, base, _dir) = serve();
    let document: Value = Client::new().get(format!("{base}/openapi.json")).send().unwrap().json().unwrap();

    let mut refs = BTreeSet::new();
    references(&document, &mut refs);
    assert!(refs.len() > 10, "{refs:?}");
    for r in &refs {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}: not a schema reference"));
        assert!(document["components"]["schemas"][name].is_object(), "dangling reference {r}");
    }

    // the monitor answers {"detail"}, the status page {"message"}
    let monitor = error_schema(&document, "post", "/reports", "401");
    assert!(monitor["properties"]["detail"].is_object(), "{monitor}");
    let status = error_schema(&document, "post", "/components", "401");
    assert!(status["properties"]["message"].is_object(), "{status}");

    // credentials: HTTP Basic for the monitor, bearer tokens for status-page writes
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["basic"]["scheme"], "basic");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(document["paths"]["/reports"]["post"]["security"][0]["basic"], serde_json::json!([]));
    for (path, method) in [("/components", "post"), ("/incidents/{incidentId}", "patch"), ("/auditlog", "get")] {
        assert_eq!(document["paths"][path][method]["security"][0]["bearer"], serde_json::json!([]), "{method} {path}");
    }
    assert!(document["paths"]["/components"]["get"]["security"].is_null(), "reads are public");

    // `/docs`: the same document as a page, every operation of both services on it
    let page = Client::new().get(format!("{base}/docs")).send().unwrap();
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let page = page.text().unwrap();
    let mut operations = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let listed = format!("<code>{} {}</code>", method.to_uppercase(), path.replace('&', "&amp;"));
            assert!(page.contains(&listed), "{listed} is not on /docs");
            operations += 1;
        }
    }
    assert!(operations > 30, "{operations}");
}

#[test]
fn every_answer_forbids_sniffing_and_framing_except_the_embeddable_fragments() {
    let (_server, base, _dir) = serve();
    let client = Client::new();
    for path in ["/", "/components", "/page/table", "/markdown/table", "/status", "/nope", "/incidents.atom"] {
        let r = client.get(format!("{base}{path}")).send().unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("script-src"), "{path}: no script may run: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
    }
    let r = client.get(format!("{base}/fragment/table")).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors *"), "{csp}");
    assert!(r.headers().get("x-frame-options").is_none());
}
