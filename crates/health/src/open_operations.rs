// SPDX-License-Identifier: Apache-2.0
//! Open Operations: what the monitor sees goes to the public status page
//! without a human typing it. Each watched service of a cloud maps to a
//! status-page component; the [`Tracker`] decides from each iteration's and
//! probe's verdicts when to open, update and resolve an incident, and the
//! [`Reporter`] does it through the status-page API.
//!
//! The monitor's incidents carry a last line naming the cloud and service
//! (`scs-health: cloud=prod service=network`). At start the reporter lists
//! the incidents active now and takes over those lines name, so a restart
//! never opens a duplicate; incidents without the line (typed by people, or
//! another cloud's) are never changed.

use crate::calls::ApiCall;
use crate::config::StatusPageSettings;
use crate::incidents::{Action, Evidence, Source, Thresholds, Tracker, Verdict};
use crate::probe::Probe;
use crate::scenario::{Iteration, StepOutcome};
use crate::status_page::{Impact, NewIncident, PhaseRef, StatusPage, StatusPageError};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

use crate::incidents::SERVICES;

/// Why the reporter cannot start; the message names the settings field.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SetupError {
    /// The settings field (`status_page.url`, `status_page.components.network`).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// The marker line of the monitor's incidents.
pub fn marker(cloud: &str, service: &str) -> String {
    format!("scs-health: cloud={cloud} service={service}")
}

/// A mapped component.
#[derive(Clone, Debug)]
struct Target {
    id: String,
    name: String,
}

/// Opens, updates and resolves one cloud's incidents.
#[derive(Debug)]
pub struct Reporter {
    cloud: String,
    page: StatusPage,
    targets: BTreeMap<String, Target>,
    impact_type: String,
    severity: u8,
    slow_severity: u8,
    latency_bound: Option<f64>,
    open_phase: Option<PhaseRef>,
    done_phase: Option<PhaseRef>,
    tracker: Tracker,
}

impl Reporter {
    /// Reads the components, impact types and phases of the configured
    /// status page, checks the mapping against them, and takes over the
    /// incidents this cloud's monitor left open.
    pub async fn connect(cloud: &str, settings: &StatusPageSettings) -> Result<Self, SetupError> {
        let page = StatusPage::new(&settings.url, &settings.token, settings.timeout);
        let unreachable = |e: StatusPageError| SetupError { field: "status_page.url".into(), message: e.to_string() };
        let (components, impact_types, phases) =
            futures::try_join!(page.components(), page.impact_types(), page.phases()).map_err(unreachable)?;
        let mut targets = BTreeMap::new();
        for (service, wanted) in &settings.components {
            let found = components.iter().find(|c| &c.id == wanted || &c.display_name == wanted);
            let Some(found) = found else {
                let names: Vec<&str> = components.iter().map(|c| c.display_name.as_str()).collect();
                return Err(SetupError {
                    field: format!("status_page.components.{service}"),
                    message: format!(
                        "no component {wanted:?} on {} (it has: {})",
                        page.base(),
                        if names.is_empty() { "none".to_owned() } else { names.join(", ") }
                    ),
                });
            };
            targets.insert(service.clone(), Target { id: found.id.clone(), name: found.display_name.clone() });
        }
        let impact_type = match &settings.impact_type {
            Some(wanted) => impact_types.iter().find(|t| &t.id == wanted || &t.display_name == wanted),
            None => impact_types.first(),
        };
        let Some(impact_type) = impact_type else {
            return Err(SetupError {
                field: "status_page.impact_type".into(),
                message: format!(
                    "{} has no impact type {}",
                    page.base(),
                    settings.impact_type.as_deref().map_or_else(|| "at all".to_owned(), |w| format!("{w:?}"))
                ),
            });
        };
        let phase = |i: usize| {
            (i < phases.phases.len())
                .then(|| PhaseRef { generation: phases.generation, order: u32::try_from(i).unwrap_or(0) })
        };
        // upstream's default list: Scheduled, Investigation ongoing, Working on it, Potential fix deployed, Done
        let investigating = phases.phases.iter().position(|p| p.eq_ignore_ascii_case("Investigation ongoing"));
        let thresholds = Thresholds {
            open_after: settings.open_after,
            resolve_after: settings.resolve_after,
            update_every: settings.update_every,
        };
        let mut reporter = Self {
            cloud: cloud.to_owned(),
            page,
            targets,
            impact_type: impact_type.id.clone(),
            severity: settings.severity,
            slow_severity: settings.slow_severity,
            latency_bound: settings.latency_p95_seconds,
            open_phase: phase(investigating.unwrap_or(0)),
            done_phase: phase(phases.phases.len().saturating_sub(1)),
            tracker: Tracker::new(thresholds),
        };
        reporter.adopt().await.map_err(unreachable)?;
        Ok(reporter)
    }

