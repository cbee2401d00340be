// SPDX-License-Identifier: Apache-2.0
//! REUSE 3.3 compliance of a checkout's HEAD tree, judged as `reuse lint`
//! judges it: which files are covered, where each one's copyright and licence
//! come from (its own tags, a `.license` sidecar, `REUSE.toml` with its three
//! precedences, or the deprecated `.reuse/dep5`), and whether `LICENSES/`
//! holds exactly the licence texts used.
//!
//! The decision is a pure function of [`FileFacts`] (tags extracted once
//! while the files were read), so it runs on recorded facts too. It judges
//! the committed tree: files not yet committed are not part of what others
//! get, and ignored files are not in it (the REUSE tool walks the working
//! tree instead; on a clean checkout the two agree).

pub mod config;
pub mod expression;

use crate::dep5::{self, Dep5};
use crate::repo::{FileFacts, file_name as name};
use config::{ConfigError, Precedence, ReuseToml, parse_reuse_toml};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// REUSE's verdict on a tree, in the terms of `reuse lint --json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Files in `LICENSES/` whose name is no SPDX id and no `LicenseRef-…`.
    pub bad_licenses: Vec<String>,
    /// Files in `LICENSES/` named for a deprecated SPDX id.
    pub deprecated_licenses: Vec<String>,
    /// Files in `LICENSES/` without an extension (`LICENSES/MIT`).
    pub licenses_without_extension: Vec<String>,
    /// Licences used by some file but without a text in `LICENSES/`.
    pub missing_licenses: Vec<String>,
    /// Texts in `LICENSES/` no file uses.
    pub unused_licenses: Vec<String>,
    /// Covered files without a copyright notice.
    pub missing_copyright_info: Vec<String>,
    /// Covered files without a (valid) licence expression.
    pub missing_licensing_info: Vec<String>,
    /// Expressions that do not parse, by file.
    pub invalid_spdx_expressions: BTreeMap<String, Vec<String>>,
    /// Every licence some covered file uses.
    pub used_licenses: Vec<String>,
    /// The distinct valid expressions covered files carry, from every source.
    pub licence_expressions: Vec<String>,
    /// How many files are covered.
    pub files_total: usize,
    /// Where licensing information outside the files came from: `REUSE.toml` files or `.reuse/dep5`.
    pub global_licensing: Vec<String>,
    /// Whether every point above is clean.
    pub compliant: bool,
}

impl Report {
    /// Each non-empty list of problems with what it lists, in `reuse lint`'s order.
    pub fn problems(&self) -> Vec<(&'static str, &[String])> {
        let lists: [(&'static str, &[String]); 7] = [
            ("bad licences (no SPDX id, no LicenseRef-) in LICENSES/", &self.bad_licenses),
            ("deprecated licences in LICENSES/", &self.deprecated_licenses),
            ("licence texts without a file extension", &self.licenses_without_extension),
            ("licences used without a text in LICENSES/", &self.missing_licenses),
            ("unused licence texts in LICENSES/", &self.unused_licenses),
            ("files without copyright", &self.missing_copyright_info),
            ("files without licence", &self.missing_licensing_info),
        ];
        lists.into_iter().filter(|(_, items)| !items.is_empty()).collect()
    }
}

/// Why a tree could not be judged at all (the REUSE tool stops on these too).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LintError {
    /// A `REUSE.toml` or `.reuse/dep5` that does not parse.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// Both kinds of global licensing files: they are not compatible.
    #[error("both {toml} and .reuse/dep5: use one (REUSE.toml; `reuse convert-dep5` converts)")]
    Conflict {
        /// The first `REUSE.toml`.
        toml: String,
    },
    /// Two licence texts for one identifier.
    #[error("{id} is the licence of both {first} and {second}")]
    DuplicateLicence {
        /// The identifier.
        id: String,
        /// One text.
        first: String,
        /// The other.
        second: String,
    },
}

/// Directory names never descended into (other VCSs', licence texts, REUSE's own).
const IGNORED_DIRECTORIES: [&str; 5] = [".git", ".hg", ".sl", "LICENSES", ".reuse"];

