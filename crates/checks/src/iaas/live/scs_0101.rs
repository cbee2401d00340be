// SPDX-License-Identifier: Apache-2.0
//! scs-0101-entropy-avail and scs-0101-fips-test: boot one server from a
//! volume on a network of its own, let cloud-init print the kernel's entropy
//! and an `rngtest` FIPS 140-2 run to the serial console, and read the
//! console log.
//!
//! The image is the newest Debian, else Ubuntu (upstream's order); the flavor
//! the smallest that fits, preferring `hw_rng:allowed`. A hypervisor that runs
//! no guest (Nova's fake driver in the lab) never prints a Linux boot: after
//! [`NO_BOOT_AFTER`] without one, both testcases ABORT with that reason rather
//! than wait the full [`CONSOLE_LIMIT`].

use super::clean_mine;
use crate::Outcome;
use crate::scratch::{Kind, Ledger};
use scs_openstack::compute::{BootServer, Root};
use scs_openstack::{Flavor, Image, Session};
use std::time::{Duration, Instant};

const PREFIX: &str = "_scs-0101-";
/// How long upstream waits for the console to show the end marker.
pub const CONSOLE_LIMIT: Duration = Duration::from_secs(300);
/// How long a console may show no sign of a booting Linux.
pub const NO_BOOT_AFTER: Duration = Duration::from_secs(60);

/// First-boot script: prints what the testcases read to the serial console.
const USER_DATA: &str = r#"#!/bin/sh
# scs-0101 probe (scs): first boot only; results go to the serial console
out=/dev/ttyS0
systemctl mask --now serial-getty@ttyS0.service >/dev/null 2>&1
echo "_scs-test-entropy-avail: $(cat /proc/sys/kernel/random/entropy_avail)" >$out
if ! command -v rngtest >/dev/null 2>&1; then
    (apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y rng-tools5 || \
     DEBIAN_FRONTEND=noninteractive apt-get -qq install -y rng-tools) >/dev/null 2>&1
fi
echo "_scs-test-fips-test: $(head -c 3000000 /dev/random | rngtest -c 1000 2>&1 | grep -i 'failures:' | tr '\n' ' ')" >$out
echo "_scs-test-end" >$out
"#;

/// What the console log says so far.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ConsoleVerdict {
    /// The kernel's `entropy_avail`, once printed.
    pub entropy_avail: Option<String>,
    /// The FIPS failure count, once printed (`None` inside: the line lacks it).
    pub fips_failures: Option<Option<u32>>,
    /// The end marker was printed.
    pub done: bool,
    /// cloud-init reported that the script failed.
    pub script_failed: bool,
    /// Something that only a booting Linux prints was seen.
    pub booted: bool,
}

/// Reads a console log as far as it goes (it may be cut anywhere).
pub fn parse_console(text: &str) -> ConsoleVerdict {
    let mut v = ConsoleVerdict::default();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(rest) = after(line, "_scs-test-entropy-avail:") {
            v.entropy_avail = Some(rest.trim().to_owned());
        } else if let Some(rest) = after(line, "_scs-test-fips-test:") {
            v.fips_failures = Some(fips_failures(rest));
        } else if line.contains("_scs-test-end") {
            v.done = true;
        }
        if line.contains("Failed to run module scripts-user") || line.contains("Failed to run module scripts_user") {
            v.script_failed = true;
        }
        if ["Linux version", "cloud-init", "systemd[1]", "login:", "Booting Linux"].iter().any(|m| line.contains(m)) {
            v.booted = true;
        }
    }
    v
}

fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.find(marker).map(|at| &line[at + marker.len()..])
}

/// `rngtest: FIPS 140-2 failures: 3` → 3.
fn fips_failures(text: &str) -> Option<u32> {
    let at = text.find("failures:")? + "failures:".len();
    text[at..].split_whitespace().next()?.parse().ok()
}

