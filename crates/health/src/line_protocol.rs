// SPDX-License-Identifier: Apache-2.0
//! What an iteration or probe measured, in InfluxDB line protocol as SCS's
//! openstack-health-monitor writes it, so that its Telegraf/InfluxDB 1.x
//! setups and Grafana dashboards keep working:
//!
//! `<cloud>,cmd=<cmd>,method=<method> duration=<seconds>,return_code=<0|1|2> <ns>`
//!
//! - API calls: `cmd` the service's command-line client as the monitor
//!   names it (`nova`, `neutron`, `cinder`, `glance`, `octavia`, `swift`;
//!   `token` for a new token), `method` the operation in the clients' style
//!   (`network-create`, `server-show`, `router-add_router_interface`);
//!   `return_code` 0 answered, 1 error, 2 timeout;
//! - waits for a state: `cmd` `waitVM`, `waitVOLUME`, `waitLBAAS`, ...,
//!   `method` the state (`ACTIVE`, `available`);
//! - the iteration: `cmd=totDur,method=iteration`, its wall time,
//!   `return_code` 0 success, 1 failure (the monitor's `MAXCYC`
//!   normalisation has no counterpart here: the duration is in seconds);
//! - a probe: `cmd=probe,method=all`.
//!
//! Fields are floats, as the monitor writes them (one measurement's field
//! types must not change). Each point carries its time in nanoseconds, so a
//! whole iteration goes in one write.

use crate::calls::ApiCall;
use crate::probe::Probe;
use crate::scenario::{FailureClass, Iteration, StepOutcome};
use chrono::{DateTime, Utc};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

/// Where lines go.
#[derive(Clone, Debug)]
pub enum LineSink {
    /// An InfluxDB 1.x (or Telegraf `influxdb_listener`) `/write?db=…` URL.
    Http {
        /// The URL.
        url: String,
        /// The client.
        http: reqwest::Client,
    },
    /// A file the lines are appended to.
    File(PathBuf),
}

/// Why lines could not be written.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    /// No answer, or an error status.
    #[error("{url}: {message}")]
    Http {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
    /// The file could not be written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl LineSink {
    /// A URL (`http://…`, `https://…`) or else a file path.
    pub fn parse(target: &str) -> Self {
        if target.starts_with("http://") || target.starts_with("https://") {
            let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
            Self::Http { url: target.to_owned(), http }
        } else {
            Self::File(PathBuf::from(target))
        }
    }

    /// Writes `lines` (newline-terminated).
    pub async fn write(&self, lines: &str) -> Result<(), LineError> {
        if lines.is_empty() {
            return Ok(());
        }
        match self {
            Self::Http { url, http } => {
                let fail = |message: String| LineError::Http { url: url.clone(), message };
                let answer = http.post(url).body(lines.to_owned()).send().await.map_err(|e| fail(e.to_string()))?;
                let status = answer.status();
                if status.is_success() {
                    return Ok(());
                }
                let body = answer.text().await.unwrap_or_default();
                Err(fail(format!("HTTP {}: {}", status.as_u16(), body.chars().take(300).collect::<String>())))
            }
            Self::File(path) => {
                use std::io::Write as _;
                let fail = |source| LineError::File { path: path.display().to_string(), source };
                let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(fail)?;
                file.write_all(lines.as_bytes()).map_err(fail)
            }
        }
    }
}

/// Escapes a measurement name (commas and spaces).
fn measurement(name: &str) -> String {
    name.replace('\\', "\\\\").replace(',', "\\,").replace(' ', "\\ ")
}

/// Escapes a tag value (commas, equal signs and spaces).
fn tag(value: &str) -> String {
    value.replace('\\', "\\\\").replace(',', "\\,").replace('=', "\\=").replace(' ', "\\ ")
}

fn point(out: &mut String, name: &str, cmd: &str, method: &str, duration: f64, code: u8, at: DateTime<Utc>) {
    let ns = at.timestamp_nanos_opt().unwrap_or_default();
    let _ = writeln!(
        out,
        "{},cmd={},method={} duration={duration:.6},return_code={code} {ns}",
        measurement(name),
        tag(cmd),
        tag(method)
    );
}

fn offset(start: DateTime<Utc>, seconds: f64) -> DateTime<Utc> {
    start + chrono::Duration::microseconds((seconds * 1e6) as i64)
}

/// The monitor's command name of a call's service.
fn command(call: &ApiCall) -> String {
    if call.operation.ends_with(" /auth/tokens") {
        return "token".to_owned();
    }
    match call.service.as_str() {
        "compute" => "nova",
        "network" => "neutron",
        "block-storage" => "cinder",
        "image" => "glance",
        "identity" => "keystone",
        "load-balancer" => "octavia",
        "object-store" => "swift",
        other => other,
    }
    .to_owned()
}

