// SPDX-License-Identifier: Apache-2.0
//! `scs dco`: the DCO sign-off check SCS asks repositories to run before
//! merging, on a local checkout.

use crate::output::{Format, print_structured};
use clap::{Args, Subcommand, ValueEnum};
use scs_oss::{DcoOptions, Failure};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// DCO commands.
#[derive(Debug, Subcommand)]
pub enum DcoCommand {
    /// List the commits of RANGE without a valid sign-off (exit 1 if there are any).
    ///
    /// The rules are the DCO app's: merges and `[bot]` authors are exempt; a
    /// `Signed-off-by: NAME <EMAIL>` line must name the author or committer.
    Check(CheckArgs),
}

/// Which commits, where, and how remediations count.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// `REV` (every commit reachable from it) or `FROM..TO`; default HEAD.
    pub range: Option<String>,
    /// The repository.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Remediation commits that count, as the app's allowRemediationCommits.
    #[arg(long, value_enum)]
    pub remediation: Option<Remediation>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Remediation commits that may add a missing sign-off later in the range.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Remediation {
    /// `I, NAME <EMAIL>, hereby add my Signed-off-by to this commit: SHA`, by its author.
    Individual,
    /// Also `On behalf of NAME <EMAIL>, I, OTHER <EMAIL2>, hereby add …`.
    ThirdParty,
}

#[derive(Serialize)]
struct Verdict<'a> {
    repository: String,
    range: &'a str,
    commits: usize,
    failures: Vec<Failure>,
}

pub fn run(command: DcoCommand) -> anyhow::Result<ExitCode> {
    let DcoCommand::Check(args) = command;
    let commits = scs_oss::commits(&args.repo, args.range.as_deref())?;
    let options = DcoOptions {
        individual_remediation: args.remediation.is_some(),
        third_party_remediation: matches!(args.remediation, Some(Remediation::ThirdParty)),
    };
    let verdict = Verdict {
        repository: args.repo.display().to_string(),
        range: args.range.as_deref().unwrap_or("HEAD"),
        commits: commits.len(),
        failures: scs_oss::check(&commits, &options),
    };
    if !print_structured(args.format, &verdict)? {
        for f in &verdict.failures {
            outln!("{} {} <{}>: {}  ({})", short(&f.id), f.author.name, f.author.email, f.reason, f.subject)?;
        }
        outln!(
            "{}: {} commit(s) of {}, {} without a valid sign-off",
            verdict.repository,
            verdict.commits,
            verdict.range,
            verdict.failures.len()
        )?;
    }
    Ok(if verdict.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
