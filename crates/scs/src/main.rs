// SPDX-License-Identifier: Apache-2.0
//! `scs`: the Sovereign Cloud Stack in one binary.
//!
//! Commands are thin: each parses its arguments, calls the library crate that
//! owns the domain (`scs-flavor`, `scs-standards`, ...) and prints. Errors
//! carry context (which file, which name) and end the process with exit code
//! 2 (usage or input errors); commands that judge something (`flavor check`)
//! use 1 for "judged invalid".

/// `println!` that reports write errors (a closed pipe) instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `print!` that reports write errors instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod commands;
mod output;
mod signals;
mod upload;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// Sovereign Cloud Stack: standards, conformance checks and open operations.
#[derive(Debug, Parser)]
#[command(name = "scs", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a cloud or a Kubernetes cluster against a certificate scope (scs-compatible-iaas, scs-compatible-kaas).
    #[command(disable_version_flag = true)]
    Check(Box<commands::check::CheckArgs>),
    /// Remove what earlier checks left in a cloud (servers, volumes, backups, secrets, networks, ...).
    Cleanup(commands::cleanup::CleanupArgs),
    /// Release data of Kubernetes for the KaaS version policy: show, refresh.
    #[command(subcommand)]
    Data(commands::data::DataCommand),
    /// DCO sign-offs of a local repository, with the DCO app's rules (`check`).
    #[command(subcommand)]
    Dco(commands::dco::DcoCommand),
    /// The flavor-naming standard (scs-0100): check, describe, convert names.
    #[command(subcommand)]
    Flavor(commands::flavor::FlavorCommand),
    /// Certificate scopes: versions, validity on a date, testcases.
    #[command(subcommand)]
    Scope(commands::scope::ScopeCommand),
    /// REUSE 3.3 compliance of a local checkout (`lint`), judged as the REUSE tool does.
    #[command(subcommand)]
    Reuse(commands::reuse::ReuseCommand),
    /// Reports: sign and verify (OpenSSH SSHSIG), upload to a compliance monitor, show, diff.
    #[command(subcommand)]
    Report(commands::report::ReportCommand),
    /// A software bill of materials (CycloneDX 1.6 or SPDX 2.3 JSON) of a checkout's lock files.
    Sbom(commands::sbom::SbomArgs),
    /// The test runner: check scope × subject combinations from config.toml, sign and upload the reports.
    Run(commands::run::RunArgs),
    /// Serve the compliance monitor and the status page (SQLite by default, or PostgreSQL).
    Serve(Box<commands::serve::ServeArgs>),
    /// Health monitoring of a cloud: one timed scenario iteration (`once`).
    #[command(subcommand)]
    Health(commands::health::HealthCommand),
    /// Open-source health (scs-0008) of local git checkouts: checks scored 0–10, overall score, risk.
    OssHealth(commands::oss_health::OssHealthArgs),
    /// Manage the status page: API tokens for writers, the audit log.
    #[command(subcommand)]
    Status(commands::status::StatusCommand),
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Command::Check(args) => commands::check::run_check(*args),
        Command::Cleanup(args) => commands::cleanup::run(args),
        Command::Data(c) => commands::data::run(c),
        Command::Dco(c) => commands::dco::run(c),
        Command::Flavor(c) => commands::flavor::run(c),
        Command::Scope(c) => commands::scope::run(c),
        Command::Report(c) => commands::report::run(c),
        Command::Reuse(c) => commands::reuse::run(c),
        Command::Run(args) => commands::run::run(args),
        Command::Sbom(args) => commands::sbom::run(args),
        Command::Serve(args) => commands::serve::run(*args),
        Command::Health(command) => commands::health::run(command),
        Command::OssHealth(args) => commands::oss_health::run(args),
        Command::Status(c) => commands::status::run(c),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "scs", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scs: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Diagnostics go to stderr, filtered by `SCS_LOG` (e.g. `SCS_LOG=scs_openstack=debug`
/// prints every HTTP request with its status and time); silent by default so
/// the console output stays what upstream prints.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SCS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// A reader that stopped reading (`scs ... | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