/// Decides both testcases from a finished console log.
pub fn decide(console: &ConsoleVerdict) -> (Outcome, Outcome) {
    if console.script_failed {
        let why = "cloud-init: Failed to run module scripts-user (the probe script did not run)";
        return (Outcome::fail(vec![why.into()]), Outcome::fail(vec![why.into()]));
    }
    let avail = match console.entropy_avail.as_deref() {
        Some("256") => Outcome::pass(vec!["entropy_avail is 256".into()]),
        Some(v) => {
            Outcome::fail(vec![format!("entropy_avail is {v}, expected 256 (kernel >= 5.18 with a working RNG)")])
        }
        None => Outcome::abort("the console log has no entropy_avail line"),
    };
    let fips = match console.fips_failures {
        Some(Some(n)) if n <= 5 => Outcome::pass(vec![format!("rngtest: {n} FIPS 140-2 failures in 1000 blocks")]),
        Some(Some(n)) => {
            Outcome::fail(vec![format!("rngtest: {n} FIPS 140-2 failures in 1000 blocks, at most 5 allowed")])
        }
        Some(None) | None => Outcome::abort("the console log has no rngtest failure count"),
    };
    (avail, fips)
}

/// Upstream's image order: Debian (by version) over Ubuntu (by version) over anything else.
fn image_rank(image: &Image) -> (u32, u32) {
    let distro = image.property("os_distro").unwrap_or_default().to_ascii_lowercase();
    let version = image.property("os_version").unwrap_or_default().to_ascii_lowercase();
    match distro.as_str() {
        "debian" => {
            let named = [("buster", 10), ("bullseye", 11), ("bookworm", 12), ("trixie", 13)];
            let v = named.iter().find(|(n, _)| *n == version).map(|(_, v)| *v).or_else(|| version.parse().ok());
            (2, v.unwrap_or(0))
        }
        "ubuntu" => (1, version.replace('.', "").parse().unwrap_or(0)),
        _ => (0, 0),
    }
}

fn pick_flavor<'a>(flavors: &'a [Flavor], image: &Image) -> Option<&'a Flavor> {
    let min_ram = image.min_ram.unwrap_or(0);
    let cost = |f: &Flavor| f.vcpus as f64 + f.ram as f64 / 3.0 + f.disk as f64 / 10.0;
    flavors.iter().filter(|f| f.ram >= min_ram).min_by(|a, b| {
        let rng = |f: &Flavor| f.extra_specs.get("hw_rng:allowed").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        rng(b).cmp(&rng(a)).then(cost(a).total_cmp(&cost(b)))
    })
}

pub(super) async fn entropy(session: &Session, ledger: &Ledger) -> (Outcome, Outcome) {
    let mut mine = Vec::new();
    let result = boot_and_read(session, ledger, &mut mine).await;
    let problems = clean_mine(session, ledger, &mine).await;
    let (mut avail, mut fips) = match result {
        Ok(console) => decide(&console),
        Err(reason) => (Outcome::abort(reason.clone()), Outcome::abort(reason)),
    };
    if !problems.is_empty() {
        for o in [&mut avail, &mut fips] {
            o.evidence.extend(problems.iter().cloned());
            o.result = scs_standards::TestResult::Fail;
        }
    }
    (avail, fips)
}

