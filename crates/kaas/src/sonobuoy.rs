// SPDX-License-Identifier: Apache-2.0
//! `cncf-k8s-conformance` (scs-0201) and `kaas-networking-check` (scs-0219)
//! decided from Sonobuoy's results: the tarball `sonobuoy retrieve` writes,
//! or the directory it was extracted to (`sonobuoy retrieve -x`).
//!
//! The e2e plugin's `plugins/e2e/sonobuoy_results.yaml` is a tree of items;
//! its tests are the leaves, at whatever depth, as `sonobuoy results` counts
//! them (a real e2e run has them three levels down: result file, suite,
//! test; upstream's Python reads only that level, and would see no test in
//! a tree shaped otherwise). A test without status counts as skipped, as
//! upstream's Python counts it. A failed test whose name matches an `okToFail` expression of the
//! SCS Sonobuoy configuration counts as an accepted failure.

use regex::Regex;
use scs_checks::Outcome;
use serde::Deserialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where the e2e plugin's results are inside a results archive.
pub const RESULTS_FILE: &str = "plugins/e2e/sonobuoy_results.yaml";
/// The largest results file read (a full conformance run is about 2 MiB).
pub const MAX_RESULTS_BYTES: u64 = 64 << 20;

/// The SCS Sonobuoy configuration shipped with this build: the tests that
/// may fail without failing the testcase.
pub const SHIPPED_CONFIG: &str = include_str!("../../../standards/kaas/scs-sonobuoy-config-v1.yaml");

/// Results could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SonobuoyError {
    /// Not readable.
    #[error("{path}: {reason}")]
    Read {
        /// The archive or directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The results file is not what Sonobuoy writes.
    #[error("{path}: {RESULTS_FILE}: {reason}")]
    Invalid {
        /// The archive or directory.
        path: PathBuf,
        /// Field, line and column.
        reason: String,
    },
    /// The configuration is invalid.
    #[error("{source_name}: {reason}")]
    Config {
        /// Which configuration.
        source_name: String,
        /// Field and why.
        reason: String,
    },
}

/// One item of `sonobuoy_results.yaml`.
#[derive(Debug, Deserialize)]
struct Item {
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    items: Vec<Item>,
}

/// The outcome of one e2e test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestRun {
    /// Ginkgo's full test name.
    pub name: String,
    /// `passed`, `failed`, `skipped` (Sonobuoy's words).
    pub status: String,
}

/// Reads the e2e results from a tarball (gzip or plain) or an extracted directory.
pub fn read_results(path: &Path) -> Result<Vec<TestRun>, SonobuoyError> {
    let read_err = |reason: String| SonobuoyError::Read { path: path.to_owned(), reason };
    let text = if path.is_dir() {
        let file = path.join(RESULTS_FILE);
        let meta = std::fs::metadata(&file).map_err(|e| read_err(format!("{RESULTS_FILE}: {e}")))?;
        if meta.len() > MAX_RESULTS_BYTES {
            return Err(read_err(format!("{RESULTS_FILE} is larger than {MAX_RESULTS_BYTES} bytes")));
        }
        std::fs::read_to_string(&file).map_err(|e| read_err(format!("{RESULTS_FILE}: {e}")))?
    } else {
        let bytes = std::fs::read(path).map_err(|e| read_err(e.to_string()))?;
        results_from_archive(&bytes).map_err(read_err)?
    };
    parse_results(&text).map_err(|reason| SonobuoyError::Invalid { path: path.to_owned(), reason })
}

