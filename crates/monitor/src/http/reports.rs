// SPDX-License-Identifier: Apache-2.0
//! Signed report upload and retrieval, and result rows with their approval.

use super::{ApiError, Approve, Authenticated, DetailError, ReadAny, json, stored, upload_error};
use super::{Path, Query};
use crate::app::App;
use crate::store::{Approval, ResultRow};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `POST /reports` success.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    /// The run uuids stored.
    pub accepted: Vec<String>,
}

/// `POST /results` success.
#[derive(Serialize, ToSchema)]
pub struct Changed {
    /// Result rows whose approval changed.
    pub changed: u64,
}

/// The latest `checked_at` an upload may carry: the system clock (not the
/// evaluation clock: this is about when a report can have been made) plus
/// the allowed skew.
fn latest_acceptable(app: &App) -> chrono::NaiveDateTime {
    let skew = chrono::Duration::from_std(app.max_clock_skew).unwrap_or(chrono::Duration::minutes(5));
    chrono::Utc::now().naive_utc() + skew
}

/// The most rows one listing returns, whatever `limit` asks for.
const MAX_LIMIT: i64 = 1000;

fn ten() -> i64 {
    10
}

/// Upload signed reports (upstream's body: OpenSSH signature, `&`, report).
#[utoipa::path(post, path = "/reports", tag = "reports", security(("basic" = [])),
    request_body(description = "`ssh-keygen -Y sign -n report` signature, `&`, then the report (YAML, possibly several documents, or JSON)",
        content((String = "application/x-signed-yaml"), (String = "application/x-signed-json"))),
    responses(
        (status = 200, description = "Stored durably, all or nothing", body = Accepted),
        (status = 400, description = "Malformed report", body = DetailError),
        (status = 401, description = "No or wrong HTTP Basic credentials", body = DetailError),
        (status = 409, description = "A report with this run uuid exists", body = DetailError),
        (status = 413, description = "Body larger than max_body, or more results than max_results_per_report", body = DetailError),
        (status = 415, description = "Neither application/x-signed-yaml nor -json", body = DetailError),
    ))]
pub(crate) async fn upload(
    State(app): State<App>,
    Authenticated { account, .. }: Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let admission =
        crate::upload::Admission { now: app.now(), latest: latest_acceptable(&app), max_results: app.max_results };
    let stored =
        crate::upload::accept(&app.store, &account, content_type, &body, admission).await.map_err(upload_error)?;
    // the reports are durable; a failed re-evaluation is repeated by the periodic one
    let subjects: Vec<String> = stored.iter().map(|(_, s)| s.clone()).collect();
    let cause = format!("report {}", stored.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>().join(", "));
    if let Err(e) = crate::changes::reevaluate(&app, Some(&subjects), &cause).await {
        tracing::error!("re-evaluation after upload: {e:#}");
    }
    Ok(json(Accepted { accepted: stored.into_iter().map(|(u, _)| u).collect() }))
}

/// One stored report as JSON: the account's own subject, or any with `read_any`.
#[utoipa::path(get, path = "/reports/{uuid}", tag = "reports", security(("basic" = [])),
    params(("uuid" = String, Path, description = "The report's run uuid")),
    responses(
        (status = 200, description = "The report", body = Object),
        (status = 401, description = "No or wrong HTTP Basic credentials", body = DetailError),
        (status = 404, description = "No such report readable by this account", body = DetailError),
    ))]
pub(crate) async fn report(
    State(app): State<App>,
    reader: Authenticated,
    Path(uuid): Path<String>,
) -> Result<Response, ApiError> {
    match stored("reading a report", app.store.report(&uuid).await)? {
        Some((subject, data)) if reader.reads(&subject) => {
            Ok(([(header::CONTENT_TYPE, "application/json")], data).into_response())
        }
        _ => Err(ApiError::not_found(format!("no report {uuid} readable by {}", reader.account.subject))),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportsQuery {
    /// Whose reports (default: the account's own subject).
    subject: Option<String>,
    /// How many (at most 1000).
    #[serde(default = "ten")]
    #[param(default = 10)]
    limit: i64,
    /// How many to skip.
    #[serde(default)]
    skip: i64,
}

/// `GET /reports`: the account's own reports (or another subject's, with
/// `read_any`), newest first, as upstream lists them.
#[utoipa::path(get, path = "/reports", tag = "reports", security(("basic" = [])), params(ReportsQuery),
    responses(
        (status = 200, description = "Reports, newest first", body = Vec<Object>),
        (status = 401, description = "No or wrong HTTP Basic credentials", body = DetailError),
        (status = 403, description = "Another subject's reports need read_any", body = DetailError),
    ))]
