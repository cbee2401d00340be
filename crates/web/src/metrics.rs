// SPDX-License-Identifier: Apache-2.0
//! The Prometheus text exposition format (0.0.4), written in one place so
//! label values are escaped one way, and the request metrics every service
//! gets from one layer: requests by method, route template and status, and
//! a latency histogram by method and route.
//!
//! Label sets stay bounded whatever clients send: the route is the matched
//! template (never the raw path, so ids do not create series) or
//! `unmatched`, and a method outside the standard ones counts as `OTHER`.

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::{Display, Write as _};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The kind of a metric family.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A value that goes up and down.
    Gauge,
    /// A value that only goes up.
    Counter,
    /// Buckets, a sum and a count.
    Histogram,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Gauge => "gauge",
            Self::Counter => "counter",
            Self::Histogram => "histogram",
        }
    }
}

/// A Prometheus text document being written.
#[derive(Debug, Default)]
pub struct Exposition {
    text: String,
}

/// A label value with `\`, `"` and line feeds escaped, as the format wants.
fn label_value(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl Exposition {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a family: its `# HELP` and `# TYPE` lines.
    pub fn family(&mut self, name: &str, kind: Kind, help: &str) -> &mut Self {
        let _ = writeln!(self.text, "# HELP {name} {}", help.replace('\\', "\\\\").replace('\n', "\\n"));
        let _ = writeln!(self.text, "# TYPE {name} {}", kind.name());
        self
    }

    /// One sample of `name` with `labels`.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Display) -> &mut Self {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (label, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{label}=\"{}\"", label_value(v));
            }
            self.text.push('}');
        }
        let _ = writeln!(self.text, " {value}");
        self
    }

    /// Appends another document (a service's gauges).
    pub fn append(&mut self, other: Exposition) {
        self.text.push_str(&other.text);
    }

    /// The document.
    pub fn finish(self) -> String {
        self.text
    }
}

/// The content type of the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A finished exposition is a `/metrics` answer, with the text format's
/// content type (every `/metrics` endpoint answers through this).
impl axum::response::IntoResponse for Exposition {
    fn into_response(self) -> axum::response::Response {
        ([(axum::http::header::CONTENT_TYPE, CONTENT_TYPE)], self.finish()).into_response()
    }
}

/// Upper bounds (seconds) of the request latency histogram's buckets.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// One histogram series: observations counted into buckets with upper
/// bounds `bounds` (ascending), their sum and count.
#[derive(Debug, Clone)]
pub struct Histogram {
    bounds: &'static [f64],
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    /// An empty series with buckets up to each of `bounds` (and `+Inf`).
    pub fn new(bounds: &'static [f64]) -> Self {
        Self { bounds, buckets: vec![0; bounds.len()], sum: 0.0, count: 0 }
    }

    /// Counts one observation.
    pub fn observe(&mut self, value: f64) {
        self.count += 1;
        self.sum += value;
        for (bucket, bound) in self.buckets.iter_mut().zip(self.bounds) {
            if value <= *bound {
                *bucket += 1;
            }
        }
    }

    /// Adds another series with the same bounds.
    pub fn merge(&mut self, other: &Histogram) {
        self.count += other.count;
        self.sum += other.sum;
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
    }

    /// Writes the series `name` (`_bucket`, `_sum`, `_count`) with `labels`.
    pub fn write(&self, out: &mut Exposition, name: &str, labels: &[(&str, &str)]) {
        let bucket = format!("{name}_bucket");
        for (bound, n) in self.bounds.iter().zip(&self.buckets) {
            let le = bound.to_string();
            let mut with_le = labels.to_vec();
            with_le.push(("le", &le));
            out.sample(&bucket, &with_le, n);
        }
        let mut with_le = labels.to_vec();
        with_le.push(("le", "+Inf"));
        out.sample(&bucket, &with_le, self.count);
        out.sample(&format!("{name}_sum"), labels, format!("{:.6}", self.sum));
        out.sample(&format!("{name}_count"), labels, self.count);
    }
}

/// A request series: its latencies.
#[derive(Clone)]
struct Series(Histogram);

impl Default for Series {
    fn default() -> Self {
        Self(Histogram::new(&BUCKETS))
    }
}

/// Requests answered, keyed by (method, route template, status).
#[derive(Default)]
pub struct RequestMetrics {
    series: Mutex<BTreeMap<(&'static str, String, u16), Series>>,
}

/// The method as a bounded label: the standard ones, else `OTHER`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

impl RequestMetrics {
    fn record(&self, method: &'static str, route: &str, status: u16, seconds: f64) {
        let Ok(mut map) = self.series.lock() else { return };
        map.entry((method, route.to_owned(), status)).or_default().0.observe(seconds);
    }

    /// Writes `scs_http_requests_total` and `scs_http_request_seconds`.
    pub fn write(&self, out: &mut Exposition) {
        let series = self.series.lock().map(|m| m.clone()).unwrap_or_default();
        out.family("scs_http_requests_total", Kind::Counter, "Requests answered, by method, route and status.");
        for ((method, route, status), s) in &series {
            out.sample(
                "scs_http_requests_total",
                &[("method", method), ("route", route), ("status", &status.to_string())],
                s.0.count,
            );
        }
        let mut per_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((method, route, _), s) in &series {
            per_route.entry((method, route)).or_default().0.merge(&s.0);
        }
        out.family("scs_http_request_seconds", Kind::Histogram, "Time to answer, by method and route.");
        for ((method, route), s) in per_route {
            s.0.write(out, "scs_http_request_seconds", &[("method", method), ("route", route)]);
        }
    }
}

/// Middleware (`axum::middleware::from_fn_with_state`): counts and times
/// every request under its route template, with a tracing span per request.
pub async fn track(State(metrics): State<Arc<RequestMetrics>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()).to_owned();
    let method = method_label(request.method());
    let start = Instant::now();
    let response = next.run(request).await;
    let seconds = start.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    tracing::debug!(method, route, status, seconds, "request");
    metrics.record(method, &route, status, seconds);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        let mut out = Exposition::new();
        out.family("x", Kind::Gauge, "An x.").sample("x", &[("subject", "a\"b\\c\nd")], 1);
        assert_eq!(out.finish(), "# HELP x An x.\n# TYPE x gauge\nx{subject=\"a\\\"b\\\\c\\nd\"} 1\n");
    }

    #[test]
    fn requests_are_counted_under_bounded_labels() {
        let metrics = RequestMetrics::default();
        metrics.record(method_label(&Method::GET), "/incidents/{id}", 200, 0.002);
        metrics.record(method_label(&Method::from_bytes(b"BREW").unwrap_or(Method::GET)), "unmatched", 404, 0.0001);
        let mut out = Exposition::new();
        metrics.write(&mut out);
        let text = out.finish();
        assert!(text.contains("scs_http_requests_total{method=\"GET\",route=\"/incidents/{id}\",status=\"200\"} 1"));
        assert!(text.contains("scs_http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 1"));
        assert!(
            text.contains("scs_http_request_seconds_bucket{method=\"GET\",route=\"/incidents/{id}\",le=\"0.0025\"} 1")
        );
        assert!(
            text.contains("scs_http_request_seconds_bucket{method=\"GET\",route=\"/incidents/{id}\",le=\"0.001\"} 0")
        );
    }
}
