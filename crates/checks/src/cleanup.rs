// SPDX-License-Identifier: Apache-2.0
//! Finding and removing what earlier checks left behind (`scs cleanup`): every
//! resource whose name starts with one of the prefixes the checks use, in
//! every service the checks create things in, deleted in dependency order.

use crate::scratch::{Created, Kind, Ledger};
use scs_openstack::Session;

/// Name prefixes of everything `scs check` and `scs health` create: `_scs-`
/// (scs-0101's network and server), `scs-test-` (scs-0117's volumes and
/// backup, scs-0115's security group), scs-0116's secret name, and
/// `scs-health-` (health iterations).
pub const CHECK_PREFIXES: [&str; 4] = ["_scs-", "scs-test-", "scs-member-role-test-secret", "scs-health-"];

/// What to sweep.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Name prefixes; a resource matches if its name starts with any.
    pub prefixes: Vec<String>,
    /// Only volumes and backups (what scs-0117 clears before it starts).
    pub volumes_only: bool,
}

impl Default for Sweep {
    fn default() -> Self {
        Self { prefixes: CHECK_PREFIXES.iter().map(|p| (*p).to_owned()).collect(), volumes_only: false }
    }
}

/// What a sweep found and did.
#[derive(Clone, Debug, Default)]
pub struct SweepReport {
    /// Every matching resource, in deletion order.
    pub found: Vec<Created>,
    /// Those deleted (empty on a dry run).
    pub removed: Vec<String>,
    /// Deletions or listings that failed, with the reason.
    pub failed: Vec<String>,
}

/// One service's listing: absent if the service is not in the catalog.
type Listing = Option<Result<Vec<Created>, scs_openstack::ApiError>>;

/// Adds a listing's resources, or the reason it failed.
fn take(all: &mut Vec<Created>, failed: &mut Vec<String>, what: &str, listing: Listing) {
    match listing {
        None => {}
        Some(Ok(items)) => all.extend(items),
        Some(Err(e)) => failed.push(format!("cannot list {what}: {e}")),
    }
}

