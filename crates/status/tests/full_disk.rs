// SPDX-License-Identifier: Apache-2.0
//! A full disk is an outage, not a lasting one: while the disk holding the
//! SQLite file is full, writes fail (and nothing half-written is kept); the
//! moment space is freed, the next write succeeds. Found in issue 16:
//! writes kept failing for about a minute after space was freed, with
//! "begin_with at non-zero transaction depth" (a pooled connection that
//! SQLite had rolled back by itself still counted a transaction);
//! `crates/db/tests/released_in_transaction.rs` reproduces that state
//! exactly. This test runs the whole path on a real full disk: a 4 MiB
//! tmpfs mounted for the test, which needs root (as `.ci/run` runs; without
//! it the test fails and says so).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::serve;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs of `size` mounted on a fresh directory, unmounted when dropped.
struct SmallDisk {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let out =
            Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(&path).output();
        match out {
            Ok(o) if o.status.success() => Self { path, _dir: dir },
            Ok(o) => panic!(
                "this test mounts a small tmpfs to fill it and needs root (as .ci/run runs): mount: {}",
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(e) => panic!("this test mounts a small tmpfs and needs mount(8): {e}"),
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Writes zeros into `path` until the disk is full.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).unwrap();
    let block = vec![0u8; 64 << 10];
    loop {
        if file.write_all(&block).and_then(|()| file.sync_all()).is_err() {
            break;
        }
    }
    // the last partial block too
    for _ in 0..64 {
        if file.write_all(&block[..1024]).and_then(|()| file.sync_all()).is_err() {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_succeed_again_as_soon_as_a_full_disk_has_space() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let disk = SmallDisk::mount("4m");
    let store =
        scs_status::Store::connect(&format!("sqlite://{}", disk.path.join("status.db").display())).await.unwrap();
    let token = scs_status::auth::new_token().unwrap();
    store.create_token("ops", &scs_status::auth::token_hash(&token), true).await.unwrap();
    let base = serve(scs_status::App::new(store)).await;
    let client = reqwest::Client::new();
    let write = |n: usize| {
        client
            .post(format!("{base}/components"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"displayName": format!("component {n}"), "labels": {"a": "x".repeat(1000), "b": "y".repeat(1000)}}))
            .send()
    };
    let first = write(0).await.unwrap();
    assert_eq!(first.status().as_u16(), 201, "{}", first.text().await.unwrap());

    let filler = disk.path.join("filler");
    fill(&filler);
    for n in 1..=20 {
        let r = write(n).await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert!(!body.contains("disk is full"), "the driver's text stays in the log: {body}");
        assert_ne!(status, 201, "write {n} succeeded on a full disk?");
        assert!(status >= 500, "write {n}: {status}");
    }

    std::fs::remove_file(&filler).unwrap();
    for n in 21..=40 {
        let r = write(n).await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert_eq!(status, 201, "write {n} after space was freed: {body}");
    }
    // the writes made while the disk was full left nothing behind; those after it are all there
    let listed: serde_json::Value =
        client.get(format!("{base}/components")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 21, "{listed}");
}
