// SPDX-License-Identifier: Apache-2.0
//! `scs health run`'s settings file (TOML), read into validated types: an
//! unknown key, a malformed value or a cloud missing from `clouds.yaml` is
//! an error naming the file, the line or the field, before anything runs.
//!
//! ```toml
//! listen = "127.0.0.1:9180"     # /metrics and /healthz
//! interval_seconds = 300        # from one iteration's start to the next (0: probes only)
//! timeout_seconds = 32          # per API request
//! probe_seconds = 10            # light probes between iterations (0: none)
//! line_protocol = "http://127.0.0.1:8086/write?db=health"  # or a file; optional
//! record = "sqlite://scs-health.db"  # the local record (relative: beside this file; "off": none)
//! record_days = 30              # how long checks are kept
//! servers = 2                   # per iteration (#1, #3, …: boot from volume; #2, #4, …: from image)
//! image = "Ubuntu 24.04"        # optional (default: the public image needing the least disk)
//! flavor = "SCS-1V-2"           # optional (default: the cheapest the image fits)
//! ssh_user = "ubuntu"           # optional (default: the image's image_original_user, else ubuntu)
//! ping_target = "9.9.9.9"       # what guests ping
//! guest_wait_seconds = 180      # how long a guest may take to answer SSH
//! max_in_flight = 8             # API requests at once per iteration
//! [[cloud]]
//! name = "prod"                 # the clouds.yaml entry
//!
//! [status_page]                 # optional: Open Operations
//! url = "https://status-api.example"   # the status-page API
//! token_file = "/etc/scs/status-token" # bearer token (else $SCS_STATUS_TOKEN)
//! open_after = 3                # failed checks in a row that open an incident
//! resolve_after = 3             # good checks in a row that resolve it
//! update_every = 10             # failed checks between updates with the same evidence
//! latency_p95_seconds = 10.0    # optional: slower counts as failing ("slow")
//! impact_type = "performance-degradation"  # name or id (default: the first)
//! severity = 100                # impact of failures (slow: slow_severity, 66)
//! [status_page.components]      # service → component name or id
//! network = "Network"
//! compute = "Compute"
//! ```

use crate::scenario::ScenarioConfig;
use scs_openstack::CloudConfig;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

/// The daemon's settings.
#[derive(Debug, Clone)]
pub struct HealthConfig {
    /// Where `/metrics` is served.
    pub listen: SocketAddr,
    /// From one iteration's start to the next one's (at least the iteration's
    /// length); `None` runs light probes only.
    pub interval: Option<Duration>,
    /// Between light probes; `None` runs none.
    pub probe: Option<Duration>,
    /// The clouds, resolved from `clouds.yaml`.
    pub clouds: Vec<CloudConfig>,
    /// Where incidents go, if anywhere.
    pub status_page: Option<StatusPageSettings>,
    /// Where InfluxDB line protocol goes (a `/write` URL or a file), if anywhere.
    pub line_protocol: Option<String>,
    /// The local record's database URL (`None`: none is kept).
    pub record: Option<String>,
    /// How many days of checks the record keeps.
    pub record_days: u32,
    /// What each iteration does (its prefix is made per iteration); its
    /// timeout is the probes' too.
    pub scenario: ScenarioConfig,
}

/// The `[status_page]` section: which status page, which component each
/// service maps to, and when incidents open and resolve.
#[derive(Clone, Debug)]
pub struct StatusPageSettings {
    /// The API's base URL.
    pub url: String,
    /// The bearer token writes carry.
    pub token: String,
    /// Per request.
    pub timeout: Duration,
    /// Failed checks in a row (of iterations or of probes) that open an incident.
    pub open_after: u32,
    /// Good checks in a row that resolve it.
    pub resolve_after: u32,
    /// Failed checks between two updates with unchanged evidence.
    pub update_every: u32,
    /// A service whose calls' p95 (in one check) is above this counts as failing.
    pub latency_p95_seconds: Option<f64>,
    /// The impact type's name or id (`None`: the first the page lists).
    pub impact_type: Option<String>,
    /// The impact's severity when calls fail.
    pub severity: u8,
    /// The impact's severity when calls are only slow.
    pub slow_severity: u8,
    /// Service type → component name or id.
    pub components: BTreeMap<String, String>,
}

