// SPDX-License-Identifier: Apache-2.0
//! Property tests over random sequences of API calls (through the router the
//! server mounts, on a real SQLite file): phase generations never change once
//! written, severities keep unique names and values in 0..100 and the one
//! with value 100 never disappears, and a component's `activelyAffectedBy`
//! never names an incident that has ended (or not begun).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tower::ServiceExt as _;

#[derive(Debug, Clone)]
enum Op {
    CreatePhases(Vec<u8>),
    CreateSeverity(u8, i64),
    PatchSeverity(u8, i64),
    DeleteSeverity(u8),
    CreateIncident { began: i64, ended: Option<i64>, severity: i64, component: u8 },
    PatchIncident { incident: u8, ended: Option<Option<i64>>, severity: Option<i64> },
    DeleteIncident(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        proptest::collection::vec(0u8..6, 0..5).prop_map(Op::CreatePhases),
        (0u8..5, -5i64..106).prop_map(|(n, v)| Op::CreateSeverity(n, v)),
        (0u8..5, -5i64..106).prop_map(|(n, v)| Op::PatchSeverity(n, v)),
        (0u8..5).prop_map(Op::DeleteSeverity),
        (-48i64..48, proptest::option::of(-48i64..48), 0i64..101, 0u8..3)
            .prop_map(|(began, ended, severity, component)| Op::CreateIncident { began, ended, severity, component }),
        (0u8..8, proptest::option::of(proptest::option::of(-48i64..48)), proptest::option::of(0i64..101))
            .prop_map(|(incident, ended, severity)| Op::PatchIncident { incident, ended, severity }),
        (0u8..8).prop_map(Op::DeleteIncident),
    ]
}

struct Harness {
    router: axum::Router,
    token: String,
    components: Vec<String>,
    kind: String,
    incidents: Vec<String>,
    generations: BTreeMap<i64, Value>,
    had_100: bool,
    now: chrono::DateTime<chrono::Utc>,
}

impl Harness {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut r =
            Request::builder().method(method).uri(path).header("authorization", format!("Bearer {}", self.token));
        if body.is_some() {
            r = r.header("content-type", "application/json");
        }
        let r = r.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
        let response = self.router.clone().oneshot(r).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert!(status.as_u16() < 500, "{method} {path}: {status} {}", String::from_utf8_lossy(&bytes));
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    fn at(&self, hours: i64) -> String {
        (self.now + chrono::Duration::hours(hours)).to_rfc3339()
    }

    async fn apply(&mut self, op: &Op) {
        const NAMES: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
        match op {
            Op::CreatePhases(names) => {
                let phases: Vec<&str> = names.iter().map(|n| NAMES[*n as usize]).collect();
                let (s, b) = self.call("POST", "/phases", Some(json!({"phases": phases}))).await;
                if s == StatusCode::CREATED {
                    let g = b["generation"].as_i64().unwrap();
                    assert!(self.generations.insert(g, json!(phases)).is_none(), "generation {g} given out twice");
                }
            }
            Op::CreateSeverity(n, v) => {
                self.call("POST", "/severities", Some(json!({"displayName": NAMES[*n as usize], "value": v}))).await;
            }
            Op::PatchSeverity(n, v) => {
                self.call("PATCH", &format!("/severities/{}", NAMES[*n as usize]), Some(json!({"value": v}))).await;
            }
            Op::DeleteSeverity(n) => {
                self.call("DELETE", &format!("/severities/{}", NAMES[*n as usize]), None).await;
            }
            Op::CreateIncident { began, ended, severity, component } => {
                let body = json!({"displayName": "i", "beganAt": self.at(*began), "endedAt": ended.map(|e| self.at(e)),
                    "affects": [{"type": self.kind, "reference": self.components[*component as usize], "severity": severity}]});
                let (s, b) = self.call("POST", "/incidents", Some(body)).await;
                if s == StatusCode::CREATED {
                    self.incidents.push(b["id"].as_str().unwrap().to_owned());
                }
            }
            Op::PatchIncident { incident, ended, severity } => {
                let Some(id) = self.incidents.get(*incident as usize).cloned() else { return };
                let mut body = serde_json::Map::new();
                if let Some(e) = ended {
                    body.insert("endedAt".into(), e.map_or(Value::Null, |e| json!(self.at(e))));
                }
                if let Some(s) = severity {
                    body.insert(
                        "affects".into(),
                        json!([{"type": self.kind, "reference": self.components[0], "severity": s}]),
                    );
                }
                self.call("PATCH", &format!("/incidents/{id}"), Some(Value::Object(body))).await;
            }
            Op::DeleteIncident(n) => {
                if (*n as usize) < self.incidents.len() {
                    let id = self.incidents.remove(*n as usize);
                    assert_eq!(self.call("DELETE", &format!("/incidents/{id}"), None).await.0, StatusCode::NO_CONTENT);
                }
            }
        }
    }

