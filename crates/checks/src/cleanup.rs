// SPDX-License-Identifier: Apache-2.0
//! Finding and removing what earlier checks left behind (`scs cleanup`): every
//! resource whose name starts with one of the prefixes the checks use, in
//! every service the checks create things in, deleted in dependency order.

use crate::scratch::{Created, Kind, Ledger};
use scs_openstack::Session;

/// Name prefixes of everything `scs check` creates: `_scs-` (scs-0101's
/// network and server), `scs-test-` (scs-0117's volumes and backup,
/// scs-0115's security group) and scs-0116's secret name.
pub const CHECK_PREFIXES: [&str; 3] = ["_scs-", "scs-test-", "scs-member-role-test-secret"];

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

/// Lists every matching resource and, unless `dry_run`, deletes them.
pub async fn sweep(session: &Session, what: &Sweep, dry_run: bool) -> SweepReport {
    let ours = |name: &str| what.prefixes.iter().any(|p| name.starts_with(p.as_str()));
    let has = |t: &str| session.catalog.iter().any(|e| e.service_type == t);
    let block = has("volumev3") || has("block-storage") || has("volume");
    let net = !what.volumes_only && has("network");
    let compute = !what.volumes_only && has("compute");
    let keys = !what.volumes_only && has("key-manager");
    let (servers, volumes, backups, secrets, routers, subnets, networks, ports, groups) = tokio::join!(
        async { if compute { Some(session.list_servers().await) } else { None } },
        async { if block { Some(session.list_volumes().await) } else { None } },
        async { if block { Some(session.list_backups().await) } else { None } },
        async { if keys { Some(session.list_secrets(None).await) } else { None } },
        async { if net { Some(session.list_routers().await) } else { None } },
        async { if net { Some(session.list_subnets().await) } else { None } },
        async { if net { Some(session.list_networks(false).await) } else { None } },
        async { if net { Some(session.list_ports(None).await) } else { None } },
        async { if net { Some(session.list_security_groups().await) } else { None } },
    );
    let mut report = SweepReport::default();
    let mut found = Vec::new();
    let mut listed = |what: &str, result: Option<Result<Vec<(Kind, String, String)>, scs_openstack::ApiError>>| {
        match result {
            None => {}
            Some(Ok(items)) => found.extend(
                items.into_iter().filter(|(_, _, name)| ours(name)).map(|(kind, id, name)| Created { kind, id, name }),
            ),
            Some(Err(e)) => report.failed.push(format!("cannot list {what}: {e}")),
        }
    };
    let named = |kind: Kind| move |id: String, name: Option<String>| (kind.clone(), id, name.unwrap_or_default());
    listed("servers", servers.map(|r| r.map(|v| v.into_iter().map(|s| (Kind::Server, s.id, s.name)).collect())));
    let volume = named(Kind::Volume);
    listed("volumes", volumes.map(|r| r.map(|v| v.into_iter().map(|o| volume(o.id, o.name)).collect())));
    let backup = named(Kind::Backup);
    listed("backups", backups.map(|r| r.map(|v| v.into_iter().map(|o| backup(o.id, o.name)).collect())));
    let secret = named(Kind::Secret);
    listed(
        "secrets",
        secrets.map(|r| r.map(|v| v.into_iter().map(|s| secret(s.uuid().to_owned(), s.name.clone())).collect())),
    );
    let router_list: Option<Result<Vec<(Kind, String, String)>, _>> =
        routers.map(|r| r.map(|v| v.into_iter().map(|o| (Kind::Router, o.id, o.name)).collect()));
    let our_routers: Vec<String> = match &router_list {
        Some(Ok(items)) => items.iter().filter(|(_, _, n)| ours(n)).map(|(_, id, _)| id.clone()).collect(),
        _ => Vec::new(),
    };
    listed("routers", router_list);
    listed("subnets", subnets.map(|r| r.map(|v| v.into_iter().map(|o| (Kind::Subnet, o.id, o.name)).collect())));
    listed("networks", networks.map(|r| r.map(|v| v.into_iter().map(|o| (Kind::Network, o.id, o.name)).collect())));
    let mut interfaces = Vec::new();
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
    listed("ports", ports.map(|r| r.map(|v| v.into_iter().map(|o| (Kind::Port, o.id, o.name)).collect())));
    listed(
        "security groups",
        groups.map(|r| r.map(|v| v.into_iter().map(|g| (Kind::SecurityGroup, g.id, g.name)).collect())),
    );
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
