// SPDX-License-Identifier: Apache-2.0
//! OIDC writers and webhook subscriptions over real HTTP on 127.0.0.1: an
//! issuer (discovery document + JWKS, Ed25519 keys made with ring) whose JWTs
//! may write only with the right issuer, audience, lifetime, key and claim;
//! and a receiver that gets every incident event signed, also when it
//! refused the first delivery.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

struct Key {
    kid: &'static str,
    pair: Ed25519KeyPair,
    der: Vec<u8>,
}

fn key(kid: &'static str) -> Key {
    let rng = ring::rand::SystemRandom::new();
    let der = Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref().to_vec();
    Key { kid, pair: Ed25519KeyPair::from_pkcs8(&der).unwrap(), der }
}

fn jwk(k: &Key) -> Value {
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(k.pair.public_key().as_ref());
    json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": k.kid, "alg": "EdDSA", "use": "sig"})
}

fn jwt(k: &Key, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(k.kid.to_owned());
    encode(&header, claims, &EncodingKey::from_ed_der(&k.der)).unwrap()
}

async fn app(dir: &std::path::Path) -> scs_status::App {
    let store = scs_status::Store::connect(&format!("sqlite://{}", dir.join("s.db").display())).await.unwrap();
    scs_status::App::new(store)
}

#[tokio::test]
async fn oidc_jwts_write_only_when_every_check_passes() {
    let trusted = key("k1");
    let stranger = key("k2");
    // one issuer: its discovery document names its own JWKS
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let jwks = json!({"keys": [jwk(&trusted)]});
    let discovery = json!({"issuer": issuer, "jwks_uri": format!("{issuer}/keys")});
    let router = Router::new()
        .route("/keys", get(move || async move { axum::Json(jwks.clone()) }))
        .route("/.well-known/openid-configuration", get(move || async move { axum::Json(discovery.clone()) }));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path()).await;
    app.oidc = Some(Arc::new(
        scs_status::auth::Oidc::new(scs_status::auth::OidcConfig {
            issuer: issuer.clone(),
            audience: Some("status-page".into()),
            jwks_url: None,
            required_claim: Some("groups=ops".into()),
            admin_claim: Some("groups=status-admins".into()),
        })
        .unwrap(),
    ));
    let base = serve(scs_status::router(app)).await;
    let client = reqwest::Client::new();
    let now = chrono::Utc::now().timestamp();
    let good = json!({"iss": issuer, "sub": "alice", "aud": "status-page", "exp": now + 300, "groups": ["dev", "ops"]});
    let post = |token: String| {
        let client = client.clone();
        let base = base.clone();
        async move {
            let r = client
                .post(format!("{base}/components"))
                .bearer_auth(token)
                .json(&json!({"displayName": "c"}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or_default())
        }
    };
    assert_eq!(post(jwt(&trusted, &good)).await.0, 201);
    let mut cases = Vec::new();
    let mut claims = good.clone();
    claims["aud"] = json!("other");
    cases.push(("wrong audience", jwt(&trusted, &claims), "InvalidAudience"));
    let mut claims = good.clone();
    claims["iss"] = json!("https://evil.example");
    cases.push(("wrong issuer", jwt(&trusted, &claims), "InvalidIssuer"));
    let mut claims = good.clone();
    claims["exp"] = json!(now - 3600);
    cases.push(("expired", jwt(&trusted, &claims), "ExpiredSignature"));
    let mut claims = good.clone();
    claims["groups"] = json!(["dev"]);
    cases.push(("missing group", jwt(&trusted, &claims), "claim groups"));
    let mut claims = good.clone();
    claims["nbf"] = json!(now + 3600);
    cases.push(("not valid before an hour from now", jwt(&trusted, &claims), "ImmatureSignature"));
    cases.push(("unknown key", jwt(&stranger, &good), "no key"));
    let forged = {
        // the trusted kid on a stranger's signature
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("k1".into());
        encode(&header, &good, &EncodingKey::from_ed_der(&stranger.der)).unwrap()
    };
    cases.push(("forged signature", forged, "InvalidSignature"));
    cases.push((
        "HS256 with the public key",
        {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some("k1".into());
            encode(&header, &good, &EncodingKey::from_secret(trusted.pair.public_key().as_ref())).unwrap()
        },
        "InvalidAlgorithm",
    ));
    for (what, token, needle) in cases {
        let (status, body) = post(token).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert!(body["message"].as_str().unwrap().contains(needle), "{what}: {body}");
    }
    // a writer is not an admin: the audit log is for tokens with the admin claim
    let audit = |token: String| client.get(format!("{base}/auditlog")).bearer_auth(token).send();
    let refused = audit(jwt(&trusted, &good)).await.unwrap();
    assert_eq!(refused.status(), 403, "an OIDC writer without the admin claim read the audit log");
    let mut admin = good.clone();
    admin["groups"] = json!(["ops", "status-admins"]);
    // the audit log names the OIDC subject
    let log: Value = audit(jwt(&trusted, &admin)).await.unwrap().json().await.unwrap();
    let entries = log["data"].as_array().unwrap();
    assert_eq!(entries.iter().filter(|e| e["actor"] == "oidc:alice" && e["status"] == 201).count(), 1, "{log}");
    assert_eq!(entries.iter().filter(|e| e["actor"] == "anonymous" && e["status"] == 401).count(), 8, "{log}");
}

