// SPDX-License-Identifier: Apache-2.0
//! SCS KaaS conformance testcases (the SCS-compatible KaaS scope), decided
//! natively: from a Kubernetes API server reached with a kubeconfig, from
//! the release data the project ships (or `scs data refresh` fetched), and
//! from Sonobuoy's results for the e2e suites.
//!
//! Each testcase is a function returning a [`scs_checks::Outcome`] with its
//! evidence, as on the IaaS side; [`run`] puts them together into one
//! upstream report per cluster (per Kubernetes branch, the subject).

pub mod cluster;
pub mod data;
pub mod family;
pub mod nodes;
pub mod refresh;
pub mod run;
pub mod sonobuoy;
pub mod sonobuoy_runner;
pub mod storage;
pub mod table;
pub mod version;
pub mod version_policy;

pub use table::KAAS;

/// PASS with `pass_note` first and the notes after it when there are no
/// problems, else FAIL with the problems first: what a reader needs first.
pub(crate) fn verdict(
    problems: Vec<String>,
    mut notes: Vec<String>,
    pass_note: impl FnOnce() -> String,
) -> scs_checks::Outcome {
    if problems.is_empty() {
        notes.insert(0, pass_note());
        scs_checks::Outcome::pass(notes)
    } else {
        let mut evidence = problems;
        evidence.extend(notes);
        scs_checks::Outcome::fail(evidence)
    }
}
