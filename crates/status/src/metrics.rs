// SPDX-License-Identifier: Apache-2.0
//! `/metrics` (Prometheus text): incidents open by worst severity, components
//! affected now, and request counts and latency per route.

use crate::http::App;
use crate::store::StoreError;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Request counters keyed by (method, route, status).
#[derive(Default)]
pub struct Requests {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Requests {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut map) = self.series.lock() else { return };
        let s = map.entry((method.to_owned(), route.to_owned(), status)).or_default();
        s.count += 1;
        s.sum += seconds;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                s.buckets[i] += 1;
            }
        }
    }
}

/// Middleware: counts every request by its route template (never the raw
/// path, so ids do not explode the label set).
pub async fn track(State(app): State<App>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()).to_owned();
    let method = request.method().to_string();
    let start = Instant::now();
    let response = next.run(request).await;
    app.requests.record(&method, &route, response.status().as_u16(), start.elapsed().as_secs_f64());
    response
}

fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The status page's metrics.
pub async fn render(app: &App) -> Result<String, StoreError> {
    let (open, affected) = app.store.open_counts().await?;
    let severities = app.store.severities().await?;
    let mut out = String::new();
    let _ = writeln!(out, "# HELP scs_status_incidents_open Active incidents by the severity of their worst impact.");
    let _ = writeln!(out, "# TYPE scs_status_incidents_open gauge");
    let mut by_name: BTreeMap<String, i64> = BTreeMap::new();
    for s in &severities {
        by_name.insert(s.display_name.clone(), 0);
    }
    for (worst, n) in open {
        let name = if worst < 0 {
            "none".to_owned()
        } else {
            crate::model::severity_of(&severities, worst)
                .map_or_else(|| "unknown".to_owned(), |s| s.display_name.clone())
        };
        *by_name.entry(name).or_default() += n;
    }
    for (name, n) in by_name {
        let _ = writeln!(out, "scs_status_incidents_open{{severity=\"{}\"}} {n}", label(&name));
    }
    let _ = writeln!(out, "# HELP scs_status_components_affected Components with an active impact.");
    let _ = writeln!(out, "# TYPE scs_status_components_affected gauge");
    let _ = writeln!(out, "scs_status_components_affected {affected}");
    let _ = writeln!(out, "# HELP scs_status_http_requests_total Requests answered, by route and status.");
    let _ = writeln!(out, "# TYPE scs_status_http_requests_total counter");
    let series = app.requests.series.lock().map(|m| m.clone()).unwrap_or_default();
    for ((method, route, status), s) in &series {
        let _ = writeln!(
            out,
            "scs_status_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
            label(route),
            s.count
        );
    }
    let _ = writeln!(out, "# HELP scs_status_http_request_seconds Time to answer, by route.");
    let _ = writeln!(out, "# TYPE scs_status_http_request_seconds histogram");
    let mut per_route: BTreeMap<(String, String), Series> = BTreeMap::new();
    for ((method, route, _), s) in series {
        let t = per_route.entry((method, route)).or_default();
        t.count += s.count;
        t.sum += s.sum;
        for (a, b) in t.buckets.iter_mut().zip(s.buckets) {
            *a += b;
        }
    }
    for ((method, route), s) in per_route {
        let l = format!("method=\"{method}\",route=\"{}\"", label(&route));
        for (bound, n) in BUCKETS.iter().zip(s.buckets) {
            let _ = writeln!(out, "scs_status_http_request_seconds_bucket{{{l},le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(out, "scs_status_http_request_seconds_bucket{{{l},le=\"+Inf\"}} {}", s.count);
        let _ = writeln!(out, "scs_status_http_request_seconds_sum{{{l}}} {:.6}", s.sum);
        let _ = writeln!(out, "scs_status_http_request_seconds_count{{{l}}} {}", s.count);
    }
    Ok(out)
}
