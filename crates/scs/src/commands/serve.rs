// SPDX-License-Identifier: Apache-2.0
//! `scs serve`: the compliance monitor and the status page in one process,
//! on one database. Without arguments it runs on an embedded SQLite file under
//! the data directory; `--database-url postgres://...` runs it on
//! PostgreSQL, where several replicas behave as one service. Settings come
//! from the command line, the environment, or `--config FILE` (TOML), in
//! that order of precedence.

use anyhow::{Context, bail};
use clap::Args;
use scs_monitor::webhooks::Webhook;
use scs_monitor::{App, Store};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `scs serve` arguments.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = false)]
pub struct ServeArgs {
    /// Instead of serving: a one-off job on the database.
    #[command(subcommand)]
    pub action: Option<ServeAction>,
    /// Settings file (TOML: the options below by name, plus `[[webhook]]` tables).
    #[arg(long, env = "SCS_SERVE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Services to run, comma-separated: monitor, status [default: every built service].
    #[arg(long, value_delimiter = ',')]
    pub services: Vec<String>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// `postgres://user:password@host/db` or `sqlite://path` (default: SQLite under --data-dir).
    #[arg(long, env = "SCS_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where the embedded SQLite database lives (default: $XDG_DATA_HOME/scs, ~/.local/share/scs).
    #[arg(long, env = "SCS_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Accounts (upstream's bootstrap.yaml shape); reloaded on SIGHUP and POST /admin/reload.
    #[arg(long, env = "SCS_ACCOUNTS")]
    pub accounts: Option<PathBuf>,
    /// Page templates replacing the shipped ones by file name (table.md, detail.md, scope.md,
    /// report.md, page.html), or upstream's own (overview.md.j2, details.md.j2, report.md.j2,
    /// scope.md.j2, overview.html.j2: all five); reloaded on SIGHUP.
    #[arg(long, env = "SCS_TEMPLATES")]
    pub templates: Option<PathBuf>,
    /// URL path prefix the pages link with [default: /].
    #[arg(long)]
    pub base_url: Option<String>,
    /// The public address (https://compliance.example) for links in webhooks and the feed.
    #[arg(long)]
    pub public_url: Option<String>,
    /// Largest accepted upload body in bytes [default: 16 MiB].
    #[arg(long)]
    pub max_body: Option<usize>,
    /// Results one upload may hold at most (one upload is one write transaction) [default: 10000].
    #[arg(long)]
    pub max_results_per_report: Option<usize>,
    /// Seconds between re-evaluations of every subject (results expire without uploads) [default: 300].
    #[arg(long)]
    pub reevaluate_seconds: Option<u64>,
    /// How far a report's checked_at may lie ahead of this server's clock, in seconds [default: 300].
    #[arg(long)]
    pub max_clock_skew_seconds: Option<u64>,
    /// Seconds a client has to send a request's headers before its connection is closed [default: 10].
    #[arg(long)]
    pub header_timeout_seconds: Option<u64>,
    /// Seconds a client has to send a request's body after its headers (else 408) [default: 60].
    #[arg(long)]
    pub body_timeout_seconds: Option<u64>,
    /// Open connections at most; more are answered 503 and closed [default: 4096].
    #[arg(long)]
    pub max_connections: Option<usize>,
    /// Password (API key) checks that run at once; argon2 takes 19 MiB each [default: one per CPU].
    #[arg(long)]
    pub password_checks: Option<usize>,
    /// Status page provisioning (YAML: impactTypes, components, phases, severities); applied to empty tables.
    #[arg(long, env = "SCS_STATUS_PROVISIONING")]
    pub provisioning: Option<PathBuf>,
    /// Title of the public status page [default: Status].
    #[arg(long)]
    pub status_title: Option<String>,
    /// Evaluate as of this UTC time instead of now (YYYY-MM-DDTHH:MM:SS; for tests and audits).
    #[arg(long, hide = true)]
    pub evaluate_at: Option<chrono::NaiveDateTime>,
}

