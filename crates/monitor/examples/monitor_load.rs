// SPDX-License-Identifier: Apache-2.0
//! Load for `lab/bench-monitor`: fills a monitor database with a realistic
//! history, and uploads signed reports as fast as the monitor takes them.
//!
//! ```text
//! monitor_load seed DATABASE_URL OUT_DIR PUBKEY SUBJECTS HISTORY TESTCASES
//! monitor_load upload MONITOR_URL KEY COUNT CONCURRENCY KIB
//! ```
//! `seed` writes OUT_DIR/bootstrap.yaml (accounts `s-000`... with API key
//! `bench`, and `uploader` with PUBKEY) and stores HISTORY daily reports per
//! subject and scope (IaaS and KaaS), each with TESTCASES results.
//! `upload` signs COUNT reports of about KIB KiB as `uploader` and POSTs them
//! with CONCURRENCY in flight; prints uploads/s and latency percentiles.

use argon2::password_hash::{PasswordHasher, SaltString};
use scs_monitor::Store;
use scs_monitor::store::{NewReport, NewResult};
use std::time::{Duration, Instant};

const SCOPES: [(&str, &str); 2] = [
    ("50393e6f-2ae1-4c5c-a62c-3b75f2abef3f", "scs-compatible-iaas"),
    ("1fffebe6-fd4b-44d3-a36c-fc58b4bb0180", "scs-compatible-kaas"),
];

fn arg(args: &[String], i: usize, name: &str) -> anyhow::Result<String> {
    args.get(i).cloned().ok_or_else(|| anyhow::anyhow!("missing argument {name}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("seed") => {
            let n: usize = arg(&args, 5, "SUBJECTS")?.parse()?;
            let history: usize = arg(&args, 6, "HISTORY")?.parse()?;
            let testcases: usize = arg(&args, 7, "TESTCASES")?.parse()?;
            seed(
                &arg(&args, 2, "DATABASE_URL")?,
                &arg(&args, 3, "OUT_DIR")?,
                &arg(&args, 4, "PUBKEY")?,
                n,
                history,
                testcases,
            )
            .await
        }
        Some("upload") => {
            let count: usize = arg(&args, 4, "COUNT")?.parse()?;
            let concurrency: usize = arg(&args, 5, "CONCURRENCY")?.parse()?;
            let kib: usize = arg(&args, 6, "KIB")?.parse()?;
            upload(&arg(&args, 2, "MONITOR_URL")?, &arg(&args, 3, "KEY")?, count, concurrency, kib).await
        }
        _ => anyhow::bail!("usage: monitor_load seed|upload ... (see the source)"),
    }
}

