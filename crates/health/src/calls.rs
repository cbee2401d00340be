// SPDX-License-Identifier: Apache-2.0
//! Every API call of an iteration, timed: the session tells the [`CallLog`]
//! of each request as it is answered, and the log names it by the service
//! whose catalog endpoint the URL falls under and by an operation (method
//! and path with ids replaced), so that series stay few however many
//! resources an iteration makes.

use scs_openstack::{Call, CallObserver, CallOutcome, CatalogEntry};
use serde::Serialize;
use std::sync::Mutex;
use std::time::Instant;

/// One API call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ApiCall {
    /// The catalog's service type (`network`, `compute`, `identity`, ...),
    /// `unknown` for a URL under no endpoint.
    pub service: String,
    /// `METHOD /path` below the endpoint, ids as `{id}` (`POST /networks`,
    /// `GET /servers/{id}`).
    pub operation: String,
    /// The HTTP status, if there was an answer.
    pub status: Option<u16>,
    /// `ok`, `not_found`, `http_4xx`, `http_5xx`, `timeout` or `connect`.
    /// `not_found` is a 404 to a GET or DELETE: how a wait for a deletion
    /// ends, and what deleting a resource that went with another (a boot
    /// volume with its server) answers; not an error by itself.
    pub class: &'static str,
    /// Seconds to the answer's headers.
    pub seconds: f64,
    /// When it was sent, in seconds from the log's start (the iteration's or
    /// probe's): with `seconds`, when calls were in flight at once.
    pub at: f64,
}

impl ApiCall {
    /// Whether the call failed (no answer, or an error status).
    pub fn failed(&self) -> bool {
        !matches!(self.class, "ok" | "not_found")
    }
}

/// The calls of one session; the catalog is learnt after the token.
#[derive(Debug)]
pub struct CallLog {
    started: Instant,
    calls: Mutex<Vec<ApiCall>>,
    endpoints: Mutex<Vec<(String, String)>>,
}

impl Default for CallLog {
    fn default() -> Self {
        Self { started: Instant::now(), calls: Mutex::default(), endpoints: Mutex::default() }
    }
}

impl CallLog {
    /// Learns the endpoints (URL prefix → service type) of `catalog`.
    pub fn learn_catalog(&self, catalog: &[CatalogEntry]) {
        let mut endpoints: Vec<(String, String)> = catalog
            .iter()
            .flat_map(|e| {
                e.endpoints.iter().map(|ep| (ep.url.trim_end_matches('/').to_owned(), official(&e.service_type)))
            })
            .collect();
        // the longest prefix first: an endpoint below another one's URL wins
        endpoints.sort_by_key(|e| std::cmp::Reverse(e.0.len()));
        *lock(&self.endpoints) = endpoints;
    }

    /// The calls so far, in the order they were answered.
    pub fn calls(&self) -> Vec<ApiCall> {
        lock(&self.calls).clone()
    }

    /// The calls from index `from` on (those of one step).
    pub fn since(&self, from: usize) -> Vec<ApiCall> {
        lock(&self.calls).get(from..).map(<[ApiCall]>::to_vec).unwrap_or_default()
    }

    /// How many calls were recorded.
    pub fn len(&self) -> usize {
        lock(&self.calls).len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The service type and operation of a request to `url`.
    fn name(&self, method: &str, url: &str) -> (String, String) {
        let url = url.split(['?', '#']).next().unwrap_or_default();
        if url.ends_with("/auth/tokens") {
            return ("identity".to_owned(), format!("{method} /auth/tokens"));
        }
        let endpoints = lock(&self.endpoints);
        let found = endpoints.iter().find(|(prefix, _)| url.starts_with(prefix.as_str()));
        let (service, path) = match found {
            Some((prefix, service)) => (service.clone(), &url[prefix.len()..]),
            None => (
                "unknown".to_owned(),
                url.split_once("://").map_or(url, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..])),
            ),
        };
        (service.clone(), format!("{method} {}", named_template(&service, path)))
    }
}

impl CallObserver for CallLog {
    fn observe(&self, call: &Call<'_>) {
        let (service, operation) = self.name(call.method.as_str(), call.url);
        let gone = matches!(call.method.as_str(), "GET" | "DELETE");
        let (status, class) = match call.outcome {
            CallOutcome::Status(s) if s < 400 => (Some(s), "ok"),
            CallOutcome::Status(404) if gone => (Some(404), "not_found"),
            CallOutcome::Status(s) if s < 500 => (Some(s), "http_4xx"),
            CallOutcome::Status(s) => (Some(s), "http_5xx"),
            CallOutcome::Timeout => (None, "timeout"),
            CallOutcome::Connect => (None, "connect"),
        };
        let seconds = call.duration.as_secs_f64();
        let at = (self.started.elapsed().as_secs_f64() - seconds).max(0.0);
        lock(&self.calls).push(ApiCall { service, operation, status, class, seconds, at });
    }
}

/// The service type the OpenStack service-types authority gives, for the
/// aliases catalogs still carry (`volumev3` is `block-storage`), so that a
/// service has one name whichever alias a catalog lists first.
fn official(service_type: &str) -> String {
    match service_type {
        "volume" | "volumev2" | "volumev3" => "block-storage",
        "compute_legacy" => "compute",
        other => other,
    }
    .to_owned()
}

