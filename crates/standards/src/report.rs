// SPDX-License-Identifier: Apache-2.0
//! Check reports: the upstream report YAML and the scs-0003-v2 shape.
//!
//! Upstream writes one YAML document per (scope, subject) run and the test
//! runner concatenates them, so a file is a stream of documents. Reading is
//! lenient about keys we do not know (newer upstream versions add some) and
//! strict about the ones the monitor relies on. Our additions (`evidence`,
//! `durations_ms` on an invocation) sit inside invocations, which upstream
//! readers copy without interpreting.

use crate::error::{FileError, Place, yaml_error};
use crate::evaluation::ResultRecord;
use crate::verdict::TestResult;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `checked_at` timestamps: Python writes `2026-08-20 03:12:44.123456`; we
/// also accept a `T` separator and a `Z`/offset suffix (converted to UTC).
pub mod timestamp {
    use chrono::{DateTime, NaiveDateTime};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Parses the accepted spellings.
    pub fn parse(text: &str) -> Option<NaiveDateTime> {
        let text = text.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
            return Some(dt.naive_utc());
        }
        if let Ok(dt) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z") {
            return Some(dt.naive_utc());
        }
        let text = text.strip_suffix('Z').unwrap_or(text);
        ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    }

    /// Writes the upstream spelling.
    pub fn serialize<S: Serializer>(dt: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&dt.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
    }

    /// Reads any accepted spelling.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("'{text}' is not a timestamp (YYYY-MM-DD HH:MM:SS)")))
    }
}

/// The scope a report is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSpec {
    /// Scope uuid.
    pub uuid: String,
    /// Scope name.
    pub name: String,
    /// Scope file URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One tool invocation (upstream: one script run; `scs`: one native check run).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Invocation {
    /// Invocation uuid.
    pub id: String,
    /// The command line.
    #[serde(default)]
    pub cmd: String,
    /// Testcase → result; `null` is read as "no result".
    #[serde(default)]
    pub results: BTreeMap<String, Option<TestResult>>,
    /// Exit code.
    #[serde(default)]
    pub rc: i32,
    /// Output lines.
    #[serde(default)]
    pub stdout: Vec<String>,
    /// Error output lines.
    #[serde(default)]
    pub stderr: Vec<String>,
    /// Lines starting with `info`.
    #[serde(default)]
    pub info: u32,
    /// Lines starting with `warning`.
    #[serde(default)]
    pub warning: u32,
    /// Lines starting with `error`.
    #[serde(default)]
    pub error: u32,
    /// Lines starting with `critical`.
    #[serde(default)]
    pub critical: u32,
    /// Our addition: why each verdict was reached (what was looked at).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub evidence: BTreeMap<String, Vec<String>>,
    /// Our addition: how long each testcase took, in milliseconds.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub durations_ms: BTreeMap<String, u64>,
}

/// How the check was run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// Report uuid: the monitor's primary key.
    pub uuid: String,
    /// Command line.
    #[serde(default)]
    pub argv: Vec<String>,
    /// Variable assignment (`os_cloud: x`).
    #[serde(default)]
    pub assignment: BTreeMap<String, String>,
    /// `--sections` filter.
    #[serde(default)]
    pub sections: Option<Vec<String>>,
    /// `--version` filter.
    #[serde(default)]
    pub forced_version: Option<String>,
    /// `--tests` filter.
    #[serde(default)]
    pub forced_tests: Option<String>,
    /// Invocations by uuid.
    #[serde(default)]
    pub invocations: BTreeMap<String, Invocation>,
}

/// An old-style per-version result entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionResult {
    /// The result.
    pub result: Option<TestResult>,
    /// The invocation it came from.
    #[serde(default)]
    pub invocation: Option<String>,
}

/// A report as the upstream checker writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The scope.
    pub spec: ReportSpec,
    /// When the check ran.
    #[serde(with = "timestamp")]
    pub checked_at: NaiveDateTime,
    /// The date validity was computed for.
    pub reference_date: NaiveDate,
    /// The subject (cloud) checked.
    pub subject: String,
    /// Run details.
    pub run: Run,
    /// Older reports: version → testcase → result. The monitor still reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<BTreeMap<String, BTreeMap<String, VersionResult>>>,
}

/// One testcase entry of an scs-0003-v2 report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestEntry {
    /// The result; `null` = no result.
    pub result: Option<TestResult>,
}

/// The scs-0003-v2 report shape (upstream PR standards#1237).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportV2 {
    /// Report uuid.
    pub uuid: String,
    /// Tool and version that made it.
    pub creator: String,
    /// Scope uuid.
    pub scope: String,
    /// When the check ran.
    #[serde(with = "timestamp")]
    pub checked_at: NaiveDateTime,
    /// The subject.
    pub subject: String,
    /// Testcase → entry.
    pub tests: BTreeMap<String, TestEntry>,
    /// Log lines.
    #[serde(default)]
    pub log: Vec<String>,
}

/// Either report shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AnyReport {
    /// Upstream checker report.
    Upstream(Box<Report>),
    /// scs-0003-v2 report.
    V2(ReportV2),
}

impl AnyReport {
    /// The report's uuid (the monitor's key).
    pub fn uuid(&self) -> &str {
        match self {
            Self::Upstream(r) => &r.run.uuid,
            Self::V2(r) => &r.uuid,
        }
    }

