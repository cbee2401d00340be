// SPDX-License-Identifier: Apache-2.0
//! `scs scope`: what a certificate scope demands on a given date.

use crate::output::{Format, print_structured};
use anyhow::Context;
use chrono::NaiveDate;
use clap::Subcommand;
use scs_standards::embedded::{self, load_scope};
use scs_standards::scope::Scope;
use scs_standards::timeline::Validity;
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::ExitCode;

/// Scope commands.
#[derive(Debug, Subcommand)]
pub enum ScopeCommand {
    /// List the scopes scs knows by alias, with the versions valid today.
    List {
        /// Reference date (YYYY-MM-DD, default today).
        #[arg(long, short = 'd')]
        date: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Show a scope's versions with their validity on a date, their modules and testcases.
    Show {
        /// Alias (scs-compatible-iaas, scs-compatible-kaas), uuid or path to a scope file.
        scope: String,
        /// Reference date (YYYY-MM-DD, default today).
        #[arg(long, short = 'd')]
        date: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Validate scope files; errors name the file, line and key path.
    Validate {
        /// Scope files (or aliases).
        #[arg(required = true)]
        files: Vec<String>,
    },
}

#[derive(Serialize)]
struct TestcaseView {
    id: String,
    lifetime: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<String>,
    manual: bool,
    /// How `scs` decides it: from facts, creates resources, external suite,
    /// manual, or not decided (reported missing).
    decided_by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

/// How `scs` decides testcase `id`, from the families' testcase tables.
fn decided_by(id: &str, manual: bool) -> &'static str {
    if manual {
        return "manual";
    }
    let method = scs_checks::iaas::IAAS.get(id).map(|e| e.method.label());
    method.or_else(|| scs_kaas::KAAS.get(id).map(|e| e.method.label())).unwrap_or("not decided by scs")
}

#[derive(Serialize)]
struct ModuleView {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    parameters: BTreeMap<String, String>,
    targets: BTreeMap<String, Vec<String>>,
}

#[derive(Serialize)]
struct VersionView {
    version: String,
    validity: Validity,
    /// Listed in the timeline entry in force (checked by default).
    explicit: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stabilized_at: Option<NaiveDate>,
    modules: Vec<ModuleView>,
    targets: BTreeMap<String, Vec<String>>,
    manual: Vec<String>,
}

#[derive(Serialize)]
struct ScopeView {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uuid: Option<String>,
    source: String,
    date: NaiveDate,
    versions: Vec<VersionView>,
    testcases: Vec<TestcaseView>,
}

fn view(scope: &Scope, date: NaiveDate) -> ScopeView {
    let versions = scope
        .versions
        .iter()
        .map(|v| {
            let standing = scope.standing(&v.name, date);
            VersionView {
                version: v.name.clone(),
                validity: standing.validity,
                explicit: standing.explicit,
                stabilized_at: v.stabilized_at,
                modules: v
                    .includes
                    .iter()
                    .filter_map(|inc| {
                        scope.module(&inc.module).map(|m| ModuleView {
                            id: m.id.clone(),
                            name: m.name.clone(),
                            parameters: inc.parameters.clone(),
                            targets: m.targets.clone(),
                        })
                    })
                    .collect(),
                targets: v.targets.clone(),
                manual: v
                    .all_testcases()
                    .into_iter()
                    .filter(|id| scope.testcase(id).is_some_and(|t| t.manual))
                    .map(str::to_owned)
                    .collect(),
            }
        })
        .collect();
    ScopeView {
        name: scope.name.clone(),
        uuid: scope.uuid.clone(),
        source: scope.source.clone(),
        date,
        versions,
        testcases: scope
            .testcases
            .iter()
            .map(|t| TestcaseView {
                id: t.id.clone(),
                lifetime: t.lifetime.as_str(),
                section: t.section.clone(),
                manual: t.manual,
                decided_by: decided_by(&t.id, t.manual),
                description: t.description.clone(),
            })
            .collect(),
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Runs a scope subcommand.
pub fn run(command: ScopeCommand) -> anyhow::Result<ExitCode> {
    match command {
        ScopeCommand::List { date, format } => {
            let date = date.unwrap_or_else(today);
            let scopes = embedded::all_scopes()?;
            let views: Vec<_> = scopes.iter().map(|s| view(s, date)).collect();
            #[derive(Serialize)]
            struct Entry<'a> {
                alias: &'static str,
                name: &'a str,
                uuid: Option<&'a str>,
                versions: Vec<(&'a str, Validity)>,
            }
            let entries: Vec<Entry> = embedded::SCOPES
                .iter()
                .zip(&views)
                .map(|(file, v)| Entry {
                    alias: file.alias,
                    name: &v.name,
                    uuid: v.uuid.as_deref(),
                    versions: v
                        .versions
                        .iter()
                        .filter(|x| x.explicit)
                        .map(|x| (x.version.as_str(), x.validity))
                        .collect(),
                })
                .collect();
            if !print_structured(format, &entries)? {
                for e in &entries {
                    let versions: Vec<String> =
                        e.versions.iter().map(|(v, validity)| format!("{v} {validity}")).collect();
                    let versions =
                        if versions.is_empty() { "no version in force".to_owned() } else { versions.join(", ") };
                    outln!("{:<22} {:<22} {}  [{date}: {versions}]", e.alias, e.name, e.uuid.unwrap_or("-"))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ScopeCommand::Show { scope, date, format } => {
            let date = date.unwrap_or_else(today);
            let loaded = load_scope(&scope).with_context(|| format!("loading scope {scope}"))?;
            let v = view(&loaded, date);
            if !print_structured(format, &v)? {
                print_text(&v)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ScopeCommand::Validate { files } => {
            let mut ok = true;
            for file in files {
                match load_scope(&file) {
                    Ok(scope) => outln!(
                        "{file}: ok ({}, {} versions, {} testcases)",
                        scope.name,
                        scope.versions.len(),
                        scope.testcases.len()
                    )?,
                    Err(e) => {
                        ok = false;
                        eprintln!("{e}");
                    }
                }
            }
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

fn print_text(v: &ScopeView) -> std::io::Result<()> {
    outln!("{} ({})", v.name, v.uuid.as_deref().unwrap_or("no uuid"))?;
    outln!("source: {}", v.source)?;
    outln!("validity on {}:", v.date)?;
    for version in &v.versions {
        let stabilized = version.stabilized_at.map_or(String::new(), |d| format!(", stabilized {d}"));
        let note = if version.explicit { "" } else { " (not listed: not checked by default)" };
        outln!("  {:<6} {}{stabilized}{note}", version.version, version.validity)?;
    }
    let how = |id: &str| v.testcases.iter().find(|t| t.id == id).map_or("not in the scope", |t| t.decided_by);
    for version in &v.versions {
        outln!()?;
        outln!("{} [{}]", version.version, version.validity)?;
        for module in &version.modules {
            let name = module.name.as_deref().unwrap_or("");
            outln!("  module {} {name}", module.id)?;
            for (key, value) in &module.parameters {
                outln!("    parameter {key} = {value}")?;
            }
            for (target, ids) in &module.targets {
                for id in ids {
                    outln!("    {target:<11} {id:<44} [{}]", how(id))?;
                }
            }
        }
        let main = version.targets.get("main").map_or(0, Vec::len);
        let total: usize = version.targets.values().map(Vec::len).sum();
        outln!("  {main} testcases in main, {total} in all targets, {} manual", version.manual.len())?;
    }
    Ok(())
}
