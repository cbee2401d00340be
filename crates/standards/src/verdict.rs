// SPDX-License-Identifier: Apache-2.0
//! Results of single testcases and verdicts over sets of them.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The result a tool reports for one testcase. In report YAML it is an
/// integer: 1 PASS, 0 ABORT, -1 FAIL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TestResult {
    /// The subject satisfies the testcase.
    Pass,
    /// The test could not be completed (DNF).
    Abort,
    /// The subject violates the testcase.
    Fail,
}

impl TestResult {
    /// The integer used in reports.
    pub fn code(self) -> i8 {
        match self {
            Self::Pass => 1,
            Self::Abort => 0,
            Self::Fail => -1,
        }
    }

    /// Reads the integer used in reports.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(Self::Pass),
            0 => Some(Self::Abort),
            -1 => Some(Self::Fail),
            _ => None,
        }
    }

    /// Reads a tool's output word (`PASS`, `ABORT`, `FAIL`, any case).
    pub fn from_word(word: &str) -> Option<Self> {
        match word.trim().to_ascii_uppercase().as_str() {
            "PASS" => Some(Self::Pass),
            "ABORT" => Some(Self::Abort),
            "FAIL" => Some(Self::Fail),
            _ => None,
        }
    }
}

impl Serialize for TestResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i8(self.code())
    }
}

impl<'de> Deserialize<'de> for TestResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = i64::deserialize(d)?;
        Self::from_code(code).ok_or_else(|| serde::de::Error::custom(format!("result must be 1, 0 or -1, not {code}")))
    }
}

/// A verdict over a set of testcases (a target, a version). Ordered by
/// precedence: the worst verdict wins (FAIL > MISSING > ABORT > PASS).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// Every testcase passed.
    Pass,
    /// Some testcase aborted, none failed or is missing.
    Abort,
    /// Some testcase has no (valid) result, none failed.
    Missing,
    /// Some testcase failed.
    Fail,
}

impl Verdict {
    /// The verdict a single result contributes (`None` = no result).
    pub fn of(result: Option<TestResult>) -> Self {
        match result {
            Some(TestResult::Pass) => Self::Pass,
            Some(TestResult::Abort) => Self::Abort,
            Some(TestResult::Fail) => Self::Fail,
            None => Self::Missing,
        }
    }

    /// Evaluates a set of results; an empty set passes.
    pub fn evaluate(results: impl IntoIterator<Item = Option<TestResult>>) -> Self {
        results.into_iter().map(Self::of).max().unwrap_or(Self::Pass)
    }

    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Abort => "ABORT",
            Self::Missing => "MISSING",
            Self::Fail => "FAIL",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for TestResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Verdict::of(Some(*self)).fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TestResult::*;

    #[test]
    fn precedence_is_fail_missing_abort_pass() {
        assert_eq!(Verdict::evaluate([Some(Pass), Some(Abort), None, Some(Fail)]), Verdict::Fail);
        assert_eq!(Verdict::evaluate([Some(Pass), Some(Abort), None]), Verdict::Missing);
        assert_eq!(Verdict::evaluate([Some(Pass), Some(Abort)]), Verdict::Abort);
        assert_eq!(Verdict::evaluate([Some(Pass)]), Verdict::Pass);
        assert_eq!(Verdict::evaluate([]), Verdict::Pass);
    }

    #[test]
    fn codes_round_trip() {
        for r in [Pass, Abort, Fail] {
            assert_eq!(TestResult::from_code(i64::from(r.code())), Some(r));
        }
        assert_eq!(TestResult::from_code(2), None);
        assert_eq!(TestResult::from_word(" pass "), Some(Pass));
    }
}
