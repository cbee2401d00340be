// SPDX-License-Identifier: Apache-2.0
//! Upstream's own page templates, for operators who bring them: when the
//! templates directory holds upstream's files (`overview.md.j2`,
//! `details.md.j2`, `report.md.j2`, `scope.md.j2`, `overview.html.j2`),
//! the pages are rendered with them, from the context upstream's monitor
//! gives them: the same variables (`results` in `/status` shape, `groups`,
//! `spec`, `relevant`, `rows`, `report`, `fragment`, `title`), the same
//! functions (`detail_url`, `report_url`, `scope_url`), filters (`pick`,
//! `summary`, `verdict_check`, `markdown`, `validity_symbol`,
//! `short_isodate`) and Python's methods on strings and dicts.
//!
//! One difference stays, on purpose: raw HTML in the Markdown (upstream's
//! `<details>` in the report) is shown as text, as for our own templates;
//! upstream's templates insert values unescaped, and letting raw HTML
//! through would let a report's output inject markup.

use super::{PageError, View, markdown_to_html};
use crate::status::ScopeStatus;
use minijinja::value::{Kwargs, Rest, from_args};
use minijinja::{Environment, Error, ErrorKind, State, Value};
use scs_standards::Scope;
use std::collections::BTreeMap;
use std::path::Path;

/// Upstream's template names (its files carry `.j2` after them).
pub const NAMES: [&str; 5] = ["overview.md", "details.md", "report.md", "scope.md", "overview.html"];

/// Upstream's templates, parsed, with upstream's filters.
pub struct UpstreamTemplates {
    env: Environment<'static>,
}

impl UpstreamTemplates {
    /// Upstream's templates from `dir`, if it holds any: then it must hold
    /// all five, as upstream's monitor requires.
    pub fn load(dir: &Path) -> Result<Option<Self>, PageError> {
        let files: Vec<(&str, std::path::PathBuf)> =
            NAMES.iter().map(|n| (*n, dir.join(format!("{n}.j2")))).filter(|(_, p)| p.is_file()).collect();
        if files.is_empty() {
            return Ok(None);
        }
        let missing: Vec<String> =
            NAMES.iter().filter(|n| !files.iter().any(|(f, _)| f == *n)).map(|n| format!("{n}.j2")).collect();
        if !missing.is_empty() {
            return Err(PageError::Read {
                path: dir.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("upstream's templates are used together; missing: {}", missing.join(", ")),
                ),
            });
        }
        let mut env = Environment::new();
        minijinja_contrib::add_to_environment(&mut env);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_filter("pick", pick);
        env.add_filter("summary", |v: Value| summary(&v));
        env.add_filter("verdict_check", |v: Value| verdict_check(&v));
        env.add_filter("markdown", |s: &str| markdown_to_html(s));
        env.add_filter("validity_symbol", |v: &str| validity_symbol(v));
        env.add_filter("short_isodate", |v: Value| v.to_string().chars().take(10).collect::<String>());
        for (name, path) in files {
            let text = std::fs::read_to_string(&path)
                .map_err(|source| PageError::Read { path: path.display().to_string(), source })?;
            env.add_template_owned(name, text)
                .map_err(|source| PageError::Template { name: format!("{name}.j2"), source })?;
        }
        Ok(Some(Self { env }))
    }

    /// Renders `template` (an upstream name) for `view` as upstream's
    /// monitor does: Markdown as is, HTML from the Markdown, a page wrapped
    /// in `overview.html` with `title`. `base` is the monitor's base URL.
    pub fn render(
        &self,
        template: &str,
        view: View,
        base: &str,
        title: &str,
        context: BTreeMap<&'static str, Value>,
    ) -> Result<(&'static str, String), PageError> {
        fn fail(name: &str) -> impl FnOnce(Error) -> PageError + '_ {
            move |source| PageError::Template { name: format!("{name}.j2"), source }
        }
        let mut context = context;
        context.extend(url_functions(base));
        context.insert("base_url", Value::from(base));
        context.insert("title", Value::from(title));
        let text = self.env.get_template(template).and_then(|t| t.render(&context)).map_err(fail(template))?;
        match view {
            View::Markdown => Ok(("text/markdown; charset=utf-8", text)),
            View::Fragment => Ok(("text/html; charset=utf-8", markdown_to_html(&text))),
            View::Page => {
                let fragment = markdown_to_html(&text);
                let page = self
                    .env
                    .get_template("overview.html")
                    .and_then(|t| {
                        t.render(minijinja::context! { fragment => Value::from_safe_string(fragment), title })
                    })
                    .map_err(fail("overview.html"))?;
                Ok(("text/html; charset=utf-8", page))
            }
        }
    }
}

