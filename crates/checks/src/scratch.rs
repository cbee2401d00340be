// SPDX-License-Identifier: Apache-2.0
//! What a check creates in the cloud, and the promise to remove it.
//!
//! Every resource a testcase creates is recorded in a [`Ledger`] the moment
//! the API returns its id, and forgotten when its deletion succeeded. The run
//! drains the ledger when testcases end, fail, time out or are interrupted
//! (SIGINT/SIGTERM), deleting in dependency order. Resources whose creation
//! was in flight when a run was interrupted have no id yet; the sweep by name
//! prefix ([`crate::cleanup`]) finds those.

use scs_openstack::{ApiError, Session};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Kinds of resources, in the order they must be deleted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// An Octavia load balancer, with its listeners, pools, members and
    /// health monitors (cascade; before the subnet its VIP is on).
    LoadBalancer,
    /// A floating IP (before the router interface its address is routed through).
    FloatingIp,
    /// A Nova server (its boot volume goes with it).
    Server,
    /// A Cinder backup (before its volume).
    Backup,
    /// A Cinder volume.
    Volume,
    /// A Barbican secret (id = uuid).
    Secret,
    /// A router interface on a subnet (id = subnet id).
    RouterInterface {
        /// The router.
        router: String,
    },
    /// A router (its gateway is cleared first).
    Router,
    /// A Neutron port.
    Port,
    /// A subnet.
    Subnet,
    /// A network.
    Network,
    /// A security group.
    SecurityGroup,
    /// A Nova key pair (id = name).
    Keypair,
    /// A Swift container with its objects (id = name).
    Container,
}

impl Kind {
    fn label(&self) -> &'static str {
        match self {
            Self::LoadBalancer => "load balancer",
            Self::FloatingIp => "floating IP",
            Self::Server => "server",
            Self::Backup => "backup",
            Self::Volume => "volume",
            Self::Secret => "secret",
            Self::RouterInterface { .. } => "router interface",
            Self::Router => "router",
            Self::Port => "port",
            Self::Subnet => "subnet",
            Self::Network => "network",
            Self::SecurityGroup => "security group",
            Self::Keypair => "key pair",
            Self::Container => "container",
        }
    }
}

/// One resource a check created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    /// What it is.
    pub kind: Kind,
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

impl std::fmt::Display for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({})", self.kind.label(), self.name, self.id)
    }
}

/// The resources created and not yet deleted; cheap to clone, shared by
/// every testcase of a run.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    entries: Arc<Mutex<Vec<Created>>>,
}

/// The waits between polls of a resource's status: upstream's 2, 3, 5, 10,
/// 15, 25, 50 seconds (110 s in all).
pub const UPSTREAM_WAITS: [u64; 7] = [2, 3, 5, 10, 15, 25, 50];

tokio::task_local! {
    static PAUSES: Arc<PauseLog>;
}

/// The pauses between polls of one piece of work, so that a runner can
/// tell time spent waiting for the cloud (calls and the pauses between
/// polls) from its own (`scs health`'s overhead bench).
#[derive(Debug, Default)]
pub struct PauseLog {
    spans: Mutex<Vec<(std::time::Instant, std::time::Instant)>>,
}

impl PauseLog {
    /// Runs `work` with its polls' pauses recorded here (those of futures
    /// it awaits or joins; not of tasks it spawns).
    pub async fn record<F: std::future::Future>(self: &Arc<Self>, work: F) -> F::Output {
        PAUSES.scope(self.clone(), work).await
    }

