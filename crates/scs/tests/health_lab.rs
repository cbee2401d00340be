// SPDX-License-Identifier: Apache-2.0
//! `scs health once` against the lab: an iteration completes with every
//! step timed and every API call named, nothing with its prefix is left
//! afterwards, and SIGINT while its resources exist removes them before
//! it exits (130). Needs the lab (`lab/openstack up`); `SCS_SKIP_LAB=1`
//! opts out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test
#![allow(clippy::zombie_processes)] // every child is waited for or killed; a panic ends the test binary

mod common;

use common::health_leftovers;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn scs(clouds: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scs")).args(args).env("OS_CLIENT_CONFIG_FILE", clouds).output().unwrap()
}

#[test]
fn an_iteration_times_every_step_and_leaves_nothing_even_when_interrupted() {
    let Some(clouds) = scs_testkit::lab::seeded_clouds_yaml() else { return };

    // one whole iteration
    let out = scs(&clouds, &["health", "once", "--os-cloud", "lab-member", "--format", "json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "exit {:?}: {text}\n{}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    let iteration: Value = serde_json::from_str(&text).unwrap();
    let steps = iteration["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["name"].as_str().unwrap()).collect();
    // two servers by default: #1 from a volume, #2 from the image; the lab has one zone, so one network
    for expected in [
        "token and catalog",
        "list availability zones",
        "list external networks",
        "create router",
        "create network #1",
        "create subnet #1",
        "attach router interface #1",
        "create security group",
        "create security group rules",
        "create keypair",
        "create boot volume #1",
        "wait volume available #1",
        "boot server #1",
        "wait server ACTIVE #1",
        "boot server #2 (from image)",
        "wait server ACTIVE #2",
        "create floating IP",
        "create data volume",
        "attach volume",
        "wait data-volume in-use",
        "detach volume",
        "wait data-volume detached",
        "create container",
        "put object",
        "get object",
        "delete object",
        "delete container",
        "create load balancer",
        "wait load-balancer ACTIVE",
        "create listener",
        "create pool",
        "create member #1",
        "create member #2",
        "create health monitor",
        "wait load-balancer ACTIVE (health monitor)",
        "teardown",
    ] {
        let step =
            steps.iter().find(|s| s["name"] == expected).unwrap_or_else(|| panic!("no step {expected}: {names:?}"));
        assert_eq!(step["outcome"], "ok", "{step}");
        assert!(step["seconds"].as_f64().unwrap() > 0.0, "{step}");
    }
    // the lab's fake hypervisor runs no guest: said, never passed
    let guest = steps.iter().find(|s| s["name"] == "guest checks (SSH, ping)").unwrap();
    assert_eq!(guest["outcome"], "not_run");
    assert!(!guest["reason"].as_str().unwrap().is_empty());
    // the creations of the independent chains overlap
    let at = |name: &str| steps.iter().find(|s| s["name"] == name).unwrap()["at"].as_f64().unwrap();
    assert!((at("create network #1") - at("create boot volume #1")).abs() < 0.5, "{names:?}");
    assert!((at("boot server #1") - at("boot server #2 (from image)")).abs() < 0.5, "{names:?}");

    let calls = iteration["calls"].as_array().unwrap();
    assert!(calls.len() >= 20, "{}", calls.len());
    for service in ["identity", "network", "compute", "image", "block-storage", "load-balancer", "object-store"] {
        assert!(calls.iter().any(|c| c["service"] == service), "no {service} call");
    }
    assert!(calls.iter().all(|c| c["seconds"].as_f64().unwrap() > 0.0));
    // calls run at once, never more than max_in_flight (8): the peak of overlapping spans
    let mut edges: Vec<(f64, i32)> = calls
        .iter()
        .flat_map(|c| {
            let (at, seconds) = (c["at"].as_f64().unwrap(), c["seconds"].as_f64().unwrap());
            [(at + 0.002, 1), (at + seconds, -1)]
        })
        .collect();
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let peak = edges
        .iter()
        .scan(0, |n, (_, d)| {
            *n += d;
            Some(*n)
        })
        .max()
        .unwrap();
    assert!((2..=8).contains(&peak), "{peak} calls in flight at the peak");
    assert!(calls.iter().any(|c| c["operation"] == "POST /v2.0/networks"), "operations are named by path");
    // ids are not part of operation names: few distinct ones, whatever was made
    assert!(calls.iter().any(|c| c["operation"] == "GET /servers/{id}"), "{calls:?}");
    let operations: std::collections::BTreeSet<&str> = calls.iter().map(|c| c["operation"].as_str().unwrap()).collect();
    let prefix = iteration["prefix"].as_str().unwrap();
    assert!(
        operations.iter().all(|o| !o.contains(prefix)),
        "no name of this iteration in an operation: {operations:?}"
    );
    assert!(operations.len() <= 50, "{operations:?}");
    assert_eq!(iteration["leftovers"], serde_json::json!([]));
    assert_eq!(health_leftovers(&clouds), Vec::<String>::new());

    // SIGINT while the iteration's resources exist
    let mut child = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["health", "once", "--os-cloud", "lab-member"])
        .env("OS_CLIENT_CONFIG_FILE", &clouds)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let found = health_leftovers(&clouds);
        if found.iter().any(|l| l.contains("network scs-health-")) {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no network of the iteration appeared: {found:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{text}");
    assert!(text.contains("interrupted, cleaned up"), "{text}");
    assert_eq!(health_leftovers(&clouds), Vec::<String>::new(), "{text}");
}
