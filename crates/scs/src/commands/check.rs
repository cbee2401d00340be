// SPDX-License-Identifier: Apache-2.0
//! `scs check`: certify a cloud against a certificate scope.
//!
//! Accepts upstream's `scs-compliance-check.py` flags as aliases, prints the
//! same per-version, per-target summary (plus the evidence of every FAIL and
//! ABORT), writes an upstream-compatible report and exits as upstream does:
//! `min(127, critical lines + (0 with -C, else error lines + FAIL results))`.

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::Args;
use scs_checks::family::{CheckFamily, Iaas, RunMeta};
use scs_checks::run::CheckRun;
use scs_kaas::family::Kaas;
use scs_openstack::{CloudConfig, SessionOptions};
use scs_standards::embedded::load_scope;
use scs_standards::report::AnyReport;
use scs_standards::selection::SelectionRequest;
use scs_standards::{Scope, Selection, TestResult, Verdict};
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

/// `scs check` arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scope file or alias (upstream passes it positionally).
    #[arg(value_name = "SCOPE_FILE", conflicts_with = "scope")]
    pub spec: Option<String>,
    /// Scope: alias (scs-compatible-iaas), uuid or path.
    #[arg(long)]
    pub scope: Option<String>,
    /// Cloud from clouds.yaml (default: OS_CLOUD, then the OS_* variables).
    #[arg(long, env = "OS_CLOUD")]
    pub os_cloud: Option<String>,
    /// Subject name in the report (default: the cloud name).
    #[arg(long, short = 's')]
    pub subject: Option<String>,
    /// Variable assignment, upstream style (`-a os_cloud=mycloud`).
    #[arg(short = 'a', long = "assign", value_name = "KEY=VALUE")]
    pub assign: Vec<String>,
    /// Reference date for version validity (default today).
    #[arg(long, short = 'd')]
    pub date: Option<NaiveDate>,
    /// Check this version only.
    #[arg(id = "scope_version", long = "version", short = 'V', value_name = "VERSION")]
    pub version: Option<String>,
    /// Only testcases of these sections (comma-separated).
    #[arg(long = "section", short = 'S', alias = "sections", value_delimiter = ',')]
    pub sections: Option<Vec<String>>,
    /// Only testcases whose id matches this regular expression at its start.
    #[arg(long, short = 't')]
    pub tests: Option<String>,
    /// Write the report (upstream YAML) to this file.
    #[arg(long, short = 'o')]
    pub output: Option<std::path::PathBuf>,
    /// Exit non-zero only when the run could not complete.
    #[arg(long = "critical-only", short = 'C')]
    pub critical_only: bool,
    /// Console format.
    #[arg(long, value_enum, default_value_t)]
    pub format: CheckFormat,
    /// Also list passed testcases.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Write the gathered facts as JSON (for offline unit tests and bug reports).
    #[arg(long, value_name = "FILE")]
    pub record_facts: Option<std::path::PathBuf>,
    /// Follow the standard text where upstream's code is more lenient (docs/checks.md).
    #[arg(long)]
    pub follow_text: bool,
    /// scs-0123-swift-s3: accept only upstream's S3 error codes (InvalidAccessKeyId,
    /// NoSuchKey), not SignatureDoesNotMatch/AccessDenied as Swift's s3api answers.
    #[arg(long)]
    pub strict_s3_probe: bool,
    /// scs-0102/0104: judge the community images of other projects too (upstream's
    /// run does not see them: Glance's default listing leaves them out).
    #[arg(long)]
    pub all_community_images: bool,
    /// Skip the testcases that create resources (entropy VM, backup, secret, S3 probe);
    /// they are reported as missing.
    #[arg(long)]
    pub read_only: bool,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 32)]
    pub timeout: u64,
    /// KaaS: the cluster's kubeconfig; repeat for each Kubernetes branch offered
    /// (each is a subject of its own, named `<subject>-<branch>`).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Vec<std::path::PathBuf>,
    /// KaaS: the kubeconfig context (default: its current context).
    #[arg(long)]
    pub context: Option<String>,
    /// KaaS: release data for version-policy-check (default: `scs data refresh`'s copy if
    /// newer than the shipped one, else the shipped one).
    #[arg(long, value_name = "FILE")]
    pub release_data: Option<std::path::PathBuf>,
    /// KaaS: Sonobuoy results (the tarball of `sonobuoy retrieve`, or its extracted directory)
    /// for cncf-k8s-conformance and kaas-networking-check; `TESTCASE=PATH` gives them to one.
    #[arg(long, value_name = "[TESTCASE=]PATH")]
    pub sonobuoy_results: Vec<String>,
    /// KaaS: SCS Sonobuoy configuration with the okToFail list (default: the shipped v1).
    #[arg(long, value_name = "FILE")]
    pub sonobuoy_config: Option<std::path::PathBuf>,
    /// KaaS: the `sonobuoy` binary to run for e2e testcases without --sonobuoy-results
    /// (default: `sonobuoy` on PATH, if any). A run takes an hour or more.
    #[arg(long, value_name = "FILE", conflicts_with = "no_sonobuoy")]
    pub sonobuoy: Option<std::path::PathBuf>,
    /// KaaS: never run Sonobuoy; e2e testcases without results are reported as missing.
    #[arg(long)]
    pub no_sonobuoy: bool,
    /// KaaS: seconds default-storage-class-check waits for its claim and pod.
    #[arg(long, default_value_t = 30)]
    pub storage_wait: u64,
}

