// SPDX-License-Identifier: Apache-2.0
//! One KaaS check run against one cluster: connect, read the facts once,
//! decide the selected testcases concurrently and write the upstream report.
//! The subject is the cluster's Kubernetes branch (`<name>-1.34`), because
//! SCS certifies each branch a provider offers on its own.

use crate::cluster::{ClusterFacts, connect, gather};
use crate::data::ReleaseData;
use crate::sonobuoy::{self, Suite, TestRun};
use crate::sonobuoy_runner;
use crate::storage;
use crate::table::{self, KAAS, Needs};
use crate::version::KubeVersion;
use scs_checks::Outcome;
use scs_checks::run::{CheckRun, ReportMeta, RunMeta, build_report};
use scs_standards::{Scope, Selection};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What to check.
pub struct KaasRequest<'a> {
    /// The scope.
    pub scope: &'a Scope,
    /// Versions and testcases selected.
    pub selection: &'a Selection,
    /// The cluster's kubeconfig.
    pub kubeconfig: PathBuf,
    /// Subject name or prefix; the branch is appended unless it ends with it.
    pub subject: Option<String>,
    /// The invocation, for the report.
    pub meta: RunMeta,
    /// The family's settings: context, release data, Sonobuoy, timeouts.
    pub settings: Settings,
    /// Upstream's `execution_mode` for Sonobuoy: parallel, serial or dry.
    pub execution_mode: String,
    /// Where Sonobuoy's results go (upstream's `subject_root`; default `./<subject>`).
    pub results_root: Option<PathBuf>,
}

/// How KaaS runs reach a cluster and its e2e results (the KaaS family of
/// the check core, [`crate::family`]).
#[derive(Clone, Debug)]
pub struct Settings {
    /// The kubeconfig context to use (default: the current one).
    pub context: Option<String>,
    /// Release data file (default: the refreshed copy if newer, else the shipped one).
    pub release_data: Option<PathBuf>,
    /// Sonobuoy results for one testcase (`Some(id)`) or both e2e testcases.
    pub sonobuoy_results: Vec<(Option<String>, PathBuf)>,
    /// SCS Sonobuoy configuration (default: the shipped one).
    pub sonobuoy_config: Option<PathBuf>,
    /// The `sonobuoy` to run for e2e testcases without results (`None`: do not run it).
    pub sonobuoy_binary: Option<PathBuf>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// How long the storage check waits for its claim and pod.
    pub storage_wait: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            context: None,
            release_data: None,
            sonobuoy_results: Vec::new(),
            sonobuoy_config: None,
            sonobuoy_binary: crate::sonobuoy_runner::find_on_path(),
            timeout: Duration::from_secs(32),
            storage_wait: Duration::from_secs(30),
        }
    }
}

/// A finished KaaS run.
pub struct KaasRun {
    /// Subject the report is for.
    pub subject: String,
    /// Outcomes, report and counters, as on the IaaS side.
    pub check: CheckRun,
    /// What was read from the cluster (absent if it could not be reached).
    pub facts: Option<ClusterFacts>,
}

/// The subject for a cluster of `branch`.
pub fn subject_for(name: &str, branch: Option<&str>) -> String {
    match branch {
        Some(b) if !name.ends_with(&format!("-{b}")) && name != b => format!("{name}-{b}"),
        _ => name.to_owned(),
    }
}

/// Runs the selected testcases to the end.
pub async fn run(request: KaasRequest<'_>) -> KaasRun {
    decide_all(&request).await
}

/// Runs the selected testcases until `interrupt` resolves (SIGINT/SIGTERM):
/// then the run is cut short, what the storage check created is swept, and
/// the run comes back marked interrupted with its leftovers, as an IaaS run
/// does. `scs check` and `scs run` both stop KaaS runs this way.
pub async fn run_until(request: KaasRequest<'_>, interrupt: impl std::future::Future<Output = ()>) -> KaasRun {
    let started = Instant::now();
    tokio::select! {
        run = decide_all(&request) => run,
        () = interrupt => interrupted(&request, started).await,
    }
}

/// The run cut short: the storage check's claim and pod swept, no outcomes.
async fn interrupted(request: &KaasRequest<'_>, started: Instant) -> KaasRun {
    let leftovers =
        storage::sweep_after_interrupt(request.selection, &request.kubeconfig, request.settings.context.as_deref())
            .await;
    let subject = request.subject.clone().unwrap_or_else(|| "kubernetes".to_owned());
    let critical = vec!["interrupted".to_owned()];
    let outcomes = BTreeMap::new();
    let report = build_report(&meta(request, &subject), &outcomes, &critical, &[], chrono::Utc::now().naive_utc());
    KaasRun {
        subject,
        check: CheckRun {
            outcomes,
            not_implemented: Vec::new(),
            critical,
            warnings: Vec::new(),
            facts: None,
            requests: 0,
            interrupted: true,
            leftovers,
            duration_ms: started.elapsed().as_millis() as u64,
            report,
        },
        facts: None,
    }
}

fn meta<'a>(request: &'a KaasRequest<'_>, subject: &'a str) -> ReportMeta<'a> {
    ReportMeta { scope: request.scope, selection: request.selection, subject, run: &request.meta }
}

