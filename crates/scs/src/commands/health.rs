// SPDX-License-Identifier: Apache-2.0
//! `scs health`: continuous health monitoring of a cloud. `scs health once`
//! runs one iteration (every step and API call timed, everything it made
//! removed again) and prints its steps; exit 0 when every step passed,
//! 1 when one failed, 130 when interrupted.

use crate::output::{Format, print_structured};
use anyhow::Context;
use clap::{Args, Subcommand};
use scs_health::scenario::{ScenarioConfig, StepOutcome, iterate};
use scs_openstack::CloudConfig;
use std::io::Write as _;
use std::process::ExitCode;

/// `scs health` commands.
#[derive(Debug, Subcommand)]
pub enum HealthCommand {
    /// One iteration against a cloud: build a network, router, security group, volume and server,
    /// wait for each, remove everything; every step and API call timed.
    Once(OnceArgs),
    /// Iterations against every cloud of a settings file, every interval, until SIGINT/SIGTERM;
    /// Prometheus metrics on /metrics.
    Run(RunArgs),
    /// Availability per service and API latency percentiles from the daemon's local record.
    Report(ReportArgs),
}

/// `scs health report` arguments.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The daemon's settings file (its `record`).
    #[arg(long, env = "SCS_HEALTH_CONFIG", required_unless_present = "database_url")]
    pub config: Option<std::path::PathBuf>,
    /// The record's database URL instead (sqlite://FILE or postgres://…).
    #[arg(long)]
    pub database_url: Option<String>,
    /// The window: 7d, 24h, 30m, or an RFC 3339 time.
    #[arg(long, default_value = "7d")]
    pub since: String,
    /// Only this cloud.
    #[arg(long)]
    pub cloud: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `scs health run` arguments.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Settings file (TOML: listen, interval_seconds, timeout_seconds, probe_seconds, [[cloud]] name,
    /// [status_page]; see docs/health.md).
    #[arg(long, env = "SCS_HEALTH_CONFIG")]
    pub config: std::path::PathBuf,
}

/// `scs health once` arguments.
#[derive(Debug, Args)]
pub struct OnceArgs {
    /// The cloud (clouds.yaml entry).
    #[arg(long, env = "OS_CLOUD")]
    pub os_cloud: Option<String>,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 32)]
    pub timeout: u64,
    /// Output format (json and yaml carry every API call too).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Servers to boot (#1, #3, … from a volume, #2, #4, … from the image), spread over the
    /// availability zones.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub servers: u16,
    /// The image by name (default: the active public image needing the least disk).
    #[arg(long)]
    pub image: Option<String>,
    /// The flavor by name (default: the cheapest with the memory the image needs).
    #[arg(long)]
    pub flavor: Option<String>,
    /// The guests' user (default: the image's image_original_user property, else ubuntu).
    #[arg(long)]
    pub ssh_user: Option<String>,
    /// What the guest pings.
    #[arg(long, default_value = "9.9.9.9")]
    pub ping_target: String,
    /// At most this many API requests in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_in_flight: u16,
    /// Also write the iteration as InfluxDB line protocol (openstack-health-monitor's points) to
    /// an InfluxDB 1.x `/write?db=…` URL or append it to a file.
    #[arg(long, value_name = "URL|FILE")]
    pub line_protocol: Option<String>,
}

/// Runs a `scs health` command.
pub fn run(command: HealthCommand) -> anyhow::Result<ExitCode> {
    match command {
        HealthCommand::Once(args) => once(args),
        HealthCommand::Run(args) => daemon(args),
        HealthCommand::Report(args) => report(args),
    }
}

