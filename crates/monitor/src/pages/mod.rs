// SPDX-License-Identifier: Apache-2.0
//! The monitor's pages for people: the overview table, per-subject details,
//! scopes and (redacted) reports. Each page is a Markdown template rendered
//! three ways, as upstream offers them: `markdown` (the text, for sites that
//! embed it, like docs.scs.community), `fragment` (HTML without a frame) and
//! `page` (a whole HTML document).
//!
//! Reports are uploaded by account holders, so nothing from a report or an
//! account may become markup: the `md` filter escapes Markdown syntax and raw
//! HTML in the rendered Markdown is shown as text, never passed through.

pub mod upstream;

use minijinja::Environment;
use pulldown_cmark::{Event, Options, Parser};
use scs_standards::{Scope, TestResult};
use serde_json::{Value, json};
use std::path::Path;
use std::str::FromStr;

/// The page templates shipped in the binary; a templates directory given to
/// [`Pages::new`] may replace any of them by name.
const TEMPLATES: [(&str, &str); 5] = [
    ("table.md", include_str!("../../templates/table.md")),
    ("detail.md", include_str!("../../templates/detail.md")),
    ("scope.md", include_str!("../../templates/scope.md")),
    ("report.md", include_str!("../../templates/report.md")),
    ("page.html", include_str!("../../templates/page.html")),
];

/// How a page is delivered (the first path segment).
#[derive(Clone, Copy, Debug, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum View {
    /// The Markdown text.
    Markdown,
    /// HTML without `<html>` frame, for embedding.
    Fragment,
    /// A complete HTML document.
    Page,
}

impl View {
    /// The path segment naming the view.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Markdown => "markdown",
            Self::Fragment => "fragment",
            Self::Page => "page",
        }
    }
}

impl FromStr for View {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "markdown" => Ok(Self::Markdown),
            "fragment" => Ok(Self::Fragment),
            "page" => Ok(Self::Page),
            _ => Err(()),
        }
    }
}

/// Why the pages could not be set up or rendered.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// A template file could not be read.
    #[error("cannot read template {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A template does not parse or failed to render.
    #[error("template {name}: {source:#}")]
    Template {
        /// The template's name.
        name: String,
        /// The cause, with the template line.
        source: minijinja::Error,
    },
}

/// The page templates, parsed once at start (and again on reload).
pub struct Pages {
    env: Environment<'static>,
    upstream: Option<upstream::UpstreamTemplates>,
}

impl Pages {
    /// The shipped templates, each replaced by `NAME` from `dir` if that file
    /// exists there (upstream's monitor reads its templates from a directory,
    /// and operators keep a hand-written overview).
    pub fn new(dir: Option<&Path>) -> Result<Self, PageError> {
        let mut env = Environment::new();
        env.add_filter("md", |s: &str| md_escape(s));
        env.add_filter("code", |s: &str| code_span(s));
        env.add_filter("fence", |lines: Vec<String>| fence(&lines));
        for (name, shipped) in TEMPLATES {
            let text = match dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
                Some(path) => std::fs::read_to_string(&path)
                    .map_err(|source| PageError::Read { path: path.display().to_string(), source })?,
                None => shipped.to_owned(),
            };
            env.add_template_owned(name, text)
                .map_err(|source| PageError::Template { name: name.to_owned(), source })?;
        }
        let upstream = match dir {
            Some(dir) => upstream::UpstreamTemplates::load(dir)?,
            None => None,
        };
        Ok(Self { env, upstream })
    }

    /// Upstream's templates, when the directory holds them (they then
    /// render every page).
    pub fn upstream(&self) -> Option<&upstream::UpstreamTemplates> {
        self.upstream.as_ref()
    }

    /// Renders `template` with `context` in `view`; returns the content type
    /// and the body.
    pub fn render(
        &self,
        template: &str,
        title: &str,
        view: View,
        context: &Value,
    ) -> Result<(&'static str, String), PageError> {
        let fail = |source| PageError::Template { name: template.to_owned(), source };
        let markdown = self.env.get_template(template).and_then(|t| t.render(context)).map_err(fail)?;
        match view {
            View::Markdown => Ok(("text/markdown; charset=utf-8", markdown)),
            View::Fragment => Ok(("text/html; charset=utf-8", markdown_to_html(&markdown))),
            View::Page => {
                let content = markdown_to_html(&markdown);
                let base = context.get("base").cloned().unwrap_or(json!("/"));
                let page = self
                    .env
                    .get_template("page.html")
                    .and_then(|t| t.render(json!({ "title": title, "content": content, "base": base })))
                    .map_err(|source| PageError::Template { name: "page.html".to_owned(), source })?;
                Ok(("text/html; charset=utf-8", page))
            }
        }
    }
}

