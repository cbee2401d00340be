// SPDX-License-Identifier: Apache-2.0
//! When to open, update and resolve a status-page incident, decided from
//! what the iterations and probes saw of each service, without any I/O:
//! [`Tracker::observe`] takes one check's verdict on one service and says
//! what to do; the caller does it and confirms, so a status page that did
//! not answer leaves the decision to be taken again at the next check.
//!
//! The rules, per service:
//! - an incident opens when one source (iterations or probes) failed the
//!   service `open_after` times in a row;
//! - while it is open, a failed check adds an update when the evidence
//!   changed (other steps or classes failed) or `update_every` failed checks
//!   passed since the last update;
//! - it is resolved when no source's last check of the service failed and,
//!   since the last failure of any source, one source passed it
//!   `resolve_after` times in a row.
//!
//! Iterations and probes keep separate streaks: a probe that lists networks
//! does not cancel an iteration that cannot create one.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The services the monitor gives verdicts on, as the catalog names them.
pub const SERVICES: [&str; 7] =
    ["identity", "compute", "network", "block-storage", "image", "load-balancer", "object-store"];

/// Where a verdict comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A full scenario iteration.
    Iteration,
    /// A light probe.
    Probe,
}

impl Source {
    fn index(self) -> usize {
        match self {
            Self::Iteration => 0,
            Self::Probe => 1,
        }
    }
}

/// Why a check failed a service: lines for people, and a key that stays the
/// same while the same things fail (no times, no ids).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// What failed, how (`create network: connect: …`).
    pub lines: Vec<String>,
    /// The failed steps and classes, for telling new evidence from old.
    pub key: String,
    /// Only latency was above its bound (everything answered).
    pub slow_only: bool,
}

/// One check's verdict on one service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every step and call of the service passed.
    Good,
    /// Something failed.
    Failing(Evidence),
}

/// What the caller should do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Open an incident on the service's component.
    Open {
        /// The service.
        service: String,
        /// When the failures began.
        began_at: DateTime<Utc>,
        /// How many checks in a row failed.
        failed_checks: u32,
        /// The latest evidence.
        evidence: Evidence,
    },
    /// Add an update to the open incident.
    Update {
        /// The service.
        service: String,
        /// The incident's id.
        incident: String,
        /// Failed checks since the incident opened or was adopted.
        failed_checks: u32,
        /// The latest evidence.
        evidence: Evidence,
    },
    /// End the open incident.
    Resolve {
        /// The service.
        service: String,
        /// The incident's id.
        incident: String,
        /// How many checks in a row passed.
        good_checks: u32,
    },
}

/// The thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// Failed checks in a row (of one source) that open an incident.
    pub open_after: u32,
    /// Good checks in a row that resolve it.
    pub resolve_after: u32,
    /// Failed checks between two updates with the same evidence.
    pub update_every: u32,
}

#[derive(Debug, Default)]
struct ServiceState {
    failing: [u32; 2],
    good: [u32; 2],
    last_failed: [bool; 2],
    began_at: Option<DateTime<Utc>>,
    open: Option<String>,
    failed_while_open: u32,
    failed_since_update: u32,
    posted_key: Option<String>,
}

/// The decisions for one cloud.
#[derive(Debug)]
pub struct Tracker {
    thresholds: Thresholds,
    services: BTreeMap<String, ServiceState>,
}

impl Tracker {
    /// A tracker with no history.
    pub fn new(thresholds: Thresholds) -> Self {
        Self { thresholds, services: BTreeMap::new() }
    }

    /// Takes over an incident found open (opened before a restart).
    pub fn adopt(&mut self, service: &str, incident: &str) {
        let state = self.services.entry(service.to_owned()).or_default();
        state.open = Some(incident.to_owned());
    }

    /// The open incident of `service`, if any.
    pub fn open_incident(&self, service: &str) -> Option<&str> {
        self.services.get(service).and_then(|s| s.open.as_deref())
    }

    /// Records one check's `verdict` on `service` at `at`; says what to do.
    pub fn observe(&mut self, service: &str, source: Source, verdict: &Verdict, at: DateTime<Utc>) -> Option<Action> {
        let t = self.thresholds;
        let state = self.services.entry(service.to_owned()).or_default();
        let i = source.index();
        match verdict {
            Verdict::Failing(evidence) => {
                state.failing[i] += 1;
                state.good = [0, 0];
                state.last_failed[i] = true;
                let began_at = *state.began_at.get_or_insert(at);
                match &state.open {
                    None if state.failing[i] >= t.open_after => Some(Action::Open {
                        service: service.to_owned(),
                        began_at,
                        failed_checks: state.failing[i],
                        evidence: evidence.clone(),
                    }),
                    None => None,
                    Some(incident) => {
                        state.failed_while_open += 1;
                        state.failed_since_update += 1;
                        let changed = state.posted_key.as_deref() != Some(evidence.key.as_str());
                        (changed || state.failed_since_update >= t.update_every).then(|| Action::Update {
                            service: service.to_owned(),
                            incident: incident.clone(),
                            failed_checks: state.failed_while_open,
                            evidence: evidence.clone(),
                        })
                    }
                }
            }
            Verdict::Good => {
                state.good[i] += 1;
                state.failing[i] = 0;
                state.last_failed[i] = false;
                if state.last_failed.iter().any(|f| *f) {
                    return None;
                }
                state.began_at = None;
                let incident = state.open.clone()?;
                (state.good[i] >= t.resolve_after).then(|| Action::Resolve {
                    service: service.to_owned(),
                    incident,
                    good_checks: state.good[i],
                })
            }
        }
    }