/// One received delivery: headers and body.
type Delivery = (HeaderMap, Vec<u8>);

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Delivery>>>,
    refused: Arc<Mutex<bool>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
    let mut refused = r.refused.lock().unwrap();
    if !*refused {
        *refused = true;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    r.got.lock().unwrap().push((headers, body.to_vec()));
    StatusCode::NO_CONTENT
}

#[tokio::test]
async fn webhooks_get_every_incident_event_signed_after_a_refusal() {
    let receiver = Receiver::default();
    let hook_url = serve(Router::new().route("/hook", post(receive)).with_state(receiver.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let token = scs_status::auth::new_token().unwrap();
    app.store.create_token("ops", &scs_status::auth::token_hash(&token), false).await.unwrap();
    let hooks = vec![scs_status::webhooks::Webhook { url: format!("{hook_url}/hook"), secret: Some("s3cret".into()) }];
    tokio::spawn(scs_status::webhooks::deliver_forever(app.clone(), hooks));
    let base = serve(scs_status::router(app)).await;
    let client = reqwest::Client::new();
    let id = client
        .post(format!("{base}/incidents"))
        .bearer_auth(&token)
        .json(&json!({"displayName": "Network down", "beganAt": "2026-11-27T08:00:00Z"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = client
        .post(format!("{base}/incidents/{id}/updates"))
        .bearer_auth(&token)
        .json(&json!({"displayName": "Router replaced"}));
    assert_eq!(r.send().await.unwrap().status(), 201);
    let r = client
        .patch(format!("{base}/incidents/{id}"))
        .bearer_auth(&token)
        .json(&json!({"endedAt": "2026-11-27T09:00:00Z"}));
    assert_eq!(r.send().await.unwrap().status(), 204);
    let started = std::time::Instant::now();
    while receiver.got.lock().unwrap().len() < 3 {
        assert!(started.elapsed().as_secs() < 30, "webhooks not delivered: {}", receiver.got.lock().unwrap().len());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let got = receiver.got.lock().unwrap().clone();
    let mut kinds = Vec::new();
    for (headers, body) in &got {
        let signature = headers["x-scs-signature-256"].to_str().unwrap();
        assert_eq!(signature, scs_signing::hmac::signature("s3cret", body));
        let payload: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(headers["x-scs-delivery"].to_str().unwrap(), payload["id"].to_string());
        kinds.push(payload["event"].as_str().unwrap().to_owned());
    }
    kinds.sort();
    assert_eq!(kinds, ["incident.created", "incident.resolved", "update.created"]);
    let feed = client.get(format!("{base}/incidents.atom")).send().await.unwrap().text().await.unwrap();
    assert!(feed.contains("New incident: Network down") && feed.contains("Resolved: Network down"), "{feed}");
    assert!(feed.contains("Update: Network down: Router replaced"), "{feed}");
}
