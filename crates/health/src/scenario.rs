// SPDX-License-Identifier: Apache-2.0
//! One health iteration, as openstack-health-monitor runs it: token and
//! catalog; a network, subnet and router (with its interface), a security
//! group and a bootable volume, built at once; a server booted from the
//! volume; then everything torn down in dependency order. Each step is
//! timed, waits for a state are steps of their own, and a failed step says
//! why in a class a status page can act on (HTTP error, quota, timeout, no
//! connection, resource in ERROR, wait timed out).
//!
//! Every resource is recorded in the checks' [`Ledger`] the moment it
//! exists and deleted at the end, also when a step failed or the iteration
//! was interrupted; what cannot be deleted is reported as a leftover.
//! Guest checks (SSH, ping) need a floating IP and a hypervisor that runs
//! guests; they are reported as not run, with the reason, until built.

use crate::calls::{ApiCall, CallLog};
use scs_checks::cleanup::{Sweep, sweep};
use scs_checks::scratch::{Kind, Ledger, PauseLog, WaitError, wait_until};
use scs_openstack::compute::{BootServer, Root};
use scs_openstack::{ApiError, CloudConfig, Flavor, Image, Session, SessionOptions};
use serde::Serialize;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The prefix every health resource name starts with (`scs cleanup`
/// sweeps it by default).
pub const PREFIX: &str = "scs-health-";

/// How long after an interrupt a creation whose request was cut off may
/// still appear in the cloud (the request was sent; the service finishes it).
const LATE_CREATIONS: Duration = Duration::from_secs(3);

/// What an iteration does.
#[derive(Clone, Debug)]
pub struct ScenarioConfig {
    /// This iteration's name prefix (starts with [`PREFIX`]).
    pub prefix: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Prefixes of earlier iterations that left resources behind (their
    /// teardown failed, say while Keystone was down): swept first.
    pub earlier_leftovers: Vec<String>,
    /// How many servers (#1, #3, … boot from a volume, #2, #4, … from the
    /// image), spread over the availability zones and a network per zone.
    pub servers: usize,
    /// The image by name (`None`: the active public one needing the least disk).
    pub image: Option<String>,
    /// The flavor by name (`None`: the cheapest with the memory the image needs).
    pub flavor: Option<String>,
    /// The guests' user (`None`: the image's `image_original_user`, else `ubuntu`).
    pub ssh_user: Option<String>,
    /// What the guest pings.
    pub ping_target: String,
    /// How long a guest may take to answer SSH.
    pub guest_wait: Duration,
    /// At most this many API requests in flight at once.
    pub max_in_flight: usize,
}

impl ScenarioConfig {
    /// An iteration named by the current time (`scs-health-<unix seconds>-`).
    pub fn now() -> Self {
        Self {
            prefix: format!("{PREFIX}{}-", chrono::Utc::now().timestamp()),
            timeout: Duration::from_secs(32),
            earlier_leftovers: Vec::new(),
            servers: 2,
            image: None,
            flavor: None,
            ssh_user: None,
            ping_target: "9.9.9.9".to_owned(),
            guest_wait: Duration::from_secs(180),
            max_in_flight: 8,
        }
    }
}

/// Why a step failed, in classes a status page and a dashboard act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    /// The API answered an error status.
    Http,
    /// The project's quota does not allow it.
    Quota,
    /// No answer within the timeout.
    Timeout,
    /// No connection to the endpoint.
    Connect,
    /// Authentication failed.
    Auth,
    /// The service is not in the catalog.
    NoEndpoint,
    /// The resource went to an error state.
    ResourceError,
    /// The resource did not reach the state in time.
    WaitTimeout,
    /// The guest did not answer, refused the login, or could not reach out.
    Guest,
    /// Anything else (an answer that could not be read, nothing to use).
    Other,
}

impl FailureClass {
    /// The class as a metrics label (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Quota => "quota",
            Self::Timeout => "timeout",
            Self::Connect => "connect",
            Self::Auth => "auth",
            Self::NoEndpoint => "no_endpoint",
            Self::ResourceError => "resource_error",
            Self::WaitTimeout => "wait_timeout",
            Self::Guest => "guest",
            Self::Other => "other",
        }
    }
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StepOutcome {
    /// It did what it should.
    Ok,
    /// It failed.
    Failed {
        /// The class.
        class: FailureClass,
        /// What happened, naming the resource and the call.
        message: String,
    },
    /// It was not run; never counted as passed.
    NotRun {
        /// Why.
        reason: String,
    },
}

/// One step of an iteration.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// What it does (`create network`, `wait server ACTIVE`).
    pub name: String,
    /// The service it exercises (the status-page component it maps to).
    pub service: &'static str,
    /// Whether it waits for a state rather than making a call.
    pub wait: bool,
    /// Seconds from the iteration's start to the step's start.
    pub at: f64,
    /// Its duration.
    pub seconds: f64,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: StepOutcome,
}

