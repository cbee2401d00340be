// SPDX-License-Identifier: Apache-2.0
//! Open Operations end to end, by fault injection in the lab: `scs health
//! run` watches the lab and reports to a `scs serve` status page. Stopping
//! neutron-server makes the network steps fail, and an incident on the
//! Network component appears within K iterations (through the API and on
//! the public page in Chromium); a restart of the monitor mid-incident takes
//! the incident over instead of opening a duplicate; starting neutron again
//! resolves it after M good iterations. Stopping Keystone makes every
//! iteration fail at the token with a clear reason, no panic, nothing
//! leaked. An incident typed by a person on the same component is never
//! touched. Afterwards `scs health report` reads the outage from the local
//! record. One test: it stops lab services, which no other test may see.
//! Needs the lab (`SCS_SKIP_LAB=1` opts out).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test
#![allow(clippy::zombie_processes)] // every child is waited for or killed

mod common;

use common::{KillOnDrop, free_port, health_leftovers};
use reqwest::blocking::Client;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// K and M of the settings.
const OPEN_AFTER: u64 = 2;
const RESOLVE_AFTER: u64 = 1;

fn lab_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/openstack")
}

fn lab(action: &str, service: &str) {
    let out = Command::new(lab_script()).args([action, service]).output().unwrap();
    assert!(out.status.success(), "lab/openstack {action} {service}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Starts the stopped lab services again, also when an assertion fails.
struct Restart(&'static str);

impl Drop for Restart {
    fn drop(&mut self) {
        let _ = Command::new(lab_script()).args(["start", self.0]).status();
    }
}

/// `scs health run`, its stderr in a file.
struct Monitor {
    child: Option<Child>,
    log: PathBuf,
}

impl Monitor {
    fn start(settings: &Path, clouds: &Path, log: PathBuf) -> Self {
        let err = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_scs"))
            .args(["health", "run", "--config"])
            .arg(settings)
            .env("OS_CLIENT_CONFIG_FILE", clouds)
            .env("SCS_LOG", "info")
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap();
        Self { child: Some(child), log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, as a service manager stops it; the exit status.
    fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().unwrap();
        assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if started.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                panic!("the monitor did not stop within 120 s of SIGTERM: {}", self.log());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn alive(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| c.try_wait().ok().flatten().is_none())
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.stop();
        }
    }
}

struct Page {
    base: String,
    token: String,
    http: Client,
}

impl Page {
    fn post(&self, path: &str, body: &Value) -> Value {
        let r = self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(body).send().unwrap();
        assert!(r.status().is_success(), "POST {path}: {}", r.status());
        r.json().unwrap_or(Value::Null)
    }

    fn get(&self, path: &str) -> Value {
        let r = self.http.get(format!("{}{path}", self.base)).send().unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json::<Value>().unwrap()["data"].clone()
    }

    /// Every incident overlapping the last day, with its id.
    fn incidents(&self) -> Vec<Value> {
        let now = chrono::Utc::now();
        let (start, end) = (now - chrono::Duration::days(1), now + chrono::Duration::hours(1));
        let path = format!(
            "/incidents?start={}&end={}",
            start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        self.get(&path).as_array().cloned().unwrap_or_default()
    }

    /// The monitor's incidents for `service` of the lab cloud.
    fn ours(&self, service: &str) -> Vec<Value> {
        let marker = format!("scs-health: cloud=lab-member service={service}");
        self.incidents().into_iter().filter(|i| i["description"].as_str().unwrap_or("").contains(&marker)).collect()
    }
}

/// The daemon's counter of iterations with `result`.
fn iterations(metrics_port: u16, result: &str) -> u64 {
    let text = reqwest::blocking::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .and_then(|r| r.text())
        .unwrap_or_default();
    let wanted = format!("scs_health_iterations_total{{cloud=\"lab-member\",result=\"{result}\"}} ");
    text.lines().find_map(|l| l.strip_prefix(&wanted)).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

fn wait_for<T>(what: &str, limit: Duration, monitor: &Monitor, mut probe: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(
            started.elapsed() < limit,
            "{what}: not within {} s; monitor said:\n{}",
            limit.as_secs(),
            monitor.log()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The public page's text, as Chromium renders it.
fn rendered(url: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let driver = scs_testkit::browser().await.expect("Chromium (.ci/run installs it)");
        driver.client.goto(url).await.unwrap();
        let body = driver.client.find(fantoccini::Locator::Css("body")).await.unwrap();
        body.text().await.unwrap()
    })
}

#[test]
fn stopped_services_open_incidents_on_the_status_page_and_started_ones_resolve_them() {
    let Some(clouds) = scs_testkit::lab::seeded_clouds_yaml() else { return };
    let dir = tempfile::tempdir().unwrap();

    // the status page, with the components the monitor maps to
    let database_url = format!("sqlite://{}", dir.path().join("scs.db").display());
    let token = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["status", "token", "create", "health-monitor", "--database-url", &database_url])
        .output()
        .unwrap();
    assert!(token.status.success(), "{}", String::from_utf8_lossy(&token.stderr));
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    let accounts = dir.path().join("accounts.yaml");
    std::fs::write(&accounts, "accounts: []\n").unwrap();
    let port = free_port();
    let _serve = KillOnDrop(common::start_serve(&database_url, &accounts, port));
    let page = Page { base: format!("http://127.0.0.1:{port}"), token: token.clone(), http: Client::new() };
    let mut component = std::collections::BTreeMap::new();
    for name in ["Network", "Compute", "Identity", "Block Storage", "Images"] {
        component
            .insert(name, page.post("/components", &json!({"displayName": name}))["id"].as_str().unwrap().to_owned());
    }
    page.post("/impacttypes", &json!({"displayName": "performance-degradation"}));
    for (severity, value) in [("operational", 33), ("limited", 66), ("broken", 100)] {
        page.post("/severities", &json!({"displayName": severity, "value": value}));
    }
    if page.get("/phases")["phases"].as_array().is_none_or(Vec::is_empty) {
        page.post(
            "/phases",
            &json!({"phases": ["Scheduled", "Investigation ongoing", "Working on it", "Potential fix deployed", "Done"]}),
        );
    }
    let impact_type = page.get("/impacttypes")[0]["id"].as_str().unwrap().to_owned();
    // a person's incident on the Network component, which the monitor must leave alone
    let manual = page.post(
        "/incidents",
        &json!({
            "displayName": "Planned router work", "description": "typed by the operator",
            "beganAt": chrono::Utc::now().to_rfc3339(),
            "affects": [{"reference": component["Network"], "type": impact_type, "severity": 40}]
        }),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let manual_before = page.get(&format!("/incidents/{manual}"));

    let token_file = dir.path().join("status-token");
    std::fs::write(&token_file, &token).unwrap();
    let metrics_port = free_port();
    let settings = dir.path().join("health.toml");
    std::fs::write(
        &settings,
        format!(
            "listen = \"127.0.0.1:{metrics_port}\"\ninterval_seconds = 1\nprobe_seconds = 0\ntimeout_seconds = 10\n\
             [[cloud]]\nname = \"lab-member\"\n\
             [status_page]\nurl = \"{}\"\ntoken_file = {:?}\nopen_after = {OPEN_AFTER}\nresolve_after = {RESOLVE_AFTER}\n\
             [status_page.components]\nnetwork = \"Network\"\ncompute = \"Compute\"\nidentity = \"Identity\"\n\
             block-storage = \"Block Storage\"\nimage = \"Images\"\n",
            page.base,
            token_file.display().to_string()
        ),
    )
    .unwrap();

    // neutron-server stops: the network steps fail, an incident opens within K iterations
    let neutron = Restart("neutron-server");
    lab("stop", "neutron-server");
    let mut monitor = Monitor::start(&settings, &clouds, dir.path().join("monitor-1.log"));
    let opened = wait_for("an incident on Network", Duration::from_secs(240), &monitor, || {
        page.ours("network").into_iter().next()
    });
    let failed = iterations(metrics_port, "failure");
    assert!((OPEN_AFTER..=OPEN_AFTER + 1).contains(&failed), "opened after {failed} failed iterations");
    let id = opened["id"].as_str().unwrap().to_owned();
    assert_eq!(opened["affects"][0]["reference"], json!(component["Network"]), "{opened}");
    assert_eq!(opened["affects"][0]["severity"], json!(100), "{opened}");
    assert!(opened["endedAt"].is_null(), "{opened}");
    let description = opened["description"].as_str().unwrap();
    assert!(description.contains("create network #1 (connect)"), "the evidence names the failed call: {description}");
    assert!(page.ours("compute").is_empty() && page.ours("identity").is_empty(), "only network failed");
    let name = opened["displayName"].as_str().unwrap().to_owned();
    let text = rendered(&format!("{}/", page.base));
    assert!(text.contains(&name), "the public page lists {name:?}: {text}");
    assert!(text.contains("Network (broken)"), "{text}");

    // a restart mid-incident takes it over: updates, no second incident
    assert!(monitor.stop().success(), "{}", monitor.log());
    let before = last_words(&monitor);
    let mut monitor = Monitor::start(&settings, &clouds, dir.path().join("monitor-2.log"));
    wait_for("K+1 failed iterations after the restart", Duration::from_secs(180), &monitor, || {
        (iterations(metrics_port, "failure") > OPEN_AFTER).then_some(())
    });
    let network = page.ours("network");
    assert_eq!(network.len(), 1, "no duplicate after the restart (before it: {before}): {network:?}");
    assert!(!network[0]["updates"].as_array().unwrap().is_empty(), "the taken-over incident got an update");
    assert!(monitor.log().contains(&format!("taking over incident {id}")), "{}", monitor.log());

    // neutron-server is back: resolved after M good iterations
    drop(neutron);
    let resolved = wait_for("the Network incident resolved", Duration::from_secs(300), &monitor, || {
        let i = page.get(&format!("/incidents/{id}"));
        (!i["endedAt"].is_null()).then_some(i)
    });
    assert!(iterations(metrics_port, "success") >= RESOLVE_AFTER);
    let updates = page.get(&format!("/incidents/{id}/updates"));
    let last = updates.as_array().unwrap().last().cloned().unwrap_or_default();
    assert_eq!(last["displayName"], "Resolved", "{updates}");
    assert_eq!(resolved["phase"]["order"], json!(4), "the last phase, Done: {resolved}");

    // Keystone stops: every iteration fails at the token, with a clear reason and no panic
    let keystone = Restart("keystone");
    lab("stop", "keystone");
    let identity = wait_for("an incident on Identity", Duration::from_secs(180), &monitor, || {
        page.ours("identity").into_iter().next()
    });
    let description = identity["description"].as_str().unwrap();
    assert!(description.contains("token and catalog (connect)"), "{description}");
    assert!(monitor.alive(), "{}", monitor.log());
    drop(keystone);
    wait_for("the Identity incident resolved", Duration::from_secs(240), &monitor, || {
        page.ours("identity").iter().all(|i| !i["endedAt"].is_null()).then_some(())
    });

    // stopped as a service manager does: nothing left in the cloud, no panic
    assert!(monitor.stop().success(), "{}", monitor.log());
    let log = monitor.log();
    assert!(!log.contains("panicked"), "{log}");
    assert_eq!(health_leftovers(&clouds), Vec::<String>::new());
    // the operator's incident is as it was
    assert_eq!(page.get(&format!("/incidents/{manual}")), manual_before);

    // the local record beside the settings file tells what happened, per service
    let out = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["health", "report", "--since", "1h", "--format", "json", "--config"])
        .arg(&settings)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lab = &report["clouds"][0];
    assert_eq!(lab["cloud"], "lab-member", "{report}");
    let service = |name: &str| {
        lab["services"].as_array().unwrap().iter().find(|s| s["service"] == name).cloned().unwrap_or_default()
    };
    let network = service("network");
    let availability = network["availability"].as_f64().unwrap();
    assert!(availability > 0.0 && availability < 1.0, "network was down, then up: {network}");
    assert!(network["failed_calls"].as_u64().unwrap() >= OPEN_AFTER, "{network}");
    let identity = service("identity");
    assert!(identity["availability"].as_f64().unwrap() < 1.0, "{identity}");
    assert!(service("compute")["p95"].as_f64().unwrap() > 0.0, "{report}");
    assert!(lab["iterations"].as_i64().unwrap() > lab["iterations_ok"].as_i64().unwrap(), "{report}");
    let text = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["health", "report", "--since", "1h", "--config"])
        .arg(&settings)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("lab-member: ") && text.contains("network"), "{text}");
    eprintln!("{text}");
}

/// The monitor's line saying how many iterations it ran before it stopped.
fn last_words(monitor: &Monitor) -> String {
    let log = monitor.log();
    log.lines().rev().find(|l| l.contains("stopped after")).unwrap_or("?").to_owned()
}