    async fn check(&mut self) {
        for (g, phases) in &self.generations {
            let (_, b) = self.call("GET", &format!("/phases?generation={g}"), None).await;
            assert_eq!(&b["data"]["phases"], phases, "generation {g} changed");
        }
        let (_, b) = self.call("GET", "/severities", None).await;
        let severities = b["data"].as_array().unwrap();
        let mut names: Vec<&str> = severities.iter().map(|s| s["displayName"].as_str().unwrap()).collect();
        let mut values: Vec<i64> = severities.iter().map(|s| s["value"].as_i64().unwrap()).collect();
        assert!(values.iter().all(|v| (0..=100).contains(v)), "{values:?}");
        let has_100 = values.contains(&100);
        assert!(!self.had_100 || has_100, "the severity with value 100 disappeared");
        self.had_100 = has_100;
        names.sort_unstable();
        names.dedup();
        values.sort_unstable();
        values.dedup();
        assert_eq!((names.len(), values.len()), (severities.len(), severities.len()), "{severities:?}");
        let (_, b) = self.call("GET", "/components", None).await;
        let now = chrono::Utc::now();
        for c in b["data"].as_array().unwrap() {
            for impact in c["activelyAffectedBy"].as_array().unwrap() {
                let id = impact["reference"].as_str().unwrap();
                let (_, i) = self.call("GET", &format!("/incidents/{id}"), None).await;
                let time = |k: &str| i["data"][k].as_str().map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap());
                assert!(time("endedAt").is_none_or(|e| e > now), "ended incident {id} shows as active: {i}");
                assert!(time("beganAt").is_none_or(|b| b <= now), "future incident {id} shows as active: {i}");
                let listed = i["data"]["affects"].as_array().unwrap().iter().any(|a| a["reference"] == c["id"]);
                assert!(listed, "component lists an impact its incident does not have");
            }
        }
    }
}

async fn harness(dir: &std::path::Path) -> Harness {
    let store = scs_status::Store::connect(&format!("sqlite://{}", dir.join("p.db").display())).await.unwrap();
    let token = scs_status::auth::new_token().unwrap();
    store.create_token("prop", &scs_status::auth::token_hash(&token), false).await.unwrap();
    let mut components = Vec::new();
    for name in ["x", "y", "z"] {
        components.push(store.create_component(name, &BTreeMap::new()).await.unwrap());
    }
    let kind = store.create_impact_type("t", "").await.unwrap();
    Harness {
        router: scs_status::router(scs_status::App::new(store)),
        token,
        components,
        kind,
        incidents: Vec::new(),
        generations: BTreeMap::new(),
        had_100: false,
        now: chrono::Utc::now(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn api_call_sequences_keep_the_invariants(ops in proptest::collection::vec(op(), 1..25)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        runtime.block_on(async {
            let mut h = harness(dir.path()).await;
            for op in &ops {
                h.apply(op).await;
                h.check().await;
            }
        });
    }
}