/// `POST /v2.0/networks` → `network-create`, `GET /servers/{id}` →
/// `server-show`, `PUT /v2.0/routers/{id}/add_router_interface` →
/// `router-add_router_interface`, `POST /auth/tokens` → `issue`.
pub fn cli_method(operation: &str) -> String {
    let (verb, path) = operation.split_once(' ').unwrap_or(("GET", operation));
    if path.ends_with("/auth/tokens") {
        return "issue".to_owned();
    }
    let is_version = |s: &str| s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty() && !is_version(s)).collect();
    let singular = |s: &str| s.strip_suffix('s').filter(|_| !s.ends_with("ss")).unwrap_or(s).to_owned();
    let ends_with_id = segments.last() == Some(&"{id}");
    let named: Vec<&str> = segments.iter().copied().filter(|s| *s != "{id}").collect();
    let Some(last) = named.last() else { return verb.to_ascii_lowercase() };
    let last_at = segments.iter().rposition(|s| s == last).unwrap_or(0);
    // a project id before the collection (`/v3/{id}/volumes`) makes no action
    let after_id = last_at > 0 && segments[last_at - 1] == "{id}" && named.len() >= 2;
    if *last == "detail" {
        return format!("{}-list", named.len().checked_sub(2).map_or("detail".to_owned(), |i| singular(named[i])));
    }
    if after_id && !ends_with_id {
        // an action on one resource: /servers/{id}/action, /routers/{id}/add_router_interface
        let parent = named.len().checked_sub(2).map_or(String::new(), |i| singular(named[i]));
        return format!("{parent}-{last}");
    }
    let action = match (verb, ends_with_id) {
        ("GET", true) => "show",
        ("GET", false) => "list",
        ("POST", _) => "create",
        ("PUT" | "PATCH", _) => "update",
        ("DELETE", _) => "delete",
        _ => "call",
    };
    format!("{}-{action}", singular(last))
}

fn call_points(out: &mut String, name: &str, calls: &[ApiCall], start: DateTime<Utc>) {
    for call in calls {
        let code = match call.class {
            "ok" | "not_found" => 0,
            "timeout" => 2,
            _ => 1,
        };
        point(out, name, &command(call), &cli_method(&call.operation), call.seconds, code, offset(start, call.at));
    }
}

/// The points of one iteration (`name` is the measurement, the cloud's).
pub fn iteration_lines(name: &str, it: &Iteration) -> String {
    let mut out = String::new();
    call_points(&mut out, name, &it.calls, it.started_at);
    for step in it.steps.iter().filter(|s| s.wait) {
        // "wait server ACTIVE" → waitVM / ACTIVE
        let mut words = step.name.split_whitespace().skip(1);
        let resource = words.next().unwrap_or("resource");
        let state = words.next().unwrap_or("ready");
        let resource = match resource {
            "server" => "VM".to_owned(),
            r if r.contains("volume") => "VOLUME".to_owned(),
            r if r.contains("load-balancer") || r.contains("loadbalancer") => "LBAAS".to_owned(),
            other => other.to_ascii_uppercase(),
        };
        let code = match &step.outcome {
            StepOutcome::Ok => 0,
            StepOutcome::Failed { class: FailureClass::WaitTimeout | FailureClass::Timeout, .. } => 2,
            StepOutcome::Failed { .. } => 1,
            StepOutcome::NotRun { .. } => continue,
        };
        point(&mut out, name, &format!("wait{resource}"), state, step.seconds, code, offset(it.started_at, step.at));
    }
    let code = u8::from(!it.success());
    point(&mut out, name, "totDur", "iteration", it.seconds, code, it.started_at);
    out
}

/// The points of one probe.
pub fn probe_lines(name: &str, probe: &Probe) -> String {
    let mut out = String::new();
    call_points(&mut out, name, &probe.calls, probe.started_at);
    point(&mut out, name, "probe", "all", probe.seconds, u8::from(!probe.success()), probe.started_at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_named_as_the_command_line_clients_do() {
        for (operation, wanted) in [
            ("POST /v2.0/networks", "network-create"),
            ("GET /v2.0/networks", "network-list"),
            ("DELETE /v2.0/security-groups/{id}", "security-group-delete"),
            ("GET /servers/{id}", "server-show"),
            ("POST /servers/{id}/action", "server-action"),
            ("PUT /v2.0/routers/{id}/add_router_interface", "router-add_router_interface"),
            ("GET /servers/detail", "server-list"),
            ("GET /v3/{id}/volumes/detail", "volume-list"),
            ("POST /v3/{id}/volumes", "volume-create"),
            ("POST /v3/auth/tokens", "issue"),
            ("GET /", "get"),
        ] {
            assert_eq!(cli_method(operation), wanted, "{operation}");
        }
    }

    #[test]
    fn names_and_tags_are_escaped() {
        let mut out = String::new();
        let at = DateTime::from_timestamp(1_800_000_000, 5).unwrap_or_default();
        point(&mut out, "my cloud,1", "neutron", "a=b c", 0.25, 0, at);
        assert_eq!(
            out,
            "my\\ cloud\\,1,cmd=neutron,method=a\\=b\\ c duration=0.250000,return_code=0 1800000000000000005\n"
        );
    }
}
