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

/// One probe: its calls, and what failed.
#[derive(Clone, Debug, Serialize)]
pub struct Probe {
    /// The cloud.
    pub cloud: String,
    /// Wall time.
    pub seconds: f64,
    /// Every call, the token request included.
    pub calls: Vec<ApiCall>,
    /// One line per failed read (`list networks: …`).
    pub failures: Vec<String>,
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
    let log = Arc::new(CallLog::default());
    let options = SessionOptions { timeout, attempts: 1, observer: Some(log.clone()), ..SessionOptions::default() };
    let mut failures = Vec::new();
    match Session::connect(cloud, options).await {
        Err(e) => failures.push(format!("token: {e}")),
        Ok(session) => {
            log.learn_catalog(&session.catalog);
            let (servers, images, networks, volumes) = tokio::join!(
                session.list_servers(),
                session.list_public_images(),
                session.list_networks(false),
                session.list_volumes(),
            );
            for (what, failed) in [
                ("list servers", servers.err()),
                ("list images", images.err()),
                ("list networks", networks.err()),
                ("list volumes", volumes.err()),
            ] {
                if let Some(e) = failed {
                    failures.push(format!("{what}: {e}"));
                }
            }
        }
    }
    Probe { cloud: cloud.name.clone(), seconds: started.elapsed().as_secs_f64(), calls: log.calls(), failures }
}
