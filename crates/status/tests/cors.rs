// SPDX-License-Identifier: Apache-2.0
//! CORS for upstream's web front end on another origin: a configured origin
//! gets its preflight answered and may send the bearer token; others get no
//! CORS headers (the browser then refuses), and without configuration none.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, header};
use tower::ServiceExt as _;

async fn preflight(origins: Vec<String>, origin: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let store = scs_status::Store::connect(&format!("sqlite://{}", dir.path().join("c.db").display())).await.unwrap();
    let mut app = scs_status::App::new(store);
    app.cors_origins = origins;
    let request = Request::builder()
        .method("OPTIONS")
        .uri("/incidents")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
        .body(Body::empty())
        .unwrap();
    let response = scs_status::router(app).oneshot(request).await.unwrap();
    assert!(response.status().is_success() || response.status().as_u16() == 405, "{}", response.status());
    let allowed = response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN)?.to_str().unwrap().to_owned();
    let headers = response.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().to_owned();
    assert!(headers.contains("authorization") && headers.contains("content-type"), "{headers}");
    Some(allowed)
}

#[tokio::test]
async fn only_configured_origins_may_call_the_api_from_scripts() {
    let web = "https://status.example".to_owned();
    assert_eq!(preflight(vec![web.clone()], &web).await.as_deref(), Some("https://status.example"));
    assert_eq!(preflight(vec![web.clone()], "https://evil.example").await, None);
    assert_eq!(preflight(Vec::new(), &web).await, None);
}
