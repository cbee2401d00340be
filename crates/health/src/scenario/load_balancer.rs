// SPDX-License-Identifier: Apache-2.0
//! The load-balancer steps of an iteration, where the catalog has Octavia:
//! every change makes the load balancer PENDING_UPDATE until it is ACTIVE
//! again, which each step waits for.

use super::*;

/// The step `step`: waits until load balancer `id` is `ACTIVE` again.
async fn wait_balancer(session: &Session, rec: &Recorder, step: &str, name: &str, id: &str) -> Option<()> {
    let what = format!("load balancer {name}");
    rec.wait(step, "load-balancer", &what, "ACTIVE", || async {
        session.get_load_balancer(id).await.map(|l| l.provisioning_status)
    })
    .await
}

/// A load balancer on `subnet` with an HTTP listener and a pool, waited
/// for after each change: where the catalog has Octavia. Returns the load
/// balancer's and the pool's ids.
pub(super) async fn load_balancer(
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
pub(super) async fn load_balancer_members(
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