/// Markdown to HTML with tables and heading ids; raw HTML is escaped, so a
/// template or a value that slips past [`md_escape`] cannot inject markup.
pub fn markdown_to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_HEADING_ATTRIBUTES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(pulldown_cmark::Tag::Link { link_type, dest_url, title, id }) if !safe_url(&dest_url) => {
            Event::Start(pulldown_cmark::Tag::Link { link_type, dest_url: "#".into(), title, id })
        }
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// Links may be relative or http(s); `javascript:` and friends are dropped.
fn safe_url(url: &str) -> bool {
    match url.split_once(':') {
        Some((scheme, _)) if !scheme.contains('/') && !scheme.contains('?') && !scheme.contains('#') => {
            matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// `s` as literal Markdown text on one line, inside a line (table cells,
/// after a list marker): the characters that could start emphasis, code, a
/// link, an attribute block, a cell or HTML are backslash-escaped, line
/// breaks become spaces.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '#' | '|' | '<' | '>' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// An inline code span holding `s` literally, delimited by more backticks
/// than `s` contains in a row.
fn code_span(s: &str) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    let ticks = "`".repeat(longest_run(&one_line, '`') + 1);
    format!("{ticks} {one_line} {ticks}")
}

/// A fenced code block holding `lines` literally.
fn fence(lines: &[String]) -> String {
    let body = lines.join("\n");
    let fence = "~".repeat(longest_run(&body, '~').max(2) + 1);
    format!("{fence}\n{body}\n{fence}")
}

fn longest_run(s: &str, c: char) -> usize {
    s.split(|x| x != c).map(str::len).max().unwrap_or(0)
}

/// The mark a reader sees for a result code (1, 0, -1, or none).
pub fn result_mark(code: Option<i64>) -> &'static str {
    match code {
        Some(1) => "✅ PASS",
        Some(0) => "✅\\* ABORT",
        Some(-1) => "🛑 FAIL",
        _ => "🟧 MISSING",
    }
}

fn scope_summary(scope: &Scope) -> Value {
    json!({ "uuid": scope.uuid, "name": scope.name, "url": scope.url })
}

/// One row of the overview: a subject (or `group-NAME` with its members)
/// and its standing per scope.
pub struct TableRow {
    /// The subject as the detail pages name it.
    pub subject: String,
    /// The group's members, empty for a single subject.
    pub members: Vec<String>,
    /// The standing per scope, in the order of the scopes.
    pub cells: Vec<crate::status::Summary>,
}

/// The overview's context.
pub fn table_context(base: &str, view: View, full: bool, scopes: &[Scope], rows: &[TableRow]) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|row| {
            let cells: Vec<Value> = scopes
                .iter()
                .zip(&row.cells)
                .map(
                    |(scope, cell)| json!({ "scope": scope.uuid, "summary": cell.passed_str, "missing": cell.missing }),
                )
                .collect();
            json!({ "subject": row.subject, "members": row.members, "cells": cells })
        })
        .collect();
    let scopes: Vec<Value> = scopes.iter().map(scope_summary).collect();
    json!({
        "base": base, "view": view.as_str(), "full": full,
        "detail": if full { "detail_full" } else { "detail" },
        "scopes": scopes, "rows": rows,
    })
}

/// One subject's part of a detail page: a group's page has one per member.
pub struct DetailSection<'a> {
    /// The member (or the subject itself).
    pub subject: &'a str,
    /// Its standing.
    pub status: &'a crate::status::ScopeStatus,
    /// Its latest stored results, expired ones included, to tell "expired"
    /// from "never reported".
    pub last_results: &'a [(String, String)],
}

