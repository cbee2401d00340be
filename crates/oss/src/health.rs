// SPDX-License-Identifier: Apache-2.0
//! `scs oss-health`: scs-0008's criteria as checks scored 0–10 from what a
//! local checkout shows (no forge API), each with its evidence and a short
//! why, and an overall score weighted like OpenSSF Scorecard's (by risk:
//! critical 10, high 7.5, medium 5, low 2.5). A check that has nothing to
//! judge (no workflows, no tags, no source files) is inconclusive and left
//! out of the overall score, as Scorecard does.

mod files;
mod history;

use crate::activity::{Activity, Identities, activity_with};
use crate::repo::file_name as name;
use crate::repo::{CommitFacts, FileFacts, RepoError, TagFacts, commits, files, tags};
use regex::Regex;
use serde::Serialize;
use std::path::Path;

/// Everything a health assessment reads of one repository, gathered once.
#[derive(Clone, Debug)]
pub struct Facts {
    /// Every commit reachable from HEAD.
    pub commits: Vec<CommitFacts>,
    /// Every tag.
    pub tags: Vec<TagFacts>,
    /// HEAD's files.
    pub files: Vec<FileFacts>,
}

/// Reads the facts of the repository at `path` (shallow clones are refused).
pub fn gather(path: &Path) -> Result<Facts, RepoError> {
    Ok(Facts { commits: commits(path, None)?, tags: tags(path)?, files: files(path)? })
}

/// scs-0008's five criteria.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Criterion {
    /// Open source, community, development, design.
    FourOpens,
    /// Quality, review, CI, maintenance policies.
    Maturity,
    /// Supply chain, security response, security testing.
    Security,
    /// Development, releases.
    Activity,
    /// Lock-in risk: likelihood to fail (few maintainers, one organisation).
    Risk,
}

/// Scorecard's risk levels, which weigh a check in the overall score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Weight 10.
    Critical,
    /// Weight 7.5.
    High,
    /// Weight 5.
    Medium,
    /// Weight 2.5.
    Low,
}

impl Risk {
    fn weight(self) -> f64 {
        match self {
            Risk::Critical => 10.0,
            Risk::High => 7.5,
            Risk::Medium => 5.0,
            Risk::Low => 2.5,
        }
    }
}

/// One check's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    /// Stable id (`licence-file`).
    pub id: &'static str,
    /// The criterion it belongs to.
    pub criterion: Criterion,
    /// Its weight class.
    pub risk: Risk,
    /// 0–10; `None`: nothing to judge.
    pub score: Option<u8>,
    /// What was found.
    pub evidence: Vec<String>,
    /// Why it matters, in one line.
    pub why: &'static str,
}

/// A repository's assessment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    /// Weighted mean of the conclusive checks, one decimal.
    pub score: f64,
    /// Every check, by criterion.
    pub checks: Vec<Check>,
    /// The activity figures behind the activity and risk checks.
    pub activity: Activity,
    /// The lock-in risk in words.
    pub risk_summary: String,
    /// Version of the SPDX licence list OSI approval is read from.
    pub spdx_licence_list: &'static str,
}

/// Assesses `facts` on `now` (seconds since the epoch).
pub fn assess(facts: &Facts, now: i64) -> Assessment {
    let identities = facts
        .files
        .iter()
        .find(|f| f.path == ".mailmap")
        .map(|f| Identities::from_mailmap(&f.head))
        .unwrap_or_default();
    let figures = activity_with(&facts.commits, &facts.tags, now, &identities);
    let licence_texts = files::licence_texts(facts);
    let reuse = crate::reuse::lint(&facts.files);
    let mut checks = vec![
        files::licence_file(&licence_texts),
        files::reuse(&reuse),
        files::osi_licences(facts, &licence_texts, &reuse),
        history::dco(facts, now),
        files::contribution_guide(facts),
        files::ci(facts),
        files::tests(facts),
        history::review(facts, now),
        files::changelog(facts),
        history::signed_tags(facts),
        files::security_policy(facts),
        files::fuzzing(facts),
        files::lock_files(facts),
        files::pinned_actions(facts),
        files::binary_artifacts(facts),
        files::dangerous_workflow(facts),
        history::maintained(&figures),
        history::releases(&figures),
        history::bus_factor(&figures),
        history::organisations(&figures),
    ];
    checks.sort_by_key(|c| c.criterion);
    let (sum, weights) = checks
        .iter()
        .filter_map(|c| c.score.map(|s| (f64::from(s) * c.risk.weight(), c.risk.weight())))
        .fold((0.0, 0.0), |(s, w), (cs, cw)| (s + cs, w + cw));
    let score = if weights > 0.0 { (sum / weights * 10.0).round() / 10.0 } else { 0.0 };
    let risk_summary = format!(
        "{} of failing: bus factor {} and {} organisation(s) among {} contributor(s) in the last year",
        match (figures.bus_factor, figures.organisations.len()) {
            (0, _) => "unknown likelihood (no commits in the last year)",
            (1, _) | (_, 0 | 1) => "high likelihood",
            (2, _) | (_, 2) => "medium likelihood",
            _ => "low likelihood",
        },
        figures.bus_factor,
        figures.organisations.len(),
        figures.contributors
    );
    Assessment { score, checks, activity: figures, risk_summary, spdx_licence_list: spdx::identifiers::VERSION }
}

fn check(id: &'static str, criterion: Criterion, risk: Risk, why: &'static str) -> Check {
    Check { id, criterion, risk, score: None, evidence: Vec::new(), why }
}

fn scored(mut c: Check, score: u8, evidence: impl Into<String>) -> Check {
    c.score = Some(score.min(10));
    c.evidence.push(evidence.into());
    c
}

fn inconclusive(mut c: Check, evidence: impl Into<String>) -> Check {
    c.evidence.push(evidence.into());
    c
}

/// `10·part/whole`, rounded, at most 10.
fn proportion(part: usize, whole: usize) -> u8 {
    if whole == 0 {
        return 0;
    }
    u8::try_from((part * 10 + whole / 2) / whole).unwrap_or(10).min(10)
}

fn top_level(path: &str) -> bool {
    !path.contains('/')
}

fn text(file: &FileFacts) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(&file.head)
}

fn find(facts: &Facts, matches: impl Fn(&str) -> bool) -> Vec<&FileFacts> {
    facts.files.iter().filter(|f| matches(&f.path)).collect()
}

#[allow(clippy::expect_used)] // constant patterns, covered by every test
fn regex(pattern: &str) -> Regex {
    Regex::new(&format!("(?m){pattern}")).expect("valid pattern")
}
