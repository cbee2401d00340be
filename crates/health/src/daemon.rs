// SPDX-License-Identifier: Apache-2.0
//! `scs health run`: iterations against each configured cloud, one after
//! the other per cloud and the clouds at once, every `interval` from one
//! iteration's start to the next, until stopped. Stopping interrupts the
//! running iterations, which clean up before the loops end.

use crate::line_protocol::{self, LineSink};
use crate::metrics::HealthMetrics;
use crate::open_operations::Reporter;
use crate::probe::Probe;
use crate::record::Record;
use crate::scenario::{Iteration, ScenarioConfig, iterate};
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

/// Where one cloud's iterations and probes go: the metrics, the local
/// record, the status page and line protocol (each if configured).
#[derive(Clone)]
pub struct Outputs {
    /// The Prometheus metrics of every cloud.
    pub metrics: Arc<HealthMetrics>,
    /// This cloud's status-page reporter.
    pub reporter: Option<SharedReporter>,
    /// Line protocol's destination.
    pub lines: Option<LineSink>,
    /// The local record.
    pub record: Option<Record>,
}

impl Outputs {
    /// Records `iteration` everywhere.
    pub async fn iteration(&self, iteration: &Iteration) {
        self.metrics.record(iteration);
        if let Some(record) = &self.record
            && let Err(e) = record.iteration(iteration).await
        {
            tracing::warn!("{}: {e}", iteration.cloud);
        }
        if let Some(sink) = &self.lines
            && let Err(e) = sink.write(&line_protocol::iteration_lines(&iteration.cloud, iteration)).await
        {
            tracing::warn!("{}: line protocol: {e}", iteration.cloud);
        }
        if let Some(reporter) = &self.reporter {
            reporter.lock().await.iteration(iteration).await;
        }
    }

    /// Records `probe` everywhere.
    pub async fn probe(&self, probe: &Probe) {
        self.metrics.record_probe(probe);
        if let Some(record) = &self.record
            && let Err(e) = record.probe(probe).await
        {
            tracing::warn!("{}: {e}", probe.cloud);
        }
        if let Some(sink) = &self.lines
            && let Err(e) = sink.write(&line_protocol::probe_lines(&probe.cloud, probe)).await
        {
            tracing::warn!("{}: line protocol: {e}", probe.cloud);
        }
        if let Some(reporter) = &self.reporter {
            reporter.lock().await.probe(probe).await;
        }
    }
}

/// Runs iterations of `scenario` (each with its own prefix) against
/// `cloud` every `interval` until `stop` turns true, giving each to
/// `outputs`; returns how many ran.
pub async fn monitor(
    cloud: CloudConfig,
    interval: Duration,
    scenario: ScenarioConfig,
    outputs: Outputs,
    stop: watch::Receiver<bool>,
) -> u64 {
    let mut done = 0;
    // prefixes of iterations whose teardown did not finish: swept by the next ones
    let mut unfinished: Vec<String> = Vec::new();
    while !*stop.borrow() {
        let started = tokio::time::Instant::now();
        let config = ScenarioConfig {
            prefix: ScenarioConfig::now().prefix,
            earlier_leftovers: unfinished.clone(),
            ..scenario.clone()
        };
        let iteration = iterate(&cloud, &config, stopped(stop.clone())).await;
        for leftover in &iteration.leftovers {
            tracing::warn!("{}: left behind: {leftover}", cloud.name);
        }
        unfinished = iteration.unfinished(&config);
        for step in iteration.failures() {
            tracing::warn!("{}: {} failed: {:?}", cloud.name, step.name, step.outcome);
        }
        outputs.iteration(&iteration).await;
        done += 1;
        tokio::select! {
            () = tokio::time::sleep_until(started + interval) => {}
            () = stopped(stop.clone()) => {}
        }
    }
    if !unfinished.is_empty() {
        for problem in crate::scenario::sweep_prefixes(&cloud, &unfinished, scenario.timeout).await {
            tracing::warn!("{}: left behind ({}): {problem}", cloud.name, unfinished.join(", "));
        }
    }
    done
}

/// Runs a light probe against `cloud` every `every` until `stop` turns
/// true, giving each to `outputs`; returns how many ran.
pub async fn probe_loop(
    cloud: CloudConfig,
    every: Duration,
    timeout: Duration,
    outputs: Outputs,
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
        outputs.probe(&probe).await;
        done += 1;
        tokio::select! {
            () = tokio::time::sleep_until(started + every) => {}
            () = stopped(stop.clone()) => {}
        }
    }
    done
}
