// SPDX-License-Identifier: Apache-2.0
//! Pages for people, in three views (Markdown, an HTML fragment, a whole
//! page): the overview table, a subject's detail against a scope, a scope,
//! and a report.

use super::Path;
use super::{ApiError, Authenticated, DetailError, stored};
use crate::app::App;
use crate::pages::upstream as upstream_views;
use crate::pages::{TableRow, View};
use crate::standing::Facts;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use scs_standards::Scope;
use scs_web::snapshot::{Read, Rendered, SHORT};
use serde_json::Value;
use std::collections::BTreeMap;

fn view(name: &str) -> Result<View, ApiError> {
    name.parse::<View>().map_err(|_| ApiError::not_found(format!("no view {name}: markdown, fragment or page")))
}

fn scope<'a>(app: &'a App, key: &str) -> Result<&'a Scope, ApiError> {
    app.scope(key).ok_or_else(|| ApiError::not_found(format!("no scope {key}")))
}

/// When a page changes without a write: the facts' next expiry (or
/// midnight), or never.
type Until = Option<chrono::DateTime<chrono::Utc>>;

fn render(
    app: &App,
    template: &str,
    title: &str,
    view: View,
    context: &Value,
    until: Until,
) -> Result<Rendered, ApiError> {
    let rendered = app.pages().render(template, title, view, context);
    kept_bytes(rendered, until)
}

/// Renders with upstream's templates (see [`crate::pages::upstream`]).
fn render_upstream(
    app: &App,
    template: &str,
    title: &str,
    view: View,
    context: BTreeMap<&'static str, minijinja::Value>,
    until: Until,
) -> Result<Rendered, ApiError> {
    let pages = app.pages();
    let Some(upstream) = pages.upstream() else { return Err(ApiError::not_found("no upstream templates")) };
    let mut context = context;
    let aliases: BTreeMap<String, String> =
        app.scopes.iter().filter_map(|s| Some((crate::app::alias(s), s.uuid.clone()?))).collect();
    context.insert("scope_aliases", minijinja::Value::from_serialize(aliases));
    kept_bytes(upstream.render(template, view, &app.base_url, title, context), until)
}

fn kept_bytes(
    rendered: Result<(&'static str, String), crate::pages::PageError>,
    until: Until,
) -> Result<Rendered, ApiError> {
    let (content_type, body) = rendered.map_err(|e| ApiError::internal("rendering the page", e))?;
    Ok(Rendered { content_type, body: body.into_bytes(), cache_control: SHORT, valid_until: until })
}

/// A page answered from the kept snapshot (rendered by `page` when there is
/// none), with the fragment's own framing policy.
async fn kept_page<F>(app: &App, read: &Read, v: &str, page: F) -> Result<Response, ApiError>
where
    F: Future<Output = Result<Rendered, ApiError>>,
{
    let view = view(v)?;
    let response = read.answer(&app.snapshots, app.now().and_utc(), page).await?;
    Ok(framed(view, response))
}

/// A page rendered for one reader only (never kept).
fn uncached(view: View, rendered: Rendered) -> Response {
    let mut response = rendered.body.into_response();
    if let Ok(value) = header::HeaderValue::from_str(rendered.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, no-store"));
    framed(view, response)
}

fn framed(view: View, mut response: Response) -> Response {
    if view == View::Fragment {
        // fragments exist to be embedded, in frames too
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(scs_web::service::EMBEDDABLE_CONTENT_SECURITY_POLICY),
        );
    }
    response
}

/// The overview: a row per group and per reporting subject.
#[utoipa::path(get, path = "/{view}/table", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn table(State(app): State<App>, read: Read, Path(v): Path<String>) -> Result<Response, ApiError> {
    kept_page(&app, &read, &v, overview(&app, &v, false)).await
}

/// The overview including draft versions.
#[utoipa::path(get, path = "/{view}/table_full", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn table_full(
    State(app): State<App>,
    read: Read,
    Path(v): Path<String>,
) -> Result<Response, ApiError> {
    kept_page(&app, &read, &v, overview(&app, &v, true)).await
}