/// Finds the results file in a tar archive, gzip-compressed or not.
pub fn results_from_archive(bytes: &[u8]) -> Result<String, String> {
    let gzip = bytes.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn Read + '_> = if gzip { Box::new(flate2::read::GzDecoder::new(bytes)) } else { Box::new(bytes) };
    let mut archive = tar::Archive::new(reader);
    let entries = archive.entries().map_err(|e| format!("not a tar archive: {e}"))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("reading the archive: {e}"))?;
        let name = entry.path().map_err(|e| format!("reading the archive: {e}"))?.to_string_lossy().into_owned();
        // `sonobuoy retrieve` writes the paths at the top; accept a leading `./` or directory too
        if name == RESULTS_FILE || name.ends_with(&format!("/{RESULTS_FILE}")) {
            if entry.header().size().unwrap_or(0) > MAX_RESULTS_BYTES {
                return Err(format!("{RESULTS_FILE} is larger than {MAX_RESULTS_BYTES} bytes"));
            }
            let mut text = String::new();
            entry
                .take(MAX_RESULTS_BYTES)
                .read_to_string(&mut text)
                .map_err(|e| format!("reading {RESULTS_FILE}: {e}"))?;
            return Ok(text);
        }
    }
    Err(format!("the archive holds no {RESULTS_FILE}: not the results of a Sonobuoy e2e run"))
}

/// Parses `sonobuoy_results.yaml` into its tests (the leaves below the root,
/// in document order).
pub fn parse_results(text: &str) -> Result<Vec<TestRun>, String> {
    let root: Item = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    let mut tests = Vec::new();
    // depth-first without recursion: the tree comes from a file we did not write
    let mut pending: Vec<Item> = root.items.into_iter().rev().collect();
    while let Some(item) = pending.pop() {
        if item.items.is_empty() {
            tests.push(TestRun { name: item.name, status: item.status.unwrap_or_else(|| "skipped".into()) });
        } else {
            pending.extend(item.items.into_iter().rev());
        }
    }
    Ok(tests)
}

/// A failure the SCS configuration accepts.
#[derive(Clone, Debug)]
pub struct OkToFail {
    /// Searched in the test name.
    pub regex: Regex,
    /// Why it may fail.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    ok_to_fail: Vec<OkToFailEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OkToFailEntry {
    regex: String,
    reason: String,
}

/// Parses an SCS Sonobuoy configuration (`okToFail: [{regex, reason}]`).
pub fn parse_config(text: &str, source_name: &str) -> Result<Vec<OkToFail>, SonobuoyError> {
    let bad = |reason: String| SonobuoyError::Config { source_name: source_name.to_owned(), reason };
    let file: ConfigFile = serde_saphyr::from_str(text).map_err(|e| bad(e.to_string()))?;
    file.ok_to_fail
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let regex = Regex::new(&e.regex).map_err(|err| bad(format!("okToFail[{i}].regex: {err}")))?;
            Ok(OkToFail { regex, reason: e.reason })
        })
        .collect()
}

/// The okToFail list from `path`, or the shipped one.
pub fn load_config(path: Option<&Path>) -> Result<Vec<OkToFail>, SonobuoyError> {
    let Some(path) = path else { return parse_config(SHIPPED_CONFIG, "shipped scs-sonobuoy-config-v1.yaml") };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| SonobuoyError::Config { source_name: name.clone(), reason: e.to_string() })?;
    parse_config(&text, &name)
}

/// What a testcase takes from the results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suite {
    /// cncf-k8s-conformance: a certified-conformance run, all tests.
    Conformance,
    /// kaas-networking-check: the tests focused by `NetworkPolicy`.
    Networking,
}

impl Suite {
    /// The testcase id.
    pub fn testcase(self) -> &'static str {
        match self {
            Suite::Conformance => "cncf-k8s-conformance",
            Suite::Networking => "kaas-networking-check",
        }
    }

    /// The suite a testcase id names.
    pub fn of(testcase: &str) -> Option<Suite> {
        [Suite::Conformance, Suite::Networking].into_iter().find(|s| s.testcase() == testcase)
    }
}

/// At most this many failed test names are listed as evidence.
const LISTED_FAILURES: usize = 20;

