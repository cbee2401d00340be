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
                let build = build(&session, &ledger, &recorder, config);
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

/// What the iteration builds on, chosen at its start.
struct Basis {
    image: Image,
    /// For servers booted from a volume (memory is what matters).
    flavor: Flavor,
    /// For servers booted from the image (also a root disk big enough).
    image_flavor: Option<Flavor>,
}

/// Everything up to running servers and what uses them; a chain stops at
/// its first failure, the others go on.
async fn build(session: &Session, ledger: &Ledger, rec: &Recorder, config: &ScenarioConfig) {
    let prefix = config.prefix.as_str();
    let basis = rec.step("list images and flavors", "compute", false, async {
        let (images, flavors) = futures::try_join!(session.list_public_images(), session.list_flavors())
            .map_err(|e| Failure::api("listing images and flavors", &e))?;
        choose(&images, &flavors, config.image.as_deref(), config.flavor.as_deref())
    });
    let zones = rec.step("list availability zones", "compute", false, async {
        session.availability_zones().await.map_err(|e| Failure::api("list availability zones", &e))
    });
    // the network floating IPs come from and the router's gateway goes to, if the cloud has one
    let external = rec.step("list external networks", "network", false, async {
        let found = session.list_networks(true).await.map_err(|e| Failure::api("list external networks", &e))?;
        Ok(found.into_iter().next().map(|n| n.id))
    });
    let (basis, zones, external) = tokio::join!(basis, zones, external);
    let (zones, external) = (zones.unwrap_or_default(), external.flatten());
    let servers = config.servers.max(1);
    // a network per availability zone (as openstack-health-monitor), no more than there are servers
    let networks = zones.len().clamp(1, servers);

    let sg_name = format!("{prefix}sg");
    let key_name = format!("{prefix}key");
    // the guests' key: OpenSSH's ssh-keygen, or Nova makes one (and the guest checks cannot run)
    let guest_key = crate::guest::GuestKey::new();
    let data_name = format!("{prefix}data");
    let boot_volumes = async {
        let Some(basis) = &basis else { return Vec::new() };
        // servers #1, #3, … boot from a volume (k = 0, 2, …), #2, #4, … from the image
        let made = (0..servers).step_by(2).map(|k| boot_volume(session, ledger, rec, prefix, k + 1, &basis.image));
        futures::future::join_all(made).await
    };
    let (nets, group, key, volumes, data, ()) = tokio::join!(
        build_networks(session, ledger, rec, prefix, networks, external.as_deref()),
        security_group(session, ledger, rec, &sg_name),
        rec.step("create keypair", "compute", false, async {
            let public = guest_key.as_ref().ok().map(|k| k.public.as_str());
            let k = session.create_keypair(&key_name, public).await.map_err(|e| Failure::api("create keypair", &e))?;
            ledger.record(Kind::Keypair, &k.name, &k.name);
            Ok(())
        }),
        boot_volumes,
        data_volume(session, ledger, rec, &data_name),
        object_store(session, ledger, rec, prefix)
    );
    let (Some(basis), Some(nets), Some(()), Some(())) = (&basis, &nets, &group, &key) else {
        rec.not_run(
            "boot server",
            "compute",
            "its image, flavor, network, security group or key pair could not be had",
        );
        return;
    };
    let (key_name, sg_name) = (&key_name, &sg_name);
    let boot = |k: usize| {
        let (name, zone) = (format!("{prefix}server-{}", k + 1), zones.get(k % zones.len().max(1)));
        let (network, subnet) = &nets[k % nets.len()];
        let volume = if k.is_multiple_of(2) { volumes.get(k / 2).cloned().flatten() } else { None };
        async move {
            let label = format!("#{}", k + 1);
            let (root, flavor) = if k.is_multiple_of(2) {
                let Some(volume) = &volume else {
                    rec.not_run(&format!("boot server {label}"), "compute", "its boot volume could not be had");
                    return None;
                };
                (Root::Volume(volume), &basis.flavor)
            } else {
                let Some(flavor) = &basis.image_flavor else {
                    let reason = "no flavor has a root disk the image fits on";
                    rec.not_run(&format!("boot server {label} (from image)"), "compute", reason);
                    return None;
                };
                (Root::Image(&basis.image.id), flavor)
            };
            let from = if matches!(root, Root::Image(_)) { " (from image)" } else { "" };
            let id = rec
                .step(&format!("boot server {label}{from}"), "compute", false, async {
                    let spec = BootServer {
                        name: &name,
                        flavor_id: &flavor.id,
                        root,
                        availability_zone: zone.map(String::as_str),
                        network_id: network,
                        user_data: "",
                        key_name: Some(key_name),
                        security_groups: &[sg_name],
                    };
                    let s = session.boot_server(&spec).await.map_err(|e| Failure::api("boot server", &e))?;
                    ledger.record(Kind::Server, &s.id, &name);
                    Ok(s.id)
                })
                .await?;
            rec.step(&format!("wait server ACTIVE {label}"), "compute", true, async {
                wait_until(&format!("server {name}"), "ACTIVE", || async {
                    session.get_server(&id).await.map(|s| s.status)
                })
                .await
                .map_err(|e| Failure::wait(&e))
            })
            .await?;
            Some(Booted { id, subnet: subnet.clone() })
        }
    };
    // the load balancer's front (listener, pool) is built while the servers boot
    let (booted, balancer) = tokio::join!(
        futures::future::join_all((0..servers).map(boot)),
        load_balancer(session, ledger, rec, prefix, &nets[0].1)
    );
    let booted: Vec<Booted> = booted.into_iter().flatten().collect();
    let Some(first) = booted.first() else {
        if balancer.is_some() {
            rec.not_run("create member", "load-balancer", "no server to balance to");
        }
        return;
    };
    let fip_name = format!("{prefix}fip");
    let floating_ip = async {
        let Some(external) = &external else {
            rec.not_run("create floating IP", "network", "the cloud has no external network");
            rec.not_run(GUEST_CHECKS, "compute", "no floating IP to reach the guest through");
            return;
        };
        let address = rec
            .step("create floating IP", "network", false, async {
                let ports =
                    session.list_ports(Some(&first.id)).await.map_err(|e| Failure::api("list server ports", &e))?;
                let port = ports.first().ok_or_else(|| Failure::other("the first server has no port"))?;
                let fip = session
                    .create_floating_ip(external, &port.id, &fip_name)
                    .await
                    .map_err(|e| Failure::api("create floating IP", &e))?;
                ledger.record(Kind::FloatingIp, &fip.id, &fip_name);
                Ok(fip.floating_ip_address)
            })
            .await;
        let Some(address) = address else {
            rec.not_run(GUEST_CHECKS, "compute", "no floating IP to reach the guest through");
            return;
        };
        guest_checks(session, rec, config, basis, &first.id, &address, &guest_key).await;
    };
    let attach_detach = async {
        let Some(data) = &data else {
            rec.not_run("attach volume", "compute", "the data volume could not be had");
            return None;
        };
        rec.step("attach volume", "compute", false, async {
            session.attach_volume(&first.id, data).await.map_err(|e| Failure::api("attach volume", &e))
        })
        .await?;
        wait_volume(session, rec, "wait data-volume in-use", &data_name, data, "in-use").await?;
        rec.step("detach volume", "compute", false, async {
            session.detach_volume(&first.id, data).await.map_err(|e| Failure::api("detach volume", &e))
        })
        .await?;
        wait_volume(session, rec, "wait data-volume detached", &data_name, data, "available").await
    };
    let members = async {
        if let Some((balancer, pool)) = &balancer {
            load_balancer_members(session, rec, prefix, balancer, pool, &booted).await;
        }
    };
    let ((), _, ()) = tokio::join!(floating_ip, attach_detach, members);
}

