// SPDX-License-Identifier: Apache-2.0
//! The local record on both backends (an SQLite file, and PostgreSQL from
//! `SCS_TEST_POSTGRES_URL`): checks go in, `report` gives availability per
//! service and latency percentiles over a window, old checks are dropped.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use chrono::{Duration, Utc};
use scs_health::ApiCall;
use scs_health::probe::{Probe, ProbeFailure};
use scs_health::record::Record;
use scs_health::scenario::{FailureClass, Iteration, Step, StepOutcome};

fn call(service: &str, class: &'static str, seconds: f64) -> ApiCall {
    ApiCall { service: service.into(), operation: "GET /x".into(), status: Some(200), class, seconds, at: 0.0 }
}

fn step(name: &str, service: &'static str, outcome: StepOutcome) -> Step {
    Step { name: name.into(), service, wait: false, at: 0.0, seconds: 0.1, outcome }
}

fn iteration(minutes_ago: i64, network_fails: bool) -> Iteration {
    let network = if network_fails {
        StepOutcome::Failed { class: FailureClass::Connect, message: "no connection".into() }
    } else {
        StepOutcome::Ok
    };
    Iteration {
        cloud: "lab".into(),
        prefix: "scs-health-1-".into(),
        started_at: Utc::now() - Duration::minutes(minutes_ago),
        seconds: 12.0,
        steps: vec![step("token and catalog", "identity", StepOutcome::Ok), step("create network", "network", network)],
        calls: (1..=20)
            .map(|i| call("compute", "ok", f64::from(i) / 10.0))
            .chain([call("identity", "ok", 0.3), call("network", if network_fails { "connect" } else { "ok" }, 0.05)])
            .collect(),
        leftovers: vec![],
        interrupted: false,
        pauses: vec![],
    }
}

async fn suite(url: &str) {
    let record = Record::open(url, 1).await.unwrap();
    record.iteration(&iteration(30, false)).await.unwrap();
    record.iteration(&iteration(20, true)).await.unwrap();
    let mut cut = iteration(10, false);
    cut.interrupted = true;
    record.iteration(&cut).await.unwrap();
    let probe = Probe {
        cloud: "lab".into(),
        started_at: Utc::now(),
        seconds: 0.5,
        calls: vec![call("identity", "connect", 0.01)],
        failures: vec![ProbeFailure { service: "identity", what: "token", message: "refused".into() }],
    };
    record.probe(&probe).await.unwrap();

    let report = record.report(Utc::now() - Duration::hours(1), None).await.unwrap();
    let lab = &report.clouds[0];
    let counts = (lab.iterations, lab.iterations_ok, lab.probes, lab.probes_ok);
    assert_eq!(counts, (2, 1, 1, 0), "the interrupted iteration is not counted");
    let service = |name: &str| lab.services.iter().find(|s| s.service == name).unwrap();
    assert_eq!((service("network").checks, service("network").good), (2, 1));
    assert!((service("network").availability - 0.5).abs() < 1e-9);
    assert_eq!((service("identity").checks, service("identity").good), (3, 2), "two iterations and the probe");
    let compute = service("compute");
    assert_eq!((compute.calls, compute.failed_calls), (40, 0));
    assert_eq!((compute.p50, compute.p95, compute.p99), (Some(1.0), Some(1.9), Some(2.0)));
    assert_eq!((service("network").calls, service("network").failed_calls), (2, 1));

    // the window, and another cloud's name
    let recent = record.report(Utc::now() - Duration::minutes(25), None).await.unwrap();
    assert_eq!(recent.clouds[0].iterations, 1);
    assert!(record.report(Utc::now() - Duration::hours(1), Some("prod")).await.unwrap().clouds.is_empty());

    // a day's retention: whatever is older goes at the next write (here, its own)
    record.iteration(&iteration(2 * 24 * 60, false)).await.unwrap();
    record.iteration(&iteration(1, false)).await.unwrap();
    let all = record.report(Utc::now() - Duration::days(30), None).await.unwrap();
    assert_eq!(all.clouds[0].iterations, 3);
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    suite(&format!("sqlite://{}", dir.path().join("health.db").display())).await;
}

#[tokio::test]
async fn postgres() {
    let Some(url) = scs_testkit::postgres::fresh("scs_health_record").await else { return };
    suite(&url).await;
}