pub(crate) async fn list_reports(
    State(app): State<App>,
    reader: Authenticated,
    Query(q): Query<ReportsQuery>,
) -> Result<Response, ApiError> {
    let subject = q.subject.unwrap_or_else(|| reader.account.subject.clone());
    if !reader.reads(&subject) {
        return Err(ApiError::forbidden(format!("reading the reports of {subject} needs the read_any role")));
    }
    let reports =
        stored("listing reports", app.store.reports(&subject, q.limit.clamp(0, MAX_LIMIT), q.skip.max(0)).await)?;
    // the stored JSON texts, unparsed, as one array
    Ok(([(header::CONTENT_TYPE, "application/json")], format!("[{}]", reports.join(","))).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ResultsQuery {
    /// Only approved (true) or unapproved (false) rows.
    approved: Option<bool>,
    /// How many (at most 1000).
    #[serde(default = "ten")]
    #[param(default = 10)]
    limit: i64,
    /// How many to skip.
    #[serde(default)]
    skip: i64,
}

/// `GET /results`: result rows of the last seven days (upstream's window),
/// for `read_any` accounts, e.g. to review before approving.
#[utoipa::path(get, path = "/results", tag = "results", security(("basic" = [])), params(ResultsQuery),
    responses(
        (status = 200, description = "Result rows of the last 7 days, newest first", body = Vec<ResultRow>),
        (status = 401, description = "No or wrong HTTP Basic credentials", body = DetailError),
        (status = 403, description = "Needs read_any", body = DetailError),
    ))]
pub(crate) async fn list_results(
    State(app): State<App>,
    _reader: Authenticated<ReadAny>,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, ApiError> {
    let since = app.now() - chrono::Duration::days(7);
    let rows = app.store.recent_results(since, q.approved, q.limit.clamp(0, MAX_LIMIT), q.skip.max(0)).await;
    Ok(json(stored("listing results", rows)?))
}

/// `POST /results`: approval decisions by an `approve` account. Kept for
/// compatibility: as upstream since standards#1221, approval does not change
/// any verdict.
#[utoipa::path(post, path = "/results", tag = "results", security(("basic" = [])), request_body = Approvals,
    responses(
        (status = 200, description = "Decisions applied", body = Changed),
        (status = 400, description = "Malformed body", body = DetailError),
        (status = 401, description = "No or wrong HTTP Basic credentials", body = DetailError),
        (status = 403, description = "Needs approve", body = DetailError),
    ))]
pub(crate) async fn approve_results(
    State(app): State<App>,
    _approver: Authenticated<Approve>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let approvals = approvals(&body)?;
    let changed = stored("setting approvals", app.store.set_approvals(&approvals).await)?;
    Ok(json(Changed { changed }))
}

/// The body of `POST /results`: one decision or a list of them (upstream
/// takes both).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // the schema of the body; [`approvals`] reads it
pub(crate) enum Approvals {
    /// One decision.
    One(Approval),
    /// Several, applied together.
    Many(Vec<Approval>),
}

/// Reads one decision or a list, with the error of the shape it has (an
/// untagged enum would only say that no shape matched).
fn approvals(body: &[u8]) -> Result<Vec<Approval>, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("body: {e}")))?;
    let read = if value.is_object() {
        serde_json::from_value(value).map(|one| vec![one])
    } else {
        serde_json::from_value(value)
    };
    read.map_err(|e| ApiError::bad_request(format!("body: one approval or a list of them: {e}")))
}
