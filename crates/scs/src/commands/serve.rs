// SPDX-License-Identifier: Apache-2.0
//! `scs serve`: the compliance monitor (and, in a later version, the status
//! page) in one process. Without arguments it runs on an embedded SQLite file
//! under the data directory; `--database-url postgres://...` runs it on
//! PostgreSQL, where several replicas behave as one service.

use anyhow::Context;
use clap::Args;
use scs_monitor::{App, Store, router};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// `scs serve` arguments.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// `postgres://user:password@host/db` or `sqlite://path` (default: SQLite under --data-dir).
    #[arg(long, env = "SCS_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where the embedded SQLite database lives (default: $XDG_DATA_HOME/scs, ~/.local/share/scs).
    #[arg(long, env = "SCS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Accounts (upstream's bootstrap.yaml shape); reloaded on SIGHUP and POST /admin/reload.
    #[arg(long, env = "SCS_ACCOUNTS")]
    pub accounts: Option<PathBuf>,
    /// URL prefix the pages link with.
    #[arg(long, default_value = "/")]
    pub base_url: String,
    /// Largest accepted upload body in bytes.
    #[arg(long, default_value_t = 16 << 20)]
    pub max_body: usize,
    /// Page templates replacing the shipped ones by file name (table.md, detail.md, scope.md,
    /// report.md, page.html); reloaded on SIGHUP.
    #[arg(long, env = "SCS_TEMPLATES")]
    pub templates: Option<PathBuf>,
    /// Evaluate as of this UTC time instead of now (YYYY-MM-DDTHH:MM:SS; for tests and audits).
    #[arg(long, hide = true)]
    pub evaluate_at: Option<chrono::NaiveDateTime>,
}

fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("scs")
}

/// Runs `scs serve` until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let url = match &args.database_url {
        Some(url) => url.clone(),
        None => {
            let dir = args.data_dir.clone().unwrap_or_else(default_data_dir);
            std::fs::create_dir_all(&dir).with_context(|| format!("creating data directory {}", dir.display()))?;
            format!("sqlite://{}", dir.join("monitor.db").display())
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = Store::connect(&url).await.with_context(|| format!("opening the database {}", redact(&url)))?;
        let scopes = scs_standards::embedded::all_scopes()?;
        let base_url = if args.base_url.ends_with('/') { args.base_url.clone() } else { format!("{}/", args.base_url) };
        let mut app = App::new(store, scopes)?;
        app.base_url = base_url;
        app.accounts_file = args.accounts.clone();
        app.fixed_now = args.evaluate_at;
        app.templates_dir = args.templates.clone();
        app.reload_templates().context("loading the page templates")?;
        let n = app.reload_accounts().await.context("loading accounts")?;
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        eprintln!(
            "scs serve: compliance monitor on http://{} ({} database, {n} accounts)",
            listener.local_addr()?,
            app.store.backend()
        );
        let hup = app.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let Ok(mut hangup) = signal(SignalKind::hangup()) else { return };
            while hangup.recv().await.is_some() {
                match hup.reload_accounts().await {
                    Ok(n) => eprintln!("scs serve: SIGHUP: {n} accounts loaded"),
                    Err(e) => eprintln!("scs serve: SIGHUP: accounts not reloaded: {e:#}"),
                }
                if let Err(e) = hup.reload_templates() {
                    eprintln!("scs serve: SIGHUP: templates not reloaded, the previous ones stay: {e}");
                }
            }
        });
        axum::serve(listener, router(app, args.max_body))
            .with_graceful_shutdown(async {
                crate::signals::shutdown_quietly().await;
            })
            .await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}
