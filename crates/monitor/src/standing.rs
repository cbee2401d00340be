// SPDX-License-Identifier: Apache-2.0
//! Subjects' standing against scopes: the facts (accounts and groups, the
//! latest stored results) are gathered once, then every view (`/status`,
//! badges, pages, metrics, change tracking) is a pure decision over them, so
//! the same facts always give the same verdicts and tests need no database.
//!
//! A `group-NAME` stands for every account of the group; its worst member
//! represents it, as upstream's pages show groups.

use crate::status::{Prefetched, ScopeStatus, Summary, evaluate, rank, summarize};
use crate::store::{Store, StoreError};
use chrono::NaiveDateTime;
use scs_standards::Scope;
use scs_standards::evaluation::ResultRecord;
use std::collections::BTreeMap;

/// Above this many subjects, one query per scope beats one per subject.
const PER_SUBJECT_QUERIES: usize = 4;

/// What the standing of subjects is decided from.
pub struct Facts {
    /// Every account's subject and group.
    pub accounts: Vec<(String, Option<String>)>,
    results: Prefetched,
}

impl Facts {
    /// The facts about `subjects` (every account's when `None`) against
    /// `scopes`.
    pub async fn gather(store: &Store, scopes: &[&Scope], subjects: Option<&[String]>) -> Result<Self, StoreError> {
        let accounts = store.subjects().await?;
        let results = match subjects {
            Some(names) => {
                let mut members: Vec<String> = names.iter().flat_map(|n| members(&accounts, n)).collect();
                members.sort_unstable();
                members.dedup();
                if members.len() > PER_SUBJECT_QUERIES {
                    Prefetched::load(store, scopes).await?
                } else {
                    Prefetched::load_subjects(store, scopes, &members).await?
                }
            }
            None => Prefetched::load(store, scopes).await?,
        };
        Ok(Self { accounts, results })
    }

    /// Every account's subject.
    pub fn subjects(&self) -> Vec<String> {
        self.accounts.iter().map(|(s, _)| s.clone()).collect()
    }

    /// Every subject with stored results, whether or not it has an account
    /// (results outlive a removed account, as upstream keeps them).
    pub fn reporting_subjects(&self) -> Vec<String> {
        self.results.subjects().into_iter().map(str::to_owned).collect()
    }

    /// Until when answers built from these facts hold at `now`: the next
    /// expiry of a result, or the next midnight (UTC), when a version's
    /// validity may change with the scope's timeline.
    pub fn valid_until(&self, scopes: &[&Scope], now: NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
        let midnight = (now.date() + chrono::Days::new(1)).and_hms_opt(0, 0, 0).unwrap_or(now);
        self.results.next_expiry(scopes, now).map_or(midnight, |t| t.min(midnight)).and_utc()
    }

    /// Whether `subject` (any member, for a group) has a valid result against
    /// `scope` at `now`.
    pub fn has_valid_results(&self, subject: &str, scope: &Scope, now: NaiveDateTime) -> bool {
        members(&self.accounts, subject).iter().any(|member| {
            let records = self.records(member, scope);
            !records.is_empty() && !scope.evaluate(records, now, true).results.is_empty()
        })
    }

    /// Whether `subject` is an account or a group with members.
    pub fn knows(&self, subject: &str) -> bool {
        match subject.strip_prefix("group-") {
            Some(_) => !members(&self.accounts, subject).is_empty(),
            None => self.accounts.iter().any(|(a, _)| a == subject),
        }
    }

    /// The accounts a subject name stands for.
    pub fn members(&self, subject: &str) -> Vec<String> {
        members(&self.accounts, subject)
    }

    fn records(&self, member: &str, scope: &Scope) -> &[ResultRecord] {
        self.results.get(member, scope).unwrap_or_default()
    }

