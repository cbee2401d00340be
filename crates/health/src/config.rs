// SPDX-License-Identifier: Apache-2.0
//! `scs health run`'s settings file (TOML), read into validated types: an
//! unknown key, a malformed value or a cloud missing from `clouds.yaml` is
//! an error naming the file, the line or the field, before anything runs.
//!
//! ```toml
//! listen = "127.0.0.1:9180"     # /metrics and /healthz
//! interval_seconds = 300        # from one iteration's start to the next
//! timeout_seconds = 32          # per API request
//! probe_seconds = 10            # light probes between iterations (0: none)
//! [[cloud]]
//! name = "prod"                 # the clouds.yaml entry
//! ```

use scs_openstack::CloudConfig;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

/// The daemon's settings.
#[derive(Debug, Clone)]
pub struct HealthConfig {
    /// Where `/metrics` is served.
    pub listen: SocketAddr,
    /// From one iteration's start to the next one's (at least the iteration's length).
    pub interval: Duration,
    /// Per API request.
    pub timeout: Duration,
    /// Between light probes; `None` runs none.
    pub probe: Option<Duration>,
    /// The clouds, resolved from `clouds.yaml`.
    pub clouds: Vec<CloudConfig>,
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
    #[serde(default, rename = "cloud")]
    clouds: Vec<RawCloud>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCloud {
    name: String,
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
        let interval = raw.interval_seconds.unwrap_or(300);
        if interval == 0 {
            return Err(fail("interval_seconds: must be at least 1".into()));
        }
        let timeout = raw.timeout_seconds.unwrap_or(32);
        if timeout == 0 {
            return Err(fail("timeout_seconds: must be at least 1".into()));
        }
        if raw.clouds.is_empty() {
            return Err(fail("no [[cloud]]: name at least one clouds.yaml entry to monitor".into()));
        }
        let mut clouds = Vec::new();
        for (i, c) in raw.clouds.iter().enumerate() {
            if raw.clouds[..i].iter().any(|d| d.name == c.name) {
                return Err(fail(format!("cloud[{i}].name: {:?} is listed twice", c.name)));
            }
            clouds.push(cloud(&c.name).map_err(|e| fail(format!("cloud[{i}].name: {:?}: {e}", c.name)))?);
        }
        let probe = Some(raw.probe_seconds.unwrap_or(10)).filter(|s| *s > 0).map(Duration::from_secs);
        Ok(Self {
            listen,
            interval: Duration::from_secs(interval),
            timeout: Duration::from_secs(timeout),
            probe,
            clouds,
        })
    }
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
        assert_eq!((c.interval.as_secs(), c.timeout.as_secs(), c.clouds.len()), (60, 32, 1));
        assert_eq!(c.probe, Some(std::time::Duration::from_secs(10)));
        let c = HealthConfig::parse("h.toml", "probe_seconds = 0\n[[cloud]]\nname = \"lab\"\n", lab);
        assert_eq!(c.map(|c| c.probe).ok(), Some(None));
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
        assert!(e.contains("cloud[0].name: \"prod\": ") && e.contains("prod"), "{e}");
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
}