/// The detail page's context: the subject's summary (a group's worst
/// member's), then per member (the subject itself unless it is a group, as
/// upstream shows a group: every member, with a jump list) every testcase of
/// the versions walked, its result and membership per version, and the
/// missing ones spelled out.
pub fn detail_context(
    base: &str,
    view: View,
    subject: &str,
    scope: &Scope,
    status: &crate::status::ScopeStatus,
    sections: &[DetailSection<'_>],
) -> Value {
    let sections: Vec<Value> = sections.iter().map(|s| detail_section(scope, s)).collect();
    json!({
        "base": base, "view": view.as_str(), "subject": subject, "scope": scope_summary(scope),
        "status": status, "group": subject.starts_with("group-"), "sections": sections,
    })
}

fn detail_section(scope: &Scope, section: &DetailSection<'_>) -> Value {
    let status = section.status;
    let relevant = &status.relevant;
    let versions: Vec<Value> = relevant
        .iter()
        .map(|name| {
            let v = status.versions.get(name);
            json!({
                "name": name,
                "validity": v.map(|v| v.validity.as_str()),
                "mark": md_escape(result_mark(v.and_then(|v| v.result).map(i64::from))),
            })
        })
        .collect();
    let target = |version: &str, tc: &str| status.versions.get(version).and_then(|v| v.tc_target.get(tc));
    let rows: Vec<Value> = scope
        .testcases
        .iter()
        .filter(|t| relevant.iter().any(|v| target(v, &t.id).is_some()))
        .map(|t| {
            let result = status.results.get(&t.id);
            let membership: Vec<String> = relevant
                .iter()
                .map(|v| match target(v, &t.id).map(String::as_str) {
                    Some("main") => "X".to_owned(),
                    Some(other) => md_escape(other),
                    None => String::new(),
                })
                .collect();
            json!({
                "id": t.id,
                "url": t.url.as_deref().filter(|u| safe_url(u)),
                "description": t.description.clone().unwrap_or_default(),
                "mark": md_escape(result_mark(result.map(|r| i64::from(r.result)))),
                "checked_at": result.map(|r| r.checked_at.split('.').next().unwrap_or(&r.checked_at).replace('T', " ")),
                "report": result.and_then(|r| r.report.as_deref()),
                "membership": membership,
            })
        })
        .collect();
    let missing: Vec<Value> = status
        .missing
        .iter()
        .map(|id| {
            let tc = scope.testcase(id);
            let expired = section.last_results.iter().find(|(t, _)| t == id).map(|(_, at)| at.clone());
            json!({
                "id": id,
                "description": tc.and_then(|t| t.description.clone()),
                "manual": tc.is_some_and(|t| t.manual),
                "expired": expired,
            })
        })
        .collect();
    json!({
        "subject": section.subject, "anchor": anchor(section.subject), "summary": status.summary,
        "results": !status.results.is_empty(),
        "versions": versions, "rows": rows, "missing": missing,
    })
}

/// A heading id for a member's section: `member-` and the subject with
/// anything but letters, digits, `-`, `_` and `.` replaced, so that no
/// subject name can break out of the attribute.
fn anchor(subject: &str) -> String {
    let safe: String =
        subject.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '-' }).collect();
    format!("member-{safe}")
}

/// An invocation's command line as the view may show it: in full to the
/// subject's account, else only the program's name, since arguments can
/// carry secrets (`--os-password`, tokens) the uploader never meant to
/// publish.
fn public_cmd(cmd: &str, full: bool) -> String {
    if full {
        return cmd.to_owned();
    }
    let mut words = cmd.split_whitespace();
    let program = words.next().map_or("", |p| p.rsplit('/').next().unwrap_or(p));
    if words.next().is_some() {
        format!("{program} … (arguments shown to the subject's account)")
    } else {
        program.to_owned()
    }
}

/// The scope page's context: versions with today's validity, the module ×
/// version matrix, the testcases.
pub fn scope_context(base: &str, view: View, scope: &Scope, today: chrono::NaiveDate) -> Value {
    let versions: Vec<Value> = scope
        .versions
        .iter()
        .map(|v| {
            let standing = scope.standing(&v.name, today);
            let validity = if standing.explicit { standing.validity.to_string() } else { "not listed".to_owned() };
            json!({ "name": v.name, "validity": validity, "stabilized_at": v.stabilized_at.map(|d| d.to_string()) })
        })
        .collect();
    let modules: Vec<Value> = scope
        .modules
        .iter()
        .map(|m| {
            let cells: Vec<String> = scope
                .versions
                .iter()
                .map(|v| match v.includes.iter().find(|i| i.module == m.id) {
                    Some(i) if i.parameters.is_empty() => "✓".to_owned(),
                    Some(i) => {
                        let p: Vec<String> = i.parameters.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        format!("✓ {}", p.join(", "))
                    }
                    None => String::new(),
                })
                .collect();
            json!({ "id": m.id, "name": m.name, "url": m.url.as_deref().filter(|u| safe_url(u)), "cells": cells })
        })
        .collect();
    let testcases: Vec<Value> = scope
        .testcases
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "lifetime": t.lifetime.to_string(), "section": t.section,
                "description": t.description, "manual": t.manual,
            })
        })
        .collect();
    json!({
        "base": base, "view": view.as_str(), "scope": scope_summary(scope), "today": today.to_string(),
        "versions": versions, "modules": modules, "testcases": testcases,
    })
}

/// Upstream's redaction of a public report: standard output keeps the lines
/// that state a verdict, standard error the warnings and errors.
pub fn redact_stdout(line: &str) -> bool {
    let line = line.trim_end();
    [": PASS", ": ABORT", ": FAIL"].iter().any(|end| line.ends_with(end))
}