/// The name of the guest checks' step when they cannot run.
const GUEST_CHECKS: &str = "guest checks (SSH, ping)";

/// Logs in to the first server through its floating IP and pings out from
/// it; not run, with the reason, where the hypervisor runs no guest (the
/// console log is Nova's fake driver's) or there is no key to log in with.
async fn guest_checks(
    session: &Session,
    rec: &Recorder,
    config: &ScenarioConfig,
    basis: &Basis,
    server: &str,
    address: &str,
    key: &Result<crate::guest::GuestKey, String>,
) {
    let console = rec
        .step("read console log", "compute", false, async {
            session.console_output(server).await.map_err(|e| Failure::api("read console log", &e))
        })
        .await;
    if console.as_deref().is_some_and(|c| c.contains(crate::guest::FAKE_CONSOLE)) {
        let reason = "the hypervisor runs no guests: the console log is Nova's fake driver's";
        rec.not_run(GUEST_CHECKS, "compute", reason);
        return;
    }
    let key = match key {
        Ok(key) => key,
        Err(e) => {
            rec.not_run(GUEST_CHECKS, "compute", &format!("no key to log in with: {e}"));
            return;
        }
    };
    let guest = |e: String| Failure { class: FailureClass::Guest, message: e };
    let reached = rec
        .step("wait SSH (floating IP)", "compute", true, async {
            crate::guest::wait_for_ssh(address, 22, config.guest_wait).await.map_err(guest)
        })
        .await;
    if reached.is_none() {
        return;
    }
    let property = basis.image.properties.get("image_original_user").and_then(|u| u.as_str());
    let user = config.ssh_user.as_deref().or(property).unwrap_or("ubuntu");
    let login = crate::guest::Login { address, port: 22, user, key: &key.private };
    rec.step("SSH in and ping out", "compute", false, async {
        crate::guest::ping_out(&login, &config.ping_target, Duration::from_secs(60)).await.map(drop).map_err(guest)
    })
    .await;
}