    /// Each pause's start and end.
    pub fn spans(&self) -> Vec<(std::time::Instant, std::time::Instant)> {
        self.spans.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// Sleeps between two polls; recorded in the current [`PauseLog`], if any.
/// Every poll loop pauses through this, so that its waiting is not counted
/// as the runner's own time.
pub async fn pause(duration: Duration) {
    let start = std::time::Instant::now();
    tokio::time::sleep(duration).await;
    let _ = PAUSES.try_with(|log| {
        log.spans.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((start, std::time::Instant::now()));
    });
}

impl Ledger {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Created>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a created resource.
    pub fn record(&self, kind: Kind, id: &str, name: &str) {
        self.lock().push(Created { kind, id: id.to_owned(), name: name.to_owned() });
    }

    /// Forgets a resource that was deleted.
    pub fn forget(&self, kind: &Kind, id: &str) {
        self.lock().retain(|c| !(c.kind == *kind && c.id == id));
    }

    /// What is still to be deleted.
    pub fn pending(&self) -> Vec<Created> {
        self.lock().clone()
    }

    /// Deletes everything recorded (or only the entries `select` picks), in
    /// dependency order, waiting for servers, backups and volumes to be gone
    /// before what depends on them. Returns one line per resource that could
    /// not be deleted; those stay recorded.
    pub async fn clean(&self, session: &Session, select: impl Fn(&Created) -> bool) -> Vec<String> {
        let mut todo: Vec<Created> = self.pending().into_iter().filter(|c| select(c)).collect();
        todo.sort_by(|a, b| a.kind.cmp(&b.kind));
        let mut problems = Vec::new();
        for created in todo {
            match delete(session, &created).await {
                Ok(()) => self.forget(&created.kind, &created.id),
                Err(e) => problems.push(format!("{created} was not deleted: {e}")),
            }
        }
        problems
    }
}

/// Why a resource did not reach the state waited for.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// Reading its status failed.
    #[error("{what}: {source}")]
    Api {
        /// The resource.
        what: String,
        /// The failed read.
        source: ApiError,
    },
    /// It went to an error state.
    #[error("{what}: status '{status}'")]
    InError {
        /// The resource.
        what: String,
        /// Its status (`error`, `ERROR`, `error_restoring`, ...).
        status: String,
    },
    /// It did not get there in time.
    #[error("{what}: still '{last}' after {seconds} s, expected '{target}'")]
    TimedOut {
        /// The resource.
        what: String,
        /// Its last status.
        last: String,
        /// The status waited for.
        target: String,
        /// How long it was waited for.
        seconds: u64,
    },
}

/// Polls `status` until it is `target` (case-insensitive), with upstream's
/// waits ([`UPSTREAM_WAITS`], 110 s in all); a status starting with
/// `error` ends the wait at once. `what` names the resource in errors.
pub async fn wait_until<F, Fut>(what: &str, target: &str, status: F) -> Result<(), WaitError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<String, ApiError>>,
{
    let mut last = String::new();
    for wait in std::iter::once(0).chain(UPSTREAM_WAITS) {
        pause(Duration::from_millis(if wait == 0 { 500 } else { wait * 1000 })).await;
        last = status().await.map_err(|source| WaitError::Api { what: what.to_owned(), source })?;
        if last.eq_ignore_ascii_case(target) {
            return Ok(());
        }
        if last.to_ascii_lowercase().starts_with("error") {
            return Err(WaitError::InError { what: what.to_owned(), status: last });
        }
    }
    Err(WaitError::TimedOut {
        what: what.to_owned(),
        last,
        target: target.to_owned(),
        seconds: UPSTREAM_WAITS.iter().sum(),
    })
}

/// Why a resource could not be deleted.
#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    /// The API refused or failed.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The deletion did not finish in time.
    #[error("still present after {seconds} s (status {status})")]
    Stuck {
        /// How long we waited.
        seconds: u64,
        /// Its last status.
        status: String,
    },
    /// The deletion failed in the cloud.
    #[error("deletion ended in status {0}")]
    Failed(String),
}

