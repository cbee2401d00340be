// SPDX-License-Identifier: Apache-2.0
//! A database failure during a request is answered with a generic message:
//! the driver's text (table names, SQL, hosts) stays in the server log.
//! The failure is real: the tables are dropped under a running monitor.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_database_failure_answers_without_the_drivers_text() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("broken.db").display());
    let m = start(&url, Some("2026-11-27 12:00:00")).await;
    let (status, _) = m.get_as("auditor", "/reports?subject=alpha").await;
    assert_eq!(status, 200, "before the failure");

    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    for drop in ["DROP TABLE result_latest", "DROP TABLE result2", "DROP TABLE report"] {
        sqlx::query(drop).execute(&pool).await.unwrap();
    }

    for path in
        ["/reports?subject=alpha", "/reports/o-1", "/status", "/page/table", "/badge/alpha/scs-compatible-iaas.svg"]
    {
        let r = m.http.get(format!("{}{path}", m.url)).basic_auth("auditor", Some("secret")).send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert_eq!(status, 500, "{path}: {body}");
        let detail = serde_json::from_str::<serde_json::Value>(&body).unwrap()["detail"].as_str().unwrap().to_owned();
        assert!(detail.starts_with("internal error:"), "{path}: {detail}");
        for leak in ["no such table", "result_latest", "result2", "sqlite", "SELECT"] {
            assert!(!body.contains(leak), "{path} leaks {leak:?}: {body}");
        }
    }
}
