// SPDX-License-Identifier: Apache-2.0
//! Verdict changes on SQLite and PostgreSQL: recorded after uploads and by
//! re-evaluation (expiry), listed in the Atom feed, delivered to webhooks
//! (HMAC-signed, retried after a failure, filtered by subject), and recorded
//! once when two replicas evaluate at the same time.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use common::*;
use scs_monitor::App;
use scs_monitor::webhooks::{Webhook, signature};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A webhook receiver on loopback; answers 500 to its first `fail_first` requests.
async fn receiver(fail_first: usize) -> (String, Received) {
    let received: Received = Arc::default();
    let seen = received.clone();
    let calls = Arc::new(Mutex::new(0usize));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            let calls = calls.clone();
            async move {
                let mut n = calls.lock().unwrap();
                *n += 1;
                if *n <= fail_first {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                seen.lock().unwrap().push((headers, body));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

async fn wait_for(received: &Received, n: usize) -> Vec<Value> {
    for _ in 0..200 {
        if received.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    received.lock().unwrap().iter().map(|(_, b)| serde_json::from_slice(b).unwrap()).collect()
}

async fn suite(database_url: &str) {
    let (all_url, all) = receiver(1).await;
    let (beta_url, beta_only) = receiver(0).await;
    let hooks = vec![
        Webhook { url: all_url, secret: Some("s3cret".into()), subjects: vec![] },
        Webhook { url: beta_url, secret: None, subjects: vec!["beta".into()] },
    ];
    let (m, _) = start_with(database_url, Some("2026-11-27 12:00:00"), hooks).await;
    let main = v51_main();
    let pass: Vec<(&str, i32)> = main.iter().map(|t| (t.as_str(), 1)).collect();
    let mut fail = pass.clone();
    fail[0].1 = -1;

    assert_eq!(m.upload("alpha", "alpha", &report("alpha", "c-1", "2026-11-26 10:00:00", &pass)).await.0, 200);
    assert_eq!(m.upload("alpha", "alpha", &report("alpha", "c-2", "2026-11-26 11:00:00", &pass)).await.0, 200);
    assert_eq!(m.upload("alpha", "alpha", &report("alpha", "c-3", "2026-11-26 12:00:00", &fail)).await.0, 200);

    // the feed: two changes of alpha's IaaS verdict, newest first (the same verdict twice is no change)
    let r = m.http.get(format!("{}/feed.atom?subject=alpha", m.url)).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/atom+xml");
    let atom = r.text().await.unwrap();
    assert_eq!(atom.matches("<entry>").count(), 2, "{atom}");
    let first = atom.find("<entry>").unwrap();
    assert!(atom[first..].starts_with("<entry>\n<id>urn:scs:monitor:change:"), "{atom}");
    // without a public URL, links are root-relative: a client's Host header never reaches them
    let forged = m
        .http
        .get(format!("{}/feed.atom?subject=alpha", m.url))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!forged.contains("evil.example"), "{forged}");
    assert!(forged.contains("<link rel=\"alternate\" type=\"text/html\" href=\"/page/detail/alpha/"), "{forged}");
    assert!(atom.contains("alpha for SCS-compatible IaaS: ✅ v5.1 → 🛑"), "{atom}");
    assert!(atom.contains("(report c-3)") && atom.contains("(report c-1)"), "{atom}");
    assert!(!atom.contains("c-2"), "{atom}");

    // the webhook: both changes, after a failed first delivery, signed; the beta-only hook got nothing
    // (group g's verdict does not change: its member gamma never reported, so g shows 🛑 – all
    // along, as upstream ranks a member without results below one with missing testcases)
    let mut got = wait_for(&all, 2).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|c| c["subject"] == "alpha"), "{got:?}");
    // the failed first delivery is retried after the second change went out: order by id
    got.sort_by_key(|c| c["id"].as_i64());
    assert_eq!(got[0]["old"], Value::Null, "{got:?}");
    assert_eq!(got[0]["new"], "✅ v5.1");
    assert_eq!(got[1]["old"], "✅ v5.1");
    assert_eq!(got[1]["subject"], "alpha");
    assert_eq!(got[1]["scope"]["name"], "SCS-compatible IaaS");
    assert!(got[1]["url"].as_str().unwrap().ends_with("page/detail/alpha/50393e6f-2ae1-4c5c-a62c-3b75f2abef3f"));
    for (headers, body) in all.lock().unwrap().iter() {
        assert_eq!(headers["x-scs-signature-256"], signature("s3cret", body).as_str());
        assert_eq!(headers["x-scs-event"], "verdict-change");
    }
    assert!(beta_only.lock().unwrap().is_empty());
    // beta's upload reaches both
    assert_eq!(m.upload("alpha", "alpha", &report("beta", "c-4", "2026-11-26 10:00:00", &pass)).await.0, 200);
    assert_eq!(wait_for(&beta_only, 1).await[0]["subject"], "beta");

    // expiry: two replicas re-evaluate a month later at the same time; the change is recorded once
    let later = Some("2026-12-27 12:00:00");
    let (_, one) = start_with(database_url, later, Vec::new()).await;
    let (_, two) = start_with(database_url, later, Vec::new()).await;
    let (a, b) = tokio::join!(
        scs_monitor::changes::reevaluate(&one, None, "re-evaluation"),
        scs_monitor::changes::reevaluate(&two, None, "re-evaluation"),
    );
    let beta_changes = |c: &Vec<scs_monitor::store::VerdictChange>| {
        c.iter().filter(|c| c.subject == "beta" && c.scopeuuid.starts_with("50393e6f")).count()
    };
    assert_eq!(beta_changes(&a.unwrap()) + beta_changes(&b.unwrap()), 1, "one change, not one per replica");
    let changes = one.store.changes(Some("beta"), 10).await.unwrap();
    assert_eq!(changes[0].cause, "re-evaluation");
    assert_eq!(changes[0].new, "🛑 –", "every result expired: no valid result, as upstream's overview shows it");
    assert_eq!(changes.len(), 2);
    // alpha failed already: its summary (🛑 –) stays when its results expire, so no change
    assert_eq!(one.store.changes(Some("alpha"), 10).await.unwrap().len(), 2);
    let _: &App = &one;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    suite(&format!("sqlite://{}", dir.path().join("changes.db").display())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres() {
    let Some(url) = fresh_postgres("scs_monitor_changes").await else { return };
    suite(&url).await;
}