/// Whether a file of the tree is a covered file: not a licence text, not
/// VCS metadata, not a `.license` sidecar, `REUSE.toml` or SPDX document,
/// not in an ignored directory or a Meson subproject, not empty.
pub fn is_covered(path: &str, size: u64) -> bool {
    size > 0 && !is_ignored_file_name(name(path)) && in_covered_directory(path)
}

/// Whether no directory on `path` is one REUSE skips.
fn in_covered_directory(path: &str) -> bool {
    let directories: Vec<&str> = path.split('/').collect();
    let directories = &directories[..directories.len().saturating_sub(1)];
    !directories
        .iter()
        .enumerate()
        .any(|(i, d)| IGNORED_DIRECTORIES.contains(d) || (i > 0 && directories[i - 1] == "subprojects"))
}

fn is_ignored_file_name(name: &str) -> bool {
    let licence_like =
        |stem: &str| name.strip_prefix(stem).is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '.']));
    let numbered = |stem: &str| name.strip_prefix(stem).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'));
    licence_like("LICENSE")
        || licence_like("LICENCE")
        || licence_like("COPYING")
        || name == ".git"
        || name == ".hgtags"
        || name.ends_with(".license")
        || name == "REUSE.toml"
        // licences whose ids look like file names (upstream reuse-tool issue 229)
        || numbered("CAL-1.0")
        || numbered("CAL-1.0-Combined-Work-Exception")
        || numbered("SHL-2.1")
        || name.ends_with(".spdx")
        || [".spdx.rdf", ".spdx.json", ".spdx.xml", ".spdx.yml", ".spdx.yaml"].iter().any(|s| name.ends_with(s))
}

/// Where REUSE found licensing information outside the files.
enum Global {
    None,
    Dep5(Box<Dep5>),
    Tomls(Vec<ReuseToml>),
}

/// What one source says about one file.
#[derive(Clone, Debug, Default)]
struct Info {
    copyright: BTreeSet<String>,
    expressions: BTreeSet<String>,
}

impl Info {
    fn has_copyright_or_licensing(&self) -> bool {
        !self.copyright.is_empty() || !self.expressions.is_empty()
    }
}

fn global_licensing(files: &[FileFacts]) -> Result<Global, LintError> {
    let dep5 = files.iter().find(|f| f.path == ".reuse/dep5");
    let tomls: Vec<&FileFacts> =
        files.iter().filter(|f| name(&f.path) == "REUSE.toml" && in_covered_directory(&f.path)).collect();
    match (dep5, tomls.first()) {
        (Some(_), Some(toml)) => Err(LintError::Conflict { toml: toml.path.clone() }),
        (Some(dep5), None) => {
            let text = String::from_utf8_lossy(&dep5.head);
            let parsed = dep5::parse(&text).map_err(|e| ConfigError {
                file: dep5.path.clone(),
                line: Some(e.line),
                reason: e.reason,
            })?;
            Ok(Global::Dep5(Box::new(parsed)))
        }
        (None, Some(_)) => {
            let mut parsed = tomls
                .iter()
                .map(|f| parse_reuse_toml(&f.path, &String::from_utf8_lossy(&f.head)))
                .collect::<Result<Vec<_>, _>>()?;
            parsed.sort_by_key(|t| if t.directory.is_empty() { 0 } else { t.directory.split('/').count() });
            Ok(Global::Tomls(parsed))
        }
        (None, None) => Ok(Global::None),
    }
}