/// One iteration.
#[derive(Clone, Debug, Serialize)]
pub struct Iteration {
    /// The cloud (`clouds.yaml` name).
    pub cloud: String,
    /// Its resources' name prefix.
    pub prefix: String,
    /// When it started.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// Its wall time.
    pub seconds: f64,
    /// Its steps, in the order they started.
    pub steps: Vec<Step>,
    /// Every API call, in the order answered.
    pub calls: Vec<ApiCall>,
    /// Resources that could not be deleted.
    pub leftovers: Vec<String>,
    /// Whether SIGINT/SIGTERM cut it short (it was cleaned up all the same).
    pub interrupted: bool,
    /// The pauses between polls (waiting for a state, for a deletion).
    pub pauses: Vec<Span>,
}

/// A stretch of an iteration.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Span {
    /// Its start, in seconds from the iteration's start.
    pub at: f64,
    /// Its length.
    pub seconds: f64,
}

/// Where an iteration's wall time went.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TimeBudget {
    /// The iteration's wall time.
    pub wall: f64,
    /// Time in which a call was in flight or a poll paused: waiting for the
    /// cloud, on the critical path of the chains run at once.
    pub waiting: f64,
    /// The sum of every call's time (calls at once counted each).
    pub api_seconds: f64,
    /// The rest: the runner's own time.
    pub overhead: f64,
}

impl TimeBudget {
    /// `overhead / wall`.
    pub fn overhead_share(&self) -> f64 {
        if self.wall > 0.0 { self.overhead / self.wall } else { 0.0 }
    }
}

impl Iteration {
    /// No step failed, nothing was left behind, and it ran to its end.
    pub fn success(&self) -> bool {
        !self.interrupted
            && self.leftovers.is_empty()
            && self.steps.iter().all(|s| !matches!(s.outcome, StepOutcome::Failed { .. }))
    }

    /// The steps that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| matches!(s.outcome, StepOutcome::Failed { .. }))
    }

    /// The prefixes the next iteration must sweep: the earlier ones if
    /// their sweep did not run or failed, and this one's if its teardown
    /// did not finish (leftovers, or a failed teardown).
    pub fn unfinished(&self, config: &ScenarioConfig) -> Vec<String> {
        let outcome = |name: &str| self.steps.iter().find(|s| s.name == name).map(|s| &s.outcome);
        let mut out = Vec::new();
        if !config.earlier_leftovers.is_empty() && outcome("sweep earlier leftovers") != Some(&StepOutcome::Ok) {
            out.extend(config.earlier_leftovers.iter().cloned());
        }
        let teardown_failed = matches!(outcome("teardown"), Some(StepOutcome::Failed { .. }));
        if teardown_failed || !self.leftovers.is_empty() {
            out.push(self.prefix.clone());
        }
        out
    }

    /// Where the wall time went: waiting for the cloud (the union of the
    /// calls' and the pauses' spans) or in the runner.
    pub fn time_budget(&self) -> TimeBudget {
        let mut spans: Vec<(f64, f64)> = self
            .calls
            .iter()
            .map(|c| (c.at, c.at + c.seconds))
            .chain(self.pauses.iter().map(|p| (p.at, p.at + p.seconds)))
            .collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut waiting = 0.0;
        let mut current: Option<(f64, f64)> = None;
        for (start, end) in spans {
            match &mut current {
                Some((_, e)) if start <= *e => *e = e.max(end),
                _ => {
                    if let Some((s, e)) = current {
                        waiting += e - s;
                    }
                    current = Some((start, end));
                }
            }
        }
        if let Some((s, e)) = current {
            waiting += e - s;
        }
        let waiting = waiting.min(self.seconds);
        TimeBudget {
            wall: self.seconds,
            waiting,
            api_seconds: self.calls.iter().map(|c| c.seconds).sum(),
            overhead: (self.seconds - waiting).max(0.0),
        }
    }
}

/// A failed step's class and message.
#[derive(Clone, Debug)]
struct Failure {
    class: FailureClass,
    message: String,
}

impl Failure {
    fn other(message: impl Into<String>) -> Self {
        Self { class: FailureClass::Other, message: message.into() }
    }

    fn api(what: &str, e: &ApiError) -> Self {
        let class = match e {
            ApiError::Status { status, body, .. } => {
                let quota = body.to_ascii_lowercase().contains("quota");
                if status.as_u16() == 413 || (quota && matches!(status.as_u16(), 403 | 409)) {
                    FailureClass::Quota
                } else {
                    FailureClass::Http
                }
            }
            ApiError::Timeout { .. } => FailureClass::Timeout,
            ApiError::Connect { .. } | ApiError::Tls(_) => FailureClass::Connect,
            ApiError::Auth { .. } => FailureClass::Auth,
            ApiError::NoEndpoint { .. } => FailureClass::NoEndpoint,
            ApiError::Decode { .. } => FailureClass::Other,
        };
        Self { class, message: format!("{what}: {e}") }
    }

