// SPDX-License-Identifier: Apache-2.0
//! Whatever a writer puts in an incident, the Atom feed stays well-formed
//! XML (checked by a real XML parser) and the page stays free of raw
//! control characters: C0 controls cannot appear in XML 1.0 at all, and
//! one of them used to break every feed reader.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, header};
use tower::ServiceExt as _;

#[tokio::test]
async fn control_characters_in_an_incident_keep_the_feed_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let store = scs_status::Store::connect(&format!("sqlite://{}", dir.path().join("f.db").display())).await.unwrap();
    let token = scs_status::auth::new_token().unwrap();
    store.create_token("ops", &scs_status::auth::token_hash(&token), false).await.unwrap();
    let router = scs_status::router(scs_status::App::new(store));
    let body = serde_json::json!({"displayName": "Disk\u{1}s\u{1b}[31m <down> & \u{7}out", "description": "a\u{0}b"});
    let create = Request::post("/incidents")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let created = router.clone().oneshot(create).await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    for path in ["/incidents.atom", "/"] {
        let r = router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let text = String::from_utf8(axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
        assert!(
            !text.chars().any(|c| (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t')),
            "{path} carries a raw control character"
        );
        if path.ends_with(".atom") {
            let doc =
                roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{path} is not well-formed: {e}\n{text}"));
            let titles: Vec<&str> =
                doc.descendants().filter(|n| n.has_tag_name("title")).filter_map(|n| n.text()).collect();
            assert!(titles.iter().any(|t| t.contains("<down> & ")), "{titles:?}");
        }
    }
}