/// The overview: a row per group and per reporting subject outside a group,
/// a column per scope, upstream's summary marks.
async fn overview(app: &App, v: &str, full: bool) -> Result<Rendered, ApiError> {
    let view = view(v)?;
    let scopes: Vec<&Scope> = app.scopes.iter().collect();
    let facts = stored("reading results", Facts::gather(&app.store, &scopes, None).await)?;
    let until = Some(facts.valid_until(&scopes, app.now()));
    if app.pages().upstream().is_some() {
        // upstream's overview: every reporting subject's results and the groups
        let document = crate::standing::status_document(&facts, None, &scopes, app.now(), full);
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (subject, group) in &facts.accounts {
            if let Some(group) = group.as_ref().filter(|g| !g.is_empty()) {
                groups.entry(group.clone()).or_default().push(subject.clone());
            }
        }
        let context = BTreeMap::from([
            ("results", upstream_views::results(&scopes, &document)),
            ("groups", minijinja::Value::from_serialize(groups)),
            ("detail_page", minijinja::Value::from(if full { "detail_full" } else { "detail" })),
        ]);
        let title = if full { "SCS compliance overview (incl. drafts)" } else { "SCS compliance overview" };
        return render_upstream(app, "overview.md", title, view, context, until);
    }
    let reported = stored("reading subjects", app.store.reported_subjects().await)?;
    let mut groups: Vec<&str> = facts.accounts.iter().filter_map(|(_, g)| g.as_deref()).collect();
    groups.sort_unstable();
    groups.dedup();
    let mut names: Vec<String> = groups.iter().map(|g| format!("group-{g}")).collect();
    names.extend(reported.into_iter().filter(|s| facts.accounts.iter().all(|(a, g)| a != s || g.is_none())));
    let now = app.now();
    let rows: Vec<TableRow> = names
        .into_iter()
        .map(|name| {
            let cells = facts.summaries(&name, &scopes, now, full);
            let members = if name.starts_with("group-") { facts.members(&name) } else { Vec::new() };
            TableRow { subject: name, members, cells }
        })
        .collect();
    let context = crate::pages::table_context(&app.base_url, view, full, &app.scopes, &rows);
    render(app, "table.md", "SCS compliance", view, &context, until)
}

/// Every testcase of a subject against a scope, missing ones named.
#[utoipa::path(get, path = "/{view}/detail/{subject}/{scope}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("subject" = String, Path, description = "A subject or `group-NAME`"), ("scope" = String, Path, description = "Scope uuid or alias")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn detail(
    State(app): State<App>,
    read: Read,
    Path((v, subject, scope)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    kept_page(&app, &read, &v, detail_page(&app, &v, &subject, &scope, false)).await
}

/// The detail page including draft versions.
#[utoipa::path(get, path = "/{view}/detail_full/{subject}/{scope}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("subject" = String, Path, description = "A subject or `group-NAME`"), ("scope" = String, Path, description = "Scope uuid or alias")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn detail_full(
    State(app): State<App>,
    read: Read,
    Path((v, subject, scope)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    kept_page(&app, &read, &v, detail_page(&app, &v, &subject, &scope, true)).await
}

async fn detail_page(app: &App, v: &str, subject: &str, key: &str, full: bool) -> Result<Rendered, ApiError> {
    let view = view(v)?;
    let scope = scope(app, key)?;
    let uuid = scope.uuid.clone().unwrap_or_default();
    let facts = stored("reading results", Facts::gather(&app.store, &[scope], Some(&[subject.to_owned()])).await)?;
    if !facts.knows(subject) {
        return Err(ApiError::not_found(format!("no subject {subject}")));
    }
    let now = app.now();
    let until = Some(facts.valid_until(&[scope], now));
    if app.pages().upstream().is_some() {
        // upstream's details: every member (or the subject), present even without results
        let mut document = BTreeMap::new();
        for member in facts.members(subject) {
            let status = facts.status(&member, &[scope], now, full);
            document.insert(member, status);
        }
        let mut title = match subject.strip_prefix("group-") {
            Some(group) => format!("Details for group {group}"),
            None => format!("Details for subject {subject}"),
        };
        if full {
            title.push_str(" (incl. drafts)");
        }
        let context = BTreeMap::from([("results", upstream_views::results(&[scope], &document))]);
        return render_upstream(app, "details.md", &title, view, context, until);
    }
    let mut standing = facts.status(subject, &[scope], now, full);
    let Some(status) = standing.remove(&uuid) else { return Err(ApiError::not_found(format!("no scope {key}"))) };
    // a group's page shows every member, in the accounts file's order
    let mut members = Vec::new();
    for member in facts.members(subject) {
        let last: Vec<(String, String)> = stored("reading results", app.store.latest_results(&member, &uuid).await)?
            .into_iter()
            .map(|r| (r.testcase, r.checked_at.format("%Y-%m-%d %H:%M:%S").to_string()))
            .collect();
        let member_status = facts.status(&member, &[scope], now, full).remove(&uuid).unwrap_or_default();
        members.push((member, member_status, last));
    }
    let sections: Vec<crate::pages::DetailSection<'_>> = members
        .iter()
        .map(|(member, status, last)| crate::pages::DetailSection { subject: member, status, last_results: last })
        .collect();
    let context = crate::pages::detail_context(&app.base_url, view, subject, scope, &status, &sections);
    render(app, "detail.md", &format!("{subject}: {}", scope.name), view, &context, until)
}