/// `detail_url`, `report_url` and `scope_url` under `base`, as upstream
/// builds its links (`detail_page` comes from the context: `detail` or
/// `detail_full`).
fn url_functions(base: &str) -> [(&'static str, Value); 3] {
    let (b1, b2, b3) = (base.to_owned(), base.to_owned(), base.to_owned());
    let detail = Value::from_function(move |state: &State, subject: String, scope: String| {
        let page = state.lookup("detail_page").and_then(|v| v.as_str().map(str::to_owned));
        format!("{b1}page/{}/{subject}/{scope}", page.as_deref().unwrap_or("detail"))
    });
    let report = Value::from_function(move |args: Rest<Value>| -> Result<String, Error> {
        let (args, kwargs): (&[Value], Kwargs) = from_args(&args)?;
        let report = args.first().map(Value::to_string).unwrap_or_default();
        let flag = |key: &str| kwargs.get::<Option<bool>>(key).map(Option::unwrap_or_default);
        if flag("download")? {
            return Ok(format!("{b2}reports/{report}"));
        }
        let page = if flag("full")? { "report_full" } else { "report" };
        let mut url = format!("{b2}page/{page}/{report}");
        if let [_, _version, testcase] = args {
            url.push('#');
            url.push_str(&testcase.to_string());
        }
        Ok(url)
    });
    let scope = Value::from_function(move |uuid: String| format!("{b3}page/scope/{uuid}"));
    [("detail_url", detail), ("report_url", report), ("scope_url", scope)]
}

/// `results | pick(scope, subject…)`: one subject's scope result (`{}` if
/// none), or for a group or several subjects the list of their results.
fn pick(state: &State, results: Value, scope: String, subjects: Rest<String>) -> Result<Value, Error> {
    let scope = state
        .lookup("scope_aliases")
        .and_then(|aliases| aliases.get_attr(&scope).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or(scope);
    let of = |subject: &str| -> Value {
        results
            .get_attr(subject)
            .ok()
            .filter(|v| !v.is_undefined())
            .and_then(|by_scope| by_scope.get_attr(&scope).ok().filter(|v| !v.is_undefined()))
            .unwrap_or_else(|| Value::from_serialize(serde_json::json!({})))
    };
    match subjects.as_slice() {
        [one] => match one.strip_prefix("group-") {
            None => Ok(of(one)),
            Some(group) => {
                let members = state.lookup("groups").and_then(|g| g.get_attr(group).ok()).unwrap_or_default();
                let members: Vec<String> =
                    members.try_iter().map(|it| it.map(|m| m.to_string()).collect()).unwrap_or_default();
                Ok(Value::from(members.iter().map(|m| of(m)).collect::<Vec<_>>()))
            }
        },
        [] => Err(Error::new(ErrorKind::MissingArgument, "pick needs a subject")),
        many => Ok(Value::from(many.iter().map(|m| of(m)).collect::<Vec<_>>())),
    }
}

/// Upstream's ranking of a member's result when a group is summarised:
/// FAIL, missing, no result, ABORT, PASS (the worst represents the group).
fn score(result: &Value) -> u8 {
    match result.get_attr("result") {
        Ok(r) if r.is_undefined() => 2,
        Ok(r) => match r.as_i64() {
            Some(-1) => 0,
            None => 1,
            Some(0) => 3,
            Some(_) => 4,
        },
        Err(_) => 2,
    }
}

/// `summary`: the mark and versions of a scope result (or of the worst of
/// several), `🛑 –` for none.
fn summary(value: &Value) -> String {
    let picked = if value.as_object().is_some_and(|o| o.repr() == minijinja::value::ObjectRepr::Seq) {
        let items: Vec<Value> = value.try_iter().map(Iterator::collect).unwrap_or_default();
        let mut worst: Option<Value> = None;
        for item in items {
            if worst.as_ref().is_none_or(|w| score(&item) < score(w)) {
                worst = Some(item);
            }
        }
        worst.unwrap_or_default()
    } else {
        value.clone()
    };
    let result = match picked.get_attr("result") {
        Ok(r) if !r.is_undefined() => r,
        _ => return crate::status::NO_RESULTS.to_owned(),
    };
    let result = result.as_i64();
    let mut mark = match result {
        Some(-1) => "🛑",
        None => "🟧",
        Some(0) => "✅*",
        Some(_) => "✅",
    };
    if result != Some(-1) {
        match picked.get_attr("validity").ok().and_then(|v| v.as_str().map(str::to_owned)).as_deref() {
            Some("warn") => mark = "🟧",
            Some("deprecated") => mark = "🛑",
            _ => {}
        }
    }
    let passed = picked.get_attr("passed_str").ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    format!("{mark} {}", if passed.is_empty() { "–" } else { &passed })
}

/// `verdict_check`: ✔ for 1, ✘ for -1, ⚠ for anything else.
fn verdict_check(value: &Value) -> &'static str {
    match value.as_i64() {
        Some(1) => "✔",
        Some(-1) => "✘",
        _ => "⚠",
    }
}

/// `validity_symbol`: the suffix of a version's validity.
fn validity_symbol(validity: &str) -> &'static str {
    match validity {
        "draft" => "*",
        "warn" => "†",
        "deprecated" => "††",
        _ => "",
    }
}

