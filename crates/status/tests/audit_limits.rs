// SPDX-License-Identifier: Apache-2.0
//! The audit log cannot be grown without bound by anonymous clients: refused
//! anonymous writes are recorded at most `audit_refusals_per_minute` a
//! minute, with their path cut to 256 bytes, and the rest counted in
//! `/metrics`; writes by writers are all recorded; rows older than the
//! retention are deleted by the service's background task.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::serve;

use chrono::TimeZone as _;
use scs_web::Service as _;
use std::time::Duration;

async fn audit(client: &reqwest::Client, base: &str, token: &str) -> Vec<serde_json::Value> {
    let r: serde_json::Value = client
        .get(format!("{base}/auditlog?limit=10000"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["data"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_anonymous_writes_are_rate_limited_and_cut_writers_are_all_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let store = scs_status::Store::connect(&format!("sqlite://{}", dir.path().join("a.db").display())).await.unwrap();
    let admin = scs_status::auth::new_token().unwrap();
    store.create_token("ops", &scs_status::auth::token_hash(&admin), true).await.unwrap();
    let mut app = scs_status::App::new(store);
    app.audit = std::sync::Arc::new(scs_status::app::AuditPolicy::new(5, Duration::from_secs(86_400)));
    let base = serve(app).await;
    let client = reqwest::Client::new();

    let long = "x".repeat(4000);
    for n in 0..40 {
        let r = client.post(format!("{base}/components/{long}{n}")).body("{}").send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401);
    }
    for n in 0..12 {
        let r = client
            .post(format!("{base}/components"))
            .bearer_auth(&admin)
            .json(&serde_json::json!({"displayName": format!("c{n}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
    let entries = audit(&client, &base, &admin).await;
    let anonymous: Vec<_> = entries.iter().filter(|e| e["actor"] == "anonymous").collect();
    assert_eq!(anonymous.len(), 5, "{anonymous:?}");
    for e in &anonymous {
        let path = e["path"].as_str().unwrap();
        assert!(path.len() <= 256 && path.starts_with("/components/xxx"), "{path}");
    }
    let writes = entries.iter().filter(|e| e["actor"] == "token:ops" && e["method"] == "POST").count();
    assert_eq!(writes, 12, "{entries:?}");
    let metrics = client.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("scs_status_audit_refusals_dropped_total 35"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_rows_past_the_retention_are_deleted_by_the_background_task() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("r.db").display());
    let day = |d: u32| scs_web::Clock::Fixed(chrono::Utc.with_ymd_and_hms(2026, 1, d, 12, 0, 0).unwrap());
    let admin = scs_status::auth::new_token().unwrap();
    // written on January 1st and 9th
    for (d, name) in [(1, "old"), (9, "recent")] {
        let store = scs_status::Store::connect(&url).await.unwrap().with_clock(day(d));
        if d == 1 {
            store.create_token("ops", &scs_status::auth::token_hash(&admin), true).await.unwrap();
        }
        let base = serve(scs_status::App::new(store)).await;
        let r = reqwest::Client::new()
            .post(format!("{base}/components"))
            .bearer_auth(&admin)
            .json(&serde_json::json!({"displayName": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
    // on January 10th with a retention of 5 days, the service's background task prunes at start
    let store = scs_status::Store::connect(&url).await.unwrap().with_clock(day(10));
    let mut app = scs_status::App::new(store);
    app.audit = std::sync::Arc::new(scs_status::app::AuditPolicy::new(60, Duration::from_secs(5 * 86_400)));
    for task in app.background() {
        tokio::spawn(task);
    }
    let base = serve(app).await;
    let client = reqwest::Client::new();
    let started = std::time::Instant::now();
    loop {
        let entries = audit(&client, &base, &admin).await;
        let bodies: Vec<String> = entries.iter().map(|e| e["body"].as_str().unwrap_or_default().to_owned()).collect();
        assert!(bodies.iter().any(|b| b.contains("recent")), "{bodies:?}");
        if !bodies.iter().any(|b| b.contains("\"old\"")) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the January 1st entry is still there: {bodies:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
