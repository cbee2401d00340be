// SPDX-License-Identifier: Apache-2.0
//! The standing of subjects as machines read it: `/status` (upstream's
//! JSON), badges, the Atom feed of verdict changes and the metrics.

use super::{ApiError, DetailError, stored};
use super::{Path, Query};
use crate::app::App;
use crate::standing::{Facts, StatusDocument, accounts_document, status_document};
use crate::status::ScopeStatus;
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use scs_standards::Scope;
use scs_web::snapshot::{Read, Rendered, SHORT};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StatusQuery {
    /// One subject or `group-NAME` (default: every account).
    subject: Option<String>,
    /// One scope, by uuid or alias (default: every scope).
    scopeuuid: Option<String>,
}

/// The `/status` document of `subject` (every subject with results without
/// one) against `scope` (every scope without one).
/// Also returns until when the document holds (the next expiry of a result
/// it rests on, or the next midnight).
pub async fn standing(
    app: &App,
    subject: Option<&str>,
    scope: Option<&str>,
    include_drafts: bool,
) -> Result<(StatusDocument, chrono::DateTime<chrono::Utc>), ApiError> {
    let scopes: Vec<&Scope> = match scope {
        Some(key) => app.scope(key).into_iter().collect(),
        None => app.scopes.iter().collect(),
    };
    let subjects = subject.map(|s| vec![s.to_owned()]);
    let facts = stored("reading results", Facts::gather(&app.store, &scopes, subjects.as_deref()).await)?;
    let now = app.now();
    Ok((status_document(&facts, subject, &scopes, now, include_drafts), facts.valid_until(&scopes, now)))
}

/// Every selected subject's standing against every selected scope.
#[utoipa::path(get, path = "/status", tag = "evaluation", params(StatusQuery),
    responses(
        (status = 200, description = "`{subject: {scope uuid: status}}`", body = std::collections::BTreeMap<String, std::collections::BTreeMap<String, ScopeStatus>>),
        (status = 406, description = "The client accepts no JSON", body = DetailError),
    ))]
pub(crate) async fn status(
    State(app): State<App>,
    read: Read,
    Query(q): Query<StatusQuery>,
) -> Result<Response, ApiError> {
    let accept = read.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("*/*");
    if !(accept.contains("application/json") || accept.contains("*/*")) {
        return Err(ApiError::new(axum::http::StatusCode::NOT_ACCEPTABLE, "only application/json is offered"));
    }
    read.answer(&app.snapshots, app.now().and_utc(), async {
        let (document, until) = standing(&app, q.subject.as_deref(), q.scopeuuid.as_deref(), false).await?;
        let body = serde_json::to_vec(&document).map_err(|e| ApiError::internal("encoding /status", e))?;
        Ok(Rendered::json(body, Some(until)))
    })
    .await
}

/// `/badge/{subject}/{scope}.svg`: the scope by uuid or alias.
/// A shields-style SVG badge: scope, verdict and version.
#[utoipa::path(get, path = "/badge/{subject}/{scope}", tag = "evaluation",
    params(("subject" = String, Path, description = "A subject or `group-NAME`"),
           ("scope" = String, Path, description = "Scope uuid or alias, with `.svg`")),
    responses(
        (status = 200, description = "The badge", content_type = "image/svg+xml", body = String),
        (status = 404, description = "No such scope", body = DetailError),
    ))]
pub(crate) async fn badge(
    State(app): State<App>,
    read: Read,
    Path((subject, scope)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let key = scope.strip_suffix(".svg").unwrap_or(&scope);
    let Some(found) = app.scope(key) else { return Err(ApiError::not_found(format!("no scope {key}"))) };
    let (name, uuid) = (found.name.clone(), found.uuid.clone().unwrap_or_default());
    let now = app.now();
    read.answer(&app.snapshots, now.and_utc(), async {
        // a subject without results gets a badge too (`🛑 –`): it is shown where results are expected
        let facts =
            stored("reading results", Facts::gather(&app.store, &[found], Some(std::slice::from_ref(&subject))).await)?;
        let Some(status) = facts.status(&subject, &[found], now, false).remove(&uuid) else {
            return Err(ApiError::not_found(format!("no standing of {subject} on {key}")));
        };
        Ok(Rendered {
            content_type: "image/svg+xml",
            body: crate::badge::svg(&name, &status).into_bytes(),
            cache_control: "max-age=300",
            valid_until: Some(facts.valid_until(&[found], now)),
        })
    })
    .await
}

/// The monitor's gauges (every subject evaluated now).
pub async fn metrics(app: &App) -> Result<scs_web::metrics::Exposition, String> {
    let started = std::time::Instant::now();
    let scopes: Vec<&Scope> = app.scopes.iter().collect();
    let facts = Facts::gather(&app.store, &scopes, None).await.map_err(|e| e.to_string())?;
    let status = accounts_document(&facts, &scopes, app.now());
    let seconds = started.elapsed().as_secs_f64();
    let reports = app.store.report_count().await.unwrap_or(-1);
    let names: Vec<(String, String)> =
        app.scopes.iter().map(|s| (s.uuid.clone().unwrap_or_default(), s.name.clone())).collect();
    Ok(crate::metrics::render(&status, &names, reports, seconds, app.now()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FeedQuery {
    /// Only this subject's changes.
    subject: Option<String>,
}

/// `/feed.atom[?subject=S]`: the latest 100 verdict changes.
#[utoipa::path(get, path = "/feed.atom", tag = "evaluation", params(FeedQuery),
    responses((status = 200, description = "Atom feed (RFC 4287)", content_type = "application/atom+xml", body = String)))]
pub(crate) async fn feed(State(app): State<App>, read: Read, Query(q): Query<FeedQuery>) -> Result<Response, ApiError> {
    read.answer(&app.snapshots, app.now().and_utc(), async {
        let changes = stored("reading verdict changes", app.store.changes(q.subject.as_deref(), 100).await)?;
        // links under the public URL, else root-relative: never from the Host header
        let base = app.public_base();
        let names: Vec<(String, String)> =
            app.scopes.iter().map(|s| (s.uuid.clone().unwrap_or_default(), s.name.clone())).collect();
        let feed = crate::feed::feed(&base, q.subject.as_deref(), &changes, &names);
        Ok(Rendered {
            content_type: scs_web::atom::CONTENT_TYPE,
            body: feed.render().into_bytes(),
            cache_control: SHORT,
            valid_until: None,
        })
    })
    .await
}
