// SPDX-License-Identifier: Apache-2.0
//! `scs health run` as a daemon against the lab, scraped by a real
//! Prometheus (Debian's `prometheus`, which `.ci/run` installs) on
//! 127.0.0.1: PromQL over Prometheus's HTTP API returns the API-duration
//! series, the iteration counter and the light probes' series, and every query of the Grafana
//! dashboard in `dashboards/` is valid; SIGINT stops the daemon with nothing
//! left in the cloud. And a settings file it cannot use (unknown keys, a
//! missing cloud, a status page that does not answer) is refused, naming
//! the file and the line or field. Needs the lab (`SCS_SKIP_LAB=1` opts out
//! of the lab test).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test
#![allow(clippy::zombie_processes)] // every child is waited for or killed

mod common;

use common::{KillOnDrop, free_port, health_leftovers};
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The daemon, stopped as an operator would (SIGINT, so that its running
/// iteration cleans up) also when an assertion fails.
struct StopOnDrop(Option<Child>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
            for _ in 0..600 {
                if child.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs PromQL `query` until it returns a non-empty vector (or 90 s pass).
fn query(prometheus: &str, query: &str) -> Vec<Value> {
    let client = reqwest::blocking::Client::new();
    let started = Instant::now();
    loop {
        let answer: Option<Value> = client
            .get(format!("{prometheus}/api/v1/query"))
            .query(&[("query", query)])
            .send()
            .ok()
            .and_then(|r| r.json().ok());
        if let Some(result) = answer.as_ref().and_then(|a| a["data"]["result"].as_array()).filter(|r| !r.is_empty()) {
            return result.clone();
        }
        assert!(started.elapsed() < Duration::from_secs(90), "{query}: no data within 90 s: {answer:?}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn prometheus_scrapes_the_daemon_and_promql_finds_api_durations_and_iterations() {
    let Some(clouds) = scs_testkit::lab::seeded_clouds_yaml() else { return };
    let prometheus_bin = Path::new("/usr/bin/prometheus");
    assert!(prometheus_bin.exists(), "/usr/bin/prometheus is missing: apt-get install prometheus (.ci/run does)");
    let dir = tempfile::tempdir().unwrap();
    let (port, prometheus_port) = (free_port(), free_port());
    let settings = dir.path().join("health.toml");
    std::fs::write(
        &settings,
        format!(
            "listen = \"127.0.0.1:{port}\"\ninterval_seconds = 2\nprobe_seconds = 1\n[[cloud]]\nname = \"lab-member\"\n"
        ),
    )
    .unwrap();
    let mut daemon = StopOnDrop(Some(
        Command::new(env!("CARGO_BIN_EXE_scs"))
            .args(["health", "run", "--config"])
            .arg(&settings)
            .env("OS_CLIENT_CONFIG_FILE", &clouds)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    ));
    let scrape = dir.path().join("prometheus.yml");
    std::fs::write(
        &scrape,
        format!(
            "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\n\
             scrape_configs:\n- job_name: scs-health\n  static_configs:\n  - targets: ['127.0.0.1:{port}']\n"
        ),
    )
    .unwrap();
    let _prometheus = KillOnDrop(
        Command::new(prometheus_bin)
            .arg(format!("--config.file={}", scrape.display()))
            .arg(format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{prometheus_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let prometheus = format!("http://127.0.0.1:{prometheus_port}");

    let iterations = query(&prometheus, "scs_health_iterations_total{cloud=\"lab-member\",result=\"success\"} >= 1");
    assert_eq!(iterations[0]["metric"]["job"], "scs-health", "{iterations:?}");
    let services = query(&prometheus, "sum by (service) (scs_health_api_call_seconds_count{cloud=\"lab-member\"})");
    let names: Vec<&str> = services.iter().filter_map(|s| s["metric"]["service"].as_str()).collect();
    for service in ["identity", "network", "compute"] {
        assert!(names.contains(&service), "{names:?}");
    }
    let p95 = query(
        &prometheus,
        "histogram_quantile(0.95, sum by (le) (scs_health_api_call_seconds_bucket{service=\"network\"}))",
    );
    let value: f64 = p95[0]["value"][1].as_str().unwrap().parse().unwrap_or(f64::NAN);
    assert!(value > 0.0 && value < 30.0, "network p95 {value}");

    // the light probes between iterations: read-only calls of four services, every second
    query(&prometheus, "scs_health_probes_total{cloud=\"lab-member\",result=\"success\"} >= 2");
    let probed = query(&prometheus, "sum by (service) (scs_health_probe_call_seconds_count{cloud=\"lab-member\"})");
    let names: Vec<&str> = probed.iter().filter_map(|s| s["metric"]["service"].as_str()).collect();
    for service in ["identity", "compute", "image", "network"] {
        assert!(names.contains(&service), "probed: {names:?}");
    }

    // every query of the Grafana dashboard in the repo is valid PromQL over these series, and
    // those of a healthy cloud return data
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dashboards/scs-health.json"))
            .unwrap(),
    )
    .unwrap();
    let client = reqwest::blocking::Client::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        let title = panel["title"].as_str().unwrap();
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            let promql = expr
                .replace("$cloud", "lab-member")
                .replace("$service", ".*")
                .replace("$__rate_interval", "1m")
                .replace("$__range", "10m");
            let quiet = title.contains("error") || title.contains("Failed");
            if quiet {
                let answer: Value = client
                    .get(format!("{prometheus}/api/v1/query"))
                    .query(&[("query", &promql)])
                    .send()
                    .unwrap()
                    .json()
                    .unwrap();
                assert_eq!(answer["status"], "success", "{title}: {promql}: {answer}");
            } else {
                query(&prometheus, &promql);
            }
        }
    }

    // SIGINT: the running iteration cleans up, the daemon ends
    let mut daemon = daemon.0.take().unwrap();
    assert!(Command::new("kill").args(["-INT", &daemon.id().to_string()]).status().unwrap().success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = daemon.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = daemon.kill();
            panic!("the daemon did not stop within 120 s of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(daemon.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("stopped after"), "{stderr}");
    assert_eq!(health_leftovers(&clouds), Vec::<String>::new());
}

#[test]
fn a_settings_file_it_cannot_use_is_refused_naming_file_and_line_or_field() {
    let dir = tempfile::tempdir().unwrap();
    let run = |text: &str| {
        let path = dir.path().join("health.toml");
        std::fs::write(&path, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_scs"))
            .args(["health", "run", "--config"])
            .arg(&path)
            .env("OS_CLIENT_CONFIG_FILE", dir.path().join("clouds.yaml"))
            .output()
            .unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    std::fs::write(dir.path().join("clouds.yaml"), "clouds: {}\n").unwrap();
    let e = run("interval_seconds = 5\nlisten_port = 9\n");
    assert!(e.contains("health.toml") && e.contains("line 2") && e.contains("listen_port"), "{e}");
    let e = run("[[cloud]]\nname = \"nowhere\"\n");
    assert!(e.contains("health.toml") && e.contains("cloud[0].name") && e.contains("nowhere"), "{e}");
    let e = run("listen = \"somewhere\"\n[[cloud]]\nname = \"x\"\n");
    assert!(e.contains("listen: \"somewhere\""), "{e}");
    // a status page that does not answer is refused at start, naming the field
    std::fs::write(
        dir.path().join("clouds.yaml"),
        "clouds:\n  lab:\n    auth: {auth_url: 'http://127.0.0.1:9/v3', username: u, password: p, project_name: x}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("token"), "t\n").unwrap();
    let e = run(&format!(
        "[[cloud]]\nname = \"lab\"\n[status_page]\nurl = \"http://127.0.0.1:{}\"\ntoken_file = {:?}\n\
         [status_page.components]\nnetwork = \"Network\"\n",
        free_port(),
        dir.path().join("token").display().to_string()
    ));
    assert!(e.contains("health.toml: cloud lab") && e.contains("status_page.url: GET http://127.0.0.1:"), "{e}");
    assert!(e.contains("no answer"), "{e}");
}