    /// The incident of an [`Action::Open`] was created as `incident`.
    pub fn opened(&mut self, service: &str, incident: &str, evidence_key: &str) {
        let state = self.services.entry(service.to_owned()).or_default();
        state.open = Some(incident.to_owned());
        state.failed_while_open = 0;
        state.failed_since_update = 0;
        state.posted_key = Some(evidence_key.to_owned());
    }

    /// The update of an [`Action::Update`] was written.
    pub fn updated(&mut self, service: &str, evidence_key: &str) {
        if let Some(state) = self.services.get_mut(service) {
            state.failed_since_update = 0;
            state.posted_key = Some(evidence_key.to_owned());
        }
    }

    /// The incident of an [`Action::Resolve`] was ended.
    pub fn resolved(&mut self, service: &str) {
        if let Some(state) = self.services.get_mut(service) {
            state.open = None;
            state.posted_key = None;
            state.failed_while_open = 0;
            state.failed_since_update = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing(key: &str) -> Verdict {
        Verdict::Failing(Evidence { lines: vec![format!("{key} failed")], key: key.to_owned(), slow_only: false })
    }

    fn tracker() -> Tracker {
        Tracker::new(Thresholds { open_after: 3, resolve_after: 2, update_every: 4 })
    }

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap_or_default()
    }

    #[test]
    fn opens_after_k_failures_in_a_row_then_resolves_after_m_good_ones() {
        let mut t = tracker();
        let net = "network";
        assert_eq!(t.observe(net, Source::Iteration, &failing("a"), at(0)), None);
        assert_eq!(t.observe(net, Source::Iteration, &failing("a"), at(1)), None);
        let Some(Action::Open { began_at, failed_checks, .. }) =
            t.observe(net, Source::Iteration, &failing("a"), at(2))
        else {
            panic!("the third failure opens")
        };
        assert_eq!((began_at, failed_checks), (at(0), 3));
        // the status page did not answer: the next failure asks again
        assert!(matches!(t.observe(net, Source::Iteration, &failing("a"), at(3)), Some(Action::Open { .. })));
        t.opened(net, "inc-1", "a");
        // same evidence: an update only every fourth failure
        for s in 4..7 {
            assert_eq!(t.observe(net, Source::Iteration, &failing("a"), at(s)), None);
        }
        assert!(matches!(
            t.observe(net, Source::Iteration, &failing("a"), at(7)),
            Some(Action::Update { failed_checks: 4, .. })
        ));
        t.updated(net, "a");
        // new evidence: an update at once
        assert!(matches!(t.observe(net, Source::Iteration, &failing("b"), at(8)), Some(Action::Update { .. })));
        t.updated(net, "b");
        assert_eq!(t.observe(net, Source::Iteration, &Verdict::Good, at(9)), None);
        let resolve = t.observe(net, Source::Iteration, &Verdict::Good, at(10));
        assert_eq!(resolve, Some(Action::Resolve { service: net.into(), incident: "inc-1".into(), good_checks: 2 }));
        t.resolved(net);
        assert_eq!(t.open_incident(net), None);
        assert_eq!(t.observe(net, Source::Iteration, &Verdict::Good, at(11)), None);
    }

    #[test]
    fn a_good_check_breaks_the_streak() {
        let mut t = tracker();
        for s in 0..10 {
            let v = if s % 3 == 2 { Verdict::Good } else { failing("a") };
            assert_eq!(t.observe("compute", Source::Iteration, &v, at(s)), None, "check {s}");
        }
    }

    #[test]
    fn probes_and_iterations_keep_separate_streaks() {
        let mut t = tracker();
        // the probe lists networks fine while the iteration cannot create one
        for s in 0..2 {
            assert_eq!(t.observe("network", Source::Iteration, &failing("create"), at(2 * s)), None);
            assert_eq!(t.observe("network", Source::Probe, &Verdict::Good, at(2 * s + 1)), None);
        }
        let open = t.observe("network", Source::Iteration, &failing("create"), at(5));
        assert!(matches!(open, Some(Action::Open { began_at, .. }) if began_at == at(0)), "{open:?}");
        t.opened("network", "inc", "create");
        // good probes do not resolve while the iteration's last check failed
        for s in 6..10 {
            assert_eq!(t.observe("network", Source::Probe, &Verdict::Good, at(s)), None);
        }
        // one good iteration: no source failing now, and the next good probe
        // is the fifth since the iteration's last failure
        let resolve = t.observe("network", Source::Iteration, &Verdict::Good, at(10));
        assert_eq!(resolve, None, "the iteration's own streak is 1 < 2");
        assert!(matches!(t.observe("network", Source::Probe, &Verdict::Good, at(11)), Some(Action::Resolve { .. })));
    }

    #[test]
    fn an_adopted_incident_is_updated_and_resolved_never_opened_again() {
        let mut t = tracker();
        t.adopt("identity", "old");
        let update = t.observe("identity", Source::Probe, &failing("token"), at(0));
        assert!(matches!(update, Some(Action::Update { ref incident, .. }) if incident == "old"), "{update:?}");
        for s in 1..5 {
            let again = t.observe("identity", Source::Probe, &failing("token"), at(s));
            assert!(!matches!(again, Some(Action::Open { .. })), "{again:?}");
        }
        t.observe("identity", Source::Probe, &Verdict::Good, at(6));
        let resolve = t.observe("identity", Source::Probe, &Verdict::Good, at(7));
        assert!(matches!(resolve, Some(Action::Resolve { ref incident, .. }) if incident == "old"));
    }
}
