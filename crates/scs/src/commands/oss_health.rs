// SPDX-License-Identifier: Apache-2.0
//! `scs oss-health`: scs-0008's open-source health check of local checkouts.

use crate::output::{Format, print_structured};
use clap::{Args, ValueEnum};
use scs_oss::health::{Assessment, assess, gather};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Repositories and output.
#[derive(Debug, Args)]
pub struct OssHealthArgs {
    /// Local git checkouts (full history; shallow clones are refused).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HealthFormat::Text)]
    pub format: HealthFormat,
    /// Exit 1 when a repository scores below this (0–10): a gate for CI.
    #[arg(long)]
    pub min_score: Option<f64>,
    /// Judge as on this day (YYYY-MM-DD) instead of today, for repeatable reports.
    #[arg(long)]
    pub date: Option<chrono::NaiveDate>,
}

/// Output formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum HealthFormat {
    /// For people.
    Text,
    /// JSON, one document.
    Json,
    /// YAML, one document.
    Yaml,
    /// A Markdown table per repository.
    Markdown,
    /// One HTML page, a table per repository.
    Html,
}

#[derive(Serialize)]
struct Report {
    path: String,
    #[serde(flatten)]
    assessment: Option<Assessment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn run(args: OssHealthArgs) -> anyhow::Result<ExitCode> {
    let now = match args.date {
        Some(day) => day.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp()),
        None => chrono::Utc::now().timestamp(),
    };
    // one thread per repository: reading objects is the work, and it is independent
    let reports: Vec<Report> = std::thread::scope(|scope| {
        let handles: Vec<_> = args
            .paths
            .iter()
            .map(|path| {
                scope.spawn(move || {
                    let (assessment, error) = match gather(path) {
                        Ok(facts) => (Some(assess(&facts, now)), None),
                        Err(e) => (None, Some(e.to_string())),
                    };
                    Report { path: path.display().to_string(), assessment, error }
                })
            })
            .collect();
        handles
            .into_iter()
            .zip(&args.paths)
            .map(|(h, path)| {
                h.join().unwrap_or_else(|_| Report {
                    path: path.display().to_string(),
                    assessment: None,
                    error: Some("the assessment failed".into()),
                })
            })
            .collect()
    });
    let structured = match args.format {
        HealthFormat::Json => Format::Json,
        HealthFormat::Yaml => Format::Yaml,
        HealthFormat::Text | HealthFormat::Markdown | HealthFormat::Html => Format::Text,
    };
    if matches!(args.format, HealthFormat::Html) {
        outln!("{}", html(&reports)?)?;
    } else if !print_structured(structured, &reports)? {
        for r in &reports {
            match (&r.assessment, matches!(args.format, HealthFormat::Markdown)) {
                (Some(a), false) => print_text(&r.path, a)?,
                (Some(a), true) => print_markdown(&r.path, a)?,
                (None, _) => outln!("{}: {}", r.path, r.error.as_deref().unwrap_or_default())?,
            }
        }
    }
    for r in &reports {
        if let Some(e) = &r.error {
            eprintln!("scs: {e}");
        }
    }
    if reports.iter().any(|r| r.error.is_some()) {
        return Ok(ExitCode::from(2));
    }
    let below =
        args.min_score.is_some_and(|min| reports.iter().any(|r| r.assessment.as_ref().is_some_and(|a| a.score < min)));
    Ok(if below { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn score(s: Option<u8>) -> String {
    s.map_or_else(|| "?".to_owned(), |s| s.to_string())
}

fn print_text(path: &str, a: &Assessment) -> anyhow::Result<()> {
    outln!("{path}: {:.1}/10 — {}", a.score, a.risk_summary)?;
    for c in &a.checks {
        outln!("  {:>2}  {:<20} {:<10} {}", score(c.score), c.id, format!("{:?}", c.criterion), c.evidence.join("; "))?;
    }
    Ok(())
}

fn print_markdown(path: &str, a: &Assessment) -> anyhow::Result<()> {
    outln!(
        "### {path}: {:.1}/10\n\n{}\n\n| check | criterion | score | evidence | why |\n|---|---|---|---|---|",
        a.score,
        a.risk_summary
    )?;
    for c in &a.checks {
        outln!(
            "| {} | {:?} | {} | {} | {} |",
            c.id,
            c.criterion,
            score(c.score),
            c.evidence.join("; ").replace('|', "\\|"),
            c.why
        )?;
    }
    outln!()?;
    Ok(())
}

/// The page: one table per repository, every text escaped (evidence quotes file names).
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Open-source health (scs-0008)</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}</style>
</head><body><h1>Open-source health (scs-0008)</h1>
{% for r in reports %}<section><h2>{{ r.path }}: {% if r.error %}{{ r.error }}{% else %}{{ r.score }}/10{% endif %}</h2>
{% if not r.error %}<p>{{ r.risk_summary }}</p>
<table><tr><th>check</th><th>criterion</th><th>score</th><th>evidence</th><th>why</th></tr>
{% for c in r.checks %}<tr><td>{{ c.id }}</td><td>{{ c.criterion }}</td><td>{% if c.score is none %}?{% else %}{{ c.score }}{% endif %}</td><td>{{ c.evidence|join("; ") }}</td><td>{{ c.why }}</td></tr>
{% endfor %}</table>{% endif %}</section>
{% endfor %}</body></html>"#;

fn html(reports: &[Report]) -> anyhow::Result<String> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("health.html", PAGE)?;
    Ok(env.get_template("health.html")?.render(minijinja::context! { reports })?)
}
