// SPDX-License-Identifier: Apache-2.0
//! The attacks of `lab/bench-attack` against a running `scs serve` on
//! loopback, each bounded in time, while a prober measures what a
//! legitimate client sees (`/healthz` on a new connection every 20 ms) and
//! the server's resident memory is sampled from `/proc`.
//!
//! ```text
//! serve_attack wrong-passwords URL SUBJECT CONCURRENCY SECONDS PID
//! serve_attack slowloris URL CONNECTIONS SECONDS PID
//! ```
//! `wrong-passwords`: CONCURRENCY clients upload to `/reports` as SUBJECT
//! (an existing account, whose API key is an argon2 hash) with a wrong
//! password, each as fast as it is answered. `slowloris`: CONNECTIONS
//! connections each send a request line and then one header line every 5 s,
//! never finishing; a connection the server closes is opened again.
//! Prints one line per figure, `name value`, for the script to read.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt as _;

fn arg<T: std::str::FromStr>(args: &[String], i: usize, name: &str) -> anyhow::Result<T> {
    args.get(i)
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("argument {i} ({name}) missing or malformed; see the source's usage"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mode: String = arg(&args, 1, "MODE")?;
    let url: String = arg(&args, 2, "URL")?;
    let stop = Arc::new(AtomicBool::new(false));
    let (attack, seconds, pid): (tokio::task::JoinHandle<Vec<(String, u64)>>, u64, u32) = match mode.as_str() {
        "wrong-passwords" => {
            let subject: String = arg(&args, 3, "SUBJECT")?;
            let concurrency: usize = arg(&args, 4, "CONCURRENCY")?;
            (
                tokio::spawn(wrong_passwords(url.clone(), subject, concurrency, stop.clone())),
                arg(&args, 5, "SECONDS")?,
                arg(&args, 6, "PID")?,
            )
        }
        "slowloris" => {
            let connections: usize = arg(&args, 3, "CONNECTIONS")?;
            scs_web::listener::raise_open_files_limit();
            (
                tokio::spawn(slowloris(url.clone(), connections, stop.clone())),
                arg(&args, 4, "SECONDS")?,
                arg(&args, 5, "PID")?,
            )
        }
        other => anyhow::bail!("unknown mode {other}: wrong-passwords or slowloris"),
    };
    let rss_before = rss_kib(pid)?;
    let memory = tokio::spawn(sample_rss(pid, stop.clone()));
    let probes = tokio::spawn(probe(url, stop.clone()));
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::SeqCst);
    let counts = attack.await?;
    let (mut latencies, failures) = probes.await?;
    let rss_max = memory.await?;
    latencies.sort();
    let pct =
        |p: f64| latencies.get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1))).copied();
    let ms = |d: Option<Duration>| d.map_or(-1.0, |d| d.as_secs_f64() * 1000.0);
    for (name, n) in counts {
        println!("{name} {n}");
    }
    println!("healthz_answered {}", latencies.len());
    println!("healthz_failed {failures}");
    println!("healthz_p50_ms {:.2}", ms(pct(0.50)));
    println!("healthz_p99_ms {:.2}", ms(pct(0.99)));
    println!("healthz_max_ms {:.2}", ms(latencies.last().copied()));
    println!("rss_before_mib {:.1}", rss_before as f64 / 1024.0);
    println!("rss_max_mib {:.1}", rss_max as f64 / 1024.0);
    println!("rss_after_mib {:.1}", rss_kib(pid)? as f64 / 1024.0);
    Ok(())
}

/// The process's resident set in KiB.
fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmRSS in /proc/{pid}/status"))
}

async fn sample_rss(pid: u32, stop: Arc<AtomicBool>) -> u64 {
    let mut max = 0;
    while !stop.load(Ordering::SeqCst) {
        max = max.max(rss_kib(pid).unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    max
}

/// `/healthz` on a new connection every 20 ms: its latencies, and how many
/// probes failed or took over 2 s.
async fn probe(url: String, stop: Arc<AtomicBool>) -> (Vec<Duration>, u64) {
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(2)).build();
    let Ok(client) = client else { return (Vec::new(), u64::MAX) };
    let (mut latencies, mut failures) = (Vec::new(), 0);
    while !stop.load(Ordering::SeqCst) {
        let started = Instant::now();
        match client.get(format!("{url}/healthz")).send().await {
            Ok(r) if r.status().is_success() => latencies.push(started.elapsed()),
            _ => failures += 1,
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (latencies, failures)
}

async fn wrong_passwords(
    url: String,
    subject: String,
    concurrency: usize,
    stop: Arc<AtomicBool>,
) -> Vec<(String, u64)> {
    let refused = Arc::new(AtomicU64::new(0));
    let other = Arc::new(AtomicU64::new(0));
    let Ok(client) = reqwest::Client::builder().timeout(Duration::from_secs(60)).build() else { return Vec::new() };
    let mut tasks = Vec::new();
    for n in 0..concurrency {
        let (client, url, subject, stop, refused, other) =
            (client.clone(), url.clone(), subject.clone(), stop.clone(), refused.clone(), other.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let sent = client
                    .post(format!("{url}/reports"))
                    .basic_auth(&subject, Some(format!("wrong-{n}")))
                    .header("content-type", "application/x-signed-yaml")
                    .body("-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n&spec: {}\n")
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == 401 => refused.fetch_add(1, Ordering::Relaxed),
                    _ => other.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    vec![
        ("uploads_refused_401".into(), refused.load(Ordering::SeqCst)),
        ("uploads_other".into(), other.load(Ordering::SeqCst)),
    ]
}

async fn slowloris(url: String, connections: usize, stop: Arc<AtomicBool>) -> Vec<(String, u64)> {
    let address = url.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let opened = Arc::new(AtomicU64::new(0));
    let closed_by_server = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (address, stop, opened, closed) = (address.clone(), stop.clone(), opened.clone(), closed_by_server.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let Ok(mut stream) = tokio::net::TcpStream::connect(&address).await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                opened.fetch_add(1, Ordering::Relaxed);
                let mut alive = stream.write_all(b"GET / HTTP/1.1\r\nHost: attack\r\n").await.is_ok();
                while alive && !stop.load(Ordering::SeqCst) {
                    for _ in 0..50 {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    alive = stream.write_all(b"X-Slow: 1\r\n").await.is_ok() && stream.flush().await.is_ok();
                }
                if !alive {
                    closed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    vec![
        ("slow_connections_opened".into(), opened.load(Ordering::SeqCst)),
        ("slow_connections_closed_by_server".into(), closed_by_server.load(Ordering::SeqCst)),
    ]
}
