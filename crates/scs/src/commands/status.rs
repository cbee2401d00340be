// SPDX-License-Identifier: Apache-2.0
//! `scs status`: the status page's administration on its database: API
//! tokens for writers (created, listed, revoked) and the audit log. Works
//! while `scs serve` runs; a revoked token is refused from the next request.

use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Where the database is (as `scs serve` finds it).
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// `postgres://…` or `sqlite://path` (default: SQLite under --data-dir).
    #[arg(long, env = "SCS_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where the embedded SQLite database lives.
    #[arg(long, env = "SCS_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
}

/// `scs status` subcommands.
#[derive(Debug, Subcommand)]
pub enum StatusCommand {
    /// API tokens for writing to the status page.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Show the newest writes (who, when, what), newest first.
    Audit {
        /// Entries to show.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// `scs status token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token; it is printed once and only its hash is stored.
    Create {
        /// Who holds it (shown in the audit log).
        name: String,
        /// May also read the audit log over the API (GET /auditlog).
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// List tokens (names, never secrets).
    List {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Revoke a token for good.
    Revoke {
        /// The token's name.
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

async fn open(db: DatabaseArgs) -> anyhow::Result<scs_status::Store> {
    let url = super::serve::database_url(db.database_url, db.data_dir)?;
    scs_status::Store::connect(&url).await.context("opening the status page's database")
}

/// Runs a `scs status` command.
pub fn run(command: StatusCommand) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        match command {
            StatusCommand::Token(TokenCommand::Create { name, admin, db }) => {
                if name.trim().is_empty() || name.len() > 128 {
                    anyhow::bail!("token name: must have 1 to 128 characters");
                }
                let store = open(db).await?;
                let token = scs_status::auth::new_token()?;
                store.create_token(&name, &scs_status::auth::token_hash(&token), admin).await?;
                println!("{token}");
                eprintln!("token {name:?} created{}; it is shown only now", if admin { " (admin)" } else { "" });
            }
            StatusCommand::Token(TokenCommand::List { db }) => {
                for t in open(db).await?.tokens().await? {
                    println!(
                        "{}\t{}\tcreated {}\t{}",
                        t.name,
                        if t.admin { "admin" } else { "writer" },
                        scs_status::model::format_time(&t.created_at),
                        t.revoked_at.map_or_else(
                            || "active".to_owned(),
                            |r| format!("revoked {}", scs_status::model::format_time(&r))
                        )
                    );
                }
            }
            StatusCommand::Token(TokenCommand::Revoke { name, db }) => {
                open(db).await?.revoke_token(&name).await?;
                eprintln!("token {name:?} revoked");
            }
            StatusCommand::Audit { limit, db } => {
                for e in open(db).await?.audit_log(limit.clamp(1, 100_000)).await? {
                    println!(
                        "{}\t{}\t{} {}\t{}\t{}",
                        scs_status::model::format_time(&e.at),
                        printable(&e.actor),
                        printable(&e.method),
                        printable(&e.path),
                        e.status,
                        printable(&e.body)
                    );
                }
            }
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `text` with control characters (newlines and tabs too) written as
/// escapes: a stored body is a writer's text, and raw it could print as a
/// further entry by another actor or drive the terminal.
fn printable(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}
