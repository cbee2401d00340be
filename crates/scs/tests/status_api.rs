// SPDX-License-Identifier: Apache-2.0
//! The status page in the `scs` binary: `scs serve` runs it beside the
//! monitor on one database, and `scs status token` makes and revokes its
//! tokens while the server runs (the server reads them from the database,
//! not from a copy). The API contract itself, every operation against the
//! upstream spec on SQLite and PostgreSQL, is `crates/status/tests/contract.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{KillOnDrop, free_port};

use reqwest::blocking::Client;
use serde_json::json;
use std::process::Command;

fn scs(args: &[&str], database_url: &str) -> String {
    let out =
        Command::new(env!("CARGO_BIN_EXE_scs")).args(args).args(["--database-url", database_url]).output().unwrap();
    assert!(out.status.success(), "scs {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn tokens_made_and_revoked_with_scs_status_token_while_scs_serve_runs() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("scs.db").display());
    let admin = scs(&["status", "token", "create", "tester", "--admin"], &database_url);
    let accounts = dir.path().join("accounts.yaml");
    std::fs::write(&accounts, "accounts: []\n").unwrap();
    let port = free_port();
    let _server = KillOnDrop(common::start_serve(&database_url, &accounts, port));
    let base = format!("http://127.0.0.1:{port}");
    let client = Client::new();
    let post = |token: &str| {
        let r = client.post(format!("{base}/components")).bearer_auth(token).json(&json!({"displayName": "Network"}));
        r.send().unwrap().status().as_u16()
    };
    assert_eq!(post(&admin), 201);
    let temp = scs(&["status", "token", "create", "temp"], &database_url);
    assert_eq!(post(&temp), 201);
    // a writer token may not read the audit log, an admin may
    assert_eq!(client.get(format!("{base}/auditlog")).bearer_auth(&temp).send().unwrap().status().as_u16(), 403);
    assert_eq!(client.get(format!("{base}/auditlog")).bearer_auth(&admin).send().unwrap().status().as_u16(), 200);
    scs(&["status", "token", "revoke", "temp"], &database_url);
    assert_eq!(post(&temp), 401);
    let list = scs(&["status", "token", "list"], &database_url);
    assert!(list.contains("temp\twriter") && list.contains("revoked"), "{list}");

    let metrics = client.get(format!("{base}/metrics")).send().unwrap().text().unwrap();
    assert!(metrics.contains("route=\"/components\""), "{metrics}");
    assert!(metrics.contains("scs_monitor_reports 0"), "the monitor's gauges are there too: {metrics}");
    // the monitor still answers beside it
    assert_eq!(client.get(format!("{base}/status")).send().unwrap().status().as_u16(), 200);
}

#[test]
fn scs_status_audit_prints_one_line_per_entry_whatever_the_bodies_hold() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("scs.db").display());
    let writer = scs(&["status", "token", "create", "mallory"], &database_url);
    let accounts = dir.path().join("accounts.yaml");
    std::fs::write(&accounts, "accounts: []\n").unwrap();
    let port = free_port();
    let _server = KillOnDrop(common::start_serve(&database_url, &accounts, port));
    let base = format!("http://127.0.0.1:{port}");
    // a body that would print as a second entry by another actor, and a
    // terminal escape sequence
    let forged = "{\"displayName\": \"x\"}\n2026-12-01T00:00:00Z\ttoken:admin\tDELETE /components/1\t204\t\u{1b}[2J";
    let status = Client::new()
        .post(format!("{base}/components"))
        .bearer_auth(&writer)
        .header("content-type", "application/json")
        .body(forged)
        .send()
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 400, "trailing data after the JSON is refused");
    let audit = scs(&["status", "audit"], &database_url);
    assert_eq!(audit.lines().count(), 1, "{audit}");
    assert!(!audit.contains('\u{1b}'), "{audit:?}");
    assert!(audit.contains("token:mallory") && !audit.contains("\ttoken:admin"), "{audit}");
}
