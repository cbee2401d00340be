// SPDX-License-Identifier: Apache-2.0
//! `scs reuse`: REUSE 3.3 compliance of a checkout's committed tree, with
//! the REUSE tool's verdict and lists.

use crate::output::{Format, print_structured};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// REUSE commands.
#[derive(Debug, Subcommand)]
pub enum ReuseCommand {
    /// Judge HEAD's tree as `reuse lint` does (exit 1 if it is not compliant).
    ///
    /// Every covered file needs a copyright notice and a licence, from its
    /// own tags, a `.license` sidecar, `REUSE.toml` or `.reuse/dep5`; every
    /// licence used needs its text in `LICENSES/`, and no other text may be there.
    Lint(LintArgs),
}

/// Where, and how to print.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The repository.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Output format (JSON: `reuse lint --json`'s non-compliant lists and summary, flattened).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(command: ReuseCommand) -> anyhow::Result<ExitCode> {
    let ReuseCommand::Lint(args) = command;
    let files = scs_oss::files(&args.repo)?;
    let report = scs_oss::reuse::lint(&files).map_err(|e| anyhow::anyhow!("{}: {e}", args.repo.display()))?;
    if !print_structured(args.format, &report)? {
        for (title, items) in report.problems() {
            outln!("# {title} ({})", items.len())?;
            for item in items {
                outln!("  {item}")?;
            }
        }
        if !report.invalid_spdx_expressions.is_empty() {
            outln!("# invalid SPDX expressions ({})", report.invalid_spdx_expressions.len())?;
            for (file, expressions) in &report.invalid_spdx_expressions {
                outln!("  {file}: {}", expressions.join(" | "))?;
            }
        }
        outln!(
            "{}: {} covered files, licences used: {}; {}",
            args.repo.display(),
            report.files_total,
            if report.used_licenses.is_empty() { "none".to_owned() } else { report.used_licenses.join(", ") },
            if report.compliant { "REUSE compliant (REUSE 3.3)" } else { "not REUSE compliant (REUSE 3.3)" }
        )?;
    }
    Ok(if report.compliant { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