    fn wait(e: &WaitError) -> Self {
        match e {
            WaitError::Api { what, source } => Self::api(&format!("waiting for {what}"), source),
            WaitError::InError { .. } => Self { class: FailureClass::ResourceError, message: e.to_string() },
            WaitError::TimedOut { .. } => Self { class: FailureClass::WaitTimeout, message: e.to_string() },
        }
    }
}

/// The steps of a running iteration, timed against its start.
///
/// An interrupt sets `cancel`: a step not yet started is not run, a wait is
/// abandoned (it only reads), but a call that creates something is let
/// finish, so that what it made is in the ledger for the teardown. (Dropping
/// it instead leaves a request the service may still carry out after every
/// sweep: seen on a loaded lab, a router created after the interrupt's two
/// sweeps.)
struct Recorder {
    started: Instant,
    steps: Mutex<Vec<Step>>,
    cancel: tokio::sync::watch::Receiver<bool>,
}

impl Recorder {
    fn push(&self, step: Step) {
        self.steps.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(step);
    }

    /// Runs `work` as the step `name` unless the iteration was interrupted,
    /// and records its time and outcome.
    async fn step<T>(
        &self,
        name: &str,
        service: &'static str,
        wait: bool,
        work: impl Future<Output = Result<T, Failure>>,
    ) -> Option<T> {
        if *self.cancel.borrow() {
            self.not_run(name, service, "the iteration was interrupted");
            return None;
        }
        if !wait {
            return self.always(name, service, wait, work).await;
        }
        let mut cancel = self.cancel.clone();
        let interrupted = async move {
            let _ = cancel.wait_for(|c| *c).await;
            Err(Failure::other("interrupted while waiting"))
        };
        self.always(name, service, wait, async {
            tokio::select! {
                result = work => result,
                result = interrupted => result,
            }
        })
        .await
    }

