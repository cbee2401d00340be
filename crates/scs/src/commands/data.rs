// SPDX-License-Identifier: Apache-2.0
//! `scs data`: the release data behind version-policy-check: show which copy
//! a check would use and how old it is, or refresh it from the upstream
//! sources where a network exists.

use anyhow::Context;
use clap::Subcommand;
use scs_kaas::data::{ReleaseData, default_path};
use scs_kaas::refresh::{Sources, refresh};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// `scs data` subcommands.
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Fetch Kubernetes releases, end-of-life dates and critical CVEs; write them where checks find them.
    Refresh {
        /// Write here instead of the user's data directory.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Per-request timeout in seconds.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Base URL of the releases list (GitHub API shape), for mirrors.
        #[arg(long, hide = true)]
        releases_url: Option<String>,
        /// End-of-life table (endoflife.date shape), for mirrors.
        #[arg(long, hide = true)]
        end_of_life_url: Option<String>,
        /// CVE feed (JSON Feed of kubernetes.io), for mirrors.
        #[arg(long, hide = true)]
        cve_feed_url: Option<String>,
        /// Prefix of CVE records (CVE JSON 5), for mirrors.
        #[arg(long, hide = true)]
        cve_record_url: Option<String>,
    },
    /// Show the release data a check would use: source, age, branches and their end of life.
    Show {
        /// This file instead of the default choice.
        #[arg(long, value_name = "FILE")]
        release_data: Option<PathBuf>,
    },
}

/// Runs `scs data`.
pub fn run(command: DataCommand) -> anyhow::Result<ExitCode> {
    match command {
        DataCommand::Refresh { output, timeout, releases_url, end_of_life_url, cve_feed_url, cve_record_url } => {
            let defaults = Sources::default();
            let sources = Sources {
                releases: releases_url.unwrap_or(defaults.releases),
                end_of_life: end_of_life_url.unwrap_or(defaults.end_of_life),
                cve_feed: cve_feed_url.unwrap_or(defaults.cve_feed),
                cve_record: cve_record_url.unwrap_or(defaults.cve_record),
            };
            let path = output.or_else(default_path).context("no HOME or XDG_DATA_HOME: pass --output FILE")?;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let mut warnings = Vec::new();
            let data = runtime
                .block_on(refresh(&sources, Duration::from_secs(timeout.max(1)), &mut warnings))
                .context("refreshing the release data (nothing written)")?;
            for w in &warnings {
                eprintln!("scs: warning: {w}");
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            // write beside and rename, so a check never reads half a file
            let partial = path.with_extension("json.partial");
            std::fs::write(&partial, data.to_json()).with_context(|| format!("writing {}", partial.display()))?;
            std::fs::rename(&partial, &path).with_context(|| format!("writing {}", path.display()))?;
            outln!(
                "{}: {} branches, {} releases, {} critical CVEs, fetched {}",
                path.display(),
                data.branches.len(),
                data.releases.len(),
                data.critical_cves.len(),
                data.fetched_at.format("%Y-%m-%d %H:%M UTC")
            )?;
            Ok(ExitCode::SUCCESS)
        }
        DataCommand::Show { release_data } => {
            let (data, source) = ReleaseData::choose(release_data.as_deref())?;
            let today = chrono::Local::now().date_naive();
            outln!("source: {source}")?;
            outln!(
                "fetched: {} ({} days ago)",
                data.fetched_at.format("%Y-%m-%d %H:%M UTC"),
                (today - data.fetched_at.date_naive()).num_days()
            )?;
            let mut branches = data.branches.clone();
            branches.sort_by_key(|b| std::cmp::Reverse(b.branch));
            for b in branches {
                let newest = data.releases.iter().filter(|r| r.version.branch() == b.branch).max_by_key(|r| r.version);
                outln!(
                    "{:<6} end of life {}{}  newest known {}",
                    b.branch.to_string(),
                    b.end_of_life,
                    if b.end_of_life > today { "" } else { " (past)" },
                    newest.map(|r| format!("{} ({})", r.version, r.published_at.date_naive())).unwrap_or("-".into())
                )?;
            }
            outln!("{} releases, {} critical CVEs", data.releases.len(), data.critical_cves.len())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
