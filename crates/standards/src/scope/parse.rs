// SPDX-License-Identifier: Apache-2.0
//! The scope file shapes as serde reads them, and their validation into the
//! model of the parent module, with file, line and key path in every error.

use super::raw::*;
use super::*;
use serde_saphyr::Spanned;

// ---------------------------------------------------------------------------
// Validation.

pub(super) struct Builder<'a> {
    pub(super) source: &'a str,
}

fn key_path(base: &str, key: &str) -> String {
    // Keys that contain dots (version names like v5.1) are quoted.
    if key.contains('.') { format!("{base}[\"{key}\"]") } else { format!("{base}.{key}") }
}

impl Builder<'_> {
    fn err<T>(
        &self,
        location: serde_saphyr::Location,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<T, FileError> {
        Err(FileError { file: self.source.to_owned(), place: Place::new(location, path), message: message.into() })
    }

    fn date(&self, value: &Spanned<String>, path: &str) -> Result<NaiveDate, FileError> {
        NaiveDate::parse_from_str(value.value.trim(), "%Y-%m-%d").or_else(|_| {
            self.err(value.referenced, path, format!("'{}' is not a date (expected YYYY-MM-DD)", value.value))
        })
    }

    pub(super) fn build(&self, raw: RawScope) -> Result<Scope, FileError> {
        let legacy = raw.versions.iter().any(|v| v.standards.is_some());
        let grouped = raw.groups.is_some() || raw.versions.iter().any(|v| v.test.is_some());
        let format = match (legacy, grouped) {
            (true, true) => {
                return self.err(
                    serde_saphyr::Location::UNKNOWN,
                    "versions",
                    "mixes the legacy `standards` format with `groups`",
                );
            }
            (true, false) => ScopeFormat::Legacy,
            (false, true) => ScopeFormat::Groups,
            (false, false) => ScopeFormat::Modules,
        };
        let mut scope = Scope {
            source: self.source.to_owned(),
            format,
            uuid: raw.uuid,
            name: raw.name,
            url: raw.url,
            variables: Vec::new(),
            scripts: Vec::new(),
            testcases: Vec::new(),
            modules: Vec::new(),
            versions: Vec::new(),
            timeline: Vec::new(),
            index: HashMap::new(),
        };
        let _ = raw.prerequisite;
        for (i, var) in raw.variables.unwrap_or_default().into_iter().enumerate() {
            match var.value {
                RawVariable::Name(name) => scope.variables.push(Variable { name, default: None }),
                RawVariable::WithDefault(map) if map.len() == 1 => {
                    for (name, default) in map {
                        scope.variables.push(Variable { name, default });
                    }
                }
                RawVariable::WithDefault(_) => {
                    return self.err(
                        var.referenced,
                        format!("variables[{i}]"),
                        "a variable with a default must be a single-key map",
                    );
                }
            }
        }
        for (si, script) in raw.scripts.unwrap_or_default().into_iter().enumerate() {
            let manual = script.executable.is_none();
            let mut ids = Vec::with_capacity(script.testcases.len());
            for (ti, tc) in script.testcases.into_iter().enumerate() {
                let path = format!("scripts[{si}].testcases[{ti}]");
                ids.push(tc.id.value.clone());
                self.add_testcase(&mut scope, tc, manual, &path)?;
            }
            scope.scripts.push(Script {
                executable: script.executable,
                args: script.args,
                env: script.env.unwrap_or_default(),
                testcases: ids,
            });
        }
        for (ti, tc) in raw.testcases.unwrap_or_default().into_iter().enumerate() {
            let manual = tc.manual.unwrap_or(false);
            self.add_testcase(&mut scope, tc, manual, &format!("testcases[{ti}]"))?;
        }
        match format {
            ScopeFormat::Modules => self.modules_format(&mut scope, raw.modules, raw.versions)?,
            ScopeFormat::Groups => self.groups_format(&mut scope, raw.modules, raw.groups, raw.versions)?,
            ScopeFormat::Legacy => self.legacy_format(&mut scope, raw.versions)?,
        }
        if format == ScopeFormat::Legacy {
            if raw.timeline.is_some() {
                return self.err(
                    serde_saphyr::Location::UNKNOWN,
                    "timeline",
                    "legacy files derive their timeline from version dates",
                );
            }
        } else {
            self.timeline(&mut scope, raw.timeline.unwrap_or_default())?;
        }
        Ok(scope)
    }

    fn add_testcase(&self, scope: &mut Scope, tc: RawTestcase, manual: bool, path: &str) -> Result<(), FileError> {
        let id = tc.id.value.trim().to_owned();
        if id.is_empty() {
            return self.err(tc.id.referenced, format!("{path}.id"), "testcase id must not be empty");
        }
        if scope.index.contains_key(&id) {
            return self.err(tc.id.referenced, format!("{path}.id"), format!("duplicate testcase id '{id}'"));
        }
        let lifetime = match &tc.lifetime {
            None => Lifetime::default(),
            Some(l) => l.value.parse::<Lifetime>().or_else(|_| {
                self.err(
                    l.referenced,
                    format!("{path}.lifetime"),
                    format!("unknown lifetime '{}' (expected day, week, month, quarter or year)", l.value),
                )
            })?,
        };
        scope.index.insert(id.clone(), scope.testcases.len());
        scope.testcases.push(Testcase {
            id,
            lifetime,
            section: tc.section,
            description: tc.description,
            url: tc.url,
            manual,
        });
        Ok(())
    }

    fn check_testcase_ref(&self, scope: &Scope, id: &Spanned<String>, path: String) -> Result<String, FileError> {
        if scope.index.contains_key(&id.value) {
            Ok(id.value.clone())
        } else {
            self.err(id.referenced, path, format!("testcase '{}' is not defined", id.value))
        }
    }

    fn modules(&self, scope: &mut Scope, raw: Option<Vec<RawModule>>) -> Result<(), FileError> {
        for (mi, module) in raw.unwrap_or_default().into_iter().enumerate() {
            let path = format!("modules[{mi}]");
            if scope.module(&module.id.value).is_some() {
                return self.err(
                    module.id.referenced,
                    format!("{path}.id"),
                    format!("duplicate module id '{}'", module.id.value),
                );
            }
            let mut targets = BTreeMap::new();
            for (target, ids) in module.targets.unwrap_or_default() {
                let mut checked = Vec::new();
                for (i, id) in ids.unwrap_or_default().iter().enumerate() {
                    checked.push(self.check_testcase_ref(
                        scope,
                        id,
                        format!("{}[{i}]", key_path(&format!("{path}.targets"), &target)),
                    )?);
                }
                targets.insert(target, checked);
            }
            scope.modules.push(Module {
                id: module.id.value,
                name: module.name,
                url: module.url,
                parameters: module.parameters.unwrap_or_default(),
                targets,
            });
        }
        Ok(())
    }

    fn new_version(&self, scope: &Scope, raw: &RawVersion, path: &str) -> Result<Version, FileError> {
        if scope.version(&raw.version.value).is_some() {
            return self.err(
                raw.version.referenced,
                format!("{path}.version"),
                format!("duplicate version '{}'", raw.version.value),
            );
        }
        let stabilized_at = match &raw.stabilized_at {
            Some(d) => Some(self.date(d, &format!("{path}.stabilized_at"))?),
            None => None,
        };
        let mut version =
            Version { name: raw.version.value.clone(), includes: Vec::new(), stabilized_at, targets: BTreeMap::new() };
        for (target, ids) in raw.targets.iter().flatten() {
            for (i, id) in ids.iter().enumerate() {
                let id = self.check_testcase_ref(
                    scope,
                    id,
                    format!("{}[{i}]", key_path(&format!("{path}.targets"), target)),
                )?;
                push_unique(version.targets.entry(target.clone()).or_default(), id);
            }
        }
        Ok(version)
    }

    fn modules_format(
        &self,
        scope: &mut Scope,
        modules: Option<Vec<RawModule>>,
        versions: Vec<RawVersion>,
    ) -> Result<(), FileError> {
        self.modules(scope, modules)?;
        for (vi, raw) in versions.into_iter().enumerate() {
            let path = format!("versions[{vi}]");
            if raw.attn.is_some() || raw.deprecated_at.is_some() {
                return self.err(raw.version.referenced, path, "`attn`/`deprecated_at` belong to other file formats");
            }
            let mut version = self.new_version(scope, &raw, &path)?;
            let Some(includes) = &raw.include else {
                return self.err(raw.version.referenced, format!("{path}.include"), "missing field `include`");
            };
            for (ii, include) in includes.iter().enumerate() {
                let (module_id, parameters) = match &include.value {
                    RawInclude::Module(id) => (id.clone(), BTreeMap::new()),
                    RawInclude::Ref(r) => (r.module.clone(), r.parameters.clone().unwrap_or_default()),
                };
                let Some(module) = scope.module(&module_id) else {
                    return self.err(
                        include.referenced,
                        format!("{path}.include[{ii}]"),
                        format!("module '{module_id}' is not defined"),
                    );
                };
                for (name, ids) in &module.targets {
                    let target = version.targets.entry(name.clone()).or_default();
                    for id in ids {
                        push_unique(target, id.clone());
                    }
                }
                version.includes.push(Include { module: module_id, parameters });
            }
            scope.versions.push(version);
        }
        Ok(())
    }

    fn groups_format(
        &self,
        scope: &mut Scope,
        modules: Option<Vec<RawModule>>,
        groups: Option<Vec<RawGroup>>,
        versions: Vec<RawVersion>,
    ) -> Result<(), FileError> {
        self.modules(scope, modules)?;
        let groups = groups.unwrap_or_default();
        let mut by_id: BTreeMap<&str, usize> = BTreeMap::new();
        for (gi, group) in groups.iter().enumerate() {
            if by_id.insert(group.id.value.as_str(), gi).is_some() || scope.index.contains_key(&group.id.value) {
                return self.err(
                    group.id.referenced,
                    format!("groups[{gi}].id"),
                    format!("duplicate id '{}'", group.id.value),
                );
            }
        }
        // Flatten groups to testcase lists, rejecting unknown ids and cycles.
        let mut flat: Vec<Option<Vec<String>>> = vec![None; groups.len()];
        for gi in 0..groups.len() {
            self.flatten_group(scope, &groups, &by_id, gi, &mut flat, &mut Vec::new())?;
        }
        for (gi, group) in groups.iter().enumerate() {
            scope.modules.push(Module {
                id: group.id.value.clone(),
                name: group.name.clone(),
                url: group.url.clone(),
                parameters: BTreeMap::new(),
                targets: BTreeMap::from([("main".to_owned(), flat[gi].clone().unwrap_or_default())]),
            });
        }
        for (vi, raw) in versions.into_iter().enumerate() {
            let path = format!("versions[{vi}]");
            if raw.include.is_some() {
                return self.err(
                    raw.version.referenced,
                    path,
                    "a version uses either `include` (modules) or `test` (groups)",
                );
            }
            let mut version = self.new_version(scope, &raw, &path)?;
            let Some(test) = &raw.test else {
                return self.err(raw.version.referenced, format!("{path}.test"), "missing field `test`");
            };
            let Some(&gi) = by_id.get(test.value.as_str()) else {
                return self.err(
                    test.referenced,
                    format!("{path}.test"),
                    format!("group '{}' is not defined", test.value),
                );
            };
            let main = version.targets.entry("main".to_owned()).or_default();
            for id in flat[gi].iter().flatten() {
                push_unique(main, id.clone());
            }
            version.includes.push(Include { module: test.value.clone(), parameters: BTreeMap::new() });
            scope.versions.push(version);
        }
        Ok(())
    }

    fn flatten_group(
        &self,
        scope: &Scope,
        groups: &[RawGroup],
        by_id: &BTreeMap<&str, usize>,
        gi: usize,
        flat: &mut Vec<Option<Vec<String>>>,
        stack: &mut Vec<usize>,
    ) -> Result<(), FileError> {
        if flat[gi].is_some() {
            return Ok(());
        }
        if stack.contains(&gi) {
            let group = &groups[gi];
            return self.err(
                group.id.referenced,
                format!("groups[{gi}]"),
                format!("group '{}' includes itself", group.id.value),
            );
        }
        stack.push(gi);
        let mut out = Vec::new();
        for (ii, item) in groups[gi].include.iter().enumerate() {
            if scope.index.contains_key(&item.value) {
                push_unique(&mut out, item.value.clone());
            } else if let Some(&other) = by_id.get(item.value.as_str()) {
                self.flatten_group(scope, groups, by_id, other, flat, stack)?;
                for id in flat[other].iter().flatten() {
                    push_unique(&mut out, id.clone());
                }
            } else {
                return self.err(
                    item.referenced,
                    format!("groups[{gi}].include[{ii}]"),
                    format!("'{}' is neither a testcase nor a group", item.value),
                );
            }
        }
        stack.pop();
        flat[gi] = Some(out);
        Ok(())
    }

    /// Maps the legacy shape onto modules and a derived timeline: each check
    /// tool becomes a testcase (its `id`, else its executable's file stem), each
    /// standard a module; a tool-less standard is a manual testcase; `condition:
    /// optional` goes to the `optional` target. Versions are effective from
    /// `stabilized_at` and deprecated from `deprecated_at`; versions without
    /// dates are drafts throughout.
    fn legacy_format(&self, scope: &mut Scope, versions: Vec<RawVersion>) -> Result<(), FileError> {
        let mut tools: BTreeMap<(String, Option<String>), String> = BTreeMap::new();
        let mut dates: Vec<(String, Option<NaiveDate>, Option<NaiveDate>)> = Vec::new();
        for (vi, raw) in versions.into_iter().enumerate() {
            let path = format!("versions[{vi}]");
            if raw.include.is_some() || raw.test.is_some() {
                return self.err(raw.version.referenced, path, "a legacy version uses `standards` only");
            }
            let mut version = self.new_version(scope, &raw, &path)?;
            let deprecated_at = match &raw.deprecated_at {
                Some(d) => Some(self.date(d, &format!("{path}.deprecated_at"))?),
                None => None,
            };
            dates.push((version.name.clone(), version.stabilized_at, deprecated_at));
            for (si, standard) in raw.standards.into_iter().flatten().enumerate() {
                let spath = format!("{path}.standards[{si}]");
                let std_condition = self.condition(standard.condition.as_ref(), &format!("{spath}.condition"))?;
                let mut targets: BTreeMap<String, Vec<String>> = BTreeMap::new();
                let check_tools = standard.check_tools.unwrap_or_default();
                if check_tools.is_empty() {
                    let id = unique_id(scope, &slug(&standard.name), &version.name);
                    self.add_testcase(scope, legacy_testcase(&id, &standard.name, standard.url.clone()), true, &spath)?;
                    targets.entry(std_condition.to_owned()).or_default().push(id);
                }
                for (ti, tool) in check_tools.into_iter().enumerate() {
                    let tpath = format!("{spath}.check_tools[{ti}]");
                    let condition = match &tool.condition {
                        Some(_) => self.condition(tool.condition.as_ref(), &format!("{tpath}.condition"))?,
                        None => std_condition,
                    };
                    let key = (tool.executable.value.clone(), tool.args.clone());
                    let id = match tools.get(&key) {
                        Some(id) => id.clone(),
                        None => {
                            let base = tool.id.clone().unwrap_or_else(|| stem(&tool.executable.value));
                            let id = unique_id(scope, &base, &version.name);
                            // Upstream refuses remote executables; such an entry is manual.
                            let remote = key.0.contains("://");
                            self.add_testcase(
                                scope,
                                legacy_testcase(&id, &standard.name, standard.url.clone()),
                                remote,
                                &tpath,
                            )?;
                            scope.scripts.push(Script {
                                executable: (!remote).then(|| tool.executable.value.clone()),
                                args: tool.args.clone(),
                                env: BTreeMap::new(),
                                testcases: vec![id.clone()],
                            });
                            tools.insert(key, id.clone());
                            id
                        }
                    };
                    push_unique(targets.entry(condition.to_owned()).or_default(), id);
                }
                let module_id = format!("{}/{}", version.name, slug(&standard.name));
                for (target, ids) in &targets {
                    let entry = version.targets.entry(target.clone()).or_default();
                    for id in ids {
                        push_unique(entry, id.clone());
                    }
                }
                version.includes.push(Include { module: module_id.clone(), parameters: BTreeMap::new() });
                scope.modules.push(Module {
                    id: module_id,
                    name: Some(standard.name),
                    url: standard.url,
                    parameters: BTreeMap::new(),
                    targets,
                });
            }
            scope.versions.push(version);
        }
        // Derive the timeline at every date where some version changes state.
        let mut change_dates: BTreeSet<NaiveDate> = dates.iter().flat_map(|(_, s, d)| [*s, *d]).flatten().collect();
        change_dates.insert(NaiveDate::MIN);
        for date in change_dates.into_iter().rev() {
            let mut versions = BTreeMap::new();
            for (name, stabilized, deprecated) in &dates {
                let validity = match (stabilized, deprecated) {
                    (_, Some(d)) if date >= *d => Some(Validity::Deprecated),
                    (Some(s), _) if date >= *s => Some(Validity::Effective),
                    (None, _) => Some(Validity::Draft),
                    _ => None,
                };
                if let Some(v) = validity {
                    versions.insert(name.clone(), v);
                }
            }
            scope.timeline.push(TimelineEntry { date, versions });
        }
        Ok(())
    }

    fn condition(&self, condition: Option<&Spanned<String>>, path: &str) -> Result<&'static str, FileError> {
        match condition.map(|c| c.value.as_str()) {
            None | Some("mandatory") => Ok("main"),
            Some("optional") => Ok("optional"),
            Some(other) => match condition {
                Some(c) => self.err(
                    c.referenced,
                    path,
                    format!("unknown condition '{other}' (expected mandatory or optional)"),
                ),
                None => Ok("main"),
            },
        }
    }

    fn timeline(&self, scope: &mut Scope, raw: Vec<RawTimelineEntry>) -> Result<(), FileError> {
        let mut seen = BTreeSet::new();
        for (i, entry) in raw.into_iter().enumerate() {
            let path = format!("timeline[{i}]");
            let date = self.date(&entry.date, &format!("{path}.date"))?;
            if !seen.insert(date) {
                return self.err(
                    entry.date.referenced,
                    format!("{path}.date"),
                    format!("duplicate timeline date {date}"),
                );
            }
            let mut versions = BTreeMap::new();
            for (name, code) in entry.versions {
                let vpath = key_path(&format!("{path}.versions"), &name);
                let validity = code.value.parse::<Validity>().or_else(|_| {
                    self.err(
                        code.referenced,
                        vpath.clone(),
                        format!("unknown validity '{}' (expected effective, warn, draft or deprecated)", code.value),
                    )
                })?;
                if scope.version(&name).is_none() {
                    return self.err(code.referenced, vpath, format!("version '{name}' is not defined"));
                }
                versions.insert(name, validity);
            }
            scope.timeline.push(TimelineEntry { date, versions });
        }
        scope.timeline.sort_by_key(|e| std::cmp::Reverse(e.date));
        Ok(())
    }
}

fn push_unique(list: &mut Vec<String>, id: String) {
    if !list.contains(&id) {
        list.push(id);
    }
}

fn legacy_testcase(id: &str, standard: &str, url: Option<String>) -> RawTestcase {
    RawTestcase {
        id: Spanned {
            value: id.to_owned(),
            referenced: serde_saphyr::Location::UNKNOWN,
            defined: serde_saphyr::Location::UNKNOWN,
        },
        lifetime: None,
        section: None,
        description: Some(standard.to_owned()),
        url,
        manual: None,
    }
}

fn unique_id(scope: &Scope, base: &str, version: &str) -> String {
    if scope.testcase(base).is_none() {
        return base.to_owned();
    }
    let with_version = format!("{base}@{version}");
    let mut candidate = with_version.clone();
    let mut n = 2;
    while scope.testcase(&candidate).is_some() {
        candidate = format!("{with_version}-{n}");
        n += 1;
    }
    candidate
}

fn stem(executable: &str) -> String {
    let file = executable.rsplit('/').next().unwrap_or(executable);
    file.split('.').next().unwrap_or(file).to_owned()
}

fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}
