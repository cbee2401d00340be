// SPDX-License-Identifier: Apache-2.0
//! The cleanup guarantee against the lab: `scs check` interrupted with SIGINT
//! or SIGTERM while its resources exist removes them before it exits; killed with
//! SIGKILL, it leaves them, and `scs cleanup` removes every one.
//! Needs the lab (`lab/openstack up`); `SCS_SKIP_LAB=1` opts out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test
#![allow(clippy::zombie_processes)] // every child is waited for or killed; a panic ends the test binary

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Both tests use the same resource names in the same project.
static LAB: Mutex<()> = Mutex::new(());

fn clouds() -> Option<PathBuf> {
    scs_testkit::lab::seeded_clouds_yaml()
}

fn scs(clouds: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scs")).args(args).env("OS_CLIENT_CONFIG_FILE", clouds).output().unwrap()
}

fn leftovers(clouds: &Path) -> String {
    let out = scs(clouds, &["cleanup", "--os-cloud", "lab-member", "--dry-run"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Starts the entropy testcase (it holds a network, router and server for a
/// minute) and waits until its server exists.
fn start_entropy_check(clouds: &Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["check", "--scope", "scs-compatible-iaas", "--os-cloud", "lab-member", "-V", "v5.1"])
        .args(["-t", "scs-0101-entropy-avail"])
        .env("OS_CLIENT_CONFIG_FILE", clouds)
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let found = leftovers(clouds);
        if found.contains("server _scs-0101-server") && found.contains("network _scs-0101-net") {
            return child;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no server appeared within 60 s: {found}");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn signal(child: &Child, name: &str) {
    assert!(Command::new("kill").args([name, &child.id().to_string()]).status().unwrap().success());
}

#[test]
fn sigint_and_sigterm_remove_what_the_check_created() {
    let Some(clouds) = clouds() else { return };
    let _guard = LAB.lock().unwrap_or_else(|e| e.into_inner());
    for name in ["-INT", "-TERM"] {
        let mut child = start_entropy_check(&clouds);
        signal(&child, name);
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < Duration::from_secs(180), "scs check did not stop after SIG{name}");
            std::thread::sleep(Duration::from_millis(200));
        };
        assert_eq!(status.code(), Some(130), "SIG{name}");
        let found = leftovers(&clouds);
        assert!(found.starts_with("0 resources"), "left behind after SIG{name}:\n{found}");
    }
}

#[test]
fn after_sigkill_scs_cleanup_removes_everything() {
    let Some(clouds) = clouds() else { return };
    let _guard = LAB.lock().unwrap_or_else(|e| e.into_inner());
    let mut child = start_entropy_check(&clouds);
    signal(&child, "-KILL");
    child.wait().unwrap();
    let found = leftovers(&clouds);
    assert!(found.contains("server _scs-0101-server"), "a killed check cannot clean up:\n{found}");
    let out = scs(&clouds, &["cleanup", "--os-cloud", "lab-member"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for kind in ["server", "router interface", "router", "subnet", "network"] {
        assert!(text.contains(&format!("removed {kind} ")), "{kind} not removed:\n{text}");
    }
    let found = leftovers(&clouds);
    assert!(found.starts_with("0 resources"), "left behind after scs cleanup:\n{found}");
}
