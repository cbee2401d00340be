// SPDX-License-Identifier: Apache-2.0
//! `scs report`: sign, verify, upload, summarise and compare reports.

use anyhow::Context;
use clap::Subcommand;
use scs_signing::{REPORT_NAMESPACE, Signer};
use scs_standards::{AnyReport, TestResult, read_reports};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Report commands.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Sign a report with an OpenSSH key (SSHSIG, namespace `report`); writes REPORT.sig.
    Sign {
        /// Unencrypted OpenSSH private key (ed25519, RSA or ECDSA P-256/384/521).
        #[arg(long, short = 'k')]
        key: PathBuf,
        /// Where to write the signature (default: REPORT.sig).
        #[arg(long, short = 's')]
        signature: Option<PathBuf>,
        /// The report file.
        report: PathBuf,
    },
    /// Verify a report's signature against public keys (.pub, authorized_keys or allowed_signers).
    Verify {
        /// File with the allowed public keys.
        #[arg(long, short = 'p')]
        public_keys: PathBuf,
        /// The signature (default: REPORT.sig).
        #[arg(long, short = 's')]
        signature: Option<PathBuf>,
        /// The report file.
        report: PathBuf,
    },
    /// Upload a signed report to a compliance monitor (POST /reports).
    Upload {
        /// Base URL of the monitor.
        #[arg(long)]
        monitor_url: String,
        /// File holding base64(subject:passphrase), as upstream's tokenfile.
        #[arg(long, short = 't')]
        token_file: PathBuf,
        /// Sign with this key before uploading (else REPORT.sig is used).
        #[arg(long, short = 'k')]
        key: Option<PathBuf>,
        /// The signature (default: REPORT.sig).
        #[arg(long, short = 's')]
        signature: Option<PathBuf>,
        /// The report file.
        report: PathBuf,
    },
    /// Summarise a report: subject, scope, run, and each testcase's result.
    Show {
        /// The report file.
        report: PathBuf,
    },
    /// Which testcases changed result between two reports (exit 1 if any did).
    Diff {
        /// The older report.
        old: PathBuf,
        /// The newer report.
        new: PathBuf,
    },
}

/// Runs a report command.
pub fn run(command: ReportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReportCommand::Sign { key, signature, report } => {
            let text = read(&report)?;
            let signer = Signer::from_file(&key)?;
            let sig = signer.sign(REPORT_NAMESPACE, &text)?;
            let out = signature.unwrap_or_else(|| sig_path(&report));
            std::fs::write(&out, sig).with_context(|| format!("writing {}", out.display()))?;
            outln!("wrote {}", out.display())?;
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::Verify { public_keys, signature, report } => {
            let text = read(&report)?;
            let sig_file = signature.unwrap_or_else(|| sig_path(&report));
            let sig = std::fs::read_to_string(&sig_file).with_context(|| format!("reading {}", sig_file.display()))?;
            let keys = scs_signing::read_public_keys(&public_keys)?;
            match scs_signing::verify(&keys, REPORT_NAMESPACE, &text, &sig) {
                Ok(key) => {
                    outln!(
                        "Good \"report\" signature of {} with {}",
                        report.display(),
                        key.fingerprint(ssh_key::HashAlg::Sha256)
                    )?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("scs: {}: signature {} rejected: {e}", report.display(), sig_file.display());
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        ReportCommand::Upload { monitor_url, token_file, key, signature, report } => {
            let text = read(&report)?;
            // the monitor parses it; catch a broken report here, with its line
            read_reports(&report.display().to_string(), &String::from_utf8_lossy(&text))?;
            let sig = match key {
                Some(key) => Signer::from_file(&key)?.sign(REPORT_NAMESPACE, &text)?,
                None => {
                    let file = signature.unwrap_or_else(|| sig_path(&report));
                    std::fs::read_to_string(&file)
                        .with_context(|| format!("reading {} (sign first, or pass --key)", file.display()))?
                }
            };
            let token = crate::upload::read_token(&token_file)?;
            let json = report.extension().is_some_and(|e| e == "json");
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let answer = runtime.block_on(crate::upload::upload(&monitor_url, &token, &sig, &text, json))?;
            outln!(
                "uploaded {} to {monitor_url}{}",
                report.display(),
                if answer.is_empty() { String::new() } else { format!(": {answer}") }
            )?;
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::Show { report } => {
            for r in load(&report)? {
                show(&r)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::Diff { old, new } => diff(&load(&old)?, &load(&new)?),
    }
}

/// Where `ssh-keygen -Y sign` puts the signature of `report`: `REPORT.sig`.
pub(crate) fn sig_path(report: &Path) -> PathBuf {
    let mut name = report.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn load(path: &Path) -> anyhow::Result<Vec<AnyReport>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(read_reports(&path.display().to_string(), &text)?)
}

fn label(result: TestResult) -> &'static str {
    match result {
        TestResult::Pass => "PASS",
        TestResult::Fail => "FAIL",
        TestResult::Abort => "ABORT",
    }
}

fn scope_name(report: &AnyReport) -> String {
    match report {
        AnyReport::Upstream(r) => r.spec.name.clone(),
        AnyReport::V2(r) => r.scope.clone(),
    }
}

fn evidence(report: &AnyReport) -> BTreeMap<&str, &[String]> {
    match report {
        AnyReport::Upstream(r) => r
            .run
            .invocations
            .values()
            .flat_map(|i| i.evidence.iter().map(|(k, v)| (k.as_str(), v.as_slice())))
            .collect(),
        AnyReport::V2(_) => BTreeMap::new(),
    }
}

fn show(report: &AnyReport) -> anyhow::Result<()> {
    let records = report.records();
    let count = |r: TestResult| records.iter().filter(|x| x.result == r).count();
    outln!("{} {} checked {} (run {})", report.subject(), scope_name(report), report.checked_at(), report.uuid())?;
    outln!(
        "  {} testcases: {} passed, {} failed, {} aborted",
        records.len(),
        count(TestResult::Pass),
        count(TestResult::Fail),
        count(TestResult::Abort)
    )?;
    let evidence = evidence(report);
    for record in &records {
        outln!("  {:5} {}", label(record.result), record.testcase)?;
        if record.result != TestResult::Pass {
            for line in evidence.get(record.testcase.as_str()).copied().unwrap_or_default() {
                outln!("        {line}")?;
            }
        }
    }
    Ok(())
}

/// (subject, scope, testcase) → result, the latest report winning.
fn results(reports: &[AnyReport]) -> BTreeMap<(String, String, String), TestResult> {
    let mut sorted: Vec<&AnyReport> = reports.iter().collect();
    sorted.sort_by_key(|r| r.checked_at());
    let mut out = BTreeMap::new();
    for r in sorted {
        for record in r.records() {
            out.insert((r.subject().to_owned(), scope_name(r), record.testcase), record.result);
        }
    }
    out
}

fn diff(old: &[AnyReport], new: &[AnyReport]) -> anyhow::Result<ExitCode> {
    let (before, after) = (results(old), results(new));
    let mut keys: Vec<&(String, String, String)> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut changed = 0;
    for key in keys {
        let (a, b) = (before.get(key), after.get(key));
        if a == b {
            continue;
        }
        changed += 1;
        let show = |r: Option<&TestResult>| r.map_or("absent", |r| label(*r));
        outln!("{} {} {}: {} -> {}", key.0, key.1, key.2, show(a), show(b))?;
    }
    if changed == 0 {
        outln!("no testcase changed result")?;
        return Ok(ExitCode::SUCCESS);
    }
    Ok(ExitCode::from(1))
}