/// What the global licensing says of `path`, by precedence.
fn global_info(global: &Global, path: &str) -> BTreeMap<PrecedenceKey, Vec<Info>> {
    let mut out: BTreeMap<PrecedenceKey, Vec<Info>> = BTreeMap::new();
    match global {
        Global::None => {}
        Global::Dep5(dep5) => {
            if let Some(p) = dep5.paragraph_of(path) {
                out.entry(PrecedenceKey::Aggregate).or_default().push(Info {
                    copyright: p.copyright.iter().cloned().collect(),
                    expressions: BTreeSet::from([p.licence.clone()]),
                });
            }
        }
        Global::Tomls(tomls) => {
            // from the root down; the first override found is authoritative
            for toml in tomls {
                let relative = if toml.directory.is_empty() {
                    Some(path)
                } else {
                    path.strip_prefix(toml.directory.as_str()).and_then(|r| r.strip_prefix('/'))
                };
                let Some(annotation) = relative.and_then(|r| toml.annotation_of(r)) else { continue };
                let key = PrecedenceKey::from(annotation.precedence);
                out.entry(key).or_default().push(Info {
                    copyright: annotation.copyright.iter().cloned().collect(),
                    expressions: annotation.expressions.iter().cloned().collect(),
                });
                if annotation.precedence == Precedence::Override {
                    break;
                }
            }
            // closest: copyright and licence each from the deepest annotation that has one
            if let Some(closest) = out.remove(&PrecedenceKey::Closest) {
                let mut copyright_found = false;
                let mut licence_found = false;
                let mut kept = Vec::new();
                for info in closest.into_iter().rev() {
                    let mut new = Info::default();
                    if !copyright_found && !info.copyright.is_empty() {
                        new.copyright = info.copyright;
                        copyright_found = true;
                    }
                    if !licence_found && !info.expressions.is_empty() {
                        new.expressions = info.expressions;
                        licence_found = true;
                    }
                    if new.has_copyright_or_licensing() {
                        kept.push(new);
                    }
                }
                kept.reverse();
                if !kept.is_empty() {
                    out.insert(PrecedenceKey::Closest, kept);
                }
            }
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum PrecedenceKey {
    Override,
    Aggregate,
    Closest,
}

impl From<Precedence> for PrecedenceKey {
    fn from(p: Precedence) -> Self {
        match p {
            Precedence::Override => PrecedenceKey::Override,
            Precedence::Aggregate => PrecedenceKey::Aggregate,
            Precedence::Closest => PrecedenceKey::Closest,
        }
    }
}

/// The licensing information of one covered file, from every source, as
/// the REUSE specification orders them.
fn infos_of(file: &FileFacts, by_path: &BTreeMap<&str, &FileFacts>, global: &Global) -> Vec<Info> {
    let mut globals = global_info(global, &file.path);
    let own = if globals.contains_key(&PrecedenceKey::Override) {
        Info::default()
    } else {
        let sidecar = by_path.get(format!("{}.license", file.path).as_str()).copied();
        let tags = &sidecar.unwrap_or(file).tags;
        Info { copyright: tags.copyright.clone(), expressions: tags.expressions.clone() }
    };
    let mut out = Vec::new();
    out.extend(globals.remove(&PrecedenceKey::Override).unwrap_or_default());
    out.extend(globals.remove(&PrecedenceKey::Aggregate).unwrap_or_default());
    let closest = globals.remove(&PrecedenceKey::Closest).unwrap_or_default();
    let has_copyright = !own.copyright.is_empty();
    let has_licence = !own.expressions.is_empty();
    if has_copyright || has_licence {
        out.push(own);
    }
    match (has_copyright, has_licence) {
        (false, false) => out.extend(closest),
        (true, false) => {
            if let Some(first) = closest.into_iter().next() {
                out.push(Info { copyright: BTreeSet::new(), expressions: first.expressions });
            }
        }
        (false, true) => {
            if let Some(first) = closest.into_iter().next() {
                out.push(Info { copyright: first.copyright, expressions: BTreeSet::new() });
            }
        }
        (true, true) => {}
    }
    out
}

/// The licence texts in `LICENSES/`: identifier → path.
struct LicenceTexts {
    by_id: BTreeMap<String, String>,
    without_extension: Vec<String>,
}

fn licence_ref(id: &str) -> bool {
    id.strip_prefix("LicenseRef-")
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'))
}

/// An SPDX licence or exception id, exactly as the list spells it.
fn spdx_known(id: &str) -> Option<bool> {
    if let Some(l) = spdx::license_id(id).filter(|l| l.name == id) {
        return Some(l.is_deprecated());
    }
    spdx::exception_id(id).filter(|e| e.name == id).map(|e| e.is_deprecated())
}

fn licence_texts(files: &[FileFacts]) -> Result<LicenceTexts, LintError> {
    let mut out = LicenceTexts { by_id: BTreeMap::new(), without_extension: Vec::new() };
    for file in files.iter().filter(|f| f.path.starts_with("LICENSES/") && !f.path.ends_with(".license")) {
        let file_name = name(&file.path);
        if file_name.starts_with('.') {
            continue; // a glob of LICENSES/** does not see hidden files
        }
        let (stem, has_extension) = match file_name.rsplit_once('.') {
            Some((stem, _)) => (stem, true),
            None => (file_name, false),
        };
        let id = if has_extension && (spdx_known(stem).is_some() || licence_ref(stem)) {
            stem.to_owned()
        } else if spdx_known(file_name).is_some() {
            out.without_extension.push(file_name.to_owned());
            file_name.to_owned()
        } else {
            stem.to_owned()
        };
        if let Some(first) = out.by_id.insert(id.clone(), file.path.clone()) {
            return Err(LintError::DuplicateLicence { id, first, second: file.path.clone() });
        }
    }
    Ok(out)
}

/// Judges the tree `files` (HEAD's files with their tags).
pub fn lint(files: &[FileFacts]) -> Result<Report, LintError> {
    let global = global_licensing(files)?;
    let texts = licence_texts(files)?;
    let by_path: BTreeMap<&str, &FileFacts> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut report = Report {
        global_licensing: match &global {
            Global::None => Vec::new(),
            Global::Dep5(_) => vec![".reuse/dep5".to_owned()],
            Global::Tomls(tomls) => tomls.iter().map(|t| t.source.clone()).collect(),
        },
        ..Report::default()
    };
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut missing: BTreeSet<String> = BTreeSet::new();
    let mut expressions: BTreeSet<String> = BTreeSet::new();
    for file in files.iter().filter(|f| is_covered(&f.path, f.size)) {
        report.files_total += 1;
        let infos = infos_of(file, &by_path, &global);
        let mut licensed = false;
        for expression in infos.iter().flat_map(|i| &i.expressions) {
            match expression::licences(expression) {
                Ok(licences) => {
                    expressions.insert(expression.clone());
                    for id in licences {
                        licensed = true;
                        let base = id.strip_suffix('+').unwrap_or(id);
                        if !texts.by_id.contains_key(id) && !texts.by_id.contains_key(base) {
                            missing.insert(id.to_owned());
                        }
                        used.insert(id.to_owned());
                    }
                }
                Err(_) => {
                    report.invalid_spdx_expressions.entry(file.path.clone()).or_default().push(expression.clone())
                }
            }
        }
        if !licensed {
            report.missing_licensing_info.push(file.path.clone());
        }
        if infos.iter().all(|i| i.copyright.is_empty()) {
            report.missing_copyright_info.push(file.path.clone());
        }
    }
    for id in texts.by_id.keys() {
        match spdx_known(id) {
            Some(true) => report.deprecated_licenses.push(id.clone()),
            Some(false) => {}
            None if licence_ref(id) && !id.contains("Unknown") => {}
            None => report.bad_licenses.push(id.clone()),
        }
        if !used.contains(id) && !used.contains(&format!("{id}+")) {
            report.unused_licenses.push(id.clone());
        }
    }
    report.licenses_without_extension = texts.without_extension;
    report.licenses_without_extension.sort();
    report.missing_licenses = missing.into_iter().collect();
    report.used_licenses = used.into_iter().collect();
    report.licence_expressions = expressions.into_iter().collect();
    report.missing_copyright_info.sort();
    report.missing_licensing_info.sort();
    report.compliant = report.bad_licenses.is_empty()
        && report.deprecated_licenses.is_empty()
        && report.licenses_without_extension.is_empty()
        && report.missing_licenses.is_empty()
        && report.unused_licenses.is_empty()
        && report.missing_copyright_info.is_empty()
        && report.missing_licensing_info.is_empty()
        && report.invalid_spdx_expressions.is_empty();
    Ok(report)
}
