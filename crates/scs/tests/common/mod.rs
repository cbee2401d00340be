// SPDX-License-Identifier: Apache-2.0
//! A stand-in for the compliance monitor's upload endpoint: it checks a body
//! as the monitor does (content type, Basic token, `signature & report`
//! verified with the real `ssh-keygen -Y verify`, duplicates refused) and
//! keeps every accepted report. And the real one: `scs serve` as a child.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // test code

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// The token the stand-in accepts: base64("lab:secret").
pub const TOKEN: &str = "bGFiOnNlY3JldA==";

/// A one-request-at-a-time HTTP server that checks uploads as the monitor does.
/// Returns the URL; every request gets the status chosen by its content.
pub fn monitor(dir: &Path, public_key: &Path) -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let signers = dir.join("monitor_signers");
    std::fs::write(&signers, format!("mail@csp.eu {}", std::fs::read_to_string(public_key).unwrap())).unwrap();
    let work = dir.to_owned();
    let received = Arc::new(Mutex::new(Vec::new()));
    let accepted = received.clone();
    std::thread::spawn(move || {
        let mut seen = std::collections::HashSet::new();
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = Vec::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                head.push(line.trim_end().to_owned());
            }
            let header = |name: &str| {
                head.iter()
                    .find_map(|h| {
                        h.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
                    })
                    .unwrap_or("")
                    .to_owned()
            };
            let length: usize = header("content-length").parse().unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let (status, answer) =
                judge(&head[0], &header("content-type"), &header("authorization"), &body, &signers, &work, &mut seen);
            if status.starts_with("200") {
                accepted.lock().unwrap().push(body.clone());
            }
            write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            )
            .unwrap();
        }
    });
    (url, received)
}

fn judge(
    request_line: &str,
    content_type: &str,
    authorization: &str,
    body: &[u8],
    signers: &Path,
    work: &Path,
    seen: &mut std::collections::HashSet<Vec<u8>>,
) -> (&'static str, String) {
    if !request_line.starts_with("POST /reports ") {
        return ("404 Not Found", "no such endpoint".into());
    }
    if content_type != "application/x-signed-yaml" {
        return ("415 Unsupported Media Type", content_type.into());
    }
    if authorization != format!("Basic {TOKEN}") {
        return ("401 Unauthorized", "bad token".into());
    }
    let Some(at) = body.iter().position(|b| *b == b'&') else { return ("401 Unauthorized", "no signature".into()) };
    let (sig, report) = (&body[..at], &body[at + 1..]);
    let sig_file = work.join("upload.sig");
    std::fs::write(&sig_file, sig).unwrap();
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", "report", "-I", "mail@csp.eu", "-f"])
        .arg(signers)
        .arg("-s")
        .arg(&sig_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(report).unwrap();
    if !child.wait().unwrap().success() {
        return ("401 Unauthorized", "signature rejected".into());
    }
    if !seen.insert(report.to_vec()) {
        return ("409 Conflict", "duplicate run uuid".into());
    }
    ("200 OK", "report accepted".into())
}

/// Whether `ssh-keygen -Y verify` accepts `signature` over `message` by the
/// key in `public_key`, as the compliance monitor checks it.
pub fn openssh_verifies(public_key: &Path, message: &Path, signature: &Path) -> bool {
    let signers = signature.with_extension("signers");
    std::fs::write(&signers, format!("mail@csp.eu {}", std::fs::read_to_string(public_key).unwrap())).unwrap();
    Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", "report", "-I", "mail@csp.eu", "-f"])
        .arg(&signers)
        .arg("-s")
        .arg(signature)
        .stdin(std::fs::File::open(message).unwrap())
        .output()
        .unwrap()
        .status
        .success()
}

/// `scs serve` on `database_url` with `accounts`, listening on `port`
/// (known to the caller, so that a restart keeps the address).
pub fn start_serve(database_url: &str, accounts: &Path, port: u16) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", database_url])
        .arg("--accounts")
        .arg(accounts)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "scs serve on port {port} exited before it listened");
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "scs serve did not listen");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // what answers must be this child, not another process on the same port
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(child.try_wait().unwrap().is_none(), "scs serve on port {port} exited: the port was taken");
    child
}

/// A child process (`scs serve`) killed and reaped when dropped, also when
/// an assertion fails.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Writes `bootstrap.yaml` in `dir` with the one account `alpha` (API key
/// `secret`, bcrypt) that signs with a new key; returns the file and the
/// private key.
pub fn alpha_account(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let key = scs_testkit::ssh::keygen(dir, "alpha");
    let body = scs_testkit::ssh::public_body(&key);
    let hash = bcrypt::hash("secret", 4).unwrap();
    let accounts = dir.join("bootstrap.yaml");
    std::fs::write(
        &accounts,
        format!(
            "accounts:\n- {{subject: alpha, api_keys: ['{hash}'], keys: [{{public_key: {body}, public_key_type: ssh-ed25519, public_key_name: k}}]}}\n"
        ),
    )
    .unwrap();
    (accounts, key)
}

/// A loopback port free right now.
pub fn free_port() -> u16 {
    // The kernel may hand the same free port to two tests of one binary that
    // ask at once (the first releases it before its server binds it); the
    // second server then exits (address in use) while its test talks to the
    // first test's server, until that one is killed (seen in CI: connection
    // refused). So no port is handed out twice in a process.
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// What `scs cleanup --dry-run` finds with the health prefix in the lab
/// (its `would remove` lines; none when nothing was left).
pub fn health_leftovers(clouds: &Path) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["cleanup", "--os-cloud", "lab-member", "--dry-run", "--prefix", "scs-health-"])
        .env("OS_CLIENT_CONFIG_FILE", clouds)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.starts_with("would remove")).map(str::to_owned).collect()
}