    /// Evaluates `scope` for each member of `subject` with `evaluate` (which
    /// also ranks: lower is worse) and keeps the worst, with its member.
    fn worst<T>(
        &self,
        subject: &str,
        scope: &Scope,
        evaluate: impl Fn(&[ResultRecord]) -> (u8, T),
    ) -> Option<(String, T)> {
        let mut worst: Option<(u8, String, T)> = None;
        for member in members(&self.accounts, subject) {
            let (rank, value) = evaluate(self.records(&member, scope));
            if worst.as_ref().is_none_or(|(r, _, _)| rank < *r) {
                worst = Some((rank, member, value));
            }
        }
        worst.map(|(_, member, value)| (member, value))
    }

    /// `{scope uuid: status}` of one subject.
    pub fn status(
        &self,
        subject: &str,
        scopes: &[&Scope],
        now: NaiveDateTime,
        include_drafts: bool,
    ) -> BTreeMap<String, ScopeStatus> {
        let mut out = BTreeMap::new();
        for scope in scopes {
            let worst = self.worst(subject, scope, |recs| {
                let status = evaluate(scope, recs, now, include_drafts);
                (rank(&status), status)
            });
            let status = match worst {
                Some((member, mut status)) => {
                    if subject.starts_with("group-") {
                        status.subject = Some(member);
                    }
                    status
                }
                None => evaluate(scope, &[], now, include_drafts),
            };
            out.insert(scope.uuid.clone().unwrap_or_default(), status);
        }
        out
    }

    /// The [`Summary`] of one subject per scope, in the order of `scopes`.
    pub fn summaries(
        &self,
        subject: &str,
        scopes: &[&Scope],
        now: NaiveDateTime,
        include_drafts: bool,
    ) -> Vec<Summary> {
        scopes
            .iter()
            .map(|scope| {
                let worst = self.worst(subject, scope, |recs| {
                    let summary = summarize(scope, recs, now, include_drafts);
                    (summary.rank, summary)
                });
                match worst {
                    Some((member, mut summary)) => {
                        if subject.starts_with("group-") {
                            summary.subject = Some(member);
                        }
                        summary
                    }
                    None => summarize(scope, &[], now, include_drafts),
                }
            })
            .collect()
    }
}

/// The members a subject name stands for: `group-NAME` is every account of
/// the group, anything else itself.
pub fn members(accounts: &[(String, Option<String>)], subject: &str) -> Vec<String> {
    match subject.strip_prefix("group-") {
        Some(group) => accounts.iter().filter(|(_, g)| g.as_deref() == Some(group)).map(|(m, _)| m.clone()).collect(),
        None => vec![subject.to_owned()],
    }
}

/// Every selected subject's standing: `{subject: {scope uuid: status}}`.
pub type StatusDocument = BTreeMap<String, BTreeMap<String, ScopeStatus>>;

/// The `/status` document for `subject` (every subject without one) and the
/// `scopes`, from `facts`, listed as upstream lists them: only subjects with
/// a valid result, and per subject only the scopes it has valid results for
/// (so an unknown subject or scope, or one whose results all expired,
/// answers `{}`). `group-NAME` is ours: its members' worst standing, listed
/// where any member has a valid result.
pub fn status_document(
    facts: &Facts,
    subject: Option<&str>,
    scopes: &[&Scope],
    now: NaiveDateTime,
    include_drafts: bool,
) -> StatusDocument {
    let subjects = match subject {
        Some(s) => vec![s.to_owned()],
        None => facts.reporting_subjects(),
    };
    subjects
        .into_iter()
        .filter_map(|s| {
            let listed: Vec<&Scope> =
                scopes.iter().copied().filter(|scope| facts.has_valid_results(&s, scope, now)).collect();
            (!listed.is_empty()).then(|| (s.clone(), facts.status(&s, &listed, now, include_drafts)))
        })
        .collect()
}

/// Every account's standing against `scopes`, results or not (the metrics
/// give each account a gauge).
pub fn accounts_document(facts: &Facts, scopes: &[&Scope], now: NaiveDateTime) -> StatusDocument {
    facts.subjects().into_iter().map(|s| (s.clone(), facts.status(&s, scopes, now, false))).collect()
}
