// SPDX-License-Identifier: Apache-2.0
//! Guest checks: what a tenant does first with a server, log in through
//! its floating IP and reach the outside from it. OpenSSH does both (its
//! `ssh-keygen` makes the iteration's key, its `ssh` logs in and runs
//! `ping` in the guest), as openstack-health-monitor does; nothing of the
//! key outlives the iteration.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The marker of Nova's fake virt driver in a server's console log: a
/// hypervisor that runs no guest (the lab's).
pub const FAKE_CONSOLE: &str = "FAKE CONSOLE OUTPUT";

/// An ed25519 key pair in a directory removed with it.
#[derive(Debug)]
pub struct GuestKey {
    _dir: tempfile::TempDir,
    /// The private key file.
    pub private: PathBuf,
    /// The public key line (`ssh-ed25519 AAAA… scs-health`).
    pub public: String,
}

impl GuestKey {
    /// A new key by `ssh-keygen`.
    pub fn new() -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("a directory for the key: {e}"))?;
        let private = dir.path().join("id_ed25519");
        let out = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "scs-health", "-f"])
            .arg(&private)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("ssh-keygen: {e}"))?;
        if !out.status.success() {
            return Err(format!("ssh-keygen: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        let public = std::fs::read_to_string(private.with_extension("pub"))
            .map_err(|e| format!("ssh-keygen's public key: {e}"))?
            .trim()
            .to_owned();
        Ok(Self { _dir: dir, private, public })
    }
}

/// Where and as whom to log in.
#[derive(Clone, Debug)]
pub struct Login<'a> {
    /// The guest's address (its floating IP).
    pub address: &'a str,
    /// Its SSH port.
    pub port: u16,
    /// The image's user.
    pub user: &'a str,
    /// The private key.
    pub key: &'a Path,
}

/// Waits until the guest's SSH port accepts a connection (the guest has
/// booted that far), trying every 2 s for up to `limit`.
pub async fn wait_for_ssh(address: &str, port: u16, limit: Duration) -> Result<(), String> {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < limit {
        let attempt = tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect((address, port)));
        match attempt.await {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(e)) => last = e.to_string(),
            Err(_) => last = "no answer within 5 s".to_owned(),
        }
        scs_checks::scratch::pause(Duration::from_secs(2)).await;
    }
    Err(format!("{address}:{port}: SSH did not answer within {} s ({last})", limit.as_secs()))
}

/// Logs in and runs `ping` to `target` in the guest (3 packets); returns
/// ping's summary line. A refused key, a failed login or a lost ping is an
/// error with what OpenSSH or ping said.
pub async fn ping_out(login: &Login<'_>, target: &str, limit: Duration) -> Result<String, String> {
    let remote = format!("ping -c 3 -W 2 {target}");
    let mut command = tokio::process::Command::new("ssh");
    command
        .args(["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"])
        .args(["-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", "-o", "IdentitiesOnly=yes", "-i"])
        .arg(login.key)
        .args(["-p", &login.port.to_string(), "-l", login.user, login.address, &remote])
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let out = tokio::time::timeout(limit, command.output())
        .await
        .map_err(|_| format!("ssh {}@{}: no result within {} s", login.user, login.address, limit.as_secs()))?
        .map_err(|e| format!("ssh: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary = stdout.lines().find(|l| l.contains("packets transmitted")).unwrap_or_default().trim().to_owned();
    match out.status.code() {
        Some(0) => Ok(summary),
        // ssh's own failures (connection, authentication) exit with 255
        Some(255) => Err(format!("ssh {}@{}: {}", login.user, login.address, stderr.trim())),
        code => Err(format!(
            "ping {target} from the guest failed (exit {}): {}",
            code.map_or_else(|| "by a signal".to_owned(), |c| c.to_string()),
            if summary.is_empty() { stderr.trim().to_owned() } else { summary }
        )),
    }
}
