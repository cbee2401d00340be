// SPDX-License-Identifier: Apache-2.0
//! The public status page as a visitor sees it, in headless Chromium: two
//! components, an active incident and a maintenance window. Asserts on the
//! visible text (overall state, component states, incidents, maintenance),
//! the day strip's computed colours (today, the day of an old outage, a quiet
//! day), the incident page with its update, and that the page works with
//! JavaScript disabled in the markup (no script element). Saves a screenshot
//! as `status-page.png` in the test's output directory (CARGO_TARGET_TMPDIR).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fantoccini::Locator;
use scs_status::model::{IncidentIn, parse_body};
use serde_json::{Value, json};
use std::collections::BTreeMap;

async fn incident(store: &scs_status::Store, body: Value) -> String {
    store.create_incident(&parse_body::<IncidentIn>(body.to_string().as_bytes()).unwrap()).await.unwrap()
}

/// The computed background colour of an element, `rgb(r, g, b)`.
async fn colour(c: &fantoccini::Client, css: &str) -> String {
    let script = format!("return getComputedStyle(document.querySelector({css:?})).backgroundColor");
    c.execute(&script, vec![]).await.unwrap().as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_visitor_sees_components_incidents_maintenance_and_the_day_strip() {
    let Some(driver) = scs_testkit::browser().await else { return };
    let c = &driver.client;
    let dir = tempfile::tempdir().unwrap();
    let store = scs_status::Store::connect(&format!("sqlite://{}", dir.path().join("s.db").display())).await.unwrap();
    for (name, value) in [("maintenance", 0), ("operational", 33), ("limited", 66), ("broken", 100)] {
        store.create_severity(name, value).await.unwrap();
    }
    store.create_phases(&["Investigation ongoing".into(), "Working on it".into()]).await.unwrap();
    let storage = store.create_component("Block Storage", &BTreeMap::new()).await.unwrap();
    let compute = store.create_component("Compute", &BTreeMap::new()).await.unwrap();
    let kind = store.create_impact_type("Performance", "").await.unwrap();
    let now = chrono::Utc::now();
    let at = |hours: i64| (now + chrono::Duration::hours(hours)).to_rfc3339();
    let slow = incident(
        &store,
        json!({"displayName": "Volumes attach slowly", "description": "A storage node is degraded.",
        "beganAt": at(-3), "phase": {"generation": 1, "order": 1},
        "affects": [{"type": kind, "reference": storage, "severity": 50}]}),
    )
    .await;
    let body = parse_body(br#"{"displayName": "Node replaced", "description": "Rebalancing the cluster."}"#).unwrap();
    store.create_update(&slow, &body).await.unwrap();
    incident(
        &store,
        json!({"displayName": "Hypervisor kernel upgrade", "beganAt": at(-1), "endedAt": at(2),
        "affects": [{"type": kind, "reference": compute, "severity": 0}]}),
    )
    .await;
    incident(
        &store,
        json!({"displayName": "Storage outage", "beganAt": at(-10 * 24), "endedAt": at(-10 * 24 + 1),
        "affects": [{"type": kind, "reference": storage, "severity": 100}]}),
    )
    .await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = scs_status::router(scs_status::App::new(store));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    c.set_window_size(1100, 1000).await.unwrap();
    c.goto(&format!("{base}/")).await.unwrap();
    let text = c.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
    let overall = c.find(Locator::Css("#overall")).await.unwrap().text().await.unwrap();
    assert_eq!(overall, "1 of 2 components affected");
    assert!(text.contains("Active incidents\nVolumes attach slowly"), "{text}");
    assert!(text.contains("Block Storage (limited)") && text.contains("A storage node is degraded."), "{text}");
    assert!(text.contains("Maintenance\nHypervisor kernel upgrade"), "{text}");
    assert!(!text.contains("Storage outage"), "an ended incident is not listed as active: {text}");
    let state = |id: &str| format!("[data-component=\"{id}\"] .state");
    assert_eq!(c.find(Locator::Css(&state(&storage))).await.unwrap().text().await.unwrap(), "limited");
    assert_eq!(c.find(Locator::Css(&state(&compute))).await.unwrap().text().await.unwrap(), "maintenance");
    // the strip: 90 days, today orange (limited) for storage and blue (maintenance) for compute,
    // red on the outage's day, green on a quiet day
    let cells: Value = c.execute("return document.querySelectorAll('.strip span').length", vec![]).await.unwrap();
    assert_eq!(cells, json!(180));
    let day = |id: &str, days_ago: i64| {
        let date = (now - chrono::Duration::days(days_ago)).date_naive();
        format!("[data-component=\"{id}\"] [data-day=\"{date}\"]")
    };
    assert_eq!(colour(c, &day(&storage, 0)).await, "rgb(240, 160, 32)");
    assert_eq!(colour(c, &day(&compute, 0)).await, "rgb(74, 127, 224)");
    assert_eq!(colour(c, &day(&storage, 10)).await, "rgb(214, 58, 58)");
    assert_eq!(colour(c, &day(&storage, 30)).await, "rgb(46, 157, 79)");
    let title = c.find(Locator::Css(&day(&storage, 10))).await.unwrap().attr("title").await.unwrap().unwrap();
    assert!(title.ends_with("broken (Storage outage)"), "{title}");
    let scripts: Value = c.execute("return document.scripts.length", vec![]).await.unwrap();
    assert_eq!(scripts, json!(0), "the page needs no JavaScript");

    let png = c.screenshot().await.unwrap();
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("status-page.png");
    std::fs::write(&shot, &png).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "screenshot {}", shot.display());
    eprintln!("screenshot: {}", shot.display());

    // the incident page, reached by clicking
    c.find(Locator::LinkText("Volumes attach slowly")).await.unwrap().click().await.unwrap();
    let text = c.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
    assert!(text.contains("phase: Working on it"), "{text}");
    assert!(text.contains("Block Storage: Performance (limited)"), "{text}");
    assert!(text.contains("Node replaced") && text.contains("Rebalancing the cluster."), "{text}");
    assert!(c.current_url().await.unwrap().path().ends_with(&slow));
}
