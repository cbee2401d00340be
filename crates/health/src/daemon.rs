// SPDX-License-Identifier: Apache-2.0
//! `scs health run`: iterations against each configured cloud, one after
//! the other per cloud and the clouds at once, every `interval` from one
//! iteration's start to the next, until stopped. Stopping interrupts the
//! running iterations, which clean up before the loops end.

use crate::metrics::HealthMetrics;
use crate::open_operations::Reporter;
use crate::scenario::{ScenarioConfig, iterate};
use scs_openstack::CloudConfig;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Resolves when `stop` turns true (or its sender is gone).
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// The cloud's status-page reporter, shared by its iterations and probes.
pub type SharedReporter = Arc<tokio::sync::Mutex<Reporter>>;

/// Runs iterations against `cloud` every `interval` until `stop` turns
/// true, recording each in `metrics` and telling `reporter`; returns how
/// many ran.
pub async fn monitor(
    cloud: CloudConfig,
    interval: Duration,
    timeout: Duration,
    metrics: Arc<HealthMetrics>,
    reporter: Option<SharedReporter>,
    stop: watch::Receiver<bool>,
) -> u64 {
    let mut done = 0;
    while !*stop.borrow() {
        let started = tokio::time::Instant::now();
        let config = ScenarioConfig { timeout, ..ScenarioConfig::now() };
        let iteration = iterate(&cloud, &config, stopped(stop.clone())).await;
        for leftover in &iteration.leftovers {
            tracing::warn!("{}: left behind: {leftover}", cloud.name);
        }
        for step in iteration.failures() {
            tracing::warn!("{}: {} failed: {:?}", cloud.name, step.name, step.outcome);
        }
        metrics.record(&iteration);
        if let Some(reporter) = &reporter {
            reporter.lock().await.iteration(&iteration).await;
        }
        done += 1;
        tokio::select! {
            () = tokio::time::sleep_until(started + interval) => {}
            () = stopped(stop.clone()) => {}
        }
    }
    done
}

/// Runs a light probe against `cloud` every `every` until `stop` turns
/// true, recording each in `metrics` and telling `reporter`; returns how
/// many ran.
pub async fn probe_loop(
    cloud: CloudConfig,
    every: Duration,
    timeout: Duration,
    metrics: Arc<HealthMetrics>,
    reporter: Option<SharedReporter>,
    stop: watch::Receiver<bool>,
) -> u64 {
    let mut done = 0;
    while !*stop.borrow() {
        let started = tokio::time::Instant::now();
        let result = tokio::select! {
            p = crate::probe::probe(&cloud, timeout) => Some(p),
            () = stopped(stop.clone()) => None,
        };
        let Some(probe) = result else { break };
        for failure in &probe.failures {
            tracing::warn!("{}: probe: {failure}", cloud.name);
        }
        metrics.record_probe(&probe);
        if let Some(reporter) = &reporter {
            reporter.lock().await.probe(&probe).await;
        }
        done += 1;
        tokio::select! {
            () = tokio::time::sleep_until(started + every) => {}
            () = stopped(stop.clone()) => {}
        }
    }
    done
}
