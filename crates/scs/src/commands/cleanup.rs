// SPDX-License-Identifier: Apache-2.0
//! `scs cleanup`: remove what earlier checks left behind (a killed run, a
//! cloud that failed a deletion), found by name prefix in every service.

use anyhow::Context;
use clap::Args;
use scs_checks::cleanup::{CHECK_PREFIXES, Sweep, sweep};
use scs_openstack::{CloudConfig, Session, SessionOptions};
use std::process::ExitCode;

/// Arguments of `scs cleanup`.
#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// The cloud (clouds.yaml entry).
    #[arg(long, env = "OS_CLOUD")]
    pub os_cloud: Option<String>,
    /// Name prefix to remove (repeatable; default: every prefix scs check uses).
    #[arg(long = "prefix", value_name = "P")]
    pub prefixes: Vec<String>,
    /// Only list what would be removed.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs `scs cleanup`; exit 1 if something could not be removed or listed.
pub fn run(args: CleanupArgs) -> anyhow::Result<ExitCode> {
    let cloud = CloudConfig::load(args.os_cloud.as_deref()).context("selecting the cloud")?;
    let prefixes =
        if args.prefixes.is_empty() { CHECK_PREFIXES.iter().map(|p| (*p).to_owned()).collect() } else { args.prefixes };
    if prefixes.iter().any(String::is_empty) {
        anyhow::bail!("--prefix '': an empty prefix would match everything in the project");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let report = runtime.block_on(async {
        let session = Session::connect(&cloud, SessionOptions::default())
            .await
            .with_context(|| format!("connecting to cloud '{}'", cloud.name))?;
        anyhow::Ok(sweep(&session, &Sweep { prefixes: prefixes.clone(), volumes_only: false }, args.dry_run).await)
    })?;
    let verb = if args.dry_run { "would remove" } else { "removed" };
    let listed = if args.dry_run { report.found.iter().map(ToString::to_string).collect() } else { report.removed };
    for line in &listed {
        outln!("{verb} {line}")?;
    }
    for line in &report.failed {
        eprintln!("scs: {line}");
    }
    outln!("{} resources with prefix {} {verb}", listed.len(), prefixes.join(", "))?;
    Ok(if report.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
