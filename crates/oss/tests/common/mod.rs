// SPDX-License-Identifier: Apache-2.0
//! Helpers of the tests that build repositories with git.

use std::path::Path;
use std::process::Command;

/// Runs git in `dir` as `who` (name, e-mail) at `time` (seconds since the
/// epoch), without the machine's git configuration; fails the test on error.
pub fn git(dir: &Path, args: &[&str], who: (&str, &str), time: i64) {
    let date = format!("@{time} +0000");
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", who.0)
        .env("GIT_AUTHOR_EMAIL", who.1)
        .env("GIT_COMMITTER_NAME", who.0)
        .env("GIT_COMMITTER_EMAIL", who.1)
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}