    /// Takes over the active incidents whose marker names this cloud.
    async fn adopt(&mut self) -> Result<(), StatusPageError> {
        let active = self.page.active_incidents(Utc::now()).await?;
        for service in self.targets.keys() {
            let marker = marker(&self.cloud, service);
            if let Some(found) = active.iter().find(|i| i.description.lines().any(|l| l.trim() == marker)) {
                tracing::info!("{}: taking over incident {} ({service})", self.cloud, found.id);
                self.tracker.adopt(service, &found.id);
            }
        }
        Ok(())
    }

    /// The open incident of `service` (after [`Reporter::connect`], also one
    /// taken over).
    pub fn open_incident(&self, service: &str) -> Option<&str> {
        self.tracker.open_incident(service)
    }

    /// Takes one iteration's verdicts.
    pub async fn iteration(&mut self, iteration: &Iteration) {
        if iteration.interrupted {
            return; // cut short by us, not by the cloud
        }
        let verdicts = iteration_verdicts(iteration, self.latency_bound);
        self.take(Source::Iteration, verdicts, iteration.started_at).await;
    }

    /// Takes one probe's verdicts.
    pub async fn probe(&mut self, probe: &Probe) {
        let verdicts = probe_verdicts(probe, self.latency_bound);
        self.take(Source::Probe, verdicts, probe.started_at).await;
    }

    async fn take(&mut self, source: Source, verdicts: BTreeMap<String, Verdict>, at: DateTime<Utc>) {
        for (service, verdict) in verdicts {
            if !self.targets.contains_key(&service) {
                continue;
            }
            let Some(action) = self.tracker.observe(&service, source, &verdict, at) else { continue };
            if let Err(e) = self.act(&action).await {
                // the tracker was not told: the next check decides again
                tracing::warn!("{}: status page: {e}", self.cloud);
            }
        }
    }

    async fn act(&mut self, action: &Action) -> Result<(), StatusPageError> {
        match action {
            Action::Open { service, began_at, failed_checks, evidence } => {
                let Some(target) = self.targets.get(service) else { return Ok(()) };
                let what = if evidence.slow_only { "slow" } else { "failing" };
                let incident = NewIncident {
                    display_name: format!("{}: {} {what} on {}", target.name, service, self.cloud),
                    description: format!(
                        "scs health found {service} {what} on cloud {} in {failed_checks} checks in a row:\n\n{}\n\n{}",
                        self.cloud,
                        bullets(&evidence.lines),
                        marker(&self.cloud, service)
                    ),
                    began_at: *began_at,
                    affects: vec![Impact {
                        reference: target.id.clone(),
                        kind: self.impact_type.clone(),
                        severity: if evidence.slow_only { self.slow_severity } else { self.severity },
                    }],
                    phase: self.open_phase,
                };
                let id = self.page.create_incident(&incident).await?;
                tracing::warn!("{}: opened incident {id} on {} ({service} {what})", self.cloud, target.name);
                self.tracker.opened(service, &id, &evidence.key);
            }
            Action::Update { service, incident, failed_checks, evidence } => {
                let title = format!("Still {}", if evidence.slow_only { "slow" } else { "failing" });
                let text =
                    format!("{failed_checks} failed checks since the last report:\n\n{}", bullets(&evidence.lines));
                self.page.add_update(incident, &title, &text).await?;
                self.tracker.updated(service, &evidence.key);
            }
            Action::Resolve { service, incident, good_checks } => {
                let text = format!("{good_checks} checks in a row of {service} on {} passed.", self.cloud);
                self.page.add_update(incident, "Resolved", &text).await?;
                self.page.end_incident(incident, self.done_phase).await?;
                tracing::warn!("{}: resolved incident {incident} ({service})", self.cloud);
                self.tracker.resolved(service);
            }
        }
        Ok(())
    }
}

fn bullets(lines: &[String]) -> String {
    lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n")
}

/// The 95th percentile of `seconds` (nearest rank).
fn p95(mut seconds: Vec<f64>) -> Option<f64> {
    seconds.sort_by(f64::total_cmp);
    crate::calls::percentile(&seconds, 95)
}

/// The failed calls of `service` as `OPERATION: class ×n` lines.
fn failed_calls(calls: &[ApiCall], service: &str) -> Vec<String> {
    let mut counts: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for c in calls.iter().filter(|c| c.service == service && c.failed()) {
        *counts.entry((c.operation.clone(), c.class)).or_default() += 1;
    }
    counts.into_iter().map(|((op, class), n)| format!("{op}: {class} ×{n}")).collect()
}

