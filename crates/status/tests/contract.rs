// SPDX-License-Identifier: Apache-2.0
//! Contract tests of the status page, on SQLite and on a real PostgreSQL:
//! every operation of status-page-openapi v1.1.2 over HTTP against the
//! router `scs serve` serves, each success checked for the spec's status
//! code and validated against the spec's response schema (built from
//! ../shared/upstream/…/openapi.yaml); every refusal is a 4xx with a JSON
//! message and writes nothing; tokens made and revoked while it serves.
//! (Moved from the `scs` crate; the binary's own part, `scs status token`
//! beside a running `scs serve`, stays there in `status_api.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::blocking::Client;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::process::Command;

/// The upstream spec as JSON Schema (draft 4 plus OpenAPI's `nullable`).
struct Contract {
    doc: Value,
}

fn convert_nullable(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.remove("nullable") == Some(Value::Bool(true))
                && let Some(Value::String(t)) = map.get("type").cloned()
            {
                map.insert("type".into(), json!([t, "null"]));
            }
            map.values_mut().for_each(convert_nullable);
        }
        Value::Array(a) => a.iter_mut().for_each(convert_nullable),
        _ => {}
    }
}

impl Contract {
    fn load() -> Self {
        let text = std::fs::read_to_string(scs_testkit::status_page_openapi())
            .unwrap_or_else(|e| panic!("{}: {e}", scs_testkit::status_page_openapi().display()));
        let mut doc: Value = serde_saphyr::from_str(&text).unwrap();
        convert_nullable(&mut doc);
        Self { doc }
    }

    /// Every (METHOD, path template) of the spec.
    fn operations(&self) -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
        out
    }

    /// Checks a success answer: the spec's status code and body schema.
    fn check(&self, method: &str, template: &str, status: u16, body: &Value) {
        let op = &self.doc["paths"][template][method.to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not in the spec");
        let responses = op["responses"].as_object().unwrap();
        let documented: Vec<&String> = responses.keys().collect();
        assert!(responses.contains_key(&status.to_string()), "{method} {template}: {status}, spec says {documented:?}");
        let mut response = responses[&status.to_string()].clone();
        if let Some(r) = response["$ref"].as_str() {
            let name = r.rsplit('/').next().unwrap();
            response = self.doc["components"]["responses"][name].clone();
        }
        let Some(schema) = response.pointer("/content/application~1json/schema") else {
            assert!(body.is_null(), "{method} {template}: {status} has no body in the spec, got {body}");
            return;
        };
        let mut root = self.doc.clone();
        root.as_object_mut().unwrap().insert("allOf".into(), json!([schema]));
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .build(&root)
            .unwrap();
        let errors: Vec<String> =
            validator.iter_errors(body).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{method} {template} {status}: {errors:?}\n{body}");
    }
}

struct Api {
    base: String,
    client: Client,
    contract: Contract,
    token: String,
    seen: BTreeSet<(String, String)>,
}

