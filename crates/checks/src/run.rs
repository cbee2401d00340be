// SPDX-License-Identifier: Apache-2.0
//! One check run: connect, pre-flight, gather facts once, decide every
//! selected testcase, and write the result as an upstream report.

use crate::Outcome;
use crate::facts::{Facts, gather};
use crate::iaas::{self, Options, live};
use crate::scratch::Ledger;
use scs_openstack::{CloudConfig, Session, SessionOptions};
use scs_standards::report::{Invocation, Report, ReportSpec, Run};
use scs_standards::{Scope, Selection, TestResult};
use std::collections::BTreeMap;
use std::time::Instant;

/// What to run against which cloud.
pub struct CheckRequest<'a> {
    /// The scope.
    pub scope: &'a Scope,
    /// Versions and testcases selected.
    pub selection: &'a Selection,
    /// The cloud.
    pub cloud: &'a CloudConfig,
    /// Subject name in the report.
    pub subject: String,
    /// The invocation, for the report.
    pub meta: RunMeta,
    /// Session tunables.
    pub session: SessionOptions,
    /// Where upstream code and standard text differ.
    pub options: Options,
    /// Resolves when the run must stop (SIGINT/SIGTERM): testcases still
    /// running ABORT, and everything created is deleted before `run` returns.
    pub interrupt: Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>>,
}

/// What a run found.
pub struct CheckRun {
    /// Decided testcases.
    pub outcomes: BTreeMap<String, Outcome>,
    /// Selected automated testcases this build cannot decide yet (reported as missing).
    pub not_implemented: Vec<String>,
    /// Problems that stopped the run as a whole (`CRITICAL` lines).
    pub critical: Vec<String>,
    /// Warnings (`WARNING` lines).
    pub warnings: Vec<String>,
    /// The facts decided from (absent if the cloud could not be reached).
    pub facts: Option<Facts>,
    /// HTTP requests sent.
    pub requests: u64,
    /// Whether the run was interrupted.
    pub interrupted: bool,
    /// Resources the run created and could not delete (each with the reason).
    pub leftovers: Vec<String>,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
    /// The upstream report.
    pub report: Report,
}

impl CheckRun {
    /// One line for people, the same for every family: results by kind,
    /// the selected testcases left undecided, requests and wall time.
    pub fn summary(&self, selected: usize) -> String {
        let count = |r| self.outcomes.values().filter(|o| o.result == r).count();
        format!(
            "{} passed, {} failed, {} aborted, {} not decided, {} requests in {} ms",
            count(TestResult::Pass),
            count(TestResult::Fail),
            count(TestResult::Abort),
            selected.saturating_sub(self.outcomes.len()),
            self.requests,
            self.duration_ms
        )
    }
}

/// Roles the upstream suite refuses to run with: a check must see what a plain member sees.
const FORBIDDEN_ROLES: [&str; 2] = ["admin", "manager"];