async fn boot_and_read(
    session: &Session,
    ledger: &Ledger,
    mine: &mut Vec<(Kind, String)>,
) -> Result<ConsoleVerdict, String> {
    let (images, flavors) = futures::try_join!(session.list_public_images(), session.list_flavors())
        .map_err(|e| format!("cannot list images and flavors: {e}"))?;
    let image = images
        .iter()
        .filter(|i| i.status == "active" && !i.os_hidden)
        .max_by_key(|i| image_rank(i))
        .ok_or("no public active image to boot")?;
    let flavor =
        pick_flavor(&flavors, image).ok_or_else(|| format!("no flavor has the RAM {} needs", image.label()))?;
    let external = session.list_networks(true).await.map_err(|e| format!("list external networks: {e}"))?;

    let mut record = |kind: Kind, id: &str, name: &str| {
        ledger.record(kind.clone(), id, name);
        mine.push((kind, id.to_owned()));
    };
    let net_name = format!("{PREFIX}net");
    let network = session.create_network(&net_name).await.map_err(|e| format!("create network {net_name}: {e}"))?;
    record(Kind::Network, &network.id, &net_name);
    let subnet_name = format!("{PREFIX}subnet");
    let subnet = session
        .create_subnet(&subnet_name, &network.id, "10.1.0.0/24", "10.1.0.1", ("10.1.0.100", "10.1.0.199"), "9.9.9.9")
        .await
        .map_err(|e| format!("create subnet {subnet_name}: {e}"))?;
    record(Kind::Subnet, &subnet.id, &subnet_name);
    let router_name = format!("{PREFIX}router");
    let router = session
        .create_router(&router_name, external.first().map(|n| n.id.as_str()))
        .await
        .map_err(|e| format!("create router {router_name}: {e}"))?;
    record(Kind::Router, &router.id, &router_name);
    session.add_router_interface(&router.id, &subnet.id).await.map_err(|e| format!("attach {subnet_name}: {e}"))?;
    record(Kind::RouterInterface { router: router.id.clone() }, &subnet.id, &format!("{router_name}:{subnet_name}"));

    // The boot volume is made here, with a name, rather than by Nova from the image: a volume
    // that outlives its server (a cloud whose Nova cannot delete attachments) stays findable.
    let volume_name = format!("{PREFIX}volume");
    let size = u32::try_from(image.min_disk.unwrap_or(0).max(8)).unwrap_or(8);
    let volume = session
        .create_volume_from_image(&volume_name, size, &image.id)
        .await
        .map_err(|e| format!("create boot volume {volume_name} from {}: {e}", image.label()))?;
    record(Kind::Volume, &volume.id, &volume_name);
    let vid = volume.id.clone();
    super::wait_for(&format!("boot volume {volume_name}"), "available", || async {
        session.get_volume(&vid).await.map(|v| v.status)
    })
    .await?;

    let server_name = format!("{PREFIX}server");
    let spec = BootServer {
        name: &server_name,
        flavor_id: &flavor.id,
        root: Root::Volume(&volume.id),
        availability_zone: None,
        network_id: &network.id,
        user_data: USER_DATA,
        key_name: None,
        security_groups: &[],
    };
    let server = session.boot_server(&spec).await.map_err(|e| format!("boot {server_name}: {e}"))?;
    record(Kind::Server, &server.id, &server_name);

    let started = Instant::now();
    let mut active_since = None;
    loop {
        tokio::time::sleep(Duration::from_secs(if active_since.is_some() { 5 } else { 2 })).await;
        if active_since.is_none() {
            let s = session.get_server(&server.id).await.map_err(|e| format!("server {server_name}: {e}"))?;
            match s.status.as_str() {
                "ACTIVE" => active_since = Some(Instant::now()),
                "ERROR" => {
                    let fault = s.fault.map(|f| f.message).unwrap_or_default();
                    return Err(format!("server {server_name} went to ERROR: {fault}"));
                }
                _ if started.elapsed() > CONSOLE_LIMIT => {
                    return Err(format!("server {server_name} still {} after {} s", s.status, CONSOLE_LIMIT.as_secs()));
                }
                _ => continue,
            }
        }
        let text = session.console_output(&server.id).await.map_err(|e| format!("console of {server_name}: {e}"))?;
        let console = parse_console(&text);
        if console.done || console.script_failed {
            return Ok(console);
        }
        let active = active_since.map_or(Duration::ZERO, |t| t.elapsed());
        if !console.booted && active > NO_BOOT_AFTER {
            let last = text.lines().last().unwrap_or_default();
            return Err(format!(
                "no guest runs: server {server_name} is ACTIVE, but after {} s its console shows no Linux boot \
                 (last line: '{last}'); the hypervisor does not run guests (e.g. Nova's fake driver)",
                NO_BOOT_AFTER.as_secs()
            ));
        }
        if started.elapsed() > CONSOLE_LIMIT {
            return Err(format!(
                "the console of {server_name} showed no end marker within {} s",
                CONSOLE_LIMIT.as_secs()
            ));
        }
    }
}