/// See [`redact_stdout`].
pub fn redact_stderr(line: &str) -> bool {
    line.starts_with("WARNIN") || line.starts_with("ERROR:")
}

/// The report page's context from the stored report JSON; `full` keeps
/// every output line.
pub fn report_context(base: &str, view: View, uuid: &str, report: &Value, full: bool) -> Value {
    let mut results: Vec<Value> = Vec::new();
    let mut invocations: Vec<Value> = Vec::new();
    let lines = |v: &Value, keep: fn(&str) -> bool| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|l| full || keep(l))
            .map(str::to_owned)
            .collect()
    };
    if let Some(map) = report["run"]["invocations"].as_object() {
        for (id, inv) in map {
            if let Some(r) = inv["results"].as_object() {
                for (tc, code) in r {
                    let code = code.as_i64().filter(|c| TestResult::from_code(*c).is_some());
                    results.push(json!({ "id": tc, "mark": md_escape(result_mark(code)) }));
                }
            }
            invocations.push(json!({
                "anchor": id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>(),
                "cmd": public_cmd(inv["cmd"].as_str().unwrap_or_default(), full),
                "rc": inv["rc"].as_i64().unwrap_or_default(),
                "critical": inv["critical"].as_u64().unwrap_or_default(),
                "error": inv["error"].as_u64().unwrap_or_default(),
                "warning": inv["warning"].as_u64().unwrap_or_default(),
                "stdout": lines(&inv["stdout"], redact_stdout),
                "stderr": lines(&inv["stderr"], redact_stderr),
            }));
        }
    }
    results.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    json!({
        "base": base, "view": view.as_str(), "uuid": uuid, "full": full, "report": {
            "subject": report["subject"].as_str().unwrap_or_default(),
            "checked_at": report["checked_at"].as_str().unwrap_or_default(),
            "reference_date": report["reference_date"].as_str(),
            "spec": { "name": report["spec"]["name"].as_str().unwrap_or_default(),
                      "uuid": report["spec"]["uuid"].as_str().unwrap_or_default() },
        },
        "results": results, "invocations": invocations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_report_view_shows_the_program_but_not_its_arguments() {
        let report = json!({"subject": "a", "run": {"invocations": {"i-1": {
            "cmd": "./iaas/openstack_test.py --os-password hunter2 -c cloud scs-0100-syntax-check",
            "results": {}, "rc": 0, "stdout": [], "stderr": []}}}});
        let public = report_context("/", View::Page, "u", &report, false);
        let cmd = public["invocations"][0]["cmd"].as_str().unwrap_or_default().to_owned();
        assert!(cmd.starts_with("openstack_test.py") && !cmd.contains("hunter2"), "{cmd}");
        let full = report_context("/", View::Page, "u", &report, true);
        assert!(full["invocations"][0]["cmd"].as_str().is_some_and(|c| c.contains("hunter2")));
    }

    #[test]
    fn values_cannot_become_markup() {
        let hostile = "<script>alert(1)</script> [x](javascript:alert(1)) | **b**";
        let html = markdown_to_html(&format!("| a |\n|---|\n| {} |\n", md_escape(hostile)));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("href"), "{html}");
        assert!(!html.contains("<strong>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn raw_html_and_script_links_are_text() {
        let html = markdown_to_html("<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b](/page/table)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("href=\"#\""), "{html}");
        assert!(html.contains("href=\"/page/table\""), "{html}");
    }

    #[test]
    fn fences_and_code_spans_hold_anything() {
        let lines = vec!["~~~".to_owned(), "```".to_owned(), "<b>".to_owned()];
        let html = markdown_to_html(&format!("{}\n\nafter", fence(&lines)));
        assert!(html.contains("~~~\n```\n&lt;b&gt;"), "{html}");
        assert!(html.contains("<p>after</p>"), "{html}");
        let html = markdown_to_html(&code_span("a ``b`` c"));
        assert!(html.contains("<code>a ``b`` c</code>"), "{html}");
    }

    #[test]
    fn redaction_keeps_verdicts_warnings_and_errors() {
        assert!(redact_stdout("scs-0100-syntax-check: PASS"));
        assert!(!redact_stdout("debug: token issued for secret-project"));
        assert!(redact_stderr("WARNING: flavor SCS-1V-4 has no disk"));
        assert!(redact_stderr("ERROR: image missing"));
        assert!(!redact_stderr("INFO: talking to https://internal.example"));
    }

    #[test]
    fn shipped_templates_parse() {
        Pages::new(None).unwrap();
    }
}