    /// The wait step `name`: polls `status` until it is `target`, with the
    /// check core's waits; `what` names the resource in a failure.
    async fn wait<F, Fut>(&self, name: &str, service: &'static str, what: &str, target: &str, status: F) -> Option<()>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<String, ApiError>>,
    {
        self.step(name, service, true, async { wait_until(what, target, status).await.map_err(|e| Failure::wait(&e)) })
            .await
    }

    /// Runs `work` as the step `name`, interrupted or not (the teardown).
    async fn always<T>(
        &self,
        name: &str,
        service: &'static str,
        wait: bool,
        work: impl Future<Output = Result<T, Failure>>,
    ) -> Option<T> {
        let at = self.started.elapsed().as_secs_f64();
        let began = Instant::now();
        let result = work.await;
        let seconds = began.elapsed().as_secs_f64();
        let (outcome, value) = match result {
            Ok(v) => (StepOutcome::Ok, Some(v)),
            Err(f) => (StepOutcome::Failed { class: f.class, message: f.message }, None),
        };
        self.push(Step { name: name.to_owned(), service, wait, at, seconds, outcome });
        value
    }

    fn not_run(&self, name: &str, service: &'static str, reason: &str) {
        let at = self.started.elapsed().as_secs_f64();
        let outcome = StepOutcome::NotRun { reason: reason.to_owned() };
        self.push(Step { name: name.to_owned(), service, wait: false, at, seconds: 0.0, outcome });
    }

    fn into_steps(self) -> Vec<Step> {
        let mut steps = self.steps.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        steps.sort_by(|a, b| a.at.total_cmp(&b.at));
        steps
    }
}

/// Runs one iteration against `cloud` until it is done or `interrupt`
/// completes; cleans up in both cases.
pub async fn iterate(cloud: &CloudConfig, config: &ScenarioConfig, interrupt: impl Future<Output = ()>) -> Iteration {
    let started_at = chrono::Utc::now();
    let (cancel, cancelled) = tokio::sync::watch::channel(false);
    let recorder = Recorder { started: Instant::now(), steps: Mutex::new(Vec::new()), cancel: cancelled };
    let log = Arc::new(CallLog::default());
    let options = SessionOptions {
        timeout: config.timeout,
        observer: Some(log.clone()),
        max_in_flight: Some(config.max_in_flight),
        ..SessionOptions::default()
    };
    let ledger = Ledger::default();
    let session = recorder
        .step("token and catalog", "identity", false, async {
            Session::connect(cloud, options).await.map_err(|e| Failure::api("authenticating", &e))
        })
        .await;
    let pauses = Arc::new(PauseLog::default());
    let mut interrupted = false;
    let mut leftovers = Vec::new();
    if let Some(session) = session {
        pauses
            .record(async {
                log.learn_catalog(&session.catalog);
                if !config.earlier_leftovers.is_empty() {
                    let earlier = Sweep { prefixes: config.earlier_leftovers.clone(), volumes_only: false };
                    recorder
                        .always("sweep earlier leftovers", "all", false, async {
                            let failed = sweep(&session, &earlier, false).await.failed;
                            if failed.is_empty() { Ok(()) } else { Err(Failure::other(failed.join("; "))) }
                        })
                        .await;
                }
                // everything of this iteration, found by name (what the ledger cannot know)
                let ours = Sweep { prefixes: vec![config.prefix.clone()], volumes_only: false };
                let build = build::build(&session, &ledger, &recorder, config);
                tokio::pin!(build);
                tokio::select! {
                    () = &mut build => {}
                    () = interrupt => {
                        interrupted = true;
                        // the calls in flight finish (and are in the ledger), nothing new starts
                        let _ = cancel.send(true);
                        build.await;
                    }
                }
                let teardown = recorder
                    .always("teardown", "all", false, async {
                        let mut problems = ledger.clean(&session, |_| true).await;
                        if interrupted || !problems.is_empty() {
                            // a creation in flight when the iteration stopped has no id in the
                            // ledger (a router interface, say, that keeps its router and subnet
                            // in use): find everything by the iteration's prefix; once more a
                            // little later, for a creation the service finished after the first
                            // listing (a boot volume whose request was cut off)
                            problems = sweep(&session, &ours, false).await.failed;
                            if interrupted {
                                tokio::time::sleep(LATE_CREATIONS).await;
                                problems.extend(sweep(&session, &ours, false).await.failed);
                            }
                        }
                        if problems.is_empty() { Ok(()) } else { Err(Failure::other(problems.join("; "))) }
                    })
                    .await;
                if teardown.is_none() {
                    leftovers = sweep(&session, &ours, true).await.found.iter().map(ToString::to_string).collect();
                }
            })
            .await;
    }
    let pauses = pauses
        .spans()
        .into_iter()
        .map(|(start, end)| Span {
            at: start.saturating_duration_since(recorder.started).as_secs_f64(),
            seconds: end.saturating_duration_since(start).as_secs_f64(),
        })
        .collect();
    Iteration {
        cloud: cloud.name.clone(),
        prefix: config.prefix.clone(),
        started_at,
        seconds: recorder.started.elapsed().as_secs_f64(),
        steps: recorder.into_steps(),
        calls: log.calls(),
        leftovers,
        interrupted,
        pauses,
    }
}

/// Sweeps what iterations named by `prefixes` left behind (a daemon
/// stopping with unfinished teardowns); says what could not be removed.
pub async fn sweep_prefixes(cloud: &CloudConfig, prefixes: &[String], timeout: Duration) -> Vec<String> {
    let options = SessionOptions { timeout, ..SessionOptions::default() };
    match Session::connect(cloud, options).await {
        Ok(session) => {
            let leftovers = Sweep { prefixes: prefixes.to_vec(), volumes_only: false };
            sweep(&session, &leftovers, false).await.failed
        }
        Err(e) => vec![format!("authenticating: {e}")],
    }
}

/// A server that reached ACTIVE, and the subnet it is on (for the load
/// balancer's members).
struct Booted {
    id: String,
    subnet: String,
}

mod build;
mod load_balancer;
mod object_store;

#[cfg(test)]
mod tests {
    use super::*;

    fn call(at: f64, seconds: f64) -> ApiCall {
        ApiCall { service: "network".into(), operation: "GET /".into(), status: Some(200), class: "ok", seconds, at }
    }

    #[test]
    fn the_time_budget_counts_overlapping_calls_and_pauses_once() {
        let iteration = Iteration {
            cloud: "lab".into(),
            prefix: "scs-health-1-".into(),
            started_at: chrono::Utc::now(),
            seconds: 10.0,
            steps: vec![],
            // 0-2 and 1-3 at once, 5-6; a pause 2.5-4.5 joins the first stretch
            calls: vec![call(0.0, 2.0), call(1.0, 2.0), call(5.0, 1.0)],
            leftovers: vec![],
            interrupted: false,
            pauses: vec![Span { at: 2.5, seconds: 2.0 }],
        };
        let budget = iteration.time_budget();
        assert_eq!((budget.waiting, budget.api_seconds, budget.overhead), (5.5, 5.0, 4.5));
        assert!((budget.overhead_share() - 0.45).abs() < 1e-9);
    }
}
