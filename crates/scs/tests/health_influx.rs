// SPDX-License-Identifier: Apache-2.0
//! `scs health once --line-protocol` writes openstack-health-monitor's
//! InfluxDB points to a real InfluxDB 1.x (Debian's `influxdb`, which
//! `.ci/run` installs; started here on 127.0.0.1) and to a file; InfluxQL
//! reads them back: one series per command line client and wait, the
//! iteration's `totDur`, as many points as the file has lines. Needs the
//! lab (`SCS_SKIP_LAB=1` opts out).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::{KillOnDrop, free_port};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs InfluxQL `q` on database `db`; the first statement's series
/// (`duration` is a keyword of InfluxQL: the field is quoted).
fn query(base: &str, db: &str, q: &str) -> Vec<Value> {
    let answer: Value = reqwest::blocking::Client::new()
        .post(format!("{base}/query"))
        .query(&[("db", db), ("q", q)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(answer["error"].is_null() && answer["results"][0]["error"].is_null(), "{q}: {answer}");
    answer["results"][0]["series"].as_array().cloned().unwrap_or_default()
}

#[test]
fn line_protocol_goes_to_influxdb_and_comes_back_by_influxql() {
    let Some(clouds) = scs_testkit::lab::seeded_clouds_yaml() else { return };
    let influxd = Path::new("/usr/bin/influxd");
    assert!(influxd.exists(), "/usr/bin/influxd is missing: apt-get install influxdb (.ci/run does)");
    let dir = tempfile::tempdir().unwrap();
    let (port, rpc) = (free_port(), free_port());
    let config = dir.path().join("influxdb.conf");
    let state = dir.path().display();
    std::fs::write(
        &config,
        format!(
            "reporting-disabled = true\nbind-address = \"127.0.0.1:{rpc}\"\n\
             [meta]\n  dir = \"{state}/meta\"\n\
             [data]\n  dir = \"{state}/data\"\n  wal-dir = \"{state}/wal\"\n\
             [http]\n  bind-address = \"127.0.0.1:{port}\"\n  log-enabled = false\n"
        ),
    )
    .unwrap();
    let _influxd = KillOnDrop(
        Command::new(influxd).arg("-config").arg(&config).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while reqwest::blocking::get(format!("{base}/ping")).ok().map(|r| r.status().as_u16()) != Some(204) {
        assert!(started.elapsed() < Duration::from_secs(60), "influxd did not answer /ping");
        std::thread::sleep(Duration::from_millis(200));
    }
    query(&base, "", "CREATE DATABASE health");

    let file = dir.path().join("health.lp");
    let run = |target: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_scs"))
            .args(["health", "once", "--os-cloud", "lab-member", "--line-protocol", target])
            .env("OS_CLIENT_CONFIG_FILE", &clouds)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    run(&format!("{base}/write?db=health"));
    run(&file.display().to_string());

    let lines = std::fs::read_to_string(&file).unwrap();
    let first = lines.lines().next().unwrap();
    assert!(first.starts_with("lab-member,cmd=token,method=issue duration="), "{first}");
    let series = query(&base, "health", "SELECT count(\"duration\") FROM \"lab-member\" GROUP BY cmd");
    let commands: Vec<&str> = series.iter().filter_map(|s| s["tags"]["cmd"].as_str()).collect();
    for wanted in ["token", "neutron", "nova", "cinder", "glance", "waitVM", "waitVOLUME", "totDur"] {
        assert!(commands.contains(&wanted), "{wanted} in {commands:?}");
    }
    // both iterations have the same steps; retries and polls may differ in number
    let points: u64 = series.iter().map(|s| s["values"][0][1].as_u64().unwrap()).sum();
    let in_file = lines.lines().count() as u64;
    assert!(points.abs_diff(in_file) * 5 < in_file, "{points} points in InfluxDB, {in_file} lines in the file");
    let total = query(&base, "health", "SELECT \"duration\", return_code FROM \"lab-member\" WHERE cmd = 'totDur'");
    let row = &total[0]["values"][0];
    assert!(row[1].as_f64().unwrap() > 1.0 && row[2].as_f64() == Some(0.0), "{row}");
    let created = query(
        &base,
        "health",
        "SELECT \"duration\" FROM \"lab-member\" WHERE cmd = 'neutron' AND method = 'network-create'",
    );
    assert_eq!(created[0]["values"].as_array().unwrap().len(), 1, "{created:?}");
    // a wrong database is an error of the command, not silence
    let out = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["health", "once", "--os-cloud", "lab-member", "--line-protocol", &format!("{base}/write?db=nowhere")])
        .env("OS_CLIENT_CONFIG_FILE", &clouds)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("database not found"), "{stderr}");
}
