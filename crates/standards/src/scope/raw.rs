// SPDX-License-Identifier: Apache-2.0
//! The three scope file shapes as serde reads them, before validation.

use super::*;
use serde_saphyr::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScope {
    pub(super) uuid: Option<String>,
    pub(super) name: String,
    pub(super) url: Option<String>,
    pub(super) prerequisite: Option<RawPrerequisite>,
    pub(super) variables: Option<Vec<Spanned<RawVariable>>>,
    pub(super) scripts: Option<Vec<RawScript>>,
    pub(super) testcases: Option<Vec<RawTestcase>>,
    pub(super) modules: Option<Vec<RawModule>>,
    pub(super) groups: Option<Vec<RawGroup>>,
    pub(super) versions: Vec<RawVersion>,
    pub(super) timeline: Option<Vec<RawTimelineEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // parsed for validation; upstream does not implement prerequisites either
pub(super) struct RawPrerequisite {
    pub(super) name: String,
    pub(super) url: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawVariable {
    Name(String),
    WithDefault(BTreeMap<String, Option<String>>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScript {
    pub(super) executable: Option<String>,
    pub(super) env: Option<BTreeMap<String, String>>,
    pub(super) args: Option<String>,
    pub(super) testcases: Vec<RawTestcase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTestcase {
    pub(super) id: Spanned<String>,
    pub(super) lifetime: Option<Spanned<String>>,
    pub(super) section: Option<String>,
    pub(super) description: Option<String>,
    pub(super) url: Option<String>,
    pub(super) manual: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModule {
    pub(super) id: Spanned<String>,
    pub(super) name: Option<String>,
    pub(super) url: Option<String>,
    pub(super) parameters: Option<BTreeMap<String, String>>,
    pub(super) targets: Option<BTreeMap<String, Option<Vec<Spanned<String>>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    pub(super) id: Spanned<String>,
    pub(super) name: Option<String>,
    pub(super) url: Option<String>,
    pub(super) include: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawInclude {
    Module(String),
    Ref(RawRef),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRef {
    #[serde(rename = "ref")]
    pub(super) module: String,
    pub(super) parameters: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVersion {
    pub(super) version: Spanned<String>,
    pub(super) include: Option<Vec<Spanned<RawInclude>>>,
    pub(super) targets: Option<BTreeMap<String, Vec<Spanned<String>>>>,
    pub(super) stabilized_at: Option<Spanned<String>>,
    // groups format
    pub(super) test: Option<Spanned<String>>,
    pub(super) attn: Option<u32>,
    // legacy format
    pub(super) standards: Option<Vec<RawLegacyStandard>>,
    pub(super) deprecated_at: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // parameters are read so that files with them load
pub(super) struct RawLegacyStandard {
    pub(super) name: String,
    pub(super) url: Option<String>,
    pub(super) condition: Option<Spanned<String>>,
    pub(super) parameters: Option<Spanned<RawLegacyParameters>>,
    pub(super) check_tools: Option<Vec<RawLegacyTool>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub(super) enum RawLegacyParameters {
    List(Vec<BTreeMap<String, String>>),
    Map(BTreeMap<String, String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLegacyTool {
    pub(super) executable: Spanned<String>,
    pub(super) args: Option<String>,
    pub(super) id: Option<String>,
    pub(super) condition: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTimelineEntry {
    pub(super) date: Spanned<String>,
    pub(super) versions: BTreeMap<String, Spanned<String>>,
}