/// `scs health report`: the record's figures since a time.
fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let since =
        scs_health::record::parse_since(&args.since, chrono::Utc::now()).map_err(|e| anyhow::anyhow!("--since {e}"))?;
    let url = match (&args.database_url, &args.config) {
        (Some(url), _) => url.clone(),
        (None, Some(config)) => scs_health::config::HealthConfig::record_of(config)?
            .ok_or_else(|| anyhow::anyhow!("{}: record = \"off\": there is no record to read", config.display()))?,
        (None, None) => anyhow::bail!("--config or --database-url names the record"),
    };
    if let Some(path) = url.strip_prefix("sqlite://")
        && !std::path::Path::new(path).exists()
    {
        anyhow::bail!("{path}: no record there (has `scs health run` run with this settings file?)");
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let report = runtime.block_on(async {
        let record = scs_health::record::Record::open(&url, 36_500).await?;
        record.report(since, args.cloud.as_deref()).await
    })?;
    if print_structured(args.format, &report)? {
        return Ok(ExitCode::SUCCESS);
    }
    let ms = |s: Option<f64>| s.map_or_else(|| "-".to_owned(), |s| format!("{:.0}", s * 1000.0));
    outln!("since {}", report.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))?;
    for cloud in &report.clouds {
        outln!(
            "{}: {} of {} iterations passed, {} of {} light probes",
            cloud.cloud,
            cloud.iterations_ok,
            cloud.iterations,
            cloud.probes_ok,
            cloud.probes
        )?;
        outln!(
            "  {:<16} {:>12} {:>8} {:>14} {:>8} {:>8} {:>8}",
            "service",
            "availability",
            "checks",
            "failed calls",
            "p50 ms",
            "p95 ms",
            "p99 ms"
        )?;
        for s in &cloud.services {
            outln!(
                "  {:<16} {:>11.2}% {:>8} {:>14} {:>8} {:>8} {:>8}",
                s.service,
                100.0 * s.availability,
                s.checks,
                format!("{} of {}", s.failed_calls, s.calls),
                ms(s.p50),
                ms(s.p95),
                ms(s.p99)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `scs health run`: the loops, and `/metrics` and `/healthz` beside them.
fn daemon(args: RunArgs) -> anyhow::Result<ExitCode> {
    use std::sync::Arc;
    let config = scs_health::config::HealthConfig::load(&args.config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let metrics = Arc::new(scs_health::metrics::HealthMetrics::default());
        let exposition = metrics.clone();
        let app = axum::Router::new()
            .route(
                "/metrics",
                axum::routing::get(move || {
                    let metrics = exposition.clone();
                    async move {
                        let mut out = scs_web::metrics::Exposition::new();
                        metrics.write(&mut out);
                        out
                    }
                }),
            )
            .route("/healthz", axum::routing::get(|| async { "ok\n" }));
        // the status page is checked before anything runs: a wrong URL, token or
        // component name is a settings error, not a warning an hour later
        let mut reporters = Vec::new();
        for cloud in &config.clouds {
            let reporter = match &config.status_page {
                Some(page) => {
                    let r = scs_health::open_operations::Reporter::connect(&cloud.name, page)
                        .await
                        .with_context(|| format!("{}: cloud {}", args.config.display(), cloud.name))?;
                    Some(Arc::new(tokio::sync::Mutex::new(r)))
                }
                None => None,
            };
            reporters.push(reporter);
        }
        let record = match &config.record {
            Some(url) => Some(
                scs_health::record::Record::open(url, config.record_days)
                    .await
                    .with_context(|| format!("{}: record: {url}", args.config.display()))?,
            ),
            None => None,
        };
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("{}: listen: {}", args.config.display(), config.listen))?;
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let mut server_stop = stopping.clone();
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = server_stop.wait_for(|s| *s).await;
                })
                .await
        });
        eprintln!(
            "scs health: {} cloud(s), iterations {}, probes {}; metrics on http://{}/metrics",
            config.clouds.len(),
            config.interval.map_or_else(|| "off".to_owned(), |i| format!("every {} s", i.as_secs())),
            config.probe.map_or_else(|| "off".to_owned(), |p| format!("every {} s", p.as_secs())),
            config.listen
        );
        tokio::spawn(async move {
            crate::signals::shutdown_quietly().await;
            // stop first: a message that cannot be written (stderr closed) must not keep it running
            let _ = stop.send(true);
            let _ = writeln!(std::io::stderr(), "scs health: stopping; cleaning up the running iterations");
        });
        let lines = config.line_protocol.as_deref().map(scs_health::line_protocol::LineSink::parse);
        // per cloud: an iteration loop and a probe loop (each if configured), sharing its outputs
        let (mut loops, mut probes) = (Vec::new(), Vec::new());
        for (cloud, reporter) in config.clouds.iter().zip(reporters) {
            let outputs = scs_health::daemon::Outputs {
                metrics: metrics.clone(),
                reporter,
                lines: lines.clone(),
                record: record.clone(),
            };
            if let Some(interval) = config.interval {
                let scenario = config.scenario.clone();
                loops.push(scs_health::daemon::monitor(
                    cloud.clone(),
                    interval,
                    scenario,
                    outputs.clone(),
                    stopping.clone(),
                ));
            }
            if let Some(every) = config.probe {
                let timeout = config.scenario.timeout;
                probes.push(scs_health::daemon::probe_loop(cloud.clone(), every, timeout, outputs, stopping.clone()));
            }
        }
        let (iterations, _) =
            futures::future::join(futures::future::join_all(loops), futures::future::join_all(probes)).await;
        let done: u64 = iterations.into_iter().sum();
        let _ = server.await;
        let _ = writeln!(std::io::stderr(), "scs health: stopped after {done} iteration(s)");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn once(args: OnceArgs) -> anyhow::Result<ExitCode> {
    let cloud = CloudConfig::load(args.os_cloud.as_deref()).context("selecting the cloud")?;
    let config = ScenarioConfig {
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        servers: usize::from(args.servers),
        image: args.image.clone(),
        flavor: args.flavor.clone(),
        ssh_user: args.ssh_user.clone(),
        ping_target: args.ping_target.clone(),
        max_in_flight: usize::from(args.max_in_flight),
        ..ScenarioConfig::now()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let iteration = runtime.block_on(iterate(&cloud, &config, crate::signals::shutdown_quietly()));
    if let Some(target) = &args.line_protocol {
        let lines = scs_health::line_protocol::iteration_lines(&iteration.cloud, &iteration);
        // the iteration ran and was cleaned up: a failed write is reported, not lost in silence
        if let Err(e) = runtime.block_on(scs_health::line_protocol::LineSink::parse(target).write(&lines)) {
            eprintln!("scs: line protocol: {e}");
            return Ok(ExitCode::FAILURE);
        }
    }
    for leftover in &iteration.leftovers {
        eprintln!("scs: left behind: {leftover} (scs cleanup --prefix {} removes it)", iteration.prefix);
    }
    if !print_structured(args.format, &iteration)? {
        outln!("{:<42} {:<14} {:>8} {:>8}  result", "step", "service", "at (s)", "took (s)")?;
        for step in &iteration.steps {
            let result = match &step.outcome {
                StepOutcome::Ok => "ok".to_owned(),
                StepOutcome::Failed { class, message } => format!("FAILED ({class:?}): {message}"),
                StepOutcome::NotRun { reason } => format!("not run: {reason}"),
            };
            outln!("{:<42} {:<14} {:>8.2} {:>8.2}  {result}", step.name, step.service, step.at, step.seconds)?;
        }
        let failed = iteration.calls.iter().filter(|c| c.failed()).count();
        let budget = iteration.time_budget();
        outln!(
            "{}: {} in {:.1} s; {} API calls ({} failed, {:.1} s in all); waiting for the cloud {:.2} s, \
             the runner's own time {:.3} s ({:.2}%){}",
            iteration.cloud,
            if iteration.success() { "healthy" } else { "UNHEALTHY" },
            iteration.seconds,
            iteration.calls.len(),
            failed,
            budget.api_seconds,
            budget.waiting,
            budget.overhead,
            100.0 * budget.overhead_share(),
            if iteration.interrupted { "; interrupted, cleaned up" } else { "" }
        )?;
    }
    Ok(if iteration.interrupted {
        ExitCode::from(130)
    } else if iteration.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