/// One-off jobs of `scs serve` on its database.
#[derive(Debug, clap::Subcommand)]
pub enum ServeAction {
    /// Copy the reports and results of upstream's compliance monitor (its PostgreSQL database,
    /// schema v3 or v4) into this database; accounts come from the same bootstrap.yaml via --accounts.
    Import(ImportArgs),
}

/// `scs serve import` arguments.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Upstream's database: `postgres://user:password@host/db`.
    #[arg(long)]
    pub from: String,
}

/// The settings file; every key is optional, unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeConfig {
    services: Option<Vec<String>>,
    listen: Option<SocketAddr>,
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    accounts: Option<PathBuf>,
    templates: Option<PathBuf>,
    base_url: Option<String>,
    public_url: Option<String>,
    max_body: Option<usize>,
    max_results_per_report: Option<usize>,
    reevaluate_seconds: Option<u64>,
    max_clock_skew_seconds: Option<u64>,
    header_timeout_seconds: Option<u64>,
    body_timeout_seconds: Option<u64>,
    max_connections: Option<usize>,
    password_checks: Option<usize>,
    #[serde(default, rename = "webhook")]
    webhooks: Vec<Webhook>,
    #[serde(default)]
    status: StatusConfig,
}

/// The `[status]` table: the status page's settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusConfig {
    title: Option<String>,
    provisioning: Option<PathBuf>,
    max_body: Option<usize>,
    #[serde(default)]
    cors_origins: Vec<String>,
    oidc: Option<scs_status::auth::OidcConfig>,
    audit_refusals_per_minute: Option<u32>,
    audit_retention_days: Option<u64>,
    #[serde(default, rename = "webhook")]
    webhooks: Vec<scs_status::webhooks::Webhook>,
}

impl ServeConfig {
    fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut config: Self = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        // relative paths in the file are relative to the file
        let dir = path.parent().unwrap_or(Path::new("."));
        for p in [&mut config.data_dir, &mut config.accounts, &mut config.templates, &mut config.status.provisioning]
            .into_iter()
            .flatten()
        {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        }
        Ok(config)
    }
}

/// A service `scs serve` can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Service {
    Monitor,
    Status,
}

fn services(names: &[String]) -> anyhow::Result<Vec<Service>> {
    if names.is_empty() {
        return Ok(vec![Service::Monitor, Service::Status]);
    }
    let mut out = Vec::new();
    for name in names {
        let service = match name.trim() {
            "monitor" => Service::Monitor,
            "status" => Service::Status,
            other => bail!("unknown service {other:?}: expected monitor or status"),
        };
        if !out.contains(&service) {
            out.push(service);
        }
    }
    Ok(out)
}

