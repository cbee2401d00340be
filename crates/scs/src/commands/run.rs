// SPDX-License-Identifier: Apache-2.0
//! `scs run`: the test runner. Reads upstream's `config.toml` (secrets,
//! presets, scopes, subjects with mapping templates), checks every scope ×
//! subject combination in parallel, concatenates the reports, signs them with
//! the keyfile and uploads them to a compliance monitor.

use anyhow::{Context, bail};
use chrono::Datelike;
use clap::Args;
use scs_checks::family::{CheckFamily, Iaas, RunMeta};
use scs_checks::run::CheckRun;
use scs_kaas::family::Kaas;
use scs_openstack::CloudConfig;
use scs_standards::embedded::load_scope;
use scs_standards::report::AnyReport;
use scs_standards::selection::SelectionRequest;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// `scs run` arguments.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The runner configuration (upstream's `Tests/config.toml` shape).
    #[arg(long, short = 'c', default_value = "config.toml")]
    pub config: PathBuf,
    /// A preset of the configuration (scopes, subjects, workers).
    #[arg(long, conflicts_with_all = ["scopes", "subjects"])]
    pub preset: Option<String>,
    /// Scopes to check (names of `[scopes.*]` entries), comma-separated.
    #[arg(long = "scope", value_delimiter = ',')]
    pub scopes: Vec<String>,
    /// Subjects to check, comma-separated.
    #[arg(long = "subject", value_delimiter = ',')]
    pub subjects: Vec<String>,
    /// Sections to run (`auto`: light,medium,heavy on Saturdays, else light,medium).
    #[arg(long = "sections", alias = "section")]
    pub sections: Option<String>,
    /// Only testcases whose id matches this regex (anchored at the start).
    #[arg(long, short = 't')]
    pub tests: Option<String>,
    /// Parallel checks (default: the preset's `workers`, else 5).
    #[arg(long, alias = "num-workers")]
    pub workers: Option<usize>,
    /// Upload the signed reports to this compliance monitor.
    #[arg(long)]
    pub monitor_url: Option<String>,
    /// Where to write the concatenated reports.
    #[arg(long, short = 'o', default_value = "report.yaml")]
    pub output: PathBuf,
}

/// The configuration file, as upstream's runner reads it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerConfig {
    /// Key and token files.
    #[serde(default)]
    pub secrets: Secrets,
    /// Named selections of scopes and subjects.
    #[serde(default)]
    pub presets: BTreeMap<String, Preset>,
    /// Scope names and their spec files.
    #[serde(default)]
    pub scopes: BTreeMap<String, ScopeEntry>,
    /// Per-subject variable mappings; `_` is the default, with `{subject}` templates.
    #[serde(default)]
    pub subjects: BTreeMap<String, SubjectEntry>,
}

/// `[secrets]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    /// OpenSSH private key that signs the reports.
    pub keyfile: Option<PathBuf>,
    /// File with base64(subject:passphrase) for the monitor.
    pub tokenfile: Option<PathBuf>,
}

/// `[presets.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Scope names.
    pub scopes: Vec<String>,
    /// Subjects.
    pub subjects: Vec<String>,
    /// Parallel checks.
    pub workers: Option<usize>,
}

/// `[scopes.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeEntry {
    /// The scope file, relative to the configuration.
    pub spec: PathBuf,
}

/// `[subjects.NAME]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectEntry {
    /// Variable values (`os_cloud`, `kubeconfig`, ...).
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
}

impl RunnerConfig {
    /// Reads and validates the configuration; errors name the file and the key.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// The variables of `subject`: the default mapping with `{subject}`
    /// filled in, overridden by the subject's own mapping.
    pub fn mapping(&self, subject: &str) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, String> = self
            .subjects
            .get("_")
            .map(|d| d.mapping.iter().map(|(k, v)| (k.clone(), v.replace("{subject}", subject))).collect())
            .unwrap_or_default();
        if let Some(own) = self.subjects.get(subject) {
            out.extend(own.mapping.clone());
        }
        out
    }
}

/// `auto` sections: the heavy ones run on Saturdays only, as upstream's runner.
fn sections(arg: Option<&str>, today: chrono::NaiveDate) -> Option<Vec<String>> {
    match arg {
        None => None,
        Some("auto" | ".auto") if today.weekday() == chrono::Weekday::Sat => {
            Some(vec!["light".into(), "medium".into(), "heavy".into()])
        }
        Some("auto" | ".auto") => Some(vec!["light".into(), "medium".into()]),
        Some(list) => Some(list.split(',').map(str::trim).map(str::to_owned).collect()),
    }
}