/// Why the settings cannot be used; the message names the file and the
/// line or field.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ConfigError {
    /// The settings file.
    pub file: String,
    /// What is wrong, and where.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    listen: Option<String>,
    interval_seconds: Option<u64>,
    timeout_seconds: Option<u64>,
    probe_seconds: Option<u64>,
    line_protocol: Option<Spanned<String>>,
    record: Option<String>,
    record_days: Option<Spanned<u32>>,
    servers: Option<Spanned<usize>>,
    image: Option<String>,
    flavor: Option<String>,
    ssh_user: Option<String>,
    ping_target: Option<String>,
    guest_wait_seconds: Option<u64>,
    max_in_flight: Option<Spanned<usize>>,
    #[serde(default, rename = "cloud")]
    clouds: Vec<RawCloud>,
    status_page: Option<RawStatusPage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCloud {
    name: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatusPage {
    url: Spanned<String>,
    token_file: Option<Spanned<String>>,
    timeout_seconds: Option<u64>,
    open_after: Option<Spanned<u32>>,
    resolve_after: Option<Spanned<u32>>,
    update_every: Option<Spanned<u32>>,
    latency_p95_seconds: Option<Spanned<f64>>,
    impact_type: Option<String>,
    severity: Option<Spanned<u8>>,
    slow_severity: Option<Spanned<u8>>,
    #[serde(default)]
    components: BTreeMap<Spanned<String>, String>,
}

/// `line N: ` for a value at `span` of `text`.
fn line_of(text: &str, span: std::ops::Range<usize>) -> String {
    let line = text.get(..span.start).map_or(0, |before| before.matches('\n').count()) + 1;
    format!("line {line}: ")
}

impl HealthConfig {
    /// Reads and validates `path`; each cloud is looked up in `clouds.yaml`
    /// (`OS_CLIENT_CONFIG_FILE` or the usual places).
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let fail = |message: String| ConfigError { file: file.clone(), message };
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        Self::parse(&file, &text, |name| CloudConfig::load(Some(name)).map_err(|e| e.to_string()))
    }

    /// Only the record's URL of the settings at `path` (what `scs health
    /// report` needs: no cloud is looked up).
    pub fn record_of(path: &Path) -> Result<Option<String>, ConfigError> {
        let file = path.display().to_string();
        let fail = |message: String| ConfigError { file: file.clone(), message };
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let raw: Raw = toml::from_str(&text).map_err(|e| fail(e.to_string().trim_end().to_owned()))?;
        Ok(record_url(&file, raw.record.as_deref().unwrap_or("sqlite://scs-health.db")))
    }

    /// Validates `text`, resolving clouds with `cloud`.
    pub fn parse(
        file: &str,
        text: &str,
        cloud: impl Fn(&str) -> Result<CloudConfig, String>,
    ) -> Result<Self, ConfigError> {
        let fail = |message: String| ConfigError { file: file.to_owned(), message };
        // toml's message names the line, the column and the key
        let raw: Raw = toml::from_str(text).map_err(|e| fail(e.to_string().trim_end().to_owned()))?;
        let listen = raw.listen.as_deref().unwrap_or("127.0.0.1:9180");
        let listen = listen.parse().map_err(|e| fail(format!("listen: {listen:?}: {e}")))?;
        let interval = Some(raw.interval_seconds.unwrap_or(300)).filter(|s| *s > 0).map(Duration::from_secs);
        let timeout = raw.timeout_seconds.unwrap_or(32);
        if timeout == 0 {
            return Err(fail("timeout_seconds: must be at least 1".into()));
        }
        if raw.clouds.is_empty() {
            return Err(fail("no [[cloud]]: name at least one clouds.yaml entry to monitor".into()));
        }
        let mut clouds = Vec::new();
        for (i, c) in raw.clouds.iter().enumerate() {
            let (name, at) = (c.name.get_ref(), line_of(text, c.name.span()));
            if raw.clouds[..i].iter().any(|d| d.name.get_ref() == name) {
                return Err(fail(format!("{at}cloud[{i}].name: {name:?} is listed twice")));
            }
            clouds.push(cloud(name).map_err(|e| fail(format!("{at}cloud[{i}].name: {name:?}: {e}")))?);
        }
        let probe = Some(raw.probe_seconds.unwrap_or(10)).filter(|s| *s > 0).map(Duration::from_secs);
        if interval.is_none() && probe.is_none() {
            return Err(fail("interval_seconds and probe_seconds are both 0: nothing would run".into()));
        }
        let status_page = raw.status_page.map(|p| status_page(text, p)).transpose().map_err(fail)?;
        if let Some(target) = &raw.line_protocol
            && target.get_ref().trim().is_empty()
        {
            return Err(fail(format!("{}line_protocol: empty (a /write URL or a file)", line_of(text, target.span()))));
        }
        let line_protocol = raw.line_protocol.map(Spanned::into_inner);
        let record = record_url(file, raw.record.as_deref().unwrap_or("sqlite://scs-health.db"));
        let record_days = match raw.record_days {
            Some(d) if !(1..=36_500).contains(d.get_ref()) => {
                return Err(fail(format!("{}record_days: must be 1 to 36500", line_of(text, d.span()))));
            }
            Some(d) => *d.get_ref(),
            None => 30,
        };
        let servers = match raw.servers {
            Some(n) if !(1..=64).contains(n.get_ref()) => {
                return Err(fail(format!("{}servers: must be 1 to 64", line_of(text, n.span()))));
            }
            Some(n) => *n.get_ref(),
            None => 2,
        };
        let max_in_flight = match raw.max_in_flight {
            Some(n) if !(1..=256).contains(n.get_ref()) => {
                return Err(fail(format!("{}max_in_flight: must be 1 to 256", line_of(text, n.span()))));
            }
            Some(n) => *n.get_ref(),
            None => 8,
        };
        Ok(Self {
            listen,
            interval,
            probe,
            clouds,
            status_page,
            line_protocol,
            record,
            record_days,
            scenario: ScenarioConfig {
                timeout: Duration::from_secs(timeout),
                servers,
                image: raw.image,
                flavor: raw.flavor,
                ssh_user: raw.ssh_user,
                ping_target: raw.ping_target.unwrap_or_else(|| "9.9.9.9".to_owned()),
                guest_wait: Duration::from_secs(raw.guest_wait_seconds.unwrap_or(180).max(1)),
                max_in_flight,
                ..ScenarioConfig::now()
            },
        })
    }
}