/// Console formats of `scs check`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Upstream's summary, with evidence.
    #[default]
    Text,
    /// The report as YAML.
    Yaml,
    /// Verdicts and evidence as JSON.
    Json,
    /// JUnit XML, one testcase element per SCS testcase.
    Junit,
}

#[derive(Serialize)]
struct JsonResult<'a> {
    subject: &'a str,
    scope: &'a str,
    versions: Vec<JsonVersion>,
    testcases: BTreeMap<&'a str, JsonTestcase<'a>>,
    missing: Vec<&'a str>,
    requests: u64,
    duration_ms: u64,
    critical: &'a [String],
}

#[derive(Serialize)]
struct JsonVersion {
    version: String,
    validity: String,
    targets: BTreeMap<String, Verdict>,
}

#[derive(Serialize)]
struct JsonTestcase<'a> {
    result: String,
    evidence: &'a [String],
}

/// Runs `scs check`.
pub fn run_check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let scope_name =
        args.scope.clone().or(args.spec.clone()).context("no scope given: pass --scope scs-compatible-iaas")?;
    let scope = load_scope(&scope_name).with_context(|| format!("loading scope {scope_name}"))?;
    let mut assignment = BTreeMap::new();
    for a in &args.assign {
        let Some((k, v)) = a.split_once('=') else { bail!("-a {a}: expected KEY=VALUE") };
        if assignment.insert(k.to_owned(), v.to_owned()).is_some() {
            bail!("-a {k}: assigned twice");
        }
    }
    let os_cloud = args.os_cloud.clone().or_else(|| assignment.get("os_cloud").cloned());
    if let Some(c) = &os_cloud {
        assignment.insert("os_cloud".into(), c.clone());
    }
    for var in &scope.variables {
        if let Some(d) = var.default.as_ref().filter(|_| var.name != "os_cloud" && !assignment.contains_key(&var.name))
        {
            assignment.insert(var.name.clone(), d.clone());
        }
    }
    if scope.variables.iter().any(|v| v.name == "kubeconfig") {
        return run_kaas(&args, &scope, assignment);
    }
    if !scope.variables.iter().any(|v| v.name == "os_cloud") {
        bail!("scope '{}' names neither os_cloud nor kubeconfig: scs cannot tell what it checks", scope.name);
    }
    let cloud = CloudConfig::load(os_cloud.as_deref()).context("selecting the cloud")?;
    let subject = args.subject.clone().unwrap_or_else(|| cloud.name.clone());
    let mut selection = select(&scope, &args)?;
    if args.read_only {
        for id in scs_checks::table::read_only(&mut selection, &scs_checks::iaas::IAAS) {
            eprintln!("scs: --read-only: {id} creates resources; not run");
        }
    }
    let family = Iaas {
        options: scs_checks::iaas::Options {
            follow_text: args.follow_text,
            strict_s3_probe: args.strict_s3_probe,
            all_community_images: args.all_community_images,
        },
        session: SessionOptions { timeout: Duration::from_secs(args.timeout.max(1)), ..SessionOptions::default() },
    };
    let meta = RunMeta {
        argv: std::env::args().collect(),
        assignment,
        sections: args.sections.clone(),
        forced_version: args.version.clone(),
        forced_tests: args.tests.clone(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let run = runtime.block_on(family.run(
        &scope,
        &selection,
        cloud,
        Some(subject.clone()),
        meta,
        Box::pin(crate::signals::shutdown()),
    ));
    let result = run.check;
    if result.interrupted {
        for line in &result.leftovers {
            eprintln!("scs: left behind: {line}");
        }
        eprintln!(
            "scs: interrupted; {} (no report written)",
            if result.leftovers.is_empty() { "nothing left behind" } else { "run `scs cleanup` for the rest" }
        );
        return Ok(ExitCode::from(130));
    }
    if let (Some(path), Some(facts)) = (&args.record_facts, &run.facts) {
        std::fs::write(path, serde_json::to_string_pretty(facts)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let report_yaml = scs_standards::write_reports(&[AnyReport::Upstream(Box::new(result.report.clone()))])?;
    if let Some(path) = &args.output {
        std::fs::write(path, &report_yaml).with_context(|| format!("writing report {}", path.display()))?;
    }
    match args.format {
        CheckFormat::Text => print_text(&scope, &selection, &result, &subject, &args)?,
        CheckFormat::Yaml => out!("{report_yaml}")?,
        CheckFormat::Json => outln!("{}", serde_json::to_string_pretty(&json(&scope, &selection, &result, &subject))?)?,
        CheckFormat::Junit => out!("{}", junit(&scope, &selection, &result, &subject))?,
    }
    Ok(ExitCode::from(exit_points(&result, args.critical_only).min(127) as u8))
}

/// Upstream's exit code of one run before the cap: critical lines, plus (without
/// `-C`) error lines and FAIL results.
fn exit_points(run: &CheckRun, critical_only: bool) -> usize {
    let fails = run.outcomes.values().filter(|o| o.result == TestResult::Fail).count();
    let errors = run.report.run.invocations.values().map(|i| i.error as usize).sum::<usize>();
    run.critical.len() + if critical_only { 0 } else { errors + fails }
}

/// The versions and testcases `-d -V -S -t` select.
fn select(scope: &Scope, args: &CheckArgs) -> anyhow::Result<Selection> {
    let request = SelectionRequest {
        date: args.date,
        version: args.version.clone(),
        sections: args.sections.clone(),
        tests: args.tests.clone(),
    };
    Ok(scope.select(&request, chrono::Local::now().date_naive())?)
}

/// `scs check` of a KaaS scope: one run (and report) per kubeconfig.
fn run_kaas(args: &CheckArgs, scope: &Scope, mut assignment: BTreeMap<String, String>) -> anyhow::Result<ExitCode> {
    if !scope.variables.iter().any(|v| v.name == "os_cloud") {
        assignment.remove("os_cloud");
    }
    let mut kubeconfigs = args.kubeconfig.clone();
    if kubeconfigs.is_empty() {
        match assignment.get("kubeconfig") {
            Some(path) => kubeconfigs.push(path.into()),
            None => bail!("scope '{}' checks a Kubernetes cluster: pass --kubeconfig FILE", scope.name),
        }
    }
    let mut sonobuoy_results = Vec::new();
    for value in &args.sonobuoy_results {
        match value.split_once('=') {
            Some((id, path)) if scs_kaas::sonobuoy::Suite::of(id).is_some() => {
                sonobuoy_results.push((Some(id.to_owned()), path.into()))
            }
            Some((id, _)) if !std::path::Path::new(value).exists() => {
                bail!("--sonobuoy-results {value}: {id} is not cncf-k8s-conformance or kaas-networking-check")
            }
            _ => sonobuoy_results.push((None, value.into())),
        }
    }
    if kubeconfigs.len() > 1 && !sonobuoy_results.is_empty() {
        bail!("--sonobuoy-results belong to one cluster: give one --kubeconfig with them");
    }
    let mut selection = select(scope, args)?;
    if args.read_only {
        for id in scs_checks::table::read_only(&mut selection, &scs_kaas::KAAS) {
            eprintln!("scs: --read-only: {id} creates resources; not run");
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut reports = Vec::new();
    let mut code = 0usize;
    let mut all_facts = Vec::new();
    let sonobuoy_binary =
        if args.no_sonobuoy { None } else { args.sonobuoy.clone().or_else(scs_kaas::sonobuoy_runner::find_on_path) };
    let family = Kaas {
        context: args.context.clone(),
        release_data: args.release_data.clone(),
        sonobuoy_results: sonobuoy_results.clone(),
        sonobuoy_config: args.sonobuoy_config.clone(),
        sonobuoy_binary,
        timeout: Duration::from_secs(args.timeout.max(1)),
        storage_wait: Duration::from_secs(args.storage_wait),
    };
    // the clusters are checked at once; their results print in the order given
    let requests: Vec<_> = kubeconfigs
        .iter()
        .enumerate()
        .map(|(i, kubeconfig)| {
            assignment.insert("kubeconfig".into(), kubeconfig.display().to_string());
            let meta = RunMeta {
                argv: std::env::args().collect(),
                assignment: assignment.clone(),
                sections: args.sections.clone(),
                forced_version: args.version.clone(),
                forced_tests: args.tests.clone(),
            };
            // each run hears the signal and sweeps its own cluster; one says so
            let signal: scs_checks::family::Interrupt<'_> = if i == 0 {
                Box::pin(crate::signals::shutdown())
            } else {
                Box::pin(crate::signals::shutdown_quietly())
            };
            family.run(scope, &selection, kubeconfig.clone(), args.subject.clone(), meta, signal)
        })
        .collect();
    let runs = runtime.block_on(futures::future::join_all(requests));
    if runs.iter().any(|r| r.check.interrupted) {
        let mut left = 0;
        for (run, kubeconfig) in runs.iter().zip(&kubeconfigs) {
            for line in &run.check.leftovers {
                left += 1;
                eprintln!("scs: {}: left behind: {line}", kubeconfig.display());
            }
        }
        eprintln!(
            "scs: interrupted; {} (no report written)",
            if left == 0 { "nothing left behind" } else { "delete what is listed above by hand" }
        );
        return Ok(ExitCode::from(130));
    }
    for run in runs {
        let result = &run.check;
        match args.format {
            CheckFormat::Text => print_text(scope, &selection, result, &run.subject, args)?,
            CheckFormat::Yaml => {}
            CheckFormat::Json => {
                outln!("{}", serde_json::to_string_pretty(&json(scope, &selection, result, &run.subject))?)?
            }
            CheckFormat::Junit => out!("{}", junit(scope, &selection, result, &run.subject))?,
        }
        code += exit_points(result, args.critical_only);
        reports.push(AnyReport::Upstream(Box::new(result.report.clone())));
        all_facts.extend(run.facts);
    }
    if let Some(path) = &args.record_facts {
        let json = if all_facts.len() == 1 {
            serde_json::to_string_pretty(&all_facts[0])?
        } else {
            serde_json::to_string_pretty(&all_facts)?
        };
        std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
    }
    let report_yaml = scs_standards::write_reports(&reports)?;
    if let Some(path) = &args.output {
        std::fs::write(path, &report_yaml).with_context(|| format!("writing report {}", path.display()))?;
    }
    if args.format == CheckFormat::Yaml {
        out!("{report_yaml}")?;
    }
    Ok(ExitCode::from(code.min(127) as u8))
}

fn result_of(run: &CheckRun, id: &str) -> Option<TestResult> {
    run.outcomes.get(id).map(|o| o.result)
}

fn json<'a>(scope: &'a Scope, selection: &'a Selection, run: &'a CheckRun, subject: &'a str) -> JsonResult<'a> {
    JsonResult {
        subject,
        scope: &scope.name,
        versions: selection
            .versions
            .iter()
            .filter_map(|v| {
                let version = scope.version(&v.name)?;
                Some(JsonVersion {
                    version: v.name.clone(),
                    validity: v.validity.to_string(),
                    targets: version
                        .targets
                        .iter()
                        .map(|(t, ids)| (t.clone(), Verdict::evaluate(ids.iter().map(|id| result_of(run, id)))))
                        .collect(),
                })
            })
            .collect(),
        testcases: run
            .outcomes
            .iter()
            .map(|(k, v)| (k.as_str(), JsonTestcase { result: v.result.to_string(), evidence: &v.evidence }))
            .collect(),
        missing: selection.testcases.iter().filter(|id| !run.outcomes.contains_key(*id)).map(String::as_str).collect(),
        requests: run.requests,
        duration_ms: run.duration_ms,
        critical: &run.critical,
    }
}

fn print_text(
    scope: &Scope,
    selection: &Selection,
    run: &CheckRun,
    subject: &str,
    args: &CheckArgs,
) -> anyhow::Result<()> {
    for line in &run.critical {
        eprintln!("CRITICAL: {line}");
    }
    for line in &run.warnings {
        eprintln!("WARNING: {line}");
    }
    let mut filters = String::new();
    if let Some(s) = &args.sections {
        filters.push_str(&format!(" [sections: {}]", s.join(", ")));
    }
    if let Some(t) = &args.tests {
        filters.push_str(&format!(" [tests: '{t}']"));
    }
    if selection.versions.is_empty() {
        outln!("{subject} {}{filters}: no version is in force on {}", scope.name, selection.date)?;
    }
    for v in &selection.versions {
        let Some(version) = scope.version(&v.name) else { continue };
        outln!("{subject} {}{filters} {}:", scope.name, v.name)?;
        for (target, ids) in &version.targets {
            let ids: Vec<&String> = if selection.filtered {
                ids.iter().filter(|id| run.outcomes.contains_key(*id)).collect()
            } else {
                ids.iter().collect()
            };
            let by = |r: Option<TestResult>| {
                ids.iter().filter(|id| result_of(run, id) == r).map(|s| s.as_str()).collect::<Vec<_>>()
            };
            let (passed, failed, aborted, missing) =
                (by(Some(TestResult::Pass)), by(Some(TestResult::Fail)), by(Some(TestResult::Abort)), by(None));
            let verdict = if !failed.is_empty() || !aborted.is_empty() {
                "FAIL"
            } else if !missing.is_empty() {
                "TENTATIVE pass"
            } else {
                "PASS"
            };
            let mut counts = vec![format!("{} passed", passed.len())];
            if !failed.is_empty() {
                counts.push(format!("{} failed", failed.len()));
            }
            if !aborted.is_empty() {
                counts.push(format!("{} aborted", aborted.len()));
            }
            if !missing.is_empty() {
                counts.push(format!("{} missing", missing.len()));
            }
            outln!("- {target}: {verdict} ({})", counts.join(", "))?;
            let mut lists = vec![("FAILED", failed), ("ABORTED", aborted)];
            if !selection.filtered {
                lists.push(("MISSING", missing));
            }
            if args.verbose {
                lists.push(("PASSED", passed));
            }
            for (label, list) in lists {
                if list.is_empty() {
                    continue;
                }
                outln!("  {label}:")?;
                for id in list {
                    let tc = scope.testcase(id);
                    outln!("  - {id}:")?;
                    if let Some(d) = tc.and_then(|t| t.description.as_deref()) {
                        outln!("    > {d}")?;
                    }
                    if let Some(u) = tc.and_then(|t| t.url.as_deref()) {
                        outln!("    > {u}")?;
                    }
                    if let Some(o) = run.outcomes.get(id) {
                        if o.result != TestResult::Pass || args.verbose {
                            for e in &o.evidence {
                                outln!("    ! {e}")?;
                            }
                        }
                    } else if tc.is_some_and(|t| t.manual) {
                        outln!("    ! manual testcase: decided by an audit, not by scs")?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn junit(scope: &Scope, selection: &Selection, run: &CheckRun, subject: &str) -> String {
    let mut cases = String::new();
    let (mut failures, mut errors, mut skipped) = (0, 0, 0);
    for id in &selection.testcases {
        let evidence = run.outcomes.get(id).map(|o| o.evidence.join("\n")).unwrap_or_default();
        let body = match result_of(run, id) {
            Some(TestResult::Pass) => String::new(),
            Some(TestResult::Fail) => {
                failures += 1;
                format!("<failure message=\"FAIL\">{}</failure>", scs_web::escape::markup(&evidence))
            }
            Some(TestResult::Abort) => {
                errors += 1;
                format!("<error message=\"ABORT\">{}</error>", scs_web::escape::markup(&evidence))
            }
            None => {
                skipped += 1;
                "<skipped message=\"MISSING\"/>".to_owned()
            }
        };
        cases.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\">{body}</testcase>\n",
            scs_web::escape::markup(&scope.name),
            scs_web::escape::markup(id)
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"{} {}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{:.3}\">\n{cases}  </testsuite>\n</testsuites>\n",
        scs_web::escape::markup(subject),
        scs_web::escape::markup(&scope.name),
        selection.testcases.len(),
        run.duration_ms as f64 / 1000.0
    )
}