    /// The subject.
    pub fn subject(&self) -> &str {
        match self {
            Self::Upstream(r) => &r.subject,
            Self::V2(r) => &r.subject,
        }
    }

    /// The scope uuid.
    pub fn scope_uuid(&self) -> &str {
        match self {
            Self::Upstream(r) => &r.spec.uuid,
            Self::V2(r) => &r.scope,
        }
    }

    /// When the check ran.
    pub fn checked_at(&self) -> NaiveDateTime {
        match self {
            Self::Upstream(r) => r.checked_at,
            Self::V2(r) => r.checked_at,
        }
    }

    /// One record per testcase result (a later invocation overrides an
    /// earlier one for the same testcase; old-style `versions` entries count
    /// where invocations give nothing).
    pub fn records(&self) -> Vec<ResultRecord> {
        let mut results: BTreeMap<&str, TestResult> = BTreeMap::new();
        match self {
            Self::Upstream(r) => {
                for by_tc in r.versions.iter().flat_map(|v| v.values()) {
                    for (tc, entry) in by_tc {
                        if let Some(result) = entry.result {
                            results.insert(tc, result);
                        }
                    }
                }
                for invocation in r.run.invocations.values() {
                    for (tc, result) in &invocation.results {
                        if let Some(result) = result {
                            results.insert(tc, *result);
                        }
                    }
                }
            }
            Self::V2(r) => {
                for (tc, entry) in &r.tests {
                    if let Some(result) = entry.result {
                        results.insert(tc, result);
                    }
                }
            }
        }
        results
            .into_iter()
            .map(|(tc, result)| ResultRecord {
                testcase: tc.to_owned(),
                result,
                checked_at: self.checked_at(),
                report: Some(self.uuid().to_owned()),
            })
            .collect()
    }
}

/// All keys of both shapes, so one pass tells them apart and names what is missing.
#[derive(Deserialize)]
struct RawDocument {
    spec: Option<ReportSpec>,
    #[serde(default, with = "optional_timestamp")]
    checked_at: Option<NaiveDateTime>,
    reference_date: Option<NaiveDate>,
    subject: Option<String>,
    run: Option<Run>,
    versions: Option<BTreeMap<String, BTreeMap<String, VersionResult>>>,
    uuid: Option<String>,
    creator: Option<String>,
    scope: Option<String>,
    tests: Option<BTreeMap<String, TestEntry>>,
    log: Option<LogText>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum LogText {
    Lines(Vec<String>),
    Text(String),
}

mod optional_timestamp {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => super::timestamp::parse(&text)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("'{text}' is not a timestamp (YYYY-MM-DD HH:MM:SS)"))),
        }
    }
}

/// Reads every report document in `text`; `file` names the input in errors.
pub fn read_reports(file: &str, text: &str) -> Result<Vec<AnyReport>, FileError> {
    let documents: Vec<Option<RawDocument>> =
        serde_saphyr::from_multiple(text).map_err(|e| yaml_error(file, &e, String::new()))?;
    let mut reports = Vec::with_capacity(documents.len());
    for (i, doc) in documents.into_iter().enumerate() {
        let Some(doc) = doc else { continue };
        let err = |message: String| FileError {
            file: file.to_owned(),
            place: Place { line: 0, column: 0, path: format!("document {}", i + 1) },
            message,
        };
        let missing = |key: &str| err(format!("missing field `{key}`"));
        if let Some(spec) = doc.spec {
            let checked_at = doc.checked_at.ok_or_else(|| missing("checked_at"))?;
            reports.push(AnyReport::Upstream(Box::new(Report {
                spec,
                checked_at,
                reference_date: doc.reference_date.unwrap_or_else(|| checked_at.date()),
                subject: doc.subject.ok_or_else(|| missing("subject"))?,
                run: doc.run.ok_or_else(|| missing("run"))?,
                versions: doc.versions,
            })));
        } else if let Some(tests) = doc.tests {
            reports.push(AnyReport::V2(ReportV2 {
                uuid: doc.uuid.ok_or_else(|| missing("uuid"))?,
                creator: doc.creator.unwrap_or_default(),
                scope: doc.scope.ok_or_else(|| missing("scope"))?,
                checked_at: doc.checked_at.ok_or_else(|| missing("checked_at"))?,
                subject: doc.subject.ok_or_else(|| missing("subject"))?,
                tests,
                log: match doc.log {
                    None => Vec::new(),
                    Some(LogText::Lines(lines)) => lines,
                    Some(LogText::Text(text)) => text.lines().map(str::to_owned).collect(),
                },
            }));
        } else {
            return Err(
                err("neither an upstream report (no `spec`) nor an scs-0003-v2 report (no `tests`)".to_owned()),
            );
        }
    }
    if reports.is_empty() {
        return Err(FileError {
            file: file.to_owned(),
            place: Place::default(),
            message: "contains no report".to_owned(),
        });
    }
    Ok(reports)
}

/// Writes reports as a YAML stream, each document starting with `---`.
pub fn write_reports(reports: &[AnyReport]) -> Result<String, serde_saphyr::SerializeError> {
    let mut out = String::new();
    for report in reports {
        out.push_str("---\n");
        out.push_str(&serde_saphyr::to_string(report)?);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}
