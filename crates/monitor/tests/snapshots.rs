// SPDX-License-Identifier: Apache-2.0
//! The monitor's public reads from memory (issue 19): `/status`, the pages
//! and badges are kept as ready bytes; an upload is read back at once; a
//! result that expires changes the answers without any write (two views of
//! one server's kept answers at two times); conditional requests get 304.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use serde_json::Value;

/// Serves `app` (sharing its kept answers with every clone) on a free port.
async fn serve(app: scs_monitor::App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, scs_monitor::router(app, 64 * 1024)).await.unwrap() });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_read_back_at_once_and_expiry_changes_the_answers_without_a_write() {
    let dir = tempfile::tempdir().unwrap();
    let (m, app) = start_sqlite(dir.path()).await;
    let main = v51_main();
    let pass = all_pass(&main);
    let status = |base: String| async move {
        let r = reqwest::get(format!("{base}/status?subject=beta&scopeuuid={IAAS}")).await.unwrap();
        r.json::<Value>().await.unwrap()
    };
    let table = |base: String| async move {
        reqwest::get(format!("{base}/markdown/table")).await.unwrap().text().await.unwrap()
    };
    // kept while empty, then an upload: read back at once
    assert_eq!(status(m.url.clone()).await, serde_json::json!({}));
    // (beta: outside any group, so the overview has its own row; alpha uploads for it)
    let (code, body) = m.upload("alpha", "alpha", &report("beta", "u-1", "2026-11-22 10:00:00", &pass)).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(status(m.url.clone()).await["beta"][IAAS]["passed_str"], "v5.1");
    assert!(table(m.url.clone()).await.contains("✅ v5.1"));

    // the same server a week later (its kept answers shared): weekly results have expired
    let mut later = app.clone();
    later.clock = scs_web::Clock::fixed_at(Some(
        chrono::NaiveDateTime::parse_from_str("2026-11-30 12:00:00", "%Y-%m-%d %H:%M:%S").unwrap(),
    ));
    let later_url = serve(later).await;
    let after = status(later_url.clone()).await;
    let passed = &after["beta"][IAAS]["passed_str"];
    assert_ne!(passed, "v5.1", "the kept answer ran out with the results (passed_str {passed})");
    assert!(!table(later_url).await.contains("✅ v5.1"));
    let (hits, renders) = app.snapshots.counts();
    assert!(renders >= 4, "hits {hits}, renders {renders}");
}

#[tokio::test(flavor = "multi_thread")]
async fn conditional_requests_get_304_and_writes_change_the_tag() {
    let dir = tempfile::tempdir().unwrap();
    let m = start(&format!("sqlite://{}", dir.path().join("m.db").display()), Some("2026-11-27 12:00:00")).await;
    let main = v51_main();
    let pass: Vec<(&str, i32)> = main.iter().map(|t| (t.as_str(), 1)).collect();
    assert_eq!(m.upload("alpha", "alpha", &report("alpha", "u-1", "2026-11-26 10:00:00", &pass)).await.0, 200);
    for path in ["/status", "/page/table", "/fragment/table", "/badge/alpha/scs-compatible-iaas.svg", "/feed.atom"] {
        let first = m.http.get(format!("{}{path}", m.url)).send().await.unwrap();
        assert_eq!(first.status(), 200, "{path}");
        let etag = first.headers()["etag"].clone();
        let again = m.http.get(format!("{}{path}", m.url)).header("if-none-match", etag.clone()).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
        if path.starts_with("/fragment") {
            assert!(again.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors *"));
        }
    }
    let before = m.http.get(format!("{}/status", m.url)).send().await.unwrap().headers()["etag"].clone();
    assert_eq!(m.upload("alpha", "alpha", &report("beta", "u-2", "2026-11-26 10:00:00", &pass)).await.0, 200);
    let after = m.http.get(format!("{}/status", m.url)).send().await.unwrap();
    assert_ne!(after.headers()["etag"], before);
    assert!(after.json::<Value>().await.unwrap().get("beta").is_some());
}