/// The record's URL: `off` is none; a relative SQLite path is beside the
/// settings file (a daemon's working directory is rarely chosen).
fn record_url(settings: &str, url: &str) -> Option<String> {
    if url == "off" {
        return None;
    }
    let Some(path) = url.strip_prefix("sqlite://") else { return Some(url.to_owned()) };
    if path.starts_with('/') || path.starts_with(':') {
        return Some(url.to_owned());
    }
    let dir = Path::new(settings).parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Some(format!("sqlite://{}", dir.join(path).display()))
}

/// Checks the `[status_page]` section; the token is read here.
fn status_page(text: &str, raw: RawStatusPage) -> Result<StatusPageSettings, String> {
    let at = |span: std::ops::Range<usize>| line_of(text, span);
    let url = raw.url.get_ref().trim_end_matches('/').to_owned();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!("{}status_page.url: {url:?} is not an http(s) URL", at(raw.url.span())));
    }
    let token = match &raw.token_file {
        Some(file) => std::fs::read_to_string(file.get_ref())
            .map(|t| t.trim().to_owned())
            .map_err(|e| format!("{}status_page.token_file: {}: {e}", at(file.span()), file.get_ref()))?,
        None => std::env::var("SCS_STATUS_TOKEN")
            .map_err(|_| "status_page: no token: set token_file, or SCS_STATUS_TOKEN in the environment".to_owned())?,
    };
    if token.is_empty() {
        return Err("status_page: the token is empty".into());
    }
    let count = |field: &str, value: &Option<Spanned<u32>>, default: u32| match value {
        Some(v) if *v.get_ref() == 0 => Err(format!("{}status_page.{field}: must be at least 1", at(v.span()))),
        Some(v) => Ok(*v.get_ref()),
        None => Ok(default),
    };
    let severity = |field: &str, value: &Option<Spanned<u8>>, default: u8| match value {
        Some(v) if !(1..=100).contains(v.get_ref()) => {
            Err(format!("{}status_page.{field}: must be 1 to 100 (0 is maintenance)", at(v.span())))
        }
        Some(v) => Ok(*v.get_ref()),
        None => Ok(default),
    };
    if let Some(l) = &raw.latency_p95_seconds
        && !(l.get_ref().is_finite() && *l.get_ref() > 0.0)
    {
        return Err(format!("{}status_page.latency_p95_seconds: must be above 0", at(l.span())));
    }
    let mut components = BTreeMap::new();
    for (service, component) in raw.components {
        let name = service.get_ref();
        if !crate::incidents::SERVICES.contains(&name.as_str()) {
            return Err(format!(
                "{}status_page.components.{name}: not a service scs health checks (one of: {})",
                at(service.span()),
                crate::incidents::SERVICES.join(", ")
            ));
        }
        components.insert(name.clone(), component);
    }
    if components.is_empty() {
        return Err("status_page.components: map at least one service to a component".into());
    }
    Ok(StatusPageSettings {
        url,
        token,
        timeout: Duration::from_secs(raw.timeout_seconds.unwrap_or(10).max(1)),
        open_after: count("open_after", &raw.open_after, 3)?,
        resolve_after: count("resolve_after", &raw.resolve_after, 3)?,
        update_every: count("update_every", &raw.update_every, 10)?,
        latency_p95_seconds: raw.latency_p95_seconds.map(|l| *l.get_ref()),
        impact_type: raw.impact_type,
        severity: severity("severity", &raw.severity, 100)?,
        slow_severity: severity("slow_severity", &raw.slow_severity, 66)?,
        components,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(name: &str) -> Result<CloudConfig, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("clouds.yaml");
        let yaml = "clouds:\n  lab:\n    auth: {auth_url: 'http://127.0.0.1:5000/v3', username: u, password: p, project_name: x}\n";
        std::fs::write(&path, yaml).map_err(|e| e.to_string())?;
        CloudConfig::load_from(&path, name).map_err(|e| e.to_string())
    }

    #[test]
    fn a_valid_file_is_read_with_defaults() {
        let c = HealthConfig::parse("h.toml", "interval_seconds = 60\n[[cloud]]\nname = \"lab\"\n", lab);
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.listen.to_string(), "127.0.0.1:9180");
        assert_eq!((c.interval, c.scenario.timeout.as_secs(), c.clouds.len()), (Some(Duration::from_secs(60)), 32, 1));
        assert_eq!(c.probe, Some(std::time::Duration::from_secs(10)));
        assert_eq!((c.record.as_deref(), c.record_days), (Some("sqlite://./scs-health.db"), 30));
        let c = HealthConfig::parse("/etc/scs/h.toml", "record = \"sqlite://r.db\"\n[[cloud]]\nname = \"lab\"\n", lab);
        assert_eq!(c.ok().and_then(|c| c.record), Some("sqlite:///etc/scs/r.db".into()));
        let c = HealthConfig::parse("h.toml", "record = \"off\"\n[[cloud]]\nname = \"lab\"\n", lab);
        assert_eq!(c.ok().map(|c| c.record), Some(None));
        let c = HealthConfig::parse("h.toml", "probe_seconds = 0\n[[cloud]]\nname = \"lab\"\n", lab);
        assert_eq!(c.map(|c| c.probe).ok(), Some(None));
        let c = HealthConfig::parse("h.toml", "interval_seconds = 0\n[[cloud]]\nname = \"lab\"\n", lab);
        assert_eq!(c.map(|c| c.interval).ok(), Some(None), "probes only");
        let c =
            HealthConfig::parse("h.toml", "interval_seconds = 0\nprobe_seconds = 0\n[[cloud]]\nname = \"lab\"\n", lab);
        assert!(c.err().map(|e| e.to_string()).unwrap_or_default().contains("nothing would run"));
    }

    #[test]
    fn errors_name_the_file_and_the_line_or_field() {
        let e = HealthConfig::parse("h.toml", "listen = \"127.0.0.1:1\"\nintervall = 3\n", lab)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.starts_with("h.toml: ") && e.contains("line 2") && e.contains("intervall"), "{e}");
        let e = HealthConfig::parse("h.toml", "[[cloud]]\nname = \"prod\"\n", lab)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("line 2: cloud[0].name: \"prod\": ") && e.contains("prod"), "{e}");
        let e = HealthConfig::parse("h.toml", "listen = \"here\"\n[[cloud]]\nname = \"lab\"\n", lab)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("listen: \"here\""), "{e}");
        let e = HealthConfig::parse("h.toml", "", lab).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("no [[cloud]]"), "{e}");
        let e = HealthConfig::parse("h.toml", "interval_seconds = \"5\"\n", lab)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("line 1") && e.contains("interval_seconds"), "{e}");
    }

    #[test]
    fn the_status_page_section_is_checked_field_by_field() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let token = dir.path().join("token");
        std::fs::write(&token, "s3cret\n").unwrap_or_else(|e| panic!("{e}"));
        let head =
            format!("[[cloud]]\nname = \"lab\"\n[status_page]\ntoken_file = {:?}\n", token.display().to_string());
        let parse = |rest: &str| HealthConfig::parse("h.toml", &format!("{head}{rest}"), lab);
        let ok = parse("url = \"http://127.0.0.1:1/\"\n[status_page.components]\nnetwork = \"Network\"\n");
        let page = ok.unwrap_or_else(|e| panic!("{e}")).status_page.unwrap_or_else(|| panic!("read"));
        assert_eq!((page.url.as_str(), page.token.as_str()), ("http://127.0.0.1:1", "s3cret"));
        assert_eq!((page.open_after, page.resolve_after, page.severity, page.slow_severity), (3, 3, 100, 66));
        assert_eq!(page.components.get("network").map(String::as_str), Some("Network"));
        for (rest, wanted) in [
            ("url = \"ftp://x\"\n[status_page.components]\nnetwork = \"N\"\n", "line 5: status_page.url: \"ftp://x\""),
            (
                "url = \"http://x\"\n[status_page.components]\nnetwrk = \"N\"\n",
                "line 7: status_page.components.netwrk: not a service",
            ),
            (
                "url = \"http://x\"\nopen_after = 0\n[status_page.components]\nnetwork = \"N\"\n",
                "line 6: status_page.open_after",
            ),
            (
                "url = \"http://x\"\nseverity = 0\n[status_page.components]\nnetwork = \"N\"\n",
                "line 6: status_page.severity: must be 1 to 100",
            ),
            ("url = \"http://x\"\n", "status_page.components: map at least one"),
            ("url = \"http://x\"\ncolour = 1\n", "colour"),
        ] {
            let e = parse(rest).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.starts_with("h.toml: ") && e.contains(wanted), "{rest}: {e}");
        }
        let e = HealthConfig::parse(
            "h.toml",
            "[[cloud]]\nname = \"lab\"\n[status_page]\nurl = \"http://x\"\ntoken_file = \"/nonexistent/t\"\n",
            lab,
        );
        let e = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("line 5: status_page.token_file: /nonexistent/t: "), "{e}");
    }
}