async fn seed(url: &str, out: &str, pubkey: &str, n: usize, history: usize, testcases: usize) -> anyhow::Result<()> {
    let salt = SaltString::encode_b64(b"scs-monitor-bench").map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = argon2::Argon2::default().hash_password(b"bench", &salt).map_err(|e| anyhow::anyhow!("{e}"))?;
    let public = std::fs::read_to_string(pubkey)?;
    let mut parts = public.split_whitespace();
    let (kind, body) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let mut yaml = format!(
        "accounts:\n- {{subject: uploader, api_keys: ['{hash}'], keys: [{{public_key: {body}, public_key_type: {kind}, public_key_name: bench}}]}}\n"
    );
    for i in 0..n {
        yaml.push_str(&format!("- {{subject: s-{i:03}, api_keys: ['{hash}']}}\n"));
    }
    std::fs::write(format!("{out}/bootstrap.yaml"), yaml)?;
    let store = Store::connect(url).await?;
    let scopes: Vec<Vec<String>> = SCOPES
        .iter()
        .map(|(_, name)| {
            let scope = scs_standards::embedded::load_scope(name)?;
            let known: Vec<String> = scope.testcases.iter().map(|t| t.id.clone()).collect();
            // the scope's testcases, then made-up ones up to TESTCASES (stored, ignored by evaluation)
            Ok((0..testcases).map(|i| known.get(i).cloned().unwrap_or_else(|| format!("{name}-extra-{i}"))).collect())
        })
        .collect::<anyhow::Result<_>>()?;
    let now = chrono::Utc::now().naive_utc();
    let started = Instant::now();
    let mut reports = 0;
    for i in 0..n {
        let mut batch = Vec::new();
        for ((uuid, _), ids) in SCOPES.iter().zip(&scopes) {
            for day in 0..history {
                let checked_at = now - chrono::Duration::days(day as i64) - chrono::Duration::minutes(i as i64);
                let results = ids
                    .iter()
                    .enumerate()
                    .map(|(k, tc)| {
                        let result = if (i + k + day) % 17 == 0 { -1 } else { 1 };
                        NewResult::uploaded(uuid, "*", tc, result)
                    })
                    .collect();
                let run = format!("bench-{i:03}-{uuid}-{day}");
                let data =
                    serde_json::json!({"spec": {"uuid": uuid}, "subject": format!("s-{i:03}"), "run": {"uuid": run}})
                        .to_string();
                let subject = format!("s-{i:03}");
                batch.push(NewReport { uuid: run, checked_at, subject, data, results, uploaded_at: None });
            }
        }
        reports += batch.len();
        store.insert_reports(&batch, now).await?;
    }
    println!(
        "seeded {n} subjects × {} scopes × {history} reports × {testcases} testcases = {reports} reports, {} results in {:.1} s",
        SCOPES.len(),
        reports * testcases,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A report of about `kib` KiB: the testcases of IaaS v5.1 and output lines.
fn big_report(n: usize, kib: usize) -> String {
    let uuid = format!("upload-{}-{n}", std::process::id());
    let mut text = format!(
        "---\nspec: {{uuid: {}, name: SCS-compatible IaaS}}\nchecked_at: 2026-11-27 10:00:00\nreference_date: 2026-11-27\n\
         subject: uploader\nrun:\n  uuid: {uuid}\n  argv: []\n  assignment: {{}}\n  sections: null\n  forced_version: null\n  \
         forced_tests: null\n  invocations:\n    i-{uuid}:\n      id: i-{uuid}\n      cmd: scs check\n      \
         results: {{scs-0100-syntax-check: 1, scs-0100-semantics-check: 1}}\n      rc: 0\n      info: 0\n      warning: 0\n      \
         error: 0\n      critical: 0\n      stderr: []\n      stdout:\n",
        SCOPES[0].0
    );
    let mut line = 0;
    while text.len() < kib * 1024 {
        text.push_str(&format!(
            "      - 'INFO: flavor SCS-{line}V-4-20s checked: name, vCPUs, RAM and disk as the name says'\n"
        ));
        line += 1;
    }
    text
}

async fn upload(url: &str, key: &str, count: usize, concurrency: usize, kib: usize) -> anyhow::Result<()> {
    let signer = scs_signing::Signer::from_file(std::path::Path::new(key))?;
    let bodies: Vec<Vec<u8>> = (0..count)
        .map(|n| {
            let text = big_report(n, kib);
            let sig = signer.sign(scs_signing::REPORT_NAMESPACE, text.as_bytes())?;
            Ok(scs_signing::signed_body(&sig, text.as_bytes()))
        })
        .collect::<anyhow::Result<_>>()?;
    let size = bodies.first().map_or(0, Vec::len);
    let client = reqwest::Client::new();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(bodies));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, queue, url) = (client.clone(), queue.clone(), format!("{url}/reports"));
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            // the guard is consumed by the closure: the lock is not held during the request
            while let Some(body) = queue.lock().ok().and_then(|mut q| q.pop()) {
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .basic_auth("uploader", Some("bench"))
                    .header("content-type", "application/x-signed-yaml")
                    .body(body)
                    .send()
                    .await?;
                anyhow::ensure!(r.status().is_success(), "upload: HTTP {}: {}", r.status(), r.text().await?);
                latencies.push(t.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for w in workers {
        latencies.extend(w.await??);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| latencies.get(((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)).copied();
    println!(
        "uploads: {count} × {:.0} KiB, {concurrency} in flight: {:.1} uploads/s, p50 {:.1} ms, p99 {:.1} ms",
        size as f64 / 1024.0,
        count as f64 / seconds,
        pct(0.50).unwrap_or_default().as_secs_f64() * 1000.0,
        pct(0.99).unwrap_or_default().as_secs_f64() * 1000.0,
    );
    Ok(())
}
