// SPDX-License-Identifier: Apache-2.0
//! What an iteration builds, chain by chain: the networks, security group,
//! key, volumes and servers, and what uses the servers (floating IP, volume
//! attach, guest checks); the object store and load balancer steps are in
//! their own modules.

use super::load_balancer::{load_balancer, load_balancer_members};
use super::object_store::object_store;
use super::*;

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
pub(super) async fn build(session: &Session, ledger: &Ledger, rec: &Recorder, config: &ScenarioConfig) {
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
            rec.wait(
                &format!("wait server ACTIVE {label}"),
                "compute",
                &format!("server {name}"),
                "ACTIVE",
                || async { session.get_server(&id).await.map(|s| s.status) },
            )
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
    let what = format!("volume {name}");
    rec.wait(step, "block-storage", &what, status, || async { session.get_volume(id).await.map(|v| v.status) }).await
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