/// Decides every selected testcase.
async fn decide_all(request: &KaasRequest<'_>) -> KaasRun {
    let started = Instant::now();
    let checked_at = chrono::Utc::now().naive_utc();
    let (decidable, not_implemented): (Vec<String>, Vec<String>) =
        request.selection.to_run.iter().cloned().partition(|id| KAAS.decides(id));
    let mut critical = Vec::new();
    let mut warnings = Vec::new();
    let mut outcomes = BTreeMap::new();
    let needs_cluster: Vec<&String> = decidable.iter().filter(|id| Needs::of([*id]).cluster).collect();
    let mut facts = None;
    let mut branch = None;
    let mut context = None;
    if !needs_cluster.is_empty() {
        match connect(&request.kubeconfig, request.settings.context.as_deref(), request.settings.timeout).await {
            Err(e) => {
                critical.push(format!("cannot reach the cluster: {e}"));
                for id in &needs_cluster {
                    outcomes.insert((*id).clone(), Outcome::abort(format!("no cluster: {e}")));
                }
            }
            Ok(cluster) => {
                context = cluster.context.clone();
                branch = cluster.git_version.parse::<KubeVersion>().ok().map(|v| v.branch().to_string());
                let gathered = gather(&cluster).await;
                let wants = |id: &str| needs_cluster.iter().any(|n| *n == id);
                let from_facts = async {
                    let release = if Needs::of(needs_cluster.iter().copied()).release_data {
                        ReleaseData::choose(request.settings.release_data.as_deref()).map_err(|e| e.to_string())
                    } else {
                        Err("not needed".to_owned())
                    };
                    let facts = table::Facts { cluster: &gathered, release: &release, today: request.selection.date };
                    needs_cluster
                        .iter()
                        .filter_map(|id| KAAS.from_facts(id).map(|decide| ((*id).clone(), decide(&facts))))
                        .collect::<Vec<_>>()
                };
                let storage = async {
                    if !wants(storage::TESTCASE) {
                        return None;
                    }
                    Some(storage::decide(&cluster, &gathered, request.settings.storage_wait).await)
                };
                let (decided, storage) = tokio::join!(from_facts, storage);
                outcomes.extend(decided);
                if let Some(o) = storage {
                    outcomes.insert(storage::TESTCASE.to_owned(), o);
                }
                facts = Some(gathered);
            }
        }
    }
    let name = request
        .subject
        .clone()
        .or(context)
        .or_else(|| {
            request.kubeconfig.file_stem().map(|s| s.to_string_lossy().trim_end_matches(".kubeconfig").to_owned())
        })
        .unwrap_or_else(|| "kubernetes".to_owned());
    let subject = subject_for(&name, branch.as_deref());
    let e2e: Vec<Suite> = decidable.iter().filter(|id| KAAS.external(id)).filter_map(|id| Suite::of(id)).collect();
    if !e2e.is_empty() {
        decide_e2e(request, &e2e, &subject, &mut outcomes, &mut warnings).await;
    }
    for id in &not_implemented {
        warnings.push(format!("{id}: not implemented by this version of scs; reported as missing"));
    }
    let report = build_report(&meta(request, &subject), &outcomes, &critical, &warnings, checked_at);
    KaasRun {
        subject,
        check: CheckRun {
            outcomes,
            not_implemented,
            critical,
            warnings,
            facts: None,
            requests: 0,
            interrupted: false,
            leftovers: Vec::new(),
            duration_ms: started.elapsed().as_millis() as u64,
            report,
        },
        facts,
    }
}

/// The Sonobuoy testcases: from the results given for each (or for both),
/// else from a run of an installed `sonobuoy`. A results file given for both
/// testcases is read and parsed once.
async fn decide_e2e(
    request: &KaasRequest<'_>,
    suites: &[Suite],
    subject: &str,
    outcomes: &mut BTreeMap<String, Outcome>,
    warnings: &mut Vec<String>,
) {
    let config = sonobuoy::load_config(request.settings.sonobuoy_config.as_deref());
    let mut parsed: HashMap<PathBuf, Result<Vec<TestRun>, String>> = HashMap::new();
    for &suite in suites {
        let id = suite.testcase();
        let given = |wanted: Option<&str>| -> Vec<PathBuf> {
            request
                .settings
                .sonobuoy_results
                .iter()
                .filter(|(t, _)| t.as_deref() == wanted)
                .map(|(_, p)| p.clone())
                .collect()
        };
        let mut paths = given(Some(id));
        if paths.is_empty() {
            paths = given(None);
        }
        if paths.is_empty() {
            let Some(binary) = &request.settings.sonobuoy_binary else {
                warnings.push(format!(
                    "{id}: no Sonobuoy results given (--sonobuoy-results) and no sonobuoy to run; reported as missing"
                ));
                continue;
            };
            let root = request.results_root.clone().unwrap_or_else(|| PathBuf::from(subject));
            match sonobuoy_runner::run_suite(binary, &request.kubeconfig, suite, &request.execution_mode, &root).await {
                Ok(tarball) => paths.push(tarball),
                Err(e) => {
                    outcomes.insert(id.to_owned(), Outcome::abort(format!("running Sonobuoy: {e}")));
                    continue;
                }
            }
        }
        let outcome = match &config {
            Err(e) => Outcome::abort(format!("Sonobuoy configuration: {e}")),
            Ok(ok_to_fail) => {
                let mut tests = Vec::new();
                let read = paths.iter().try_for_each(|path| {
                    let runs = parsed
                        .entry(path.clone())
                        .or_insert_with(|| sonobuoy::read_results(path).map_err(|e| e.to_string()));
                    tests.extend(runs.as_ref().map_err(Clone::clone)?.iter().cloned());
                    Ok::<_, String>(())
                });
                let sources = paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
                match read {
                    Err(e) => Outcome::abort(format!("Sonobuoy results {e}")),
                    Ok(()) => sonobuoy::decide(suite, &tests, ok_to_fail, &sources),
                }
            }
        };
        outcomes.insert(id.to_owned(), outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_branch_is_appended_once() {
        assert_eq!(subject_for("syself", Some("1.34")), "syself-1.34");
        assert_eq!(subject_for("syself-1.34", Some("1.34")), "syself-1.34");
        assert_eq!(subject_for("syself", None), "syself");
    }
}
