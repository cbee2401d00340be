// SPDX-License-Identifier: Apache-2.0
//! The guest checks' login and ping against a real OpenSSH server (Debian's
//! `sshd`, which `.ci/run` installs, started here on 127.0.0.1 as the
//! stand-in guest): the iteration's key made by `ssh-keygen` logs in and
//! `ping` runs in the "guest"; a key the guest does not know, a port where
//! nothing answers and a ping target that cannot be reached fail with what
//! OpenSSH or ping said. The lab's servers run no guest, so this is where the path is
//! exercised.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use scs_health::guest::{GuestKey, Login, ping_out, wait_for_ssh};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Sshd(Child);

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `sshd` on 127.0.0.1:`port` letting `authorized` in as root.
fn sshd(dir: &std::path::Path, port: u16, authorized: &str) -> Sshd {
    let sshd = std::path::Path::new("/usr/sbin/sshd");
    assert!(sshd.exists(), "/usr/sbin/sshd is missing: apt-get install openssh-server (.ci/run does)");
    std::fs::create_dir_all("/run/sshd").unwrap();
    let host_key = dir.join("host_key");
    let made = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&host_key).status();
    assert!(made.unwrap().success());
    std::fs::write(dir.join("authorized_keys"), format!("{authorized}\n")).unwrap();
    let config = dir.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "ListenAddress 127.0.0.1\nPort {port}\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
             PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             UsePAM no\nStrictModes no\n",
            host_key.display(),
            dir.join("authorized_keys").display(),
            dir.join("sshd.pid").display()
        ),
    )
    .unwrap();
    let child = Command::new(sshd).arg("-D").arg("-e").arg("-f").arg(&config).stderr(Stdio::null()).spawn().unwrap();
    Sshd(child)
}

#[tokio::test]
async fn the_guest_key_logs_in_and_pings_and_failures_say_why() {
    let key = GuestKey::new().unwrap();
    assert!(key.public.starts_with("ssh-ed25519 ") && key.private.exists(), "{}", key.public);
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _sshd = sshd(dir.path(), port, &key.public);
    wait_for_ssh("127.0.0.1", port, Duration::from_secs(20)).await.unwrap();

    let login = Login { address: "127.0.0.1", port, user: "root", key: &key.private };
    let summary = ping_out(&login, "127.0.0.1", Duration::from_secs(30)).await.unwrap();
    assert!(summary.starts_with("3 packets transmitted, 3 received"), "{summary}");

    // a target that cannot be reached (a name that never resolves): ping's own failure and words
    let lost = ping_out(&login, "scs-health.invalid", Duration::from_secs(30)).await.unwrap_err();
    assert!(lost.starts_with("ping scs-health.invalid from the guest failed (exit 2): "), "{lost}");

    // a key the guest does not know: OpenSSH's refusal
    let stranger = GuestKey::new().unwrap();
    let login = Login { key: &stranger.private, ..login };
    let refused = ping_out(&login, "127.0.0.1", Duration::from_secs(30)).await.unwrap_err();
    assert!(refused.contains("Permission denied"), "{refused}");

    // nothing listening: the wait ends with the reason
    let closed = free_port();
    let silent = wait_for_ssh("127.0.0.1", closed, Duration::from_secs(3)).await.unwrap_err();
    assert!(silent.contains("did not answer within 3 s") && silent.contains("refused"), "{silent}");
}