/// A verdict from failure lines, the failed calls and latency.
fn verdict(
    mut lines: Vec<String>,
    mut key: BTreeSet<String>,
    calls: &[ApiCall],
    service: &str,
    bound: Option<f64>,
) -> Verdict {
    let failed_before_latency = !lines.is_empty();
    for line in failed_calls(calls, service) {
        key.insert(line.split(" ×").next().unwrap_or_default().to_owned());
        lines.push(line);
    }
    let failed = failed_before_latency || !lines.is_empty();
    let p95 = p95(calls.iter().filter(|c| c.service == service && !c.failed()).map(|c| c.seconds).collect());
    let slow = matches!((bound, p95), (Some(b), Some(p)) if p > b);
    if slow {
        let (b, p) = (bound.unwrap_or_default(), p95.unwrap_or_default());
        lines.push(format!("95th percentile of the API calls {p:.2} s, above the bound of {b:.2} s"));
        key.insert("slow".to_owned());
    }
    if !failed && !slow {
        return Verdict::Good;
    }
    Verdict::Failing(Evidence { lines, key: key.into_iter().collect::<Vec<_>>().join(","), slow_only: !failed })
}

/// Each exercised service's verdict in `iteration`: failing when one of its
/// steps failed or one of its calls got an error (or, with a `bound`, its
/// calls' p95 is above it); services it did not reach have none.
pub fn iteration_verdicts(iteration: &Iteration, bound: Option<f64>) -> BTreeMap<String, Verdict> {
    let mut out = BTreeMap::new();
    for service in SERVICES {
        let steps: Vec<_> = iteration.steps.iter().filter(|s| s.service == service).collect();
        let called = iteration.calls.iter().any(|c| c.service == service);
        if !called && steps.iter().all(|s| matches!(s.outcome, StepOutcome::NotRun { .. })) {
            continue;
        }
        let mut lines = Vec::new();
        let mut key = BTreeSet::new();
        for s in steps {
            if let StepOutcome::Failed { class, message } = &s.outcome {
                lines.push(format!("{} ({}): {message}", s.name, class.as_str()));
                key.insert(format!("{}:{}", s.name, class.as_str()));
            }
        }
        out.insert(service.to_owned(), verdict(lines, key, &iteration.calls, service, bound));
    }
    out
}

/// Each service's verdict in `probe` (those it reached).
pub fn probe_verdicts(probe: &Probe, bound: Option<f64>) -> BTreeMap<String, Verdict> {
    let mut out = BTreeMap::new();
    for service in SERVICES {
        let failures: Vec<_> = probe.failures.iter().filter(|f| f.service == service).collect();
        let called = probe.calls.iter().any(|c| c.service == service);
        if !called && failures.is_empty() {
            continue;
        }
        let lines = failures.iter().map(|f| format!("probe {}: {}", f.what, f.message)).collect();
        let key = failures.iter().map(|f| format!("probe {}", f.what)).collect();
        out.insert(service.to_owned(), verdict(lines, key, &probe.calls, service, bound));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{FailureClass, Step};

    fn call(service: &str, class: &'static str, seconds: f64) -> ApiCall {
        ApiCall {
            service: service.into(),
            operation: "POST /v2.0/networks".into(),
            status: None,
            class,
            seconds,
            at: 0.0,
        }
    }

    fn step(name: &str, service: &'static str, outcome: StepOutcome) -> Step {
        Step { name: name.into(), service, wait: false, at: 0.0, seconds: 0.1, outcome }
    }

    #[test]
    fn an_iteration_fails_the_services_whose_steps_or_calls_failed() {
        let iteration = Iteration {
            cloud: "lab".into(),
            prefix: "scs-health-1-".into(),
            started_at: Utc::now(),
            seconds: 3.0,
            steps: vec![
                step("token and catalog", "identity", StepOutcome::Ok),
                step(
                    "create network",
                    "network",
                    StepOutcome::Failed { class: FailureClass::Connect, message: "no connection".into() },
                ),
                step("boot server", "compute", StepOutcome::NotRun { reason: "no network".into() }),
            ],
            calls: vec![call("identity", "ok", 0.2), call("network", "connect", 0.01), call("image", "ok", 3.0)],
            leftovers: vec![],
            interrupted: false,
            pauses: vec![],
        };
        let v = iteration_verdicts(&iteration, Some(2.0));
        assert_eq!(v.get("identity"), Some(&Verdict::Good));
        let Some(Verdict::Failing(network)) = v.get("network") else { panic!("{v:?}") };
        assert_eq!(network.key, "POST /v2.0/networks: connect,create network:connect");
        assert!(network.lines[0].contains("create network (connect): no connection"), "{network:?}");
        assert!(!network.slow_only);
        assert!(!v.contains_key("compute"), "a service not reached has no verdict");
        let Some(Verdict::Failing(image)) = v.get("image") else { panic!("{v:?}") };
        assert!(image.slow_only && image.lines[0].contains("3.00 s"), "{image:?}");
    }

    #[test]
    fn p95_is_the_nearest_rank() {
        assert_eq!(p95(vec![]), None);
        assert_eq!(p95(vec![1.0]), Some(1.0));
        let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(p95(hundred), Some(95.0));
    }
}