/// A server that reached ACTIVE, and the subnet it is on.
struct Booted {
    id: String,
    subnet: String,
}

/// `count` networks with a subnet each (`10.250.<i>.0/24`), all on one
/// router (its gateway on `external`, if any); the networks and subnets
/// whose router interface was attached.
async fn build_networks(
    session: &Session,
    ledger: &Ledger,
    rec: &Recorder,
    prefix: &str,
    count: usize,
    external: Option<&str>,
) -> Option<Vec<(String, String)>> {
    let router_name = format!("{prefix}router");
    let router = rec.step("create router", "network", false, async {
        let r = session.create_router(&router_name, external).await.map_err(|e| Failure::api("create router", &e))?;
        ledger.record(Kind::Router, &r.id, &router_name);
        Ok(r.id)
    });
    let networks = futures::future::join_all((0..count).map(|i| async move {
        let label = format!("#{}", i + 1);
        let net_name = format!("{prefix}net-{}", i + 1);
        let network = rec
            .step(&format!("create network {label}"), "network", false, async {
                let n = session.create_network(&net_name).await.map_err(|e| Failure::api("create network", &e))?;
                ledger.record(Kind::Network, &n.id, &net_name);
                Ok(n.id)
            })
            .await?;
        let subnet_name = format!("{prefix}subnet-{}", i + 1);
        let subnet = rec
            .step(&format!("create subnet {label}"), "network", false, async {
                let (cidr, gateway) = (format!("10.250.{i}.0/24"), format!("10.250.{i}.1"));
                let pool = (format!("10.250.{i}.10"), format!("10.250.{i}.250"));
                let s = session
                    .create_subnet(&subnet_name, &network, &cidr, &gateway, (&pool.0, &pool.1), "9.9.9.9")
                    .await
                    .map_err(|e| Failure::api("create subnet", &e))?;
                ledger.record(Kind::Subnet, &s.id, &subnet_name);
                Ok(s.id)
            })
            .await?;
        Some((network, subnet, subnet_name))
    }));
    let (router, networks) = tokio::join!(router, networks);
    let router = router?;
    // one interface at a time: Neutron serialises a router's changes anyway
    let mut attached = Vec::new();
    for (i, made) in networks.into_iter().enumerate() {
        let Some((network, subnet, subnet_name)) = made else { continue };
        let ok = rec
            .step(&format!("attach router interface #{}", i + 1), "network", false, async {
                session
                    .add_router_interface(&router, &subnet)
                    .await
                    .map_err(|e| Failure::api("add router interface", &e))?;
                ledger.record(
                    Kind::RouterInterface { router: router.clone() },
                    &subnet,
                    &format!("{router_name}:{subnet_name}"),
                );
                Ok(())
            })
            .await;
        if ok.is_some() {
            attached.push((network, subnet));
        }
    }
    (!attached.is_empty()).then_some(attached)
}

/// A security group with SSH and ping allowed from anywhere (the rules go
/// with the group).
async fn security_group(session: &Session, ledger: &Ledger, rec: &Recorder, name: &str) -> Option<()> {
    let group = rec
        .step("create security group", "network", false, async {
            let g = session
                .create_security_group(name, "scs health iteration")
                .await
                .map_err(|e| Failure::api("create security group", &e))?;
            ledger.record(Kind::SecurityGroup, &g.id, name);
            Ok(g.id)
        })
        .await?;
    rec.step("create security group rules", "network", false, async {
        for (protocol, port) in [("tcp", Some(22)), ("icmp", None)] {
            session
                .create_security_group_rule(&group, protocol, port)
                .await
                .map_err(|e| Failure::api(&format!("create {protocol} rule"), &e))?;
        }
        Ok(())
    })
    .await
}

