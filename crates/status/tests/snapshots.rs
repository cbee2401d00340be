// SPDX-License-Identifier: Apache-2.0
//! Public reads from memory (issue 19): the status page's answers are kept
//! as ready bytes and stay correct.
//!
//! - a write is read back at once on the replica that made it;
//! - with two replicas on one database (PostgreSQL: LISTEN/NOTIFY; SQLite:
//!   the generation row), a write on one is visible on the other within 1 s;
//! - an incident whose end comes changes `/components` without any write;
//! - HTTP caching as curl sees it: a strong ETag, `If-None-Match` → 304,
//!   `curl --compressed` gets br or gzip and the same bytes, HEAD has the
//!   headers and no body.
//!
//! PostgreSQL: `SCS_TEST_POSTGRES_URL` (`.ci/run` sets it).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use serde_json::{Value, json};
use std::process::Command;
use std::time::{Duration, Instant};

/// A replica: the status page on `database_url`, serving with its
/// background tasks (the follower of other replicas' writes among them).
async fn replica(database_url: &str) -> (String, scs_status::Store) {
    use scs_web::Service as _;
    let store = scs_status::Store::connect(database_url).await.unwrap();
    let app = scs_status::App::new(store.clone());
    for task in app.background() {
        tokio::spawn(task);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, scs_status::router(app)).await.unwrap() });
    (base, store)
}

async fn token(store: &scs_status::Store) -> String {
    let token = scs_status::auth::new_token().unwrap();
    store.create_token("writer", &scs_status::auth::token_hash(&token), true).await.unwrap();
    token
}

async fn names(http: &reqwest::Client, base: &str) -> Vec<String> {
    let body: Value = http.get(format!("{base}/components")).send().await.unwrap().json().await.unwrap();
    body["data"].as_array().unwrap().iter().map(|c| c["displayName"].as_str().unwrap().to_owned()).collect()
}

