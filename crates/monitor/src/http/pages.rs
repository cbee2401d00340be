// SPDX-License-Identifier: Apache-2.0
//! Pages for people, in three views (Markdown, an HTML fragment, a whole
//! page): the overview table, a subject's detail against a scope, a scope,
//! and a report.

use super::Path;
use super::{ApiError, Authenticated, DetailError, stored};
use crate::app::App;
use crate::pages::{TableRow, View};
use crate::standing::Facts;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use scs_standards::Scope;
use serde_json::Value;

fn view(name: &str) -> Result<View, ApiError> {
    name.parse::<View>().map_err(|_| ApiError::not_found(format!("no view {name}: markdown, fragment or page")))
}

fn scope<'a>(app: &'a App, key: &str) -> Result<&'a Scope, ApiError> {
    app.scope(key).ok_or_else(|| ApiError::not_found(format!("no scope {key}")))
}

fn render(app: &App, template: &str, title: &str, view: View, context: &Value) -> Result<Response, ApiError> {
    let (content_type, body) =
        app.pages().render(template, title, view, context).map_err(|e| ApiError::internal("rendering the page", e))?;
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    if view == View::Fragment {
        // fragments exist to be embedded, in frames too
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(scs_web::service::EMBEDDABLE_CONTENT_SECURITY_POLICY),
        );
    }
    Ok(response)
}

/// The overview: a row per group and per reporting subject.
#[utoipa::path(get, path = "/{view}/table", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn table(State(app): State<App>, Path(v): Path<String>) -> Result<Response, ApiError> {
    overview(app, &v, false).await
}

/// The overview including draft versions.
#[utoipa::path(get, path = "/{view}/table_full", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn table_full(State(app): State<App>, Path(v): Path<String>) -> Result<Response, ApiError> {
    overview(app, &v, true).await
}

/// The overview: a row per group and per reporting subject outside a group,
/// a column per scope, upstream's summary marks.
async fn overview(app: App, v: &str, full: bool) -> Result<Response, ApiError> {
    let view = view(v)?;
    let scopes: Vec<&Scope> = app.scopes.iter().collect();
    let facts = stored("reading results", Facts::gather(&app.store, &scopes, None).await)?;
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
    render(&app, "table.md", "SCS compliance", view, &context)
}

/// Every testcase of a subject against a scope, missing ones named.
#[utoipa::path(get, path = "/{view}/detail/{subject}/{scope}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("subject" = String, Path, description = "A subject or `group-NAME`"), ("scope" = String, Path, description = "Scope uuid or alias")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn detail(
    State(app): State<App>,
    Path((v, subject, scope)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    detail_page(app, &v, &subject, &scope, false).await
}

/// The detail page including draft versions.
#[utoipa::path(get, path = "/{view}/detail_full/{subject}/{scope}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("subject" = String, Path, description = "A subject or `group-NAME`"), ("scope" = String, Path, description = "Scope uuid or alias")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn detail_full(
    State(app): State<App>,
    Path((v, subject, scope)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    detail_page(app, &v, &subject, &scope, true).await
}

async fn detail_page(app: App, v: &str, subject: &str, key: &str, full: bool) -> Result<Response, ApiError> {
    let view = view(v)?;
    let scope = scope(&app, key)?;
    let uuid = scope.uuid.clone().unwrap_or_default();
    let facts = stored("reading results", Facts::gather(&app.store, &[scope], Some(&[subject.to_owned()])).await)?;
    if !facts.knows(subject) {
        return Err(ApiError::not_found(format!("no subject {subject}")));
    }
    let now = app.now();
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
    render(&app, "detail.md", &format!("{subject}: {}", scope.name), view, &context)
}

/// A scope's versions, module matrix and testcases.
#[utoipa::path(get, path = "/{view}/scope/{scope}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("scope" = String, Path, description = "Scope uuid or alias")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn scope_page(
    State(app): State<App>,
    Path((v, key)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let view = view(&v)?;
    let scope = scope(&app, &key)?;
    let context = crate::pages::scope_context(&app.base_url, view, scope, app.now().date());
    render(&app, "scope.md", &scope.name, view, &context)
}

/// A report for the public: only verdict lines, warnings and errors of its output.
#[utoipa::path(get, path = "/{view}/report/{uuid}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("uuid" = String, Path, description = "Run uuid")),
    responses(
        (status = 200, description = "The page: HTML for page and fragment, Markdown for markdown", content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, description = "Unknown view, subject, scope or report", body = DetailError),
    ))]
pub(crate) async fn report_page(
    State(app): State<App>,
    Path((v, uuid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    report_view(app, &v, &uuid, None).await
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
    report_view(app, &v, &uuid, Some(reader)).await
}

/// A report for people: redacted for anyone, in full for its own subject's
/// account or a `read_any` account.
async fn report_view(app: App, v: &str, uuid: &str, reader: Option<Authenticated>) -> Result<Response, ApiError> {
    let view = view(v)?;
    let Some((subject, data)) = stored("reading a report", app.store.report(uuid).await)? else {
        return Err(ApiError::not_found(format!("no report {uuid}")));
    };
    if let Some(reader) = &reader
        && !reader.reads(&subject)
    {
        return Err(ApiError::not_found(format!("no report {uuid} readable by {}", reader.account.subject)));
    }
    let report: Value = serde_json::from_str(&data)
        .map_err(|e| ApiError::internal(&format!("reading report {uuid} (not stored as JSON)"), e))?;
    let context = crate::pages::report_context(&app.base_url, view, uuid, &report, reader.is_some());
    render(&app, "report.md", &format!("Report {uuid}"), view, &context)
}