/// The nearest-rank percentile `q` (0..=100) of `sorted` (ascending).
pub fn percentile(sorted: &[f64], q: usize) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * q).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// [`template`], and names that name one resource replaced too: a key
/// pair's (`/os-keypairs/{name}`), a Swift container's and object's
/// (`/{container}/{object}`); otherwise every iteration would add series.
fn named_template(service: &str, path: &str) -> String {
    if service == "object-store" {
        let depth = path.split('/').filter(|s| !s.is_empty()).count();
        return ["/", "/{container}", "/{container}/{object}"][depth.min(2)].to_owned();
    }
    let mut out = template(path);
    if let Some(at) = out.find("/os-keypairs/") {
        out.replace_range(at + "/os-keypairs/".len().., "{name}");
    }
    out
}

/// `path` with every segment that names one resource (a uuid, a hex id, a
/// number) replaced by `{id}`, and a version prefix (`/v2.0`, `/v3`) kept.
pub fn template(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return "/".to_owned();
    }
    let mut out = String::new();
    for segment in segments {
        out.push('/');
        out.push_str(if is_id(segment) { "{id}" } else { segment });
    }
    out
}

fn is_id(segment: &str) -> bool {
    let hex = segment.chars().filter(char::is_ascii_hexdigit).count();
    let digits = segment.chars().all(|c| c.is_ascii_digit());
    let uuidish = segment.len() >= 16 && segment.chars().all(|c| c.is_ascii_hexdigit() || c == '-') && hex >= 16;
    uuidish || (digits && !segment.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_name_paths_without_ids() {
        assert_eq!(template("/v2.0/networks"), "/v2.0/networks");
        assert_eq!(template("/servers/6f1c0a64-2c3e-4b7e-9a57-0d6b8c9f0a11/action"), "/servers/{id}/action");
        assert_eq!(template("/v3/0123456789abcdef0123456789abcdef/volumes/42"), "/v3/{id}/volumes/{id}");
        assert_eq!(template(""), "/");
        assert_eq!(template("/os-keypairs/scs-health-1-key"), "/os-keypairs/scs-health-1-key");
    }

    #[test]
    fn calls_are_named_by_the_longest_matching_endpoint() {
        let log = CallLog::default();
        let catalog: Vec<CatalogEntry> = serde_json_catalog();
        log.learn_catalog(&catalog);
        let get = reqwest_method("GET");
        for (url, status) in [
            ("http://127.0.0.1:9696/v2.0/networks?name=x", 200),
            ("http://127.0.0.1:8774/v2.1/servers/6f1c0a64-2c3e-4b7e-9a57-0d6b8c9f0a11", 404),
            ("http://127.0.0.1:5000/v3/auth/tokens", 201),
        ] {
            log.observe(&Call {
                method: &get,
                url,
                outcome: CallOutcome::Status(status),
                duration: std::time::Duration::from_millis(5),
            });
        }
        let calls = log.calls();
        assert_eq!(
            (calls[0].service.as_str(), calls[0].operation.as_str(), calls[0].class),
            ("network", "GET /v2.0/networks", "ok")
        );
        assert_eq!(
            (calls[1].service.as_str(), calls[1].operation.as_str(), calls[1].class),
            ("compute", "GET /servers/{id}", "not_found")
        );
        assert_eq!(calls[2].service, "identity");
        log.observe(&Call {
            method: &get,
            url: "http://127.0.0.1:8776/v3/p/volumes/detail",
            outcome: CallOutcome::Status(200),
            duration: std::time::Duration::from_millis(5),
        });
        assert_eq!(log.calls()[3].service, "block-storage", "an alias gets the official name");
        assert_eq!(named_template("compute", "/os-keypairs/scs-health-1-key"), "/os-keypairs/{name}");
        assert_eq!(named_template("object-store", "/scs-health-1-container/probe.json"), "/{container}/{object}");
        assert_eq!(named_template("object-store", "/scs-health-1-container"), "/{container}");
        assert_eq!(named_template("object-store", ""), "/");
        assert!(!calls[1].failed() && !calls[0].failed());
        let post = reqwest_method("POST");
        let url = "http://127.0.0.1:8774/v2.1/servers";
        for (outcome, class) in [
            (CallOutcome::Status(404), "http_4xx"),
            (CallOutcome::Status(503), "http_5xx"),
            (CallOutcome::Timeout, "timeout"),
            (CallOutcome::Connect, "connect"),
        ] {
            log.observe(&Call { method: &post, url, outcome, duration: std::time::Duration::from_millis(5) });
            let last = log.calls().pop().unwrap_or_else(|| panic!("recorded"));
            assert_eq!(last.class, class);
            assert!(last.failed());
        }
    }

    fn serde_json_catalog() -> Vec<CatalogEntry> {
        serde_json::from_value(serde_json::json!([
            {"type": "network", "endpoints": [{"interface": "public", "url": "http://127.0.0.1:9696"}]},
            {"type": "compute", "endpoints": [{"interface": "public", "url": "http://127.0.0.1:8774/v2.1"}]},
            {"type": "volumev3", "endpoints": [{"interface": "public", "url": "http://127.0.0.1:8776/v3/p"}]},
        ]))
        .unwrap_or_default()
    }

    fn reqwest_method(m: &str) -> scs_openstack::Method {
        m.parse().unwrap_or_default()
    }
}