/// A scope's versions, module matrix and testcases.
#[utoipa::path(get, path = "/{view}/scope/{scope}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("scope" = String, Path, description = "Scope uuid or alias")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn scope_page(
    State(app): State<App>,
    read: Read,
    Path((v, key)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    kept_page(&app, &read, &v, async {
        let view = view(&v)?;
        let scope = scope(&app, &key)?;
        // versions' validity changes with the date
        let now = app.now();
        let midnight = (now.date() + chrono::Days::new(1)).and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        if app.pages().upstream().is_some() {
            let context = upstream_views::scope_page(scope, now.date());
            return render_upstream(&app, "scope.md", &scope.name, view, context, midnight);
        }
        let context = crate::pages::scope_context(&app.base_url, view, scope, now.date());
        render(&app, "scope.md", &scope.name, view, &context, midnight)
    })
    .await
}

/// A report for the public: only verdict lines, warnings and errors of its output.
#[utoipa::path(get, path = "/{view}/report/{uuid}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("uuid" = String, Path, description = "Run uuid")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn report_page(
    State(app): State<App>,
    read: Read,
    Path((v, uuid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    kept_page(&app, &read, &v, report_view(&app, &v, &uuid, None)).await
}

/// A report with all output, for its subject's account or read_any.
#[utoipa::path(get, path = "/{view}/report_full/{uuid}", tag = "pages", security(("basic" = [])),
    params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("uuid" = String, Path, description = "Run uuid")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn report_full_page(
    State(app): State<App>,
    reader: Authenticated,
    Path((v, uuid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let rendered = report_view(&app, &v, &uuid, Some(reader)).await?;
    Ok(uncached(view(&v)?, rendered))
}

/// A report for people: redacted for anyone, in full for its own subject's
/// account or a `read_any` account.
async fn report_view(app: &App, v: &str, uuid: &str, reader: Option<Authenticated>) -> Result<Rendered, ApiError> {
    let view = view(v)?;
    let Some((subject, data)) = stored("reading a report", app.store.report(uuid).await)? else {
        return Err(ApiError::not_found(format!("no report {uuid}")));
    };
    if let Some(reader) = &reader
        && !reader.reads(&subject)
    {
        return Err(ApiError::not_found(format!("no report {uuid} readable by {}", reader.account.subject)));
    }
    let mut report: Value = serde_json::from_str(&data)
        .map_err(|e| ApiError::internal(&format!("reading report {uuid} (not stored as JSON)"), e))?;
    if app.pages().upstream().is_some() {
        let title = if reader.is_some() {
            format!("Report {uuid} (full)")
        } else {
            upstream_views::redact(&mut report);
            format!("Report {uuid} (redacted)")
        };
        let context = BTreeMap::from([("report", minijinja::Value::from_serialize(&report))]);
        return render_upstream(app, "report.md", &title, view, context, None);
    }
    let context = crate::pages::report_context(&app.base_url, view, uuid, &report, reader.is_some());
    render(app, "report.md", &format!("Report {uuid}"), view, &context, None)
}