/// Lists every matching resource and, unless `dry_run`, deletes them.
pub async fn sweep(session: &Session, what: &Sweep, dry_run: bool) -> SweepReport {
    let ours = |name: &str| what.prefixes.iter().any(|p| name.starts_with(p.as_str()));
    let has = |t: &str| session.catalog.iter().any(|e| e.service_type == t);
    let block = has("volumev3") || has("block-storage") || has("volume");
    let net = !what.volumes_only && has("network");
    let compute = !what.volumes_only && has("compute");
    let keys = !what.volumes_only && has("key-manager");
    let balancing = !what.volumes_only && has("load-balancer");
    let objects = !what.volumes_only && has("object-store");
    let (
        servers,
        volumes,
        backups,
        secrets,
        routers,
        subnets,
        networks,
        ports,
        groups,
        addresses,
        keypairs,
        balancers,
        containers,
    ) = tokio::join!(
        async { if compute { Some(session.list_servers().await) } else { None } },
        async { if block { Some(session.list_volumes().await) } else { None } },
        async { if block { Some(session.list_backups().await) } else { None } },
        async { if keys { Some(session.list_secrets(None).await) } else { None } },
        async { if net { Some(session.list_routers().await) } else { None } },
        async { if net { Some(session.list_subnets().await) } else { None } },
        async { if net { Some(session.list_networks(false).await) } else { None } },
        async { if net { Some(session.list_ports(None).await) } else { None } },
        async { if net { Some(session.list_security_groups().await) } else { None } },
        async { if net { Some(session.list_floating_ips().await) } else { None } },
        async { if compute { Some(session.list_keypairs().await) } else { None } },
        async { if balancing { Some(session.list_load_balancers().await) } else { None } },
        async { if objects { Some(session.list_containers().await) } else { None } },
    );
    let mut report = SweepReport::default();
    let mut all: Vec<Created> = Vec::new();
    let created = |kind: &Kind, id: String, name: Option<String>| Created {
        kind: kind.clone(),
        id,
        name: name.unwrap_or_default(),
    };
    take(
        &mut all,
        &mut report.failed,
        "servers",
        servers.map(|r| r.map(|v| v.into_iter().map(|s| created(&Kind::Server, s.id, Some(s.name))).collect())),
    );
    take(
        &mut all,
        &mut report.failed,
        "volumes",
        volumes.map(|r| r.map(|v| v.into_iter().map(|o| created(&Kind::Volume, o.id, o.name)).collect())),
    );
    take(
        &mut all,
        &mut report.failed,
        "backups",
        backups.map(|r| r.map(|v| v.into_iter().map(|o| created(&Kind::Backup, o.id, o.name)).collect())),
    );
    take(
        &mut all,
        &mut report.failed,
        "secrets",
        secrets.map(|r| {
            r.map(|v| v.iter().map(|s| created(&Kind::Secret, s.uuid().to_owned(), s.name.clone())).collect())
        }),
    );
    take(
        &mut all,
        &mut report.failed,
        "routers",
        routers.map(|r| r.map(|v| v.into_iter().map(|o| created(&Kind::Router, o.id, Some(o.name))).collect())),
    );
    take(
        &mut all,
        &mut report.failed,
        "subnets",
        subnets.map(|r| r.map(|v| v.into_iter().map(|o| created(&Kind::Subnet, o.id, Some(o.name))).collect())),
    );
    take(
        &mut all,
        &mut report.failed,
        "networks",
        networks.map(|r| r.map(|v| v.into_iter().map(|o| created(&Kind::Network, o.id, Some(o.name))).collect())),
    );
    let mut interfaces = Vec::new();
    let our_routers: Vec<String> =
        all.iter().filter(|c| c.kind == Kind::Router && ours(&c.name)).map(|c| c.id.clone()).collect();
    if let Some(Ok(ports)) = &ports {
        // interfaces of our routers are detached before the router goes
        for port in ports {
            let owner = port.device_owner.as_deref().unwrap_or_default();
            if let Some(router) = port.device_id.as_ref().filter(|d| our_routers.contains(d))
                && owner.starts_with("network:router_interface")
            {
                for ip in &port.fixed_ips {
                    interfaces.push(Created {
                        kind: Kind::RouterInterface { router: router.clone() },
                        id: ip.subnet_id.clone(),
                        name: format!("port {}", port.id),
                    });
                }
            }
        }
    }
    take(
        &mut all,
        &mut report.failed,
        "ports",
        ports.map(|r| r.map(|v| v.into_iter().map(|o| created(&Kind::Port, o.id, Some(o.name))).collect())),
    );
    take(
        &mut all,
        &mut report.failed,
        "security groups",
        groups.map(|r| r.map(|v| v.into_iter().map(|g| created(&Kind::SecurityGroup, g.id, Some(g.name))).collect())),
    );
    take(
        &mut all,
        &mut report.failed,
        "floating IPs",
        // floating IPs have no name: the checks describe theirs with it
        addresses
            .map(|r| r.map(|v| v.into_iter().map(|a| created(&Kind::FloatingIp, a.id, Some(a.description))).collect())),
    );
    take(
        &mut all,
        &mut report.failed,
        "key pairs",
        keypairs
            .map(|r| r.map(|v| v.into_iter().map(|k| created(&Kind::Keypair, k.name.clone(), Some(k.name))).collect())),
    );
    take(
        &mut all,
        &mut report.failed,
        "load balancers",
        balancers.map(|r| r.map(|v| v.into_iter().map(|b| created(&Kind::LoadBalancer, b.id, Some(b.name))).collect())),
    );
    take(
        &mut all,
        &mut report.failed,
        "containers",
        containers.map(|r| {
            r.map(|v| v.into_iter().map(|c| created(&Kind::Container, c.name.clone(), Some(c.name))).collect())
        }),
    );
    let mut found: Vec<Created> = all.into_iter().filter(|c| ours(&c.name)).collect();
    found.extend(interfaces);
    found.sort_by(|a, b| a.kind.cmp(&b.kind));
    report.found = found.clone();
    if dry_run {
        return report;
    }
    let ledger = Ledger::default();
    for c in &found {
        ledger.record(c.kind.clone(), &c.id, &c.name);
    }
    report.failed.extend(ledger.clean(session, |_| true).await);
    let left = ledger.pending();
    report.removed = found.iter().filter(|c| !left.contains(c)).map(ToString::to_string).collect();
    report
}