impl Api {
    /// Sends a request; successes are checked against the contract, errors
    /// must be 4xx `{"message": "..."}`.
    fn call(
        &mut self,
        method: &str,
        template: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut r = self.client.request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.header("content-type", "application/json").body(b.to_string());
        }
        let response = r.send().unwrap();
        let status = response.status().as_u16();
        let text = response.text().unwrap();
        let body: Value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        assert!(status < 500, "{method} {path}: {status} {body}");
        if status < 300 {
            self.contract.check(method, template, status, &body);
            self.seen.insert((method.to_owned(), template.to_owned()));
        } else {
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{method} {path}: {status} {body}");
        }
        (status, body)
    }

    fn write(&mut self, method: &str, template: &str, path: &str, body: Value) -> (u16, Value) {
        let token = self.token.clone();
        self.call(method, template, path, Some(body), Some(&token))
    }

    fn get(&mut self, template: &str, path: &str) -> Value {
        let (status, body) = self.call("GET", template, path, None, None);
        assert_eq!(status, 200, "GET {path}: {body}");
        body["data"].clone()
    }

    fn raw(&self, method: &str, path: &str, body: Vec<u8>) -> (u16, Value) {
        let r = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

/// The status page served in-process on a loopback port, with the
/// runtime that serves it and its store for making and revoking tokens.
struct Server {
    runtime: tokio::runtime::Runtime,
    store: scs_status::Store,
    base: String,
}

impl Server {
    fn start(database_url: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (store, base) = runtime.block_on(async {
            let store = scs_status::Store::connect(database_url).await.unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let router = scs_status::router(scs_status::App::new(store.clone()));
            tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
            (store, base)
        });
        Self { runtime, store, base }
    }

    /// A new token for `name`, as `scs status token create` makes it.
    fn token(&self, name: &str, admin: bool) -> String {
        let token = scs_status::auth::new_token().unwrap();
        self.runtime.block_on(self.store.create_token(name, &scs_status::auth::token_hash(&token), admin)).unwrap();
        token
    }

    fn revoke(&self, name: &str) {
        self.runtime.block_on(self.store.revoke_token(name)).unwrap();
    }

    fn tokens(&self) -> Vec<scs_status::store::TokenInfo> {
        self.runtime.block_on(self.store.tokens()).unwrap()
    }
}

fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn contract(database_url: &str) {
    let server = Server::start(database_url);
    let token = server.token("tester", true);
    let mut api = Api {
        base: server.base.clone(),
        client: Client::new(),
        contract: Contract::load(),
        token,
        seen: BTreeSet::new(),
    };
    let now = chrono::Utc::now();
    let hour = chrono::Duration::hours(1);

    // phases: generations are append-only
    assert_eq!(api.get("/phases", "/phases"), json!({"generation": 0, "phases": []}));
    let first = json!(["Scheduled", "Investigation ongoing", "Working on it", "Potential fix deployed", "Done"]);
    assert_eq!(api.write("POST", "/phases", "/phases", json!({"phases": first})), (201, json!({"generation": 1})));
    assert_eq!(
        api.write("POST", "/phases", "/phases", json!({"phases": ["Open", "Closed"]})).1,
        json!({"generation": 2})
    );
    assert_eq!(api.get("/phases", "/phases?generation=1")["phases"], first);
    assert_eq!(api.get("/phases", "/phases")["generation"], 2);
    assert_eq!(api.call("GET", "/phases", "/phases?generation=0", None, None).0, 400);
    assert_eq!(api.call("GET", "/phases", "/phases?generation=3", None, None).0, 404);

    // severities: value ranges, the 100 must stay, names and values unique
    for (name, value) in [("maintenance", 0), ("operational", 33), ("limited", 66), ("broken", 100)] {
        let (s, b) = api.write("POST", "/severities", "/severities", json!({"displayName": name, "value": value}));
        assert_eq!(s, 204, "{b}");
    }
    assert_eq!(api.get("/severities", "/severities").as_array().unwrap().len(), 4);
    assert_eq!(
        api.get("/severities/{severityName}", "/severities/limited"),
        json!({"displayName": "limited", "value": 66})
    );
    assert_eq!(api.write("PATCH", "/severities/{severityName}", "/severities/limited", json!({"value": 65})).0, 204);
    assert_eq!(api.write("DELETE", "/severities/{severityName}", "/severities/broken", json!({})).0, 409);
    assert_eq!(api.write("PATCH", "/severities/{severityName}", "/severities/broken", json!({"value": 99})).0, 409);
    assert_eq!(api.write("POST", "/severities", "/severities", json!({"displayName": "x", "value": 65})).0, 409);
    assert_eq!(api.write("POST", "/severities", "/severities", json!({"displayName": "x", "value": 101})).0, 400);
    assert_eq!(api.write("POST", "/severities", "/severities", json!({"displayName": "gone", "value": 80})).0, 204);
    assert_eq!(api.write("DELETE", "/severities/{severityName}", "/severities/gone", json!({})).0, 204);
    assert_eq!(api.call("GET", "/severities/{severityName}", "/severities/gone", None, None).0, 404);

    // impact types
    let (s, b) =
        api.write("POST", "/impacttypes", "/impacttypes", json!({"displayName": "Performance", "description": "slow"}));
    assert_eq!(s, 201);
    let kind = b["id"].as_str().unwrap().to_owned();
    let spare = api.write("POST", "/impacttypes", "/impacttypes", json!({"displayName": "Spare"})).1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(api.get("/impacttypes", "/impacttypes").as_array().unwrap().len(), 2);
    let t = format!("/impacttypes/{kind}");
    assert_eq!(api.write("PATCH", "/impacttypes/{impactTypeId}", &t, json!({"description": "degraded"})).0, 204);
    assert_eq!(api.get("/impacttypes/{impactTypeId}", &t)["description"], "degraded");
    assert_eq!(api.write("DELETE", "/impacttypes/{impactTypeId}", &format!("/impacttypes/{spare}"), json!({})).0, 204);

    // components
    let c1 = api
        .write("POST", "/components", "/components", json!({"displayName": "Storage", "labels": {"az": "1"}}))
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c2 = api.write("POST", "/components", "/components", json!({"displayName": "Compute"})).1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c3 = api.write("POST", "/components", "/components", json!({"displayName": "Doomed"})).1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        api.write("PATCH", "/components/{componentId}", &format!("/components/{c1}"), json!({"labels": {"az": "2"}})).0,
        204
    );
    assert_eq!(api.get("/components/{componentId}", &format!("/components/{c1}"))["labels"], json!({"az": "2"}));
    assert_eq!(api.write("DELETE", "/components/{componentId}", &format!("/components/{c3}"), json!({})).0, 204);

    // incidents: active, maintenance now, ended, without phase
    let active = api
        .write(
            "POST",
            "/incidents",
            "/incidents",
            json!({"displayName": "Disks slow", "beganAt": iso(now - hour),
            "phase": {"generation": 1, "order": 1}, "affects": [{"type": kind, "reference": c1, "severity": 50}]}),
        )
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let maintenance = api
        .write(
            "POST",
            "/incidents",
            "/incidents",
            json!({"displayName": "Kernel upgrade", "beganAt": iso(now - hour),
            "endedAt": iso(now + hour), "affects": [{"type": kind, "reference": c2, "severity": 0}]}),
        )
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ended = api
        .write(
            "POST",
            "/incidents",
            "/incidents",
            json!({"displayName": "Outage", "beganAt": iso(now - hour * 5),
            "endedAt": iso(now - hour * 4), "affects": [{"type": kind, "reference": c1, "severity": 100}]}),
        )
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(api.write("DELETE", "/impacttypes/{impactTypeId}", &t, json!({})).0, 409, "an impact type in use stays");
    let affected_by = |api: &mut Api, path: &str| -> Vec<(String, Vec<String>)> {
        api.get("/components", path)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let refs = c["activelyAffectedBy"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["reference"].as_str().unwrap().to_owned());
                (c["id"].as_str().unwrap().to_owned(), refs.collect())
            })
            .collect()
    };
    let now_state = affected_by(&mut api, "/components");
    assert!(now_state.contains(&(c1.clone(), vec![active.clone()])), "{now_state:?}");
    assert!(now_state.contains(&(c2.clone(), vec![maintenance.clone()])), "active maintenance shows: {now_state:?}");
    let then = affected_by(&mut api, &format!("/components?at={}", iso(now - chrono::Duration::minutes(270))));
    assert!(then.contains(&(c1.clone(), vec![ended.clone()])), "{then:?}");
    let window = |api: &mut Api, start, end| -> BTreeSet<String> {
        let path = format!("/incidents?start={}&end={}", iso(start), iso(end));
        api.get("/incidents", &path).as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(
        window(&mut api, now - hour * 6, now),
        BTreeSet::from([active.clone(), maintenance.clone(), ended.clone()])
    );
    assert_eq!(window(&mut api, now - hour * 30, now - hour * 20), BTreeSet::new());
    assert_eq!(window(&mut api, now - hour * 3, now - hour * 2), BTreeSet::new());
    let a = format!("/incidents/{active}");
    let incident = api.get("/incidents/{incidentId}", &a);
    assert_eq!(incident["phase"], json!({"generation": 1, "order": 1}));
    assert_eq!(incident["endedAt"], Value::Null);
    // resolve, then re-open with endedAt: null (the Go server cannot)
    assert_eq!(api.write("PATCH", "/incidents/{incidentId}", &a, json!({"endedAt": iso(now)})).0, 204);
    assert!(affected_by(&mut api, "/components").contains(&(c1.clone(), vec![])));
    assert_eq!(api.write("PATCH", "/incidents/{incidentId}", &a, json!({"endedAt": null})).0, 204);
    assert!(affected_by(&mut api, "/components").contains(&(c1.clone(), vec![active.clone()])));
    // no phase: answered without one (the Go server crashes)
    assert_eq!(api.write("PATCH", "/incidents/{incidentId}", &a, json!({"phase": null})).0, 204);
    assert!(api.get("/incidents/{incidentId}", &a).get("phase").is_none());

    // updates: server-assigned orders, never reused
    let u = format!("{a}/updates");
    let tu = "/incidents/{incidentId}/updates";
    let tuo = "/incidents/{incidentId}/updates/{updateOrder}";
    assert_eq!(
        api.write("POST", tu, &u, json!({"displayName": "Found it", "description": "a disk"})),
        (201, json!({"order": 0}))
    );
    assert_eq!(
        api.write("POST", tu, &u, json!({"displayName": "Fixing", "createdAt": iso(now)})).1,
        json!({"order": 1})
    );
    assert_eq!(api.get(tu, &u).as_array().unwrap().len(), 2);
    assert_eq!(api.write("PATCH", tuo, &format!("{u}/1"), json!({"description": "swapping"})).0, 204);
    assert_eq!(api.get(tuo, &format!("{u}/1"))["description"], "swapping");
    assert_eq!(api.write("DELETE", tuo, &format!("{u}/1"), json!({})).0, 204);
    assert_eq!(api.write("POST", tu, &u, json!({"displayName": "Again"})).1, json!({"order": 2}));
    assert_eq!(api.get("/incidents/{incidentId}", &a)["updates"], json!([0, 2]));
    assert_eq!(api.call("GET", tuo, &format!("{u}/-1"), None, None).0, 400);
    assert_eq!(api.call("GET", tuo, &format!("{u}/1"), None, None).0, 404);
    let e = format!("/incidents/{ended}");
    assert_eq!(api.write("DELETE", "/incidents/{incidentId}", &e, json!({})).0, 204);
    assert_eq!(api.call("GET", "/incidents/{incidentId}", &e, None, None).0, 404);

    // every operation of the spec was exercised successfully
    let missing: Vec<_> = api.contract.operations().difference(&api.seen).cloned().collect();
    assert!(missing.is_empty(), "not exercised: {missing:?}");

    bad_input(&mut api, &c1, &kind, &a, now);
    access(&mut api, &server);

    let feed = api.client.get(format!("{}/incidents.atom", api.base)).send().unwrap().text().unwrap();
    assert!(feed.contains("Disks slow") && feed.contains("Re-opened") && feed.contains("Deleted: Outage"), "{feed}");
    let metrics = api.client.get(format!("{}/metrics", api.base)).send().unwrap().text().unwrap();
    assert!(metrics.contains("scs_status_incidents_open{severity=\"limited\"} 1"), "{metrics}");
    assert!(metrics.contains("scs_status_components_affected 2"), "{metrics}");
    assert!(metrics.contains("route=\"/incidents/{incidentId}\""), "{metrics}");
}

