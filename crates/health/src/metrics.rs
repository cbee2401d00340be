// SPDX-License-Identifier: Apache-2.0
//! Prometheus metrics of the iterations a daemon ran, in the text format of
//! the shared web foundation. Names (all labelled with `cloud`):
//!
//! - `scs_health_api_call_seconds` (histogram; `service`, `operation`):
//!   every API call's time to answer;
//! - `scs_health_api_calls_total` (counter; `service`, `class`): calls by
//!   outcome class (`ok`, `not_found`, `http_4xx`, `http_5xx`, `timeout`,
//!   `connect`);
//! - `scs_health_step_seconds` (histogram; `step`): each step's duration,
//!   waits for a state included (`wait server ACTIVE`);
//! - `scs_health_step_failures_total` (counter; `step`, `class`);
//! - `scs_health_iterations_total` (counter; `result` = `success` |
//!   `failure` | `interrupted`);
//! - `scs_health_iteration_seconds` (gauge): the last iteration's wall time;
//! - `scs_health_leftovers` (gauge): resources the last iteration could not
//!   delete;
//! - `scs_health_probe_call_seconds` (histogram; `service`, `operation`) and
//!   `scs_health_probes_total` (counter; `result` = `success` | `failure`):
//!   the light probes'.

use crate::probe::Probe;
use crate::scenario::{Iteration, StepOutcome};
use scs_web::metrics::{Exposition, Histogram, Kind};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Bucket bounds of API call times (seconds).
const CALL_BUCKETS: [f64; 10] = [0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
/// Bucket bounds of step times (seconds).
const STEP_BUCKETS: [f64; 9] = [0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

#[derive(Default)]
struct State {
    calls: BTreeMap<(String, String, String), Histogram>,
    classes: BTreeMap<(String, String, &'static str), u64>,
    steps: BTreeMap<(String, String), Histogram>,
    step_failures: BTreeMap<(String, String, String), u64>,
    iterations: BTreeMap<(String, &'static str), u64>,
    last_seconds: BTreeMap<String, f64>,
    leftovers: BTreeMap<String, usize>,
    probe_calls: BTreeMap<(String, String, String), Histogram>,
    probes: BTreeMap<(String, &'static str), u64>,
}

/// What every iteration so far measured.
#[derive(Default)]
pub struct HealthMetrics {
    state: Mutex<State>,
}

impl HealthMetrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts one iteration.
    pub fn record(&self, it: &Iteration) {
        let mut s = self.lock();
        let cloud = it.cloud.clone();
        for call in &it.calls {
            s.calls
                .entry((cloud.clone(), call.service.clone(), call.operation.clone()))
                .or_insert_with(|| Histogram::new(&CALL_BUCKETS))
                .observe(call.seconds);
            *s.classes.entry((cloud.clone(), call.service.clone(), call.class)).or_default() += 1;
        }
        for step in &it.steps {
            match &step.outcome {
                StepOutcome::Ok => s
                    .steps
                    .entry((cloud.clone(), step.name.clone()))
                    .or_insert_with(|| Histogram::new(&STEP_BUCKETS))
                    .observe(step.seconds),
                StepOutcome::Failed { class, .. } => {
                    *s.step_failures
                        .entry((cloud.clone(), step.name.clone(), class.as_str().to_owned()))
                        .or_default() += 1;
                }
                StepOutcome::NotRun { .. } => {}
            }
        }
        let result = if it.interrupted {
            "interrupted"
        } else if it.success() {
            "success"
        } else {
            "failure"
        };
        *s.iterations.entry((cloud.clone(), result)).or_default() += 1;
        s.last_seconds.insert(cloud.clone(), it.seconds);
        s.leftovers.insert(cloud, it.leftovers.len());
    }

    /// Counts one light probe.
    pub fn record_probe(&self, probe: &Probe) {
        let mut s = self.lock();
        for call in &probe.calls {
            s.probe_calls
                .entry((probe.cloud.clone(), call.service.clone(), call.operation.clone()))
                .or_insert_with(|| Histogram::new(&CALL_BUCKETS))
                .observe(call.seconds);
        }
        let result = if probe.success() { "success" } else { "failure" };
        *s.probes.entry((probe.cloud.clone(), result)).or_default() += 1;
    }

    /// Writes every family.
    pub fn write(&self, out: &mut Exposition) {
        let s = self.lock();
        out.family(
            "scs_health_api_call_seconds",
            Kind::Histogram,
            "Time to answer of each API call, by cloud, service and operation.",
        );
        for ((cloud, service, operation), h) in &s.calls {
            h.write(
                out,
                "scs_health_api_call_seconds",
                &[("cloud", cloud), ("service", service), ("operation", operation)],
            );
        }
        out.family("scs_health_api_calls_total", Kind::Counter, "API calls by cloud, service and outcome class.");
        for ((cloud, service, class), n) in &s.classes {
            out.sample("scs_health_api_calls_total", &[("cloud", cloud), ("service", service), ("class", class)], n);
        }
        out.family(
            "scs_health_step_seconds",
            Kind::Histogram,
            "Duration of each successful step (waits included), by cloud and step.",
        );
        for ((cloud, step), h) in &s.steps {
            h.write(out, "scs_health_step_seconds", &[("cloud", cloud), ("step", step)]);
        }
        out.family("scs_health_step_failures_total", Kind::Counter, "Failed steps by cloud, step and failure class.");
        for ((cloud, step, class), n) in &s.step_failures {
            out.sample("scs_health_step_failures_total", &[("cloud", cloud), ("step", step), ("class", class)], n);
        }
        out.family(
            "scs_health_iterations_total",
            Kind::Counter,
            "Iterations by cloud and result (success, failure, interrupted).",
        );
        for ((cloud, result), n) in &s.iterations {
            out.sample("scs_health_iterations_total", &[("cloud", cloud), ("result", result)], n);
        }
        out.family("scs_health_iteration_seconds", Kind::Gauge, "Wall time of the last iteration.");
        for (cloud, seconds) in &s.last_seconds {
            out.sample("scs_health_iteration_seconds", &[("cloud", cloud)], format!("{seconds:.3}"));
        }
        out.family("scs_health_leftovers", Kind::Gauge, "Resources the last iteration could not delete.");
        for (cloud, n) in &s.leftovers {
            out.sample("scs_health_leftovers", &[("cloud", cloud)], n);
        }
        out.family(
            "scs_health_probe_call_seconds",
            Kind::Histogram,
            "Time to answer of each light-probe call, by cloud, service and operation.",
        );
        for ((cloud, service, operation), h) in &s.probe_calls {
            h.write(
                out,
                "scs_health_probe_call_seconds",
                &[("cloud", cloud), ("service", service), ("operation", operation)],
            );
        }
        out.family(
            "scs_health_probes_total",
            Kind::Counter,
            "Light probes by cloud and result (success: every read answered).",
        );
        for ((cloud, result), n) in &s.probes {
            out.sample("scs_health_probes_total", &[("cloud", cloud), ("result", result)], n);
        }
    }
}
