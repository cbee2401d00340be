// SPDX-License-Identifier: Apache-2.0
//! What an account may not make the monitor believe: a report checked in
//! the future (beyond a small clock skew) is refused, so it cannot outrank
//! every later report.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_report_from_the_future_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = start(&format!("sqlite://{}", dir.path().join("future.db").display()), None).await;
    let main = v51_main();
    let pass: Vec<(&str, i32)> = main.iter().map(|t| (t.as_str(), 1)).collect();
    let (status, body) = m.upload("alpha", "alpha", &report("alpha", "f-1", "2099-01-01 00:00:00", &pass)).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("checked_at") && body.contains("future"), "{body}");
    // a few seconds ahead (clocks differ) is fine
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(30)).format("%Y-%m-%d %H:%M:%S").to_string();
    let (status, body) = m.upload("alpha", "alpha", &report("alpha", "f-2", &soon, &pass)).await;
    assert_eq!(status, 200, "{body}");
    // nothing of the refused report was stored
    let (status, _) = m.get_as("alpha", "/reports/f-1").await;
    assert_eq!(status, 404);
}

/// Whether a subject exists must not show in the answer's timing: an
/// unknown subject costs the same password hashing as a wrong password.
#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_subject_takes_as_long_as_a_wrong_password() {
    let dir = tempfile::tempdir().unwrap();
    let m = start(&format!("sqlite://{}", dir.path().join("timing.db").display()), None).await;
    let median = |mut v: Vec<std::time::Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..7 {
        for (user, times) in [("alpha", &mut known), ("nobody-here", &mut unknown)] {
            let started = std::time::Instant::now();
            let (status, _) = m.post(user, "wrong", "application/x-signed-yaml", b"x&y".to_vec()).await;
            times.push(started.elapsed());
            assert_eq!(status, 401);
        }
    }
    let (known, unknown) = (median(known), median(unknown));
    assert!(unknown * 2 >= known, "unknown subject {unknown:?}, wrong password {known:?}");
}