/// Runs `scs run`.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let config = RunnerConfig::load(&args.config)?;
    let base = args.config.parent().map(Path::to_path_buf).unwrap_or_default();
    let (scopes, subjects, preset_workers) = match &args.preset {
        Some(name) => {
            let p = config.presets.get(name).with_context(|| {
                format!("{}: no preset '{name}' (has: {})", args.config.display(), keys(&config.presets))
            })?;
            (p.scopes.clone(), p.subjects.clone(), p.workers)
        }
        None if args.scopes.is_empty() || args.subjects.is_empty() => {
            bail!("pass --preset, or both --scope and --subject")
        }
        None => (args.scopes.clone(), args.subjects.clone(), None),
    };
    let workers = args.workers.or(preset_workers).unwrap_or(5).max(1);
    let today = chrono::Local::now().date_naive();
    let sections = sections(args.sections.as_deref(), today);

    // every scope and subject is validated before anything runs
    let mut jobs = Vec::new();
    for scope_name in &scopes {
        let entry = config.scopes.get(scope_name).with_context(|| {
            format!("{}: scope '{scope_name}' has no [scopes.{scope_name}] entry", args.config.display())
        })?;
        // the spec path of upstream's config points into its checkout; fall back to our copy by name
        let spec = base.join(&entry.spec);
        let scope = if spec.is_file() { load_scope(&spec.display().to_string()) } else { load_scope(scope_name) }
            .with_context(|| format!("scope '{scope_name}' ({})", entry.spec.display()))?;
        for subject in &subjects {
            if !subject.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)) {
                bail!("subject '{subject}': only letters, digits, '_', '-' and '.' are allowed");
            }
            let mapping = config.mapping(subject);
            jobs.push((Arc::new(scope.clone()), subject.clone(), mapping));
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let outcomes = runtime.block_on(async {
        tokio::spawn(async move {
            crate::signals::shutdown().await;
            let _ = stop_tx.send(true);
        });
        let limit = Arc::new(tokio::sync::Semaphore::new(workers));
        let mut set = tokio::task::JoinSet::new();
        for (index, (scope, subject, mapping)) in jobs.into_iter().enumerate() {
            let limit = limit.clone();
            let mut stop = stop_rx.clone();
            let sections = sections.clone();
            let tests = args.tests.clone();
            set.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let interrupt = Box::pin(async move {
                    let _ = stop.wait_for(|s| *s).await;
                });
                (index, check_one(&scope, &subject, &mapping, sections, tests, interrupt).await)
            });
        }
        let mut results = Vec::new();
        while let Some(joined) = set.join_next().await {
            results.push(joined.map_err(|e| anyhow::anyhow!("a check task failed: {e}"))?);
        }
        results.sort_by_key(|(i, _)| *i);
        anyhow::Ok(results.into_iter().map(|(_, r)| r).collect::<Vec<_>>())
    })?;
    let mut reports = Vec::new();
    let mut problems = 0;
    let mut interrupted = false;
    for outcome in outcomes {
        match outcome {
            Ok(done) => {
                interrupted |= done.interrupted;
                problems += done.critical.len();
                for line in &done.critical {
                    eprintln!("scs: {} {}: CRITICAL: {line}", done.subject, done.scope);
                }
                outln!("{} {}: {}", done.subject, done.scope, done.summary)?;
                if let Some(report) = done.report {
                    reports.push(AnyReport::Upstream(report));
                }
            }
            Err(e) => {
                problems += 1;
                eprintln!("scs: {e:#}");
            }
        }
    }
    if interrupted {
        eprintln!("scs: interrupted; no report written or uploaded");
        return Ok(ExitCode::from(130));
    }
    if reports.is_empty() {
        bail!("no check produced a report");
    }
    let text = scs_standards::write_reports(&reports)?;
    std::fs::write(&args.output, &text).with_context(|| format!("writing {}", args.output.display()))?;
    outln!("wrote {} reports to {}", reports.len(), args.output.display())?;
    let signature = match &config.secrets.keyfile {
        Some(key) => {
            let key = base.join(key);
            let signer = scs_signing::Signer::from_file(&key)?;
            let sig = signer.sign(scs_signing::REPORT_NAMESPACE, text.as_bytes())?;
            let sig_path = crate::commands::report::sig_path(&args.output);
            std::fs::write(&sig_path, &sig).with_context(|| format!("writing {}", sig_path.display()))?;
            outln!("signed with {}: {}", key.display(), sig_path.display())?;
            Some(sig)
        }
        None => None,
    };
    if let Some(monitor) = &args.monitor_url {
        let sig = signature.context("--monitor-url needs [secrets] keyfile to sign the reports")?;
        let token_file = config.secrets.tokenfile.as_ref().context("--monitor-url needs [secrets] tokenfile")?;
        let token = crate::upload::read_token(&base.join(token_file))?;
        let answer = runtime.block_on(crate::upload::upload(monitor, &token, &sig, text.as_bytes(), false))?;
        outln!("uploaded to {monitor}{}", if answer.is_empty() { String::new() } else { format!(": {answer}") })?;
    }
    Ok(if problems == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn keys<T>(map: &BTreeMap<String, T>) -> String {
    map.keys().cloned().collect::<Vec<_>>().join(", ")
}

struct Done {
    subject: String,
    scope: String,
    summary: String,
    critical: Vec<String>,
    interrupted: bool,
    /// Absent when a KaaS run was interrupted before it had results.
    report: Option<Box<scs_standards::report::Report>>,
}

async fn check_one(
    scope: &scs_standards::Scope,
    subject: &str,
    mapping: &BTreeMap<String, String>,
    sections: Option<Vec<String>>,
    tests: Option<String>,
    interrupt: scs_checks::family::Interrupt<'_>,
) -> anyhow::Result<Done> {
    let (selection, assignment) = select(scope, subject, mapping, &sections, &tests)?;
    let argv =
        vec!["scs".into(), "run".into(), "--scope".into(), scope.name.clone(), "--subject".into(), subject.into()];
    let meta = RunMeta { argv, assignment, sections, forced_version: None, forced_tests: tests };
    if scope.variables.iter().any(|v| v.name == "kubeconfig") {
        // a KaaS subject: its kubeconfig from the mapping (upstream's default
        // `{subject}/kubeconfig.yaml`), Sonobuoy results under `subject_root`
        let kubeconfig = std::path::PathBuf::from(
            meta.assignment.get("kubeconfig").cloned().unwrap_or_else(|| format!("{subject}/kubeconfig.yaml")),
        );
        let run = Kaas::default().run(scope, &selection, kubeconfig, Some(subject.to_owned()), meta, interrupt).await;
        return Ok(done(scope, &selection, run.subject, run.check));
    }
    if !scope.variables.iter().any(|v| v.name == "os_cloud") {
        bail!("{subject} {}: the scope names neither os_cloud nor kubeconfig", scope.name);
    }
    let os_cloud = mapping.get("os_cloud").cloned().unwrap_or_else(|| subject.to_owned());
    let cloud = CloudConfig::load(Some(&os_cloud)).with_context(|| format!("{subject}: cloud '{os_cloud}'"))?;
    let run = Iaas::default().run(scope, &selection, cloud, Some(subject.to_owned()), meta, interrupt).await;
    Ok(done(scope, &selection, run.subject, run.check))
}

/// What a finished run of either family leaves for the summary and upload.
fn done(scope: &scs_standards::Scope, selection: &scs_standards::Selection, subject: String, check: CheckRun) -> Done {
    if check.interrupted {
        // the run removed what it created; say what it could not
        let mut critical = check.critical;
        critical.extend(check.leftovers.into_iter().map(|line| format!("left behind: {line}")));
        return Done {
            subject,
            scope: scope.name.clone(),
            summary: "interrupted".into(),
            critical,
            interrupted: true,
            report: None,
        };
    }
    Done {
        summary: check.summary(selection.to_run.len()),
        subject,
        scope: scope.name.clone(),
        critical: check.critical,
        interrupted: false,
        report: Some(Box::new(check.report)),
    }
}

/// Today's selection (with the runner's sections and tests) and the scope
/// variables assigned from the subject's mapping or their defaults.
fn select(
    scope: &scs_standards::Scope,
    subject: &str,
    mapping: &BTreeMap<String, String>,
    sections: &Option<Vec<String>>,
    tests: &Option<String>,
) -> anyhow::Result<(scs_standards::Selection, BTreeMap<String, String>)> {
    let today = chrono::Local::now().date_naive();
    let request = SelectionRequest { date: None, version: None, sections: sections.clone(), tests: tests.clone() };
    let selection = scope.select(&request, today).with_context(|| format!("{subject} {}", scope.name))?;
    let assignment = scope
        .variables
        .iter()
        .filter_map(|var| mapping.get(&var.name).or(var.default.as_ref()).map(|v| (var.name.clone(), v.clone())))
        .collect();
    Ok((selection, assignment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_sections_add_heavy_on_saturdays() {
        let sat = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let fri = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(sections(Some("auto"), sat).unwrap(), ["light", "medium", "heavy"]);
        assert_eq!(sections(Some(".auto"), fri).unwrap(), ["light", "medium"]);
        assert_eq!(sections(Some("light, heavy"), fri).unwrap(), ["light", "heavy"]);
        assert_eq!(sections(None, fri), None);
    }

    #[test]
    fn upstream_config_reads_and_maps_subjects() {
        let dir = std::env::var_os("SCS_UPSTREAM_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/scs-standards"));
        let path = dir.join("Tests/config.toml");
        let Ok(config) = RunnerConfig::load(&path) else {
            assert!(
                std::env::var_os("SCS_SKIP_UPSTREAM").is_some(),
                "upstream config.toml not found at {}",
                path.display()
            );
            return;
        };
        assert_eq!(config.presets["default"].subjects, ["scs2"]);
        assert_eq!(config.scopes["scs-compatible-iaas"].spec, Path::new("./scs-compatible-iaas.yaml"));
        let m = config.mapping("regio-a");
        assert_eq!(m["os_cloud"], "regio-a");
        assert_eq!(m["kubeconfig"], "regio-a/kubeconfig.yaml");
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = toml::from_str::<RunnerConfig>("[presets.x]\nscopes = []\nsubjects = []\nworker = 3\n").unwrap_err();
        assert!(err.to_string().contains("worker"), "{err}");
    }
}