/// Runs the selected testcases against the cloud.
pub async fn run(mut request: CheckRequest<'_>) -> CheckRun {
    let started = Instant::now();
    let checked_at = chrono::Utc::now().naive_utc();
    let (decidable, rest): (Vec<String>, Vec<String>) =
        request.selection.to_run.iter().cloned().partition(|id| iaas::implemented(id));
    let (creating, not_implemented): (Vec<String>, Vec<String>) = rest.into_iter().partition(|id| live::creates(id));
    let mut critical = Vec::new();
    let mut warnings = Vec::new();
    let mut outcomes = BTreeMap::new();
    let mut facts = None;
    let mut requests = 0;
    let mut interrupted = false;
    let mut leftovers = Vec::new();
    let everything: Vec<&String> = decidable.iter().chain(&creating).collect();
    match Session::connect(request.cloud, request.session.clone()).await {
        Err(e) => {
            critical.push(format!("cannot connect to cloud '{}': {e}", request.cloud.name));
            for id in &everything {
                outcomes.insert((*id).clone(), Outcome::abort(format!("no session: {e}")));
            }
        }
        Ok(session) => {
            let bad: Vec<&String> = session.roles.iter().filter(|r| FORBIDDEN_ROLES.contains(&r.as_str())).collect();
            if !session.roles.iter().any(|r| r == "member") || !bad.is_empty() {
                let why = format!(
                    "the checking user must have role member and neither admin nor manager (has: {})",
                    session.roles.join(", ")
                );
                critical.push(why.clone());
                for id in &everything {
                    outcomes.insert((*id).clone(), Outcome::abort(why.clone()));
                }
            } else {
                let ledger = Ledger::default();
                let work = async {
                    tokio::join!(
                        gather(&session, iaas::needs(&decidable), &ledger),
                        live::run(&creating, &session, &ledger, &request.options)
                    )
                };
                let interrupt = async {
                    match request.interrupt.take() {
                        Some(signal) => signal.await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    (gathered, live_outcomes) = work => {
                        for (id, outcome) in iaas::decide_all(&decidable, &gathered, &request.options) {
                            let outcome =
                                outcome.unwrap_or_else(|| Outcome::abort(format!("{id} is not decided from facts")));
                            outcomes.insert(id.clone(), outcome);
                        }
                        outcomes.extend(live_outcomes);
                        facts = Some(gathered);
                    }
                    () = interrupt => {
                        interrupted = true;
                        critical.push("interrupted: stopped the testcases and removed what they had created".into());
                        for id in &everything {
                            outcomes.insert((*id).clone(), Outcome::abort("interrupted before the testcase finished"));
                        }
                    }
                }
                // whatever is still recorded: testcases cut short, or deletions that failed
                leftovers = ledger.clean(&session, |_| true).await;
                if interrupted {
                    // creations in flight when interrupted have no id in the ledger: sweep by name
                    let swept = crate::cleanup::sweep(&session, &crate::cleanup::Sweep::default(), false).await;
                    leftovers.extend(swept.failed);
                }
                critical.extend(leftovers.iter().map(|l| format!("left behind: {l}")));
            }
            requests = session.request_count();
        }
    }
    for id in &not_implemented {
        warnings.push(format!("{id}: not implemented by this version of scs; reported as missing"));
    }
    let duration_ms = started.elapsed().as_millis() as u64;
    let report = build_report(&ReportMeta::of(&request), &outcomes, &critical, &warnings, checked_at);
    CheckRun {
        outcomes,
        not_implemented,
        critical,
        warnings,
        facts,
        requests,
        interrupted,
        leftovers,
        duration_ms,
        report,
    }
}

/// What a report records of the invocation, the same for every family.
#[derive(Clone, Debug, Default)]
pub struct RunMeta {
    /// The command line.
    pub argv: Vec<String>,
    /// The scope variables assigned.
    pub assignment: BTreeMap<String, String>,
    /// `--sections`.
    pub sections: Option<Vec<String>>,
    /// `--version`.
    pub forced_version: Option<String>,
    /// `--tests`.
    pub forced_tests: Option<String>,
}

/// What [`build_report`] writes besides the outcomes.
pub struct ReportMeta<'a> {
    /// The scope.
    pub scope: &'a Scope,
    /// Versions and testcases selected (for the reference date).
    pub selection: &'a Selection,
    /// Subject name.
    pub subject: &'a str,
    /// The invocation.
    pub run: &'a RunMeta,
}

impl<'a> ReportMeta<'a> {
    fn of(request: &'a CheckRequest<'_>) -> Self {
        Self { scope: request.scope, selection: request.selection, subject: &request.subject, run: &request.meta }
    }
}

/// The upstream report of a native run: one invocation whose stdout holds
/// `id: RESULT` lines and whose stderr holds the evidence of every FAIL and
/// ABORT as `ERROR:` lines, then warnings and critical lines.
pub fn build_report(
    request: &ReportMeta<'_>,
    outcomes: &BTreeMap<String, Outcome>,
    critical: &[String],
    warnings: &[String],
    checked_at: chrono::NaiveDateTime,
) -> Report {
    let invocation_id = uuid_v4();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut error = 0;
    for (id, outcome) in outcomes {
        // FAIL and ABORT evidence are error lines: both make the exit code non-zero
        // (with -C only critical lines count).
        if outcome.result != TestResult::Pass {
            for line in &outcome.evidence {
                stderr.push(format!("ERROR: {id}: {line}"));
                error += 1;
            }
        }
        stdout.push(format!("{id}: {}", outcome.result));
    }
    stderr.extend(warnings.iter().map(|w| format!("WARNING: {w}")));
    stderr.extend(critical.iter().map(|c| format!("CRITICAL: {c}")));
    let invocation = Invocation {
        id: invocation_id.clone(),
        cmd: format!("scs check (native) {}", outcomes.keys().cloned().collect::<Vec<_>>().join(" ")),
        results: outcomes.iter().map(|(k, v)| (k.clone(), Some(v.result))).collect(),
        rc: if critical.is_empty() { 0 } else { 1 },
        stdout,
        stderr,
        info: 0,
        warning: warnings.len() as u32,
        error,
        critical: critical.len() as u32,
        evidence: outcomes.iter().map(|(k, v)| (k.clone(), v.evidence.clone())).collect(),
        durations_ms: BTreeMap::new(),
    };
    Report {
        spec: ReportSpec {
            uuid: request.scope.uuid.clone().unwrap_or_default(),
            name: request.scope.name.clone(),
            url: request.scope.url.clone(),
        },
        checked_at,
        reference_date: request.selection.date,
        subject: request.subject.to_owned(),
        run: Run {
            uuid: uuid_v4(),
            argv: request.run.argv.clone(),
            assignment: request.run.assignment.clone(),
            sections: request.run.sections.clone(),
            forced_version: request.run.forced_version.clone(),
            forced_tests: request.run.forced_tests.clone(),
            invocations: BTreeMap::from([(invocation_id, invocation)]),
        },
        versions: None,
    }
}

/// A random (version 4) uuid.
pub fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}
