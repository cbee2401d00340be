// SPDX-License-Identifier: Apache-2.0
//! Certificate-scope files (scs-0003-v1) and their validated model.
//!
//! Three shapes are read, because operators and the upstream repository use
//! all of them:
//! - the current upstream format: `scripts` with `testcases`, `modules` with
//!   `targets`, `versions` with `include`, and a `timeline`;
//! - the newer `groups` format (upstream PR standards#1237): `groups` of
//!   testcase or group ids, and versions that name one group as their `test`;
//! - the legacy format (`versions` with `standards` and `check_tools`), which
//!   older files such as `Tests/testing/scs-compatible-test.yaml` still use.
//!
//! Our own files (`standards/`) use the current format with one addition: a
//! top-level `testcases` list, since `scs` decides testcases natively and has
//! no scripts; `manual: true` marks a testcase no tool can decide.
//!
//! Everything is validated when loaded, so later stages can index without
//! checks: unknown keys, duplicate ids, undefined references, bad dates and
//! unknown codes are rejected with the file, line and key path. The file
//! shapes and their validation live in [`parse`]; this module holds the
//! validated model.

use crate::error::{FileError, Place, from_yaml};
use crate::lifetime::Lifetime;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

mod parse;
mod raw;
use parse::Builder;
use raw::RawScope;

/// Which of the supported shapes a file used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeFormat {
    /// `scripts` / `modules` / `versions.include` / `timeline`.
    Modules,
    /// `groups` / `versions.test`.
    Groups,
    /// `versions.standards.check_tools` (timeline derived from version dates).
    Legacy,
}

/// A variable that script arguments may use, e.g. `os_cloud`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Variable {
    /// Variable name.
    pub name: String,
    /// Default value, if the file gives one.
    pub default: Option<String>,
}

/// A script descriptor; without `executable` its testcases are manual.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Script {
    /// Path relative to the scope file (upstream runs it; `scs` decides natively).
    pub executable: Option<String>,
    /// Argument template.
    pub args: Option<String>,
    /// Environment templates.
    pub env: BTreeMap<String, String>,
    /// Ids of the testcases this script decides.
    pub testcases: Vec<String>,
}

/// A testcase: one statement about the subject, decided PASS/FAIL/ABORT.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Testcase {
    /// Immutable id, unique in the file.
    pub id: String,
    /// How long a result stays valid.
    pub lifetime: Lifetime,
    /// Free label (`light`, `heavy`) for `--sections`.
    pub section: Option<String>,
    /// Short description.
    pub description: Option<String>,
    /// Documentation link.
    pub url: Option<String>,
    /// No tool decides it; an auditor does.
    pub manual: bool,
}

/// A module: usually one standard version, mapping target names to testcases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Module {
    /// Id versions include it by.
    pub id: String,
    /// Human name.
    pub name: Option<String>,
    /// Documentation link.
    pub url: Option<String>,
    /// Parameter name → description.
    pub parameters: BTreeMap<String, String>,
    /// Target name (`main`, `recommended`, `preview`) → testcase ids.
    pub targets: BTreeMap<String, Vec<String>>,
}

/// One module as a version includes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Include {
    /// The module id.
    pub module: String,
    /// Parameter values (`image_spec: https://...`).
    pub parameters: BTreeMap<String, String>,
}

/// A version of the scope (`v5.1`, `next`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    /// Version name.
    pub name: String,
    /// Included modules, in file order.
    pub includes: Vec<Include>,
    /// Once set the version is stable and frozen.
    pub stabilized_at: Option<NaiveDate>,
    /// Union of the targets of all included modules (file order, no duplicates).
    pub targets: BTreeMap<String, Vec<String>>,
}

impl Version {
    /// The testcases of the `main` target, which decides certification.
    pub fn main_target(&self) -> &[String] {
        self.targets.get("main").map_or(&[], Vec::as_slice)
    }

    /// Every testcase any target of this version names, in first-seen order.
    pub fn all_testcases(&self) -> Vec<&str> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for ids in self.targets.values() {
            for id in ids {
                if seen.insert(id.as_str()) {
                    out.push(id.as_str());
                }
            }
        }
        out
    }
}

/// A timeline entry: from `date` until the next later entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// First day the entry is in force.
    pub date: NaiveDate,
    /// Version → validity; versions not listed are implicitly deprecated.
    pub versions: BTreeMap<String, Validity>,
}

/// A validated certificate scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// Where it was loaded from, for messages.
    pub source: String,
    /// Which file shape it had.
    pub format: ScopeFormat,
    /// Scope uuid (legacy files have none).
    pub uuid: Option<String>,
    /// Scope name, e.g. "SCS-compatible IaaS".
    pub name: String,
    /// Canonical URL of the file.
    pub url: Option<String>,
    /// Variables with defaults.
    pub variables: Vec<Variable>,
    /// Scripts (empty in our native files).
    pub scripts: Vec<Script>,
    /// All testcases in file order.
    pub testcases: Vec<Testcase>,
    /// Modules in file order.
    pub modules: Vec<Module>,
    /// Versions in file order (the monitor's order of preference).
    pub versions: Vec<Version>,
    /// Timeline, newest entry first.
    pub timeline: Vec<TimelineEntry>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

impl Scope {
    /// Loads a scope from YAML text; `source` names it in errors.
    pub fn from_yaml(source: &str, text: &str) -> Result<Self, FileError> {
        let raw: RawScope = from_yaml(source, text)?;
        Builder { source }.build(raw)
    }

    /// Looks up a testcase by id.
    pub fn testcase(&self, id: &str) -> Option<&Testcase> {
        self.index.get(id).map(|&i| &self.testcases[i])
    }

    /// Looks up a version by name.
    pub fn version(&self, name: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.name == name)
    }

    /// Looks up a module by id.
    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.id == id)
    }
}

/// A validity code of the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Validity {
    /// Certifiable; the version must be stable.
    Effective,
    /// Certifiable, but a PASS must warn that the version is about to expire.
    Warn,
    /// Testable, not certifiable.
    Draft,
    /// Testable, not certifiable (also every version a timeline entry omits).
    Deprecated,
}

impl Validity {
    /// All codes.
    pub const ALL: [Self; 4] = [Self::Effective, Self::Warn, Self::Draft, Self::Deprecated];

    /// The code as written in scope files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Effective => "effective",
            Self::Warn => "warn",
            Self::Draft => "draft",
            Self::Deprecated => "deprecated",
        }
    }

    /// Whether a certificate can be issued against a version with this code.
    pub fn is_certifiable(self) -> bool {
        matches!(self, Self::Effective | Self::Warn)
    }

    /// The suffix the monitor appends to a passed version (`v4†`).
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Effective => "",
            Self::Draft => "*",
            Self::Warn => "†",
            Self::Deprecated => "††",
        }
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not a validity code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown validity '{0}'")]
pub struct UnknownValidity(pub String);

impl FromStr for Validity {
    type Err = UnknownValidity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| UnknownValidity(s.to_owned()))
    }
}