/// Counts of what a refused write could have changed.
fn snapshot(api: &mut Api, incident: &str) -> Value {
    let start = "2000-01-01T00:00:00Z";
    let end = "2100-01-01T00:00:00Z";
    json!([
        api.get("/components", "/components"),
        api.get("/incidents", &format!("/incidents?start={start}&end={end}")),
        api.get("/incidents/{incidentId}/updates", &format!("{incident}/updates")),
        api.get("/severities", "/severities"),
        api.get("/impacttypes", "/impacttypes"),
        api.get("/phases", "/phases"),
    ])
}

fn bad_input(api: &mut Api, component: &str, kind: &str, incident: &str, now: chrono::DateTime<chrono::Utc>) {
    let before = snapshot(api, incident);
    let unknown = "00000000-0000-4000-8000-000000000000";
    let many: serde_json::Map<String, Value> = (0..10_000).map(|i| (format!("k{i}"), json!("v"))).collect();
    let cases: Vec<(&str, String, Vec<u8>, u16, &str)> = vec![
        ("POST", "/incidents".into(), b"{\"displayName\": ".to_vec(), 400, "EOF"),
        ("POST", "/incidents".into(), b"not json".to_vec(), 400, "expected"),
        ("POST", "/incidents".into(), br#"{"displayName": 7}"#.to_vec(), 400, "displayName"),
        ("POST", "/incidents".into(), br#"{"displayName": "x", "beganAt": "yesterday"}"#.to_vec(), 400, "beganAt"),
        ("POST", "/incidents".into(), br#"{"displayname": "x"}"#.to_vec(), 400, "unknown field"),
        ("POST", "/incidents".into(), b"{}".to_vec(), 400, "needs fields"),
        ("POST", "/incidents".into(), b"".to_vec(), 400, "JSON body"),
        (
            "POST",
            "/incidents".into(),
            json!({"displayName": "x", "affects": [{"type": kind, "reference": unknown, "severity": 5}]})
                .to_string()
                .into_bytes(),
            400,
            "affects[0].reference: no component",
        ),
        (
            "POST",
            "/incidents".into(),
            json!({"displayName": "x", "affects": [{"type": unknown, "reference": component, "severity": 5}]})
                .to_string()
                .into_bytes(),
            400,
            "affects[0].type: no impact type",
        ),
        (
            "POST",
            "/incidents".into(),
            json!({"displayName": "x", "affects": [{"type": kind, "reference": component, "severity": -1}]})
                .to_string()
                .into_bytes(),
            400,
            "outside 0..100",
        ),
        (
            "POST",
            "/incidents".into(),
            json!({"displayName": "x", "affects": [{"type": kind, "reference": component, "severity": 0}]})
                .to_string()
                .into_bytes(),
            400,
            "maintenance",
        ),
        (
            "POST",
            "/incidents".into(),
            json!({"displayName": "x", "beganAt": iso(now), "endedAt": iso(now - chrono::Duration::hours(1))})
                .to_string()
                .into_bytes(),
            400,
            "before beganAt",
        ),
        (
            "POST",
            "/incidents".into(),
            json!({"displayName": "x", "phase": {"generation": 1, "order": -1}}).to_string().into_bytes(),
            400,
            "phase.order",
        ),
        (
            "POST",
            "/incidents".into(),
            json!({"displayName": "x", "phase": {"generation": 1, "order": 9}}).to_string().into_bytes(),
            400,
            "has no phase 9",
        ),
        ("PATCH", format!("/incidents/{unknown}"), br#"{"displayName": "x"}"#.to_vec(), 404, "no incident"),
        ("PATCH", "/incidents/nope".into(), br#"{"displayName": "x"}"#.to_vec(), 400, "not a uuid"),
        (
            "PATCH",
            incident.to_owned(),
            json!({"beganAt": iso(now + chrono::Duration::days(9)), "endedAt": iso(now)}).to_string().into_bytes(),
            400,
            "before beganAt",
        ),
        (
            "POST",
            format!("{incident}/updates"),
            br#"{"description": "no title"}"#.to_vec(),
            400,
            "displayName: required",
        ),
        ("PATCH", format!("{incident}/updates/-3"), br#"{"displayName": "x"}"#.to_vec(), 400, "updateOrder"),
        ("DELETE", format!("{incident}/updates/99"), Vec::new(), 404, "no update 99"),
        (
            "POST",
            "/components".into(),
            json!({"displayName": "c", "labels": many}).to_string().into_bytes(),
            400,
            "10000 labels",
        ),
        (
            "POST",
            "/components".into(),
            json!({"displayName": "c", "labels": {"a": 1}}).to_string().into_bytes(),
            400,
            "labels.a",
        ),
        ("POST", "/components".into(), vec![b' '; 2 << 20], 413, "larger than"),
        ("POST", "/phases".into(), br#"{"phases": []}"#.to_vec(), 400, "at least one"),
        ("POST", "/phases".into(), br#"{"phases": ["a", "a"]}"#.to_vec(), 400, "twice"),
        ("PATCH", "/severities/none".into(), br#"{"value": 3}"#.to_vec(), 404, "no severity"),
        ("POST", "/severities".into(), br#"{"displayName": "x", "value": "high"}"#.to_vec(), 400, "value"),
        ("PATCH", format!("/components/{unknown}"), br#"{"displayName": "x"}"#.to_vec(), 404, "no component"),
        ("DELETE", format!("/impacttypes/{unknown}"), Vec::new(), 404, "no impact type"),
    ];
    for (method, path, body, status, needle) in cases {
        let (got, answer) = api.raw(method, &path, body);
        let message =
            answer["message"].as_str().unwrap_or_else(|| panic!("{method} {path}: no JSON message: {answer}"));
        assert_eq!(got, status, "{method} {path}: {message}");
        assert!(message.contains(needle), "{method} {path}: {message:?} lacks {needle:?}");
    }
    for (query, needle) in [
        ("", "start: required"),
        ("?start=2026-01-02T00:00:00Z", "end: required"),
        ("?start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z", "is before start"),
        ("?start=monday&end=2026-01-01T00:00:00Z", "start:"),
    ] {
        let (status, body) = api.call("GET", "/incidents", &format!("/incidents{query}"), None, None);
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body["message"].as_str().unwrap().contains(needle), "{query}: {body}");
    }
    assert_eq!(snapshot(api, incident), before, "a refused request changed something");
}

fn access(api: &mut Api, server: &Server) {
    // reads are anonymous, writes are not
    assert_eq!(api.call("GET", "/components", "/components", None, None).0, 200);
    let body = json!({"displayName": "Network"});
    assert_eq!(api.call("POST", "/components", "/components", Some(body.clone()), None).0, 401);
    assert_eq!(api.call("POST", "/components", "/components", Some(body.clone()), Some("scs_status_forged")).0, 401);
    assert_eq!(api.call("POST", "/components", "/components", Some(body.clone()), Some("a.b.c")).0, 401);
    let temp = server.token("temp", false);
    assert_eq!(api.call("POST", "/components", "/components", Some(body.clone()), Some(&temp)).0, 201);
    // a writer token may not read the audit log, an admin may
    assert_eq!(
        api.client.get(format!("{}/auditlog", api.base)).bearer_auth(&temp).send().unwrap().status().as_u16(),
        403
    );
    assert_eq!(api.client.get(format!("{}/auditlog", api.base)).send().unwrap().status().as_u16(), 401);
    server.revoke("temp");
    assert_eq!(api.call("POST", "/components", "/components", Some(body), Some(&temp)).0, 401);
    let temp_token = server.tokens().into_iter().find(|t| t.name == "temp").unwrap();
    assert!(!temp_token.admin && temp_token.revoked_at.is_some(), "{temp_token:?}");
    let log: Value = api
        .client
        .get(format!("{}/auditlog?limit=10000", api.base))
        .bearer_auth(&api.token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let entries = log["data"].as_array().unwrap();
    let by = |actor: &str, status: i64| entries.iter().filter(|e| e["actor"] == actor && e["status"] == status).count();
    assert_eq!(by("token:temp", 201), 1, "{log}");
    assert!(by("anonymous", 401) >= 3, "{log}");
    assert!(by("token:tester", 201) >= 10, "{log}");
    assert!(entries.iter().any(|e| e["status"] == 413), "oversized bodies are audited too");
}

#[test]
fn status_page_contract_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    contract(&format!("sqlite://{}", dir.path().join("scs.db").display()));
}

#[test]
fn status_page_contract_on_postgres() {
    let Ok(admin) = std::env::var("SCS_TEST_POSTGRES_URL") else {
        assert!(std::env::var_os("SCS_SKIP_POSTGRES").is_some(), "set SCS_TEST_POSTGRES_URL (or SCS_SKIP_POSTGRES=1)");
        return;
    };
    let name = format!("scs_status_contract_{}", std::process::id());
    for sql in [format!("DROP DATABASE IF EXISTS {name}"), format!("CREATE DATABASE {name}")] {
        let out = Command::new("psql").arg(&admin).args(["-qtA", "-c", &sql]).output().unwrap();
        assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut url = reqwest::Url::parse(&admin).unwrap();
    url.set_path(&name);
    contract(url.as_str());
}