/// An empty 1 GiB volume to attach and detach, waited for until available.
async fn data_volume(session: &Session, ledger: &Ledger, rec: &Recorder, name: &str) -> Option<String> {
    let id = rec
        .step("create data volume", "block-storage", false, async {
            let v = session.create_volume(name, 1).await.map_err(|e| Failure::api("create data volume", &e))?;
            ledger.record(Kind::Volume, &v.id, name);
            Ok(v.id)
        })
        .await?;
    wait_volume(session, rec, "wait data-volume available", name, &id, "available").await?;
    Some(id)
}

/// A container, an object put, read back and deleted, the container
/// deleted: where the catalog has an object store.
async fn object_store(session: &Session, ledger: &Ledger, rec: &Recorder, prefix: &str) {
    if !session.catalog.iter().any(|e| e.service_type == "object-store") {
        return;
    }
    let container = format!("{prefix}container");
    let object = "probe.json";
    let body = serde_json::json!({ "written_by": "scs health", "iteration": prefix });
    let service = "object-store";
    let made = rec
        .step("create container", service, false, async {
            session.create_container(&container).await.map_err(|e| Failure::api("create container", &e))?;
            ledger.record(Kind::Container, &container, &container);
            Ok(())
        })
        .await;
    if made.is_none() {
        return;
    }
    let steps = async {
        rec.step("put object", service, false, async {
            session.put_object(&container, object, &body).await.map_err(|e| Failure::api("put object", &e))
        })
        .await?;
        rec.step("get object", service, false, async {
            let text = session.get_object(&container, object).await.map_err(|e| Failure::api("get object", &e))?;
            let read: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Failure::other(format!("get object: not what was put: {e}")))?;
            if read == body { Ok(()) } else { Err(Failure::other(format!("get object: read {read}, put {body}"))) }
        })
        .await?;
        rec.step("delete object", service, false, async {
            session.delete_object(&container, object).await.map_err(|e| Failure::api("delete object", &e))
        })
        .await?;
        rec.step("delete container", service, false, async {
            session.delete_container(&container).await.map_err(|e| Failure::api("delete container", &e))?;
            ledger.forget(&Kind::Container, &container);
            Ok(())
        })
        .await
    };
    let _ = steps.await;
}

/// The step `step`: waits until load balancer `id` is `ACTIVE` again.
async fn wait_balancer(session: &Session, rec: &Recorder, step: &str, name: &str, id: &str) -> Option<()> {
    rec.step(step, "load-balancer", true, async {
        wait_until(&format!("load balancer {name}"), "ACTIVE", || async {
            session.get_load_balancer(id).await.map(|l| l.provisioning_status)
        })
        .await
        .map_err(|e| Failure::wait(&e))
    })
    .await
}

/// A load balancer on `subnet` with an HTTP listener and a pool, waited
/// for after each change: where the catalog has Octavia. Returns the load
/// balancer's and the pool's ids.
async fn load_balancer(
    session: &Session,
    ledger: &Ledger,
    rec: &Recorder,
    prefix: &str,
    subnet: &str,
) -> Option<(String, String)> {
    if !session.catalog.iter().any(|e| e.service_type == "load-balancer") {
        return None;
    }
    let name = format!("{prefix}lb");
    let service = "load-balancer";
    let balancer = rec
        .step("create load balancer", service, false, async {
            let id = session
                .create_load_balancer(&name, subnet)
                .await
                .map_err(|e| Failure::api("create load balancer", &e))?;
            ledger.record(Kind::LoadBalancer, &id, &name);
            Ok(id)
        })
        .await?;
    wait_balancer(session, rec, "wait load-balancer ACTIVE", &name, &balancer).await?;
    let listener = rec
        .step("create listener", service, false, async {
            let listener = format!("{prefix}listener");
            session.create_listener(&listener, &balancer).await.map_err(|e| Failure::api("create listener", &e))
        })
        .await?;
    wait_balancer(session, rec, "wait load-balancer ACTIVE (listener)", &name, &balancer).await?;
    let pool = rec
        .step("create pool", service, false, async {
            let pool = format!("{prefix}pool");
            session.create_pool(&pool, &listener).await.map_err(|e| Failure::api("create pool", &e))
        })
        .await?;
    wait_balancer(session, rec, "wait load-balancer ACTIVE (pool)", &name, &balancer).await?;
    Some((balancer, pool))
}