/// Writes on `a` and reads on `a` (at once) and on `b` (within 1 s).
async fn two_replicas(database_url: &str) -> Duration {
    let (a, store) = replica(database_url).await;
    let (b, _) = replica(database_url).await;
    let token = token(&store).await;
    let http = reqwest::Client::new();
    // both replicas keep the (empty) answer
    assert!(names(&http, &a).await.is_empty());
    assert!(names(&http, &b).await.is_empty());
    tokio::time::sleep(Duration::from_millis(600)).await; // the followers are listening
    let r = http
        .post(format!("{a}/components"))
        .bearer_auth(&token)
        .json(&json!({"displayName": "Compute", "labels": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let written = Instant::now();
    assert_eq!(names(&http, &a).await, ["Compute"], "the writer reads its write at once");
    loop {
        if names(&http, &b).await == ["Compute"] {
            break;
        }
        assert!(written.elapsed() < Duration::from_secs(1), "the other replica still answers from its old snapshot");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    written.elapsed()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_is_seen_here_at_once_and_on_another_replica_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = two_replicas(&format!("sqlite://{}", dir.path().join("s.db").display())).await;
    println!("SQLite: the other replica saw the write after {sqlite:?}");
    let Some(url) = scs_testkit::postgres::fresh("scs_status_snapshots").await else { return };
    let postgres = two_replicas(&url).await;
    println!("PostgreSQL: the other replica saw the write after {postgres:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incident_that_ends_changes_the_answer_without_a_write() {
    let dir = tempfile::tempdir().unwrap();
    let (base, store) = replica(&format!("sqlite://{}", dir.path().join("s.db").display())).await;
    let component = store.create_component("Compute", &Default::default()).await.unwrap();
    let kind = store.create_impact_type("Performance", "").await.unwrap();
    store.create_severity("broken", 100).await.unwrap();
    let now = chrono::Utc::now();
    let body = json!({"displayName": "Slow", "beganAt": (now - chrono::Duration::hours(1)).to_rfc3339(),
                      "endedAt": (now + chrono::Duration::seconds(2)).to_rfc3339(),
                      "affects": [{"type": kind, "reference": component, "severity": 100}]});
    store.create_incident(&scs_status::model::parse_body(body.to_string().as_bytes()).unwrap()).await.unwrap();
    let http = reqwest::Client::new();
    let affected = |v: &Value| v["data"][0]["activelyAffectedBy"].as_array().map_or(0, Vec::len);
    let first: Value = http.get(format!("{base}/components")).send().await.unwrap().json().await.unwrap();
    assert_eq!(affected(&first), 1, "{first}");
    let page = http.get(format!("{base}/")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Slow"), "the page shows the active incident");
    let again: Value = http.get(format!("{base}/components")).send().await.unwrap().json().await.unwrap();
    assert_eq!(affected(&again), 1, "still active, from the snapshot");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let after: Value = http.get(format!("{base}/components")).send().await.unwrap().json().await.unwrap();
    assert_eq!(affected(&after), 0, "the incident ended: the kept answer ran out with it: {after}");
}

fn curl(args: &[&str]) -> (String, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let headers = dir.path().join("headers");
    let out = Command::new("curl").args(["-s", "-D"]).arg(&headers).args(args).output().unwrap();
    assert!(out.status.success(), "curl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    (std::fs::read_to_string(&headers).unwrap().to_ascii_lowercase(), out.stdout)
}

fn header(headers: &str, name: &str) -> Option<String> {
    headers.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")).map(|v| v.trim().to_owned()))
}

#[tokio::test(flavor = "multi_thread")]
async fn conditional_requests_compression_and_head_as_curl_sees_them() {
    let dir = tempfile::tempdir().unwrap();
    let (base, store) = replica(&format!("sqlite://{}", dir.path().join("s.db").display())).await;
    for i in 0..40 {
        store.create_component(&format!("Component {i}"), &Default::default()).await.unwrap();
    }
    let url = format!("{base}/components");
    tokio::task::spawn_blocking(move || {
        let (plain_headers, plain) = curl(&[&url]);
        assert!(plain_headers.starts_with("http/1.1 200"), "{plain_headers}");
        let etag = header(&plain_headers, "etag").unwrap();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "a strong ETag: {etag}");
        assert_eq!(header(&plain_headers, "cache-control").as_deref(), Some("no-cache"));
        assert_eq!(header(&plain_headers, "vary").as_deref(), Some("accept-encoding"));
        assert!(header(&plain_headers, "last-modified").is_some_and(|v| v.ends_with("gmt")), "{plain_headers}");
        assert!(header(&plain_headers, "content-encoding").is_none());
        // compressed: br (curl asks for what it can decode), the same bytes once decoded
        let (br_headers, decoded) = curl(&["--compressed", &url]);
        let coding = header(&br_headers, "content-encoding").unwrap();
        assert!(coding == "br" || coding == "gzip", "{br_headers}");
        assert_eq!(decoded, plain, "decoded {coding} equals the plain answer");
        assert_eq!(header(&br_headers, "etag"), Some(etag.clone()), "one representation's tag across codings");
        let (gzip_headers, gzip_body) = curl(&["-H", "Accept-Encoding: gzip", &url]);
        assert_eq!(header(&gzip_headers, "content-encoding").as_deref(), Some("gzip"));
        assert!(gzip_body.len() < plain.len() / 2, "{} of {}", gzip_body.len(), plain.len());
        // conditional: the same tag → 304 without a body; another → 200
        let (not_modified, body) = curl(&["-H", &format!("If-None-Match: {etag}"), &url]);
        assert!(not_modified.starts_with("http/1.1 304"), "{not_modified}");
        assert!(body.is_empty());
        assert_eq!(header(&not_modified, "etag"), Some(etag.clone()));
        let (modified, _) = curl(&["-H", "If-None-Match: \"other\"", &url]);
        assert!(modified.starts_with("http/1.1 200"), "{modified}");
        // HEAD: the headers, no body
        let (head, body) = curl(&["-I", &url]);
        assert!(head.starts_with("http/1.1 200") && body.iter().all(|b| b.is_ascii()), "{head}");
        assert_eq!(header(&head, "etag"), Some(etag));
    })
    .await
    .unwrap();
    // a write changes the tag
    let token = token(&store).await;
    let http = reqwest::Client::new();
    let before = http.get(format!("{base}/components")).send().await.unwrap().headers()["etag"].clone();
    let r = http
        .post(format!("{base}/components"))
        .bearer_auth(&token)
        .json(&json!({"displayName": "New", "labels": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let after = http.get(format!("{base}/components")).send().await.unwrap().headers()["etag"].clone();
    assert_ne!(before, after);
}
