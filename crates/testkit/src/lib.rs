// SPDX-License-Identifier: Apache-2.0
//! Test support for the scs crates: a real headless Chromium (Debian's
//! `chromium`, driven over WebDriver by `chromedriver`), so pages are tested
//! as a visitor's browser renders them (`.ci/run` installs both; locally
//! `SCS_SKIP_BROWSER=1` opts out), where the upstream reference files are, and
//! the labs ([`lab`]).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support: a panic is a failed test

pub mod lab;
pub mod postgres;
pub mod ssh;

use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// status-page-openapi's `openapi.yaml`: beside `SCS_UPSTREAM_DIR` (the
/// scs-standards checkout `.ci/run` finds), or in `../shared/upstream`
/// beside the project.
pub fn status_page_openapi() -> PathBuf {
    match std::env::var_os("SCS_UPSTREAM_DIR") {
        Some(dir) => PathBuf::from(dir).join("../status-page-openapi/openapi.yaml"),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/upstream/status-page-openapi/openapi.yaml"
        )),
    }
}

/// A headless Chromium session; the driver process ends with it.
pub struct Driver {
    child: Child,
    _profile: tempfile::TempDir,
    /// The WebDriver client.
    pub client: Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `chromedriver` on a free loopback port and a headless Chromium session
/// with the flags this closed network needs. `None` only when the browser
/// is missing and `SCS_SKIP_BROWSER` is set; missing without it fails.
pub async fn browser() -> Option<Driver> {
    if !std::path::Path::new("/usr/bin/chromedriver").exists() {
        assert!(
            std::env::var_os("SCS_SKIP_BROWSER").is_some(),
            "/usr/bin/chromedriver missing: apt-get install chromium chromium-driver (or SCS_SKIP_BROWSER=1)"
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.path().display())],
        }),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut last = None;
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&webdriver).await {
            Ok(client) => return Some(Driver { child, _profile: profile, client }),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no WebDriver session: {last:?}");
}
