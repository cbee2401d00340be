// SPDX-License-Identifier: Apache-2.0
//! The light probe: read-only calls every few seconds (a token with its
//! catalog; list servers, images, networks and volumes, at once), for an
//! API-availability signal between full iterations, which take minutes.
//! A probe creates nothing, so it cannot leak.

use crate::calls::{ApiCall, CallLog};
use scs_openstack::{CloudConfig, Session, SessionOptions};
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One failed read of a probe.
#[derive(Clone, Debug, Serialize)]
pub struct ProbeFailure {
    /// The service it reads (`network`).
    pub service: &'static str,
    /// The read (`list networks`).
    pub what: &'static str,
    /// Why it failed.
    pub message: String,
}

impl std::fmt::Display for ProbeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.message)
    }
}

/// One probe: its calls, and what failed.
#[derive(Clone, Debug, Serialize)]
pub struct Probe {
    /// The cloud.
    pub cloud: String,
    /// When it started.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// Wall time.
    pub seconds: f64,
    /// Every call, the token request included.
    pub calls: Vec<ApiCall>,
    /// The failed reads.
    pub failures: Vec<ProbeFailure>,
}

impl Probe {
    /// Every read answered.
    pub fn success(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs one probe against `cloud`.
pub async fn probe(cloud: &CloudConfig, timeout: Duration) -> Probe {
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    let log = Arc::new(CallLog::default());
    let options = SessionOptions { timeout, attempts: 1, observer: Some(log.clone()), ..SessionOptions::default() };
    let mut failures = Vec::new();
    match Session::connect(cloud, options).await {
        Err(e) => failures.push(ProbeFailure { service: "identity", what: "token", message: e.to_string() }),
        Ok(session) => {
            log.learn_catalog(&session.catalog);
            let (servers, images, networks, volumes) = tokio::join!(
                session.list_servers(),
                session.list_public_images(),
                session.list_networks(false),
                session.list_volumes(),
            );
            for (service, what, failed) in [
                ("compute", "list servers", servers.err()),
                ("image", "list images", images.err()),
                ("network", "list networks", networks.err()),
                ("block-storage", "list volumes", volumes.err()),
            ] {
                if let Some(e) = failed {
                    failures.push(ProbeFailure { service, what, message: e.to_string() });
                }
            }
        }
    }
    Probe {
        cloud: cloud.name.clone(),
        started_at,
        seconds: started.elapsed().as_secs_f64(),
        calls: log.calls(),
        failures,
    }
}
