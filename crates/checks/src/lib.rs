// SPDX-License-Identifier: Apache-2.0
//! SCS conformance testcases, decided natively.
//!
//! Each testcase id maps to a function of [`Facts`] that returns an
//! [`Outcome`]: the result and the evidence behind it (which object, which
//! rule), so every FAIL and ABORT explains itself. A testcase whose facts
//! could not be gathered ABORTs with the reason.

pub mod cleanup;
pub mod facts;
pub mod family;
pub mod iaas;
pub mod run;
pub mod scratch;
pub mod table;

pub use facts::{Facts, Needs, gather};
use scs_standards::TestResult;
use serde::Serialize;

/// A decided testcase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// PASS, FAIL or ABORT.
    pub result: TestResult,
    /// What was looked at and why it failed (one line per object).
    pub evidence: Vec<String>,
}

impl Outcome {
    /// PASS with notes.
    pub fn pass(evidence: Vec<String>) -> Self {
        Self { result: TestResult::Pass, evidence }
    }

    /// FAIL with the offending objects.
    pub fn fail(evidence: Vec<String>) -> Self {
        Self { result: TestResult::Fail, evidence }
    }

    /// ABORT with the reason.
    pub fn abort(reason: impl Into<String>) -> Self {
        Self { result: TestResult::Abort, evidence: vec![reason.into()] }
    }

    /// PASS when `problems` is empty, else FAIL with them.
    pub fn from_problems(problems: Vec<String>, pass_note: impl Into<String>) -> Self {
        if problems.is_empty() { Self::pass(vec![pass_note.into()]) } else { Self::fail(problems) }
    }
}

/// Unwraps a fact or returns an ABORT outcome from the enclosing function.
#[macro_export]
macro_rules! fact {
    ($e:expr, $what:literal) => {
        match &$e {
            Ok(v) => v,
            Err(reason) => return $crate::Outcome::abort(format!(concat!("cannot read ", $what, ": {}"), reason)),
        }
    };
}