/// The database URL: `--database-url`, or the SQLite file under the data
/// directory (created).
pub fn database_url(url: Option<String>, data_dir: Option<PathBuf>) -> anyhow::Result<String> {
    match url {
        Some(url) => Ok(url),
        None => {
            let dir = data_dir.unwrap_or_else(default_data_dir);
            std::fs::create_dir_all(&dir).with_context(|| format!("creating data directory {}", dir.display()))?;
            Ok(format!("sqlite://{}", dir.join("scs.db").display()))
        }
    }
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
    let config = match &args.config {
        Some(path) => ServeConfig::load(path)?,
        None => ServeConfig::default(),
    };
    if let Some(ServeAction::Import(import)) = &args.action {
        let url = database_url(args.database_url.or(config.database_url), args.data_dir.or(config.data_dir))?;
        return run_import(&url, &import.from);
    }
    let services =
        services(if args.services.is_empty() { config.services.as_deref().unwrap_or(&[]) } else { &args.services })?;
    let listen = args.listen.or(config.listen).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let url = database_url(args.database_url.or(config.database_url), args.data_dir.or(config.data_dir))?;
    let base_url = args.base_url.or(config.base_url).unwrap_or_else(|| "/".to_owned());
    let base_url = if base_url.ends_with('/') { base_url } else { format!("{base_url}/") };
    let max_body = args.max_body.or(config.max_body).unwrap_or(16 << 20);
    let every = args.reevaluate_seconds.or(config.reevaluate_seconds).unwrap_or(300).max(1);
    let skew = args.max_clock_skew_seconds.or(config.max_clock_skew_seconds).unwrap_or(300);
    let defaults = scs_web::listener::Limits::default();
    let secs = std::time::Duration::from_secs;
    let limits = scs_web::listener::Limits {
        header_timeout: args
            .header_timeout_seconds
            .or(config.header_timeout_seconds)
            .map_or(defaults.header_timeout, secs),
        body_timeout: args.body_timeout_seconds.or(config.body_timeout_seconds).map_or(defaults.body_timeout, secs),
        max_connections: args.max_connections.or(config.max_connections).unwrap_or(defaults.max_connections).max(1),
    };
    let password_checks = args.password_checks.or(config.password_checks);
    let webhooks = config.webhooks;
    for hook in &webhooks {
        url::Url::parse(&hook.url).with_context(|| format!("webhook url {:?}", hook.url))?;
    }
    let status_config = config.status;
    let provisioning = args.provisioning.or(status_config.provisioning);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let db = scs_db::Db::connect(&url).await.with_context(|| format!("opening the database {}", scs_db::redact_url(&url)))?;
        // upstream's database keeps upstream's tables: nothing of ours goes into it
        if let Some(version) = scs_monitor::import::upstream_schema(&db).await.context("inspecting the database")? {
            bail!(
                "{} holds upstream's compliance monitor (schema {version}); scs serve keeps its own tables: \
                 run it on a new database and copy upstream's reports with `scs serve --database-url NEW import --from {}`",
                scs_db::redact_url(&url),
                scs_db::redact_url(&url)
            );
        }
        // `/` is the status page when it runs (the monitor's overview stays at
        // `/page/table`): it comes first
        let mut running: Vec<std::sync::Arc<dyn scs_web::Service>> = Vec::new();
        let mut summary = Vec::new();
        if services.contains(&Service::Status) {
            let store = scs_status::Store::open(db.clone()).await.context("opening the status page's tables")?;
            if let Some(file) = &provisioning {
                let applied = scs_status::provision::apply(&store, file).await?;
                for (kind, n) in &applied {
                    eprintln!("scs serve: provisioned {n} {kind} from {}", file.display());
                }
            }
            let mut app = scs_status::App::new(store);
            if let Some(max) = status_config.max_body {
                app.max_body = max;
            }
            app.cors_origins = status_config.cors_origins;
            let audit = scs_status::app::AuditPolicy::default();
            app.audit = std::sync::Arc::new(scs_status::app::AuditPolicy::new(
                status_config.audit_refusals_per_minute.unwrap_or(audit.refusals_per_minute),
                status_config
                    .audit_retention_days
                    .map_or(audit.retention, |days| std::time::Duration::from_secs(days.saturating_mul(86_400))),
            ));
            if let Some(oidc) = status_config.oidc {
                app.oidc = Some(std::sync::Arc::new(scs_status::auth::Oidc::new(oidc)?));
            }
            let mut page = scs_status::app::PageConfig::default();
            if let Some(title) = args.status_title.or(status_config.title) {
                page.title = title;
            }
            page.public_url = args.public_url.clone().or(config.public_url.clone());
            app.page = std::sync::Arc::new(page);
            app.webhooks = status_config.webhooks.into_iter().map(Into::into).collect();
            summary.push(format!(
                "status ({}{} webhooks)",
                if app.oidc.is_some() { "OIDC, " } else { "" },
                app.webhooks.len()
            ));
            running.push(std::sync::Arc::new(app));
        }
        if services.contains(&Service::Monitor) {
            let store = Store::open(db.clone()).await.with_context(|| format!("opening the database {}", scs_db::redact_url(&url)))?;
            let scopes = scs_standards::embedded::all_scopes()?;
            let mut app = App::new(store, scopes)?;
            app.base_url = base_url;
            app.accounts_file = args.accounts.or(config.accounts);
            app.clock = scs_web::Clock::fixed_at(args.evaluate_at);
            app.templates_dir = args.templates.or(config.templates);
            app.public_url = args.public_url.or(config.public_url);
            app.max_body = max_body;
            if let Some(n) = args.max_results_per_report.or(config.max_results_per_report) {
                app.max_results = n;
            }
            app.max_clock_skew = std::time::Duration::from_secs(skew);
            app.reevaluate_every = std::time::Duration::from_secs(every);
            app.webhooks = webhooks;
            if let Some(n) = password_checks {
                app.set_password_checks(n);
            }
            app.reload_templates().context("loading the page templates")?;
            let n = app.reload_accounts().await.context("loading accounts")?;
            summary.insert(0, format!("monitor ({n} accounts, {} webhooks)", app.webhooks.len()));
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
            running.push(std::sync::Arc::new(app));
        }
        for service in &running {
            for task in service.background() {
                tokio::spawn(task);
            }
        }
        let router = scs_web::compose("scs serve", running, db.clone());
        let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        let open_files = scs_web::listener::raise_open_files_limit();
        if open_files != 0 && open_files < limits.max_connections as u64 + 64 {
            eprintln!(
                "scs serve: warning: {open_files} open files allowed, fewer than max_connections ({}) needs",
                limits.max_connections
            );
        }
        eprintln!(
            "scs serve: {} on http://{} ({} database)",
            summary.join(", "),
            listener.local_addr()?,
            db.backend(),
        );
        scs_web::listener::serve(listener, router, limits, crate::signals::shutdown_quietly()).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `scs serve import`: upstream's reports and results into `url`'s database.
fn run_import(url: &str, from: &str) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let db = scs_db::Db::connect(url).await.with_context(|| format!("opening the database {}", scs_db::redact_url(url)))?;
        if scs_monitor::import::upstream_schema(&db).await.context("inspecting the database")?.is_some() {
            bail!("{} is upstream's database itself; import into a new database", scs_db::redact_url(url));
        }
        let store =
            Store::open(db.clone()).await.with_context(|| format!("opening the database {}", scs_db::redact_url(url)))?;
        let summary = scs_monitor::import::import_upstream(from, &store).await?;
        // replicas serving this database drop what they kept
        scs_web::snapshot::announce(&db).await;
        println!(
            "imported {} reports with {} results from upstream's schema {} into {} ({} reports were here already, {} results without a value skipped)",
            summary.reports,
            summary.results,
            summary.schema,
            scs_db::redact_url(url),
            summary.already_present,
            summary.results_without_value
        );
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_file_names_unknown_keys_and_resolves_paths() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serve.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:9000\"\naccounts = \"bootstrap.yaml\"\n[[webhook]]\nurl = \"http://127.0.0.1:9/x\"\nsubjects = [\"a\"]\n").unwrap();
        let c = ServeConfig::load(&path).unwrap();
        assert_eq!(c.listen, Some("127.0.0.1:9000".parse().unwrap()));
        assert_eq!(c.accounts, Some(dir.path().join("bootstrap.yaml")));
        assert_eq!(c.webhooks[0].subjects, ["a"]);
        std::fs::write(&path, "listen = \"127.0.0.1:9000\"\nlisten_port = 3\n").unwrap();
        let e = format!("{:#}", ServeConfig::load(&path).unwrap_err());
        assert!(e.contains("serve.toml") && e.contains("listen_port") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn services_are_checked() {
        assert_eq!(services(&[]).unwrap(), [Service::Monitor, Service::Status]);
        assert_eq!(services(&["status".into(), "status".into()]).unwrap(), [Service::Status]);
        assert!(format!("{}", services(&["web".into()]).unwrap_err()).contains("unknown service"));
    }
}