/// The servers as the pool's members (each by its address on its own
/// subnet, reached through the router), and a health monitor.
async fn load_balancer_members(
    session: &Session,
    rec: &Recorder,
    prefix: &str,
    balancer: &str,
    pool: &str,
    servers: &[Booted],
) -> Option<()> {
    let name = format!("{prefix}lb");
    let service = "load-balancer";
    for (k, server) in servers.iter().enumerate() {
        rec.step(&format!("create member #{}", k + 1), service, false, async {
            let ports =
                session.list_ports(Some(&server.id)).await.map_err(|e| Failure::api("list server ports", &e))?;
            let address = ports
                .iter()
                .flat_map(|p| &p.fixed_ips)
                .find(|ip| ip.subnet_id == server.subnet)
                .map(|ip| ip.ip_address.clone())
                .ok_or_else(|| Failure::other("the server has no address on its subnet"))?;
            session.create_member(pool, &address, &server.subnet).await.map_err(|e| Failure::api("create member", &e))
        })
        .await?;
        // every change makes the load balancer PENDING_UPDATE: the next waits for ACTIVE
        wait_balancer(session, rec, &format!("wait load-balancer ACTIVE (member #{})", k + 1), &name, balancer).await?;
    }
    rec.step("create health monitor", service, false, async {
        let monitor = format!("{prefix}monitor");
        session.create_health_monitor(&monitor, pool).await.map_err(|e| Failure::api("create health monitor", &e))
    })
    .await?;
    wait_balancer(session, rec, "wait load-balancer ACTIVE (health monitor)", &name, balancer).await
}

/// Boot volume `#number` from `image`, waited for until available.
async fn boot_volume(
    session: &Session,
    ledger: &Ledger,
    rec: &Recorder,
    prefix: &str,
    number: usize,
    image: &Image,
) -> Option<String> {
    let name = format!("{prefix}boot-{number}");
    let size = u32::try_from(image.min_disk.unwrap_or(1).max(1)).unwrap_or(1);
    let volume = rec
        .step(&format!("create boot volume #{number}"), "block-storage", false, async {
            let v = session
                .create_volume_from_image(&name, size, &image.id)
                .await
                .map_err(|e| Failure::api("create boot volume", &e))?;
            ledger.record(Kind::Volume, &v.id, &name);
            Ok(v.id)
        })
        .await?;
    wait_volume(session, rec, &format!("wait volume available #{number}"), &name, &volume, "available").await?;
    Some(volume)
}

/// The step `step`: waits until volume `id` (named `name`) is `status`.
async fn wait_volume(session: &Session, rec: &Recorder, step: &str, name: &str, id: &str, status: &str) -> Option<()> {
    rec.step(step, "block-storage", true, async {
        wait_until(&format!("volume {name}"), status, || async { session.get_volume(id).await.map(|v| v.status) })
            .await
            .map_err(|e| Failure::wait(&e))
    })
    .await
}

/// The image to boot (`image` by name, or the active public one needing
/// the least disk), the flavor for servers booted from a volume (`flavor`
/// by name, or the cheapest with the memory the image needs) and the one
/// for servers booted from the image (also a root disk it fits on).
fn choose(images: &[Image], flavors: &[Flavor], image: Option<&str>, flavor: Option<&str>) -> Result<Basis, Failure> {
    let usable = images.iter().filter(|i| i.status == "active" && !i.os_hidden);
    let image = match image {
        Some(name) => images
            .iter()
            .find(|i| i.name.as_deref() == Some(name) && i.status == "active")
            .ok_or_else(|| Failure::other(format!("no active image named {name:?}")))?,
        None => usable
            .min_by_key(|i| (i.min_disk.unwrap_or(0), i.min_ram.unwrap_or(0), i.size.unwrap_or(u64::MAX)))
            .ok_or_else(|| Failure::other("no active public image to boot"))?,
    };
    let min_ram = image.min_ram.unwrap_or(0);
    let min_disk = image.min_disk.unwrap_or(0).max(1);
    let fits = |f: &&Flavor| f.ram >= min_ram;
    let chosen =
        match flavor {
            Some(name) => flavors
                .iter()
                .find(|f| f.name == name)
                .ok_or_else(|| Failure::other(format!("no flavor named {name:?}")))?,
            None => flavors.iter().filter(fits).min_by_key(|f| (f.ram, f.vcpus, f.disk)).ok_or_else(|| {
                Failure::other(format!("no flavor has the {min_ram} MiB image {} needs", image.label()))
            })?,
        };
    let image_flavor = if chosen.disk >= min_disk {
        Some(chosen.clone())
    } else {
        flavors.iter().filter(fits).filter(|f| f.disk >= min_disk).min_by_key(|f| (f.ram, f.vcpus, f.disk)).cloned()
    };
    Ok(Basis { image: image.clone(), flavor: chosen.clone(), image_flavor })
}

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