/// Deletes one resource and waits until it is gone where later deletions depend on that.
pub async fn delete(session: &Session, created: &Created) -> Result<(), DeleteError> {
    let id = created.id.as_str();
    match &created.kind {
        Kind::Server => {
            session.delete_server(id).await?;
            wait_gone(|| async { session.get_server(id).await.map(|s| s.status) }).await
        }
        Kind::Backup => {
            wait_settled(|| async { session.get_backup(id).await.map(|b| b.status) }).await?;
            session.delete_backup(id).await?;
            wait_gone(|| async { session.get_backup(id).await.map(|b| b.status) }).await
        }
        Kind::Volume => {
            release_orphaned_attachments(session, id).await?;
            wait_settled(|| async { session.get_volume(id).await.map(|v| v.status) }).await?;
            session.delete_volume(id).await?;
            wait_gone(|| async { session.get_volume(id).await.map(|v| v.status) }).await
        }
        Kind::Secret => Ok(session.delete_secret(id).await?),
        Kind::RouterInterface { router } => Ok(session.remove_router_interface(router, id).await?),
        Kind::Router => {
            session.clear_router_gateway(id).await?;
            Ok(session.delete_network_object("routers", id).await?)
        }
        Kind::Port => Ok(session.delete_network_object("ports", id).await?),
        Kind::Subnet => Ok(session.delete_network_object("subnets", id).await?),
        Kind::Network => Ok(session.delete_network_object("networks", id).await?),
        Kind::SecurityGroup => Ok(session.delete_security_group(id).await?),
        Kind::FloatingIp => Ok(session.delete_network_object("floatingips", id).await?),
        Kind::Keypair => Ok(session.delete_keypair(id).await?),
        Kind::Container => Ok(session.delete_container(id).await?),
        Kind::LoadBalancer => {
            session.delete_load_balancer(id).await?;
            wait_gone(|| async { session.get_load_balancer(id).await.map(|l| l.provisioning_status) }).await
        }
    }
}

/// A volume of ours stays `reserved` or `attaching` when its server was
/// deleted while Nova attached it (a run interrupted at that moment): Nova
/// never finishes the attachment and Cinder refuses the delete until an
/// admin resets it. Attachments whose server is gone are deleted, and a
/// volume left `attaching` without attachments is unreserved, both as the
/// owner; then the delete proceeds. Attachments to existing servers are
/// left alone.
async fn release_orphaned_attachments(session: &Session, id: &str) -> Result<(), DeleteError> {
    let status = match session.get_volume(id).await {
        Ok(v) => v.status,
        Err(e) if is_not_found(&e) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    if status != "reserved" && status != "attaching" {
        return Ok(());
    }
    let attachments = match session.volume_attachments(id).await {
        Ok(a) => a,
        // a cloud without the attachments API: wait as before
        Err(e) if e.status().is_some_and(|s| s.as_u16() == 404 || s.as_u16() == 406) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut live = 0;
    for a in &attachments {
        let server_gone = match &a.instance {
            None => true,
            Some(server) => match session.get_server(server).await {
                Err(e) if is_not_found(&e) => true,
                Err(e) => return Err(e.into()),
                Ok(_) => false,
            },
        };
        if server_gone {
            session.delete_attachment(&a.id).await?;
        } else {
            live += 1;
        }
    }
    if live == 0 && session.get_volume(id).await.is_ok_and(|v| v.status == "attaching") {
        session.unreserve_volume(id).await?;
    }
    Ok(())
}

/// Statuses in which Cinder refuses a delete; wait for them to pass.
const BUSY: [&str; 6] = ["creating", "backing-up", "restoring", "restoring-backup", "attaching", "detaching"];

async fn wait_settled<F, Fut>(status: F) -> Result<(), DeleteError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<String, ApiError>>,
{
    for wait in UPSTREAM_WAITS {
        match status().await {
            Ok(s) if BUSY.contains(&s.as_str()) => pause(Duration::from_secs(wait)).await,
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e.into()),
            Ok(_) => return Ok(()),
        }
    }
    Ok(())
}

fn is_not_found(e: &ApiError) -> bool {
    e.status().is_some_and(|s| s.as_u16() == 404)
}

async fn wait_gone<F, Fut>(status: F) -> Result<(), DeleteError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<String, ApiError>>,
{
    let mut last = String::new();
    // a short poll first: the lab's fake drivers delete in well under a second
    for wait_ms in std::iter::once(300).chain(UPSTREAM_WAITS.iter().map(|s| s * 1000)) {
        pause(Duration::from_millis(wait_ms)).await;
        match status().await {
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e.into()),
            // Octavia keeps a deleted load balancer listed as DELETED for a while
            Ok(s) if s == "DELETED" => return Ok(()),
            Ok(s) if s == "error_deleting" => return Err(DeleteError::Failed(s)),
            Ok(s) => last = s,
        }
    }
    Err(DeleteError::Stuck { seconds: UPSTREAM_WAITS.iter().sum(), status: last })
}
