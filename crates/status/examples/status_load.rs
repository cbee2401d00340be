// SPDX-License-Identifier: Apache-2.0
//! Seeds a status page database for `lab/bench-status`: COMPONENTS
//! components, INCIDENTS incidents over the last year (one to three impacts
//! each, one in twenty still open, one in ten maintenance), the default
//! severities and phases. Usage: `status_load DATABASE_URL COMPONENTS INCIDENTS`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark tool: a panic is a failed run

use scs_status::model::{IncidentIn, parse_body};
use serde_json::json;
use std::collections::BTreeMap;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, components, incidents] = &args[..] else {
        eprintln!("usage: status_load DATABASE_URL COMPONENTS INCIDENTS");
        std::process::exit(2);
    };
    let (n_components, n_incidents): (usize, usize) = (components.parse().unwrap(), incidents.parse().unwrap());
    let store = scs_status::Store::connect(url).await.unwrap();
    for (name, value) in [("maintenance", 0), ("operational", 33), ("limited", 66), ("broken", 100)] {
        store.create_severity(name, value).await.unwrap();
    }
    let phases = ["Scheduled", "Investigation ongoing", "Working on it", "Potential fix deployed", "Done"];
    store.create_phases(&phases.map(String::from)).await.unwrap();
    let kind = store.create_impact_type("Performance", "").await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n_components {
        let labels = BTreeMap::from([("az".to_owned(), format!("az-{}", i % 3))]);
        ids.push(store.create_component(&format!("component-{i:03}"), &labels).await.unwrap());
    }
    let now = chrono::Utc::now();
    // a fixed pseudo-random sequence, so runs are comparable
    let mut state: u64 = 0x5c5_2026;
    let mut next = |n: u64| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    for i in 0..n_incidents {
        let began = now - chrono::Duration::minutes(next(365 * 24 * 60) as i64);
        let maintenance = next(10) == 0;
        let open = !maintenance && next(20) == 0;
        let ended = began + chrono::Duration::minutes(10 + next(600) as i64);
        let mut affects = Vec::new();
        for _ in 0..=next(3) {
            let component = &ids[next(n_components as u64) as usize];
            if affects.iter().any(|a: &serde_json::Value| a["reference"] == json!(component)) {
                continue;
            }
            let severity = if maintenance { 0 } else { 1 + next(100) };
            affects.push(json!({"type": kind, "reference": component, "severity": severity}));
        }
        let body = json!({
            "displayName": format!("incident {i}"),
            "description": "Seeded for the load test.",
            "beganAt": began.to_rfc3339(),
            "endedAt": if open { None } else { Some(ended.to_rfc3339()) },
            "phase": {"generation": 1, "order": next(5)},
            "affects": affects,
        });
        store.create_incident(&parse_body::<IncidentIn>(body.to_string().as_bytes()).unwrap()).await.unwrap();
    }
    eprintln!("seeded {n_components} components, {n_incidents} incidents");
}