/// Decides a testcase from the tests of one or more result sets.
pub fn decide(suite: Suite, tests: &[TestRun], ok_to_fail: &[OkToFail], sources: &str) -> Outcome {
    let relevant: Vec<&TestRun> = match suite {
        Suite::Conformance => tests.iter().collect(),
        Suite::Networking => tests.iter().filter(|t| t.name.contains("NetworkPolicy")).collect(),
    };
    let run: Vec<&&TestRun> = relevant.iter().filter(|t| t.status != "skipped").collect();
    let marker_missing = match suite {
        Suite::Conformance => !run.iter().any(|t| t.name.contains("[Conformance]")),
        Suite::Networking => run.is_empty(),
    };
    if marker_missing {
        return Outcome::abort(match suite {
            Suite::Conformance => format!(
                "{sources}: no [Conformance] test was run: not a certified-conformance run (sonobuoy run --mode=certified-conformance)"
            ),
            Suite::Networking => {
                format!("{sources}: no NetworkPolicy test was run (sonobuoy run --e2e-focus NetworkPolicy)")
            }
        });
    }
    let mut failed = Vec::new();
    let mut accepted = Vec::new();
    for test in run.iter().filter(|t| t.status != "passed") {
        match ok_to_fail.iter().find(|o| o.regex.is_match(&test.name)) {
            Some(ok) => accepted.push(format!("accepted failure: {} ({})", test.name, ok.reason)),
            None => failed.push(format!("{}: {}", test.status, test.name)),
        }
    }
    let passed = run.iter().filter(|t| t.status == "passed").count();
    let summary = format!(
        "{sources}: {} test(s) run, {passed} passed, {} failed, {} accepted failure(s), {} skipped",
        run.len(),
        failed.len(),
        accepted.len(),
        relevant.len() - run.len()
    );
    if failed.is_empty() {
        let mut evidence = vec![summary];
        evidence.extend(accepted);
        Outcome::pass(evidence)
    } else {
        let more = failed.len().saturating_sub(LISTED_FAILURES);
        failed.truncate(LISTED_FAILURES);
        if more > 0 {
            failed.push(format!("… and {more} more failed test(s)"));
        }
        failed.push(summary);
        failed.extend(accepted);
        Outcome::fail(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scs_standards::TestResult;

    #[test]
    fn the_shipped_configuration_parses() {
        let config = parse_config(SHIPPED_CONFIG, "shipped").unwrap_or_else(|e| panic!("{e}"));
        assert!(config.len() >= 8);
        assert!(config.iter().any(|o| o.regex.is_match("[sig-network] Feature:SCTPConnectivity works")));
    }

    #[test]
    fn config_errors_name_the_entry() {
        let e = parse_config("okToFail:\n- regex: '('\n  reason: x\n", "c.yaml").err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.starts_with("c.yaml: okToFail[0].regex:")));
        let unknown = parse_config("okToFail:\n- regex: a\n  reason: x\n  why: y\n", "c.yaml");
        assert!(unknown.is_err());
    }

    #[test]
    fn leaves_at_any_depth_are_tests() {
        // as in a results tree without a suite level (one of Sonobuoy's own recorded tarballs)
        let text = "name: e2e\nitems:\n- name: junit_01.xml\n  items:\n  - name: a\n    status: failed\n  - name: nested\n    items:\n    - name: b\n      items:\n      - name: c\n        status: passed\n- name: d\n  status: passed\n";
        let tests = parse_results(text).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["a", "c", "d"]);
    }

    #[test]
    fn three_levels_and_default_skipped() {
        let text = "name: e2e\nstatus: failed\nitems:\n- name: global/junit_01.xml\n  items:\n  - name: Kubernetes e2e suite\n    items:\n    - name: a [Conformance]\n      status: passed\n    - name: b\n";
        let tests = parse_results(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tests.len(), 2);
        assert_eq!(tests[1].status, "skipped");
        let o = decide(Suite::Conformance, &tests, &[], "r");
        assert_eq!(o.result, TestResult::Pass);
        assert_eq!(decide(Suite::Networking, &tests, &[], "r").result, TestResult::Abort);
    }
}