/// A scope result as upstream's templates index it: buckets keyed by the
/// numbers -1, 0, 1 and None (not by strings), every testcase with `attn`
/// (how many stable versions have it in their `main` target).
pub fn scope_result(scope: &Scope, status: &ScopeStatus) -> Value {
    let mut map: BTreeMap<String, Value> = match serde_json::to_value(status) {
        Ok(serde_json::Value::Object(o)) => o.into_iter().map(|(k, v)| (k, Value::from_serialize(v))).collect(),
        _ => BTreeMap::new(),
    };
    let buckets: Vec<(Value, Value)> =
        [("-1", Value::from(-1)), ("null", Value::from(())), ("0", Value::from(0)), ("1", Value::from(1))]
            .into_iter()
            .map(|(key, number)| (number, Value::from_serialize(status.buckets.get(key).cloned().unwrap_or_default())))
            .collect();
    map.insert("buckets".into(), Value::from_iter(buckets));
    let testcases: BTreeMap<String, Value> = scope
        .testcases
        .iter()
        .map(|t| {
            let attn =
                scope.versions.iter().filter(|v| v.stabilized_at.is_some() && v.main_target().contains(&t.id)).count();
            let info = serde_json::json!({
                "id": t.id, "description": t.description, "url": t.url, "lifetime": t.lifetime.to_string(),
                "section": t.section, "attn": attn,
            });
            (t.id.clone(), Value::from_serialize(info))
        })
        .collect();
    map.insert("testcases".into(), Value::from(testcases));
    Value::from(map)
}

/// `{subject: {scope uuid: result}}` as the templates get `results`.
pub fn results(scopes: &[&Scope], document: &BTreeMap<String, BTreeMap<String, ScopeStatus>>) -> Value {
    let by_uuid: BTreeMap<&str, &Scope> = scopes.iter().map(|s| (s.uuid.as_deref().unwrap_or_default(), *s)).collect();
    let map: BTreeMap<String, Value> = document
        .iter()
        .map(|(subject, by_scope)| {
            let inner: BTreeMap<String, Value> = by_scope
                .iter()
                .filter_map(|(uuid, status)| Some((uuid.clone(), scope_result(by_uuid.get(uuid.as_str())?, status))))
                .collect();
            (subject.clone(), Value::from(inner))
        })
        .collect();
    Value::from(map)
}

/// The scope page's context: `spec` (name, versions with validity and
/// stabilisation date), `relevant` (the explicitly valid versions) and
/// `rows` (per module, sorted by id: the versions including it, with their
/// parameters).
pub fn scope_page(scope: &Scope, today: chrono::NaiveDate) -> BTreeMap<&'static str, Value> {
    let mut versions = serde_json::Map::new();
    let mut relevant = Vec::new();
    for v in &scope.versions {
        let standing = scope.standing(&v.name, today);
        if standing.explicit {
            relevant.push(v.name.clone());
        }
        versions.insert(
            v.name.clone(),
            serde_json::json!({"validity": standing.validity.to_string(), "stabilized_at": v.stabilized_at.map(|d| d.to_string())}),
        );
    }
    let mut rows: Vec<serde_json::Value> = scope
        .modules
        .iter()
        .filter_map(|m| {
            let columns: serde_json::Map<String, serde_json::Value> = relevant
                .iter()
                .filter_map(|name| {
                    let version = scope.versions.iter().find(|v| &v.name == name)?;
                    let include = version.includes.iter().find(|i| i.module == m.id)?;
                    Some((name.clone(), serde_json::json!({"ref": m.id, "parameters": include.parameters})))
                })
                .collect();
            (!columns.is_empty())
                .then(|| serde_json::json!({"module": {"id": m.id, "name": m.name, "url": m.url}, "columns": columns}))
        })
        .collect();
    rows.sort_by(|a, b| a["module"]["id"].as_str().cmp(&b["module"]["id"].as_str()));
    let spec = serde_json::json!({"uuid": scope.uuid, "name": scope.name, "url": scope.url, "versions": versions});
    BTreeMap::from([
        ("spec", Value::from_serialize(spec)),
        ("relevant", Value::from_serialize(relevant)),
        ("rows", Value::from_serialize(rows)),
    ])
}

/// Upstream's redaction of a report for the public view: standard output
/// keeps the verdict lines, standard error the warnings and errors, each
/// redacted list headed by a note and the invocation marked `redacted`.
pub fn redact(report: &mut serde_json::Value) {
    let Some(invocations) = report.pointer_mut("/run/invocations").and_then(|v| v.as_object_mut()) else { return };
    for invocation in invocations.values_mut() {
        for (channel, keep) in [("stdout", super::redact_stdout as fn(&str) -> bool), ("stderr", super::redact_stderr)]
        {
            let Some(lines) = invocation.get(channel).and_then(|v| v.as_array()).cloned() else { continue };
            let kept: Vec<serde_json::Value> = lines.iter().filter(|l| l.as_str().is_some_and(keep)).cloned().collect();
            if kept.len() != lines.len() {
                let mut redacted = vec![serde_json::Value::from("(the following has been redacted)")];
                redacted.extend(kept);
                invocation[channel] = serde_json::Value::from(redacted);
                invocation["redacted"] = serde_json::Value::from(true);
            }
        }
    }
}
