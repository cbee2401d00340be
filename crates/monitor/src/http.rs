// SPDX-License-Identifier: Apache-2.0
//! The monitor's HTTP interface (axum): upload, status, reports, health,
//! and the overview page.

use crate::pages::{Pages, TableRow, View};
use crate::status::ScopeStatus;
use crate::status::{Prefetched, Summary, records, scope_status, summarize};
use crate::store::Store;
use crate::store::{Approval, ResultRow};
use crate::upload::{UploadError, accept, authenticate};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use chrono::NaiveDateTime;
use scs_standards::Scope;
use scs_standards::evaluation::ResultRecord;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Everything a request needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub store: Store,
    /// The scopes evaluated.
    pub scopes: Arc<Vec<Scope>>,
    /// URL prefix of the pages (`/` by default).
    pub base_url: String,
    /// The accounts file, reloaded on SIGHUP and `POST /admin/reload`.
    pub accounts_file: Option<PathBuf>,
    /// A fixed "now" (tests); the system clock otherwise.
    pub fixed_now: Option<NaiveDateTime>,
    /// Templates replacing the shipped ones, reloaded with the accounts.
    pub templates_dir: Option<PathBuf>,
    /// The parsed page templates.
    pub pages: Arc<RwLock<Arc<Pages>>>,
    /// The monitor's public address (`https://compliance.example/`), for
    /// links that leave the site: webhooks and the feed.
    pub public_url: Option<String>,
    /// Wakes the webhook delivery when a change was recorded.
    pub changes_pending: Arc<tokio::sync::Notify>,
}

impl App {
    /// A monitor on `store` evaluating `scopes`, with the shipped templates,
    /// no accounts file and the system clock.
    pub fn new(store: Store, scopes: Vec<Scope>) -> Result<Self, crate::pages::PageError> {
        Ok(Self {
            store,
            scopes: Arc::new(scopes),
            base_url: "/".to_owned(),
            accounts_file: None,
            fixed_now: None,
            templates_dir: None,
            pages: Arc::new(RwLock::new(Arc::new(Pages::new(None)?))),
            public_url: None,
            changes_pending: Arc::new(tokio::sync::Notify::new()),
        })
    }

    /// Reads the templates directory again (or the shipped templates).
    pub fn reload_templates(&self) -> Result<(), crate::pages::PageError> {
        let pages = Arc::new(Pages::new(self.templates_dir.as_deref())?);
        match self.pages.write() {
            Ok(mut guard) => *guard = pages,
            Err(poisoned) => *poisoned.into_inner() = pages,
        }
        Ok(())
    }

    fn pages(&self) -> Arc<Pages> {
        match self.pages.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Where links to the pages start: the public URL, else the base path.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(url) => format!("{}{}", url.trim_end_matches('/'), self.base_url),
            None => self.base_url.clone(),
        }
    }

    /// The evaluation time.
    pub fn now(&self) -> NaiveDateTime {
        self.fixed_now.unwrap_or_else(|| chrono::Utc::now().naive_utc())
    }

    fn scope(&self, key: &str) -> Option<&Scope> {
        self.scopes.iter().find(|s| s.uuid.as_deref() == Some(key) || alias(s) == key)
    }

    /// Reads the accounts file into the database.
    pub async fn reload_accounts(&self) -> anyhow::Result<usize> {
        let Some(path) = &self.accounts_file else { return Ok(0) };
        let text = std::fs::read_to_string(path)?;
        let accounts = crate::accounts::parse_bootstrap(&path.display().to_string(), &text)?;
        self.store.replace_accounts(&accounts).await?;
        Ok(accounts.len())
    }
}

fn alias(scope: &Scope) -> String {
    scope.name.to_ascii_lowercase().replace(' ', "-")
}

/// The monitor's routes; `max_body` bounds uploads.
pub fn router(app: App, max_body: usize) -> Router {
    routes(app.clone(), max_body).merge(
        Router::new()
            .route("/", get(root))
            .route("/healthz", get(healthz))
            .route("/metrics", get(metrics))
            .route("/openapi.json", get(openapi_json))
            .with_state(app),
    )
}

/// The monitor's own routes, without `/`, `/healthz`, `/metrics` and
/// `/openapi.json`, which `scs serve` shares when it runs several services.
pub fn routes(app: App, max_body: usize) -> Router {
    Router::new()
        .route("/reports", get(list_reports).post(upload).layer(DefaultBodyLimit::max(max_body)))
        .route("/reports/{uuid}", get(report))
        .route("/results", get(list_results).post(approve_results))
        .route("/status", get(status))
        .route("/{view}/table", get(table))
        .route("/{view}/table_full", get(table_full))
        .route("/{view}/detail/{subject}/{scope}", get(detail))
        .route("/{view}/detail_full/{subject}/{scope}", get(detail_full))
        .route("/{view}/scope/{scope}", get(scope_page))
        .route("/{view}/report/{uuid}", get(report_page))
        .route("/{view}/report_full/{uuid}", get(report_full_page))
        .route("/badge/{subject}/{scope}", get(badge))
        .route("/admin/reload", post(reload))
        .route("/feed.atom", get(feed))
        .with_state(app)
}

/// Every error's body (upstream's FastAPI shape).
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub detail: String,
}

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

/// `POST /admin/reload` success.
#[derive(Serialize, ToSchema)]
pub struct Reloaded {
    /// Accounts now loaded.
    pub accounts: usize,
}

/// `GET /healthz` success.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
}

fn error(status: StatusCode, detail: impl std::fmt::Display) -> Response {
    (status, axum::Json(ErrorBody { detail: detail.to_string() })).into_response()
}

/// HTTP Basic credentials of a request.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn unauthorized(detail: &str) -> Response {
    let mut r = error(StatusCode::UNAUTHORIZED, detail);
    r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Basic"));
    r
}

async fn root(State(app): State<App>) -> Redirect {
    Redirect::temporary(&format!("{}page/table", app.base_url))
}

/// Upload signed reports (upstream's body: OpenSSH signature, `&`, report).
#[utoipa::path(post, path = "/reports", tag = "reports", security(("basic" = [])),
    request_body(description = "`ssh-keygen -Y sign -n report` signature, `&`, then the report (YAML, possibly several documents, or JSON)",
        content((String = "application/x-signed-yaml"), (String = "application/x-signed-json"))),
    responses(
        (status = 200, description = "Stored durably, all or nothing", body = Accepted),
        (status = 400, description = "Malformed report", body = ErrorBody),
        (status = 401, description = "No or wrong HTTP Basic credentials", body = ErrorBody),
        (status = 409, description = "A report with this run uuid exists", body = ErrorBody),
        (status = 413, description = "Body larger than the configured limit"),
        (status = 415, description = "Neither application/x-signed-yaml nor -json", body = ErrorBody),
    ))]
async fn upload(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let account = match account(&app, &headers).await {
        Ok(a) => a,
        Err(refused) => return refused,
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    match accept(&app.store, &account, content_type, &body, app.now()).await {
        Ok(stored) => {
            // the reports are durable; a failed re-evaluation is repeated by the periodic one
            let subjects: Vec<String> = stored.iter().map(|(_, s)| s.clone()).collect();
            let cause = format!("report {}", stored.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>().join(", "));
            if let Err(e) = crate::changes::reevaluate(&app, Some(&subjects), &cause).await {
                tracing::error!("re-evaluation after upload: {e:#}");
            }
            let uuids: Vec<String> = stored.into_iter().map(|(u, _)| u).collect();
            (StatusCode::OK, axum::Json(Accepted { accepted: uuids })).into_response()
        }
        Err(e) => upload_error(e),
    }
}

/// The authenticated account of a request, or the response that refuses it.
async fn account(app: &App, headers: &HeaderMap) -> Result<crate::store::StoredAccount, Response> {
    let Some((user, password)) = basic(headers) else { return Err(unauthorized("HTTP Basic credentials required")) };
    authenticate(&app.store, &user, &password).await.map_err(upload_error)
}

fn upload_error(e: UploadError) -> Response {
    match &e {
        UploadError::Unauthorized(m) => unauthorized(m),
        UploadError::MediaType(_) => error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &e),
        UploadError::BadReport(_) => error(StatusCode::BAD_REQUEST, &e),
        UploadError::Duplicate(_) => error(StatusCode::CONFLICT, &e),
        UploadError::Store(_) | UploadError::AccountKeys { .. } => {
            tracing::error!("upload: {e}");
            error(StatusCode::INTERNAL_SERVER_ERROR, "the report could not be stored")
        }
    }
}

/// One stored report as JSON: the account's own subject, or any with `read_any`.
#[utoipa::path(get, path = "/reports/{uuid}", tag = "reports", security(("basic" = [])),
    params(("uuid" = String, Path, description = "The report's run uuid")),
    responses(
        (status = 200, description = "The report", body = Object),
        (status = 401, description = "No or wrong HTTP Basic credentials", body = ErrorBody),
        (status = 404, description = "No such report readable by this account", body = ErrorBody),
    ))]
async fn report(State(app): State<App>, headers: HeaderMap, Path(uuid): Path<String>) -> Response {
    let account = match account(&app, &headers).await {
        Ok(a) => a,
        Err(refused) => return refused,
    };
    match app.store.report(&uuid).await {
        Ok(Some((subject, data)))
            if subject == account.subject || has_role(&account, crate::accounts::Role::ReadAny) =>
        {
            ([(header::CONTENT_TYPE, "application/json")], data).into_response()
        }
        Ok(_) => error(StatusCode::NOT_FOUND, format!("no report {uuid} readable by {}", account.subject)),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

/// The most rows one listing returns, whatever `limit` asks for.
const MAX_LIMIT: i64 = 1000;

fn has_role(account: &crate::store::StoredAccount, role: crate::accounts::Role) -> bool {
    account.roles & role.bit() != 0
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportsQuery {
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

fn ten() -> i64 {
    10
}

/// `GET /reports`: the account's own reports (or another subject's, with
/// `read_any`), newest first, as upstream lists them.
#[utoipa::path(get, path = "/reports", tag = "reports", security(("basic" = [])), params(ReportsQuery),
    responses(
        (status = 200, description = "Reports, newest first", body = Vec<Object>),
        (status = 401, description = "No or wrong HTTP Basic credentials", body = ErrorBody),
        (status = 403, description = "Another subject's reports need read_any", body = ErrorBody),
    ))]
async fn list_reports(State(app): State<App>, headers: HeaderMap, Query(q): Query<ReportsQuery>) -> Response {
    let account = match account(&app, &headers).await {
        Ok(a) => a,
        Err(refused) => return refused,
    };
    let subject = q.subject.unwrap_or_else(|| account.subject.clone());
    if subject != account.subject && !has_role(&account, crate::accounts::Role::ReadAny) {
        return error(StatusCode::FORBIDDEN, format!("reading the reports of {subject} needs the read_any role"));
    }
    match app.store.reports(&subject, q.limit.clamp(0, MAX_LIMIT), q.skip.max(0)).await {
        // the stored JSON texts, unparsed, as one array
        Ok(reports) => {
            ([(header::CONTENT_TYPE, "application/json")], format!("[{}]", reports.join(","))).into_response()
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ResultsQuery {
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
        (status = 401, description = "No or wrong HTTP Basic credentials", body = ErrorBody),
        (status = 403, description = "Needs read_any", body = ErrorBody),
    ))]
async fn list_results(State(app): State<App>, headers: HeaderMap, Query(q): Query<ResultsQuery>) -> Response {
    match account(&app, &headers).await {
        Ok(a) if has_role(&a, crate::accounts::Role::ReadAny) => {}
        Ok(_) => return error(StatusCode::FORBIDDEN, "listing results needs the read_any role"),
        Err(refused) => return refused,
    }
    let since = app.now() - chrono::Duration::days(7);
    match app.store.recent_results(since, q.approved, q.limit.clamp(0, MAX_LIMIT), q.skip.max(0)).await {
        Ok(rows) => axum::Json(rows).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

/// `POST /results`: approval decisions by an `approve` account. Kept for
/// compatibility: as upstream since standards#1221, approval does not change
/// any verdict.
#[utoipa::path(post, path = "/results", tag = "results", security(("basic" = [])), request_body = Vec<Approval>,
    responses(
        (status = 200, description = "Decisions applied", body = Changed),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No or wrong HTTP Basic credentials", body = ErrorBody),
        (status = 403, description = "Needs approve", body = ErrorBody),
    ))]
async fn approve_results(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    match account(&app, &headers).await {
        Ok(a) if has_role(&a, crate::accounts::Role::Approve) => {}
        Ok(_) => return error(StatusCode::FORBIDDEN, "approving results needs the approve role"),
        Err(refused) => return refused,
    }
    let approvals: Vec<crate::store::Approval> = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("body: {e}")),
    };
    match app.store.set_approvals(&approvals).await {
        Ok(changed) => axum::Json(Changed { changed }).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatusQuery {
    /// One subject or `group-NAME` (default: every account).
    subject: Option<String>,
    /// One scope, by uuid or alias (default: every scope).
    scopeuuid: Option<String>,
}

/// Every selected subject's standing against every selected scope.
#[utoipa::path(get, path = "/status", tag = "evaluation", params(StatusQuery),
    responses(
        (status = 200, description = "`{subject: {scope uuid: status}}`", body = std::collections::BTreeMap<String, std::collections::BTreeMap<String, ScopeStatus>>),
        (status = 406, description = "The client accepts no JSON", body = ErrorBody),
    ))]
async fn status(State(app): State<App>, headers: HeaderMap, Query(q): Query<StatusQuery>) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("*/*");
    if !(accept.contains("application/json") || accept.contains("*/*")) {
        return error(StatusCode::NOT_ACCEPTABLE, "only application/json is offered");
    }
    match status_json(&app, q.subject.as_deref(), q.scopeuuid.as_deref(), false).await {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

/// `{subject: {scopeuuid: status}}` for the selected subjects (all accounts
/// without one) and scopes (all without one).
pub async fn status_json(
    app: &App,
    subject: Option<&str>,
    scope: Option<&str>,
    include_drafts: bool,
) -> anyhow::Result<Value> {
    let accounts = app.store.subjects().await?;
    let subjects: Vec<String> = match subject {
        Some(s) => vec![s.to_owned()],
        None => accounts.iter().map(|(s, _)| s.clone()).collect(),
    };
    let scopes: Vec<&Scope> = match scope {
        Some(key) => app.scope(key).into_iter().collect(),
        None => app.scopes.iter().collect(),
    };
    // many subjects: one query per scope instead of one per subject and scope
    let prefetched = if subjects.len() > 4 { Some(Prefetched::load(&app.store, &scopes).await?) } else { None };
    let mut out = Map::new();
    for s in subjects {
        let status = subject_status(app, &accounts, &s, &scopes, include_drafts, prefetched.as_ref()).await?;
        out.insert(s, status);
    }
    Ok(Value::Object(out))
}

/// The members a subject name stands for: `group-NAME` is every account of
/// the group, anything else itself.
fn members(accounts: &[(String, Option<String>)], subject: &str) -> Vec<String> {
    match subject.strip_prefix("group-") {
        Some(group) => accounts.iter().filter(|(_, g)| g.as_deref() == Some(group)).map(|(m, _)| m.clone()).collect(),
        None => vec![subject.to_owned()],
    }
}

/// Evaluates `scope` for each of `members` with `evaluate` (which also
/// ranks: lower is worse) and keeps the worst, with the member's name.
async fn worst_member<T>(
    app: &App,
    members: &[String],
    scope: &Scope,
    prefetched: Option<&Prefetched>,
    evaluate: impl Fn(&[ResultRecord]) -> (u8, T),
) -> anyhow::Result<Option<(String, T)>> {
    let mut worst: Option<(u8, String, T)> = None;
    for member in members {
        let fetched;
        let recs = match prefetched.and_then(|p| p.get(member, scope)) {
            Some(recs) => recs,
            None => {
                fetched = records(&app.store, member, scope).await?;
                &fetched[..]
            }
        };
        let (rank, value) = evaluate(recs);
        if worst.as_ref().is_none_or(|(r, _, _)| rank < *r) {
            worst = Some((rank, member.clone(), value));
        }
    }
    Ok(worst.map(|(_, member, value)| (member, value)))
}

/// The [`Summary`] of one subject per scope (in the order of `scopes`); a
/// group's worst member represents it.
pub(crate) async fn subject_summaries(
    app: &App,
    accounts: &[(String, Option<String>)],
    subject: &str,
    scopes: &[&Scope],
    include_drafts: bool,
    prefetched: Option<&Prefetched>,
) -> anyhow::Result<Vec<Summary>> {
    let now = app.now();
    let members = members(accounts, subject);
    let mut out = Vec::with_capacity(scopes.len());
    for scope in scopes {
        let worst = worst_member(app, &members, scope, prefetched, |recs| {
            let summary = summarize(scope, recs, now, include_drafts);
            (summary.rank, summary)
        })
        .await?;
        out.push(match worst {
            Some((member, mut summary)) => {
                if subject.starts_with("group-") {
                    summary.subject = Some(member);
                }
                summary
            }
            None => summarize(scope, &[], now, include_drafts),
        });
    }
    Ok(out)
}

/// `{scopeuuid: status}` of one subject; a group's worst member represents it,
/// as upstream's pages show groups.
pub(crate) async fn subject_status(
    app: &App,
    accounts: &[(String, Option<String>)],
    subject: &str,
    scopes: &[&Scope],
    include_drafts: bool,
    prefetched: Option<&Prefetched>,
) -> anyhow::Result<Value> {
    let now = app.now();
    let members = members(accounts, subject);
    let mut per_scope = Map::new();
    for scope in scopes {
        let worst = worst_member(app, &members, scope, prefetched, |recs| {
            let status = scope_status(scope, recs, now, include_drafts);
            (crate::status::rank(&status), status)
        })
        .await?;
        let status = match worst {
            Some((member, mut status)) => {
                if subject.starts_with("group-") {
                    status["subject"] = Value::from(member);
                }
                status
            }
            None => scope_status(scope, &[], now, include_drafts),
        };
        per_scope.insert(scope.uuid.clone().unwrap_or_default(), status);
    }
    Ok(Value::Object(per_scope))
}

/// `/badge/{subject}/{scope}.svg`: the scope by uuid or alias.
/// A shields-style SVG badge: scope, verdict and version.
#[utoipa::path(get, path = "/badge/{subject}/{scope}", tag = "evaluation",
    params(("subject" = String, Path, description = "A subject or `group-NAME`"),
           ("scope" = String, Path, description = "Scope uuid or alias, with `.svg`")),
    responses(
        (status = 200, description = "The badge", content_type = "image/svg+xml", body = String),
        (status = 404, description = "No such scope", body = ErrorBody),
    ))]
async fn badge(State(app): State<App>, Path((subject, scope)): Path<(String, String)>) -> Response {
    let key = scope.strip_suffix(".svg").unwrap_or(&scope);
    let Some(found) = app.scope(key) else { return error(StatusCode::NOT_FOUND, format!("no scope {key}")) };
    let (name, uuid) = (found.name.clone(), found.uuid.clone().unwrap_or_default());
    match status_json(&app, Some(&subject), Some(&uuid), false).await {
        Ok(v) => (
            [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "max-age=300")],
            crate::badge::svg(&name, &v[&subject][&uuid]),
        )
            .into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

/// Prometheus text format: verdicts, results and their age, reports, evaluation time.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Metrics", content_type = "text/plain; version=0.0.4", body = String)))]
async fn metrics(State(app): State<App>) -> Response {
    match metrics_text(&app).await {
        Ok(text) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

/// The monitor's metrics in the Prometheus text format.
pub async fn metrics_text(app: &App) -> Result<String, String> {
    let started = std::time::Instant::now();
    let status = status_json(app, None, None, false).await.map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    let reports = app.store.report_count().await.unwrap_or(-1);
    let names: Vec<(String, String)> =
        app.scopes.iter().map(|s| (s.uuid.clone().unwrap_or_default(), s.name.clone())).collect();
    Ok(crate::metrics::render(&status, &names, reports, seconds))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct FeedQuery {
    /// Only this subject's changes.
    subject: Option<String>,
}

/// `/feed.atom[?subject=S]`: the latest 100 verdict changes.
#[utoipa::path(get, path = "/feed.atom", tag = "evaluation", params(FeedQuery),
    responses((status = 200, description = "Atom feed (RFC 4287)", content_type = "application/atom+xml", body = String)))]
async fn feed(State(app): State<App>, headers: HeaderMap, Query(q): Query<FeedQuery>) -> Response {
    let changes = match app.store.changes(q.subject.as_deref(), 100).await {
        Ok(c) => c,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    // Atom wants absolute ids and links: the public URL, else the Host the reader used
    let base = match &app.public_url {
        Some(_) => app.public_base(),
        None => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            format!("http://{host}{}", app.base_url)
        }
    };
    let self_url = match &q.subject {
        Some(s) => format!("{base}feed.atom?subject={s}"),
        None => format!("{base}feed.atom"),
    };
    let title = match &q.subject {
        Some(s) => format!("SCS compliance: verdict changes of {s}"),
        None => "SCS compliance: verdict changes".to_owned(),
    };
    let names: Vec<(String, String)> =
        app.scopes.iter().map(|s| (s.uuid.clone().unwrap_or_default(), s.name.clone())).collect();
    ([(header::CONTENT_TYPE, "application/atom+xml")], crate::feed::atom(&base, &self_url, &title, &changes, &names))
        .into_response()
}

/// Liveness including the database.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses(
        (status = 200, description = "Serving, database reachable", body = Health),
        (status = 500, description = "Database unreachable", body = ErrorBody),
    ))]
async fn healthz(State(app): State<App>) -> Response {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, axum::Json(Health { status: "ok", database: app.store.backend() })).into_response(),
        Err(e) => {
            tracing::error!("healthz: {e}");
            error(StatusCode::INTERNAL_SERVER_ERROR, "database unreachable")
        }
    }
}

/// Reload the accounts file and the templates (as SIGHUP does).
#[utoipa::path(post, path = "/admin/reload", tag = "operations", security(("basic" = [])),
    responses(
        (status = 200, description = "Reloaded", body = Reloaded),
        (status = 400, description = "The accounts file or a template is invalid; nothing changed", body = ErrorBody),
        (status = 401, description = "No or wrong HTTP Basic credentials", body = ErrorBody),
        (status = 403, description = "Needs admin", body = ErrorBody),
    ))]
async fn reload(State(app): State<App>, headers: HeaderMap) -> Response {
    match account(&app, &headers).await {
        Ok(a) if has_role(&a, crate::accounts::Role::Admin) => {
            let reloaded = match app.reload_accounts().await {
                Ok(n) => app.reload_templates().map(|()| n).map_err(anyhow::Error::from),
                Err(e) => Err(e),
            };
            match reloaded {
                Ok(n) => axum::Json(Reloaded { accounts: n }).into_response(),
                Err(e) => error(StatusCode::BAD_REQUEST, format!("{e:#}")),
            }
        }
        Ok(_) => error(StatusCode::FORBIDDEN, "reloading accounts needs the admin role"),
        Err(refused) => refused,
    }
}

fn no_view(name: &str) -> Response {
    error(StatusCode::NOT_FOUND, format!("no view {name}: markdown, fragment or page"))
}

fn render(app: &App, template: &str, title: &str, view: View, context: &Value) -> Response {
    match app.pages().render(template, title, view, context) {
        Ok((content_type, body)) => ([(header::CONTENT_TYPE, content_type)], body).into_response(),
        Err(e) => {
            tracing::error!("page: {e}");
            error(StatusCode::INTERNAL_SERVER_ERROR, e)
        }
    }
}

/// The overview: a row per group and per reporting subject.
#[utoipa::path(get, path = "/{view}/table", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page")),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 404, description = "Unknown view, subject, scope or report", body = ErrorBody),
    ))]
async fn table(State(app): State<App>, Path(v): Path<String>) -> Response {
    overview(app, &v, false).await
}

/// The overview including draft versions.
#[utoipa::path(get, path = "/{view}/table_full", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page")),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 404, description = "Unknown view, subject, scope or report", body = ErrorBody),
    ))]
async fn table_full(State(app): State<App>, Path(v): Path<String>) -> Response {
    overview(app, &v, true).await
}

/// The overview: a row per group and per reporting subject outside a group,
/// a column per scope, upstream's summary marks.
async fn overview(app: App, v: &str, full: bool) -> Response {
    let Ok(view) = v.parse::<View>() else { return no_view(v) };
    let rows = async {
        let accounts = app.store.subjects().await?;
        let reported = app.store.reported_subjects().await?;
        let mut groups: Vec<&str> = accounts.iter().filter_map(|(_, g)| g.as_deref()).collect();
        groups.sort_unstable();
        groups.dedup();
        let mut names: Vec<String> = groups.iter().map(|g| format!("group-{g}")).collect();
        names.extend(reported.into_iter().filter(|s| accounts.iter().all(|(a, g)| a != s || g.is_none())));
        let scopes: Vec<&Scope> = app.scopes.iter().collect();
        let prefetched = Prefetched::load(&app.store, &scopes).await?;
        let mut rows = Vec::with_capacity(names.len());
        for name in names {
            let cells = subject_summaries(&app, &accounts, &name, &scopes, full, Some(&prefetched)).await?;
            let members = if name.starts_with("group-") { members(&accounts, &name) } else { Vec::new() };
            rows.push(TableRow { subject: name, members, cells });
        }
        anyhow::Ok(rows)
    };
    match rows.await {
        Ok(rows) => {
            let context = crate::pages::table_context(&app.base_url, view, full, &app.scopes, &rows);
            render(&app, "table.md", "SCS compliance", view, &context)
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
    }
}

/// Every testcase of a subject against a scope, missing ones named.
#[utoipa::path(get, path = "/{view}/detail/{subject}/{scope}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("subject" = String, Path, description = "A subject or `group-NAME`"), ("scope" = String, Path, description = "Scope uuid or alias")),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 404, description = "Unknown view, subject, scope or report", body = ErrorBody),
    ))]
async fn detail(State(app): State<App>, Path((v, subject, scope)): Path<(String, String, String)>) -> Response {
    detail_page(app, &v, &subject, &scope, false).await
}

/// The detail page including draft versions.
#[utoipa::path(get, path = "/{view}/detail_full/{subject}/{scope}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("subject" = String, Path, description = "A subject or `group-NAME`"), ("scope" = String, Path, description = "Scope uuid or alias")),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 404, description = "Unknown view, subject, scope or report", body = ErrorBody),
    ))]
async fn detail_full(State(app): State<App>, Path((v, subject, scope)): Path<(String, String, String)>) -> Response {
    detail_page(app, &v, &subject, &scope, true).await
}

async fn detail_page(app: App, v: &str, subject: &str, scope: &str, full: bool) -> Response {
    let Ok(view) = v.parse::<View>() else { return no_view(v) };
    let Some(scope) = app.scope(scope) else { return error(StatusCode::NOT_FOUND, format!("no scope {scope}")) };
    let uuid = scope.uuid.clone().unwrap_or_default();
    let data = async {
        let accounts = app.store.subjects().await?;
        let members = members(&accounts, subject);
        if members.is_empty() || (!subject.starts_with("group-") && !accounts.iter().any(|(a, _)| a == subject)) {
            return Ok(None);
        }
        let status = subject_status(&app, &accounts, subject, &[scope], full, None).await?;
        let status = status[&uuid].clone();
        let represented = status["subject"].as_str().unwrap_or(subject).to_owned();
        let last: Vec<(String, String)> = app
            .store
            .latest_results(&represented, &uuid)
            .await?
            .into_iter()
            .map(|r| (r.testcase, r.checked_at.format("%Y-%m-%d %H:%M:%S").to_string()))
            .collect();
        anyhow::Ok(Some((status, last)))
    };
    match data.await {
        Ok(Some((status, last))) => {
            let context = crate::pages::detail_context(&app.base_url, view, subject, scope, &status, &last);
            render(&app, "detail.md", &format!("{subject}: {}", scope.name), view, &context)
        }
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no subject {subject}")),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
    }
}

/// A scope's versions, module matrix and testcases.
#[utoipa::path(get, path = "/{view}/scope/{scope}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("scope" = String, Path, description = "Scope uuid or alias")),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 404, description = "Unknown view, subject, scope or report", body = ErrorBody),
    ))]
async fn scope_page(State(app): State<App>, Path((v, scope)): Path<(String, String)>) -> Response {
    let Ok(view) = v.parse::<View>() else { return no_view(&v) };
    let Some(scope) = app.scope(&scope) else { return error(StatusCode::NOT_FOUND, format!("no scope {scope}")) };
    let context = crate::pages::scope_context(&app.base_url, view, scope, app.now().date());
    render(&app, "scope.md", &scope.name, view, &context)
}

/// A report for the public: only verdict lines, warnings and errors of its output.
#[utoipa::path(get, path = "/{view}/report/{uuid}", tag = "pages", params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("uuid" = String, Path, description = "Run uuid")),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 404, description = "Unknown view, subject, scope or report", body = ErrorBody),
    ))]
async fn report_page(State(app): State<App>, Path((v, uuid)): Path<(String, String)>) -> Response {
    report_view(app, &v, &uuid, None).await
}

/// A report with all output, for its subject's account or read_any.
#[utoipa::path(get, path = "/{view}/report_full/{uuid}", tag = "pages", security(("basic" = [])),
    params(("view" = View, Path, description = "markdown (text/markdown), fragment (HTML without frame) or page"), ("uuid" = String, Path, description = "Run uuid")),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 404, description = "Unknown view, subject, scope or report", body = ErrorBody),
    ))]
async fn report_full_page(
    State(app): State<App>,
    headers: HeaderMap,
    Path((v, uuid)): Path<(String, String)>,
) -> Response {
    match account(&app, &headers).await {
        Ok(account) => report_view(app, &v, &uuid, Some(account)).await,
        Err(refused) => refused,
    }
}

/// A report for people: redacted for anyone, in full for its own subject's
/// account or a `read_any` account.
async fn report_view(app: App, v: &str, uuid: &str, reader: Option<crate::store::StoredAccount>) -> Response {
    let Ok(view) = v.parse::<View>() else { return no_view(v) };
    let (subject, data) = match app.store.report(uuid).await {
        Ok(Some(found)) => found,
        Ok(None) => return error(StatusCode::NOT_FOUND, format!("no report {uuid}")),
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    if let Some(reader) = &reader
        && reader.subject != subject
        && !has_role(reader, crate::accounts::Role::ReadAny)
    {
        return error(StatusCode::NOT_FOUND, format!("no report {uuid} readable by {}", reader.subject));
    }
    let Ok(report) = serde_json::from_str::<Value>(&data) else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, format!("report {uuid} is not stored as JSON"));
    };
    let context = crate::pages::report_context(&app.base_url, view, uuid, &report, reader.is_some());
    render(&app, "report.md", &format!("Report {uuid}"), view, &context)
}

/// The monitor's HTTP interface as OpenAPI 3.1; committed as
/// `openapi/monitor.json`, which a test keeps equal to this.
#[derive(OpenApi)]
#[openapi(
    info(title = "SCS compliance monitor", license(name = "Apache-2.0", identifier = "Apache-2.0"), description = "Signed compliance reports in, evaluated standing out: a drop-in for the upstream SCS compliance monitor (same upload body, same /status JSON), with pages, badges, a feed, webhooks and metrics."),
    paths(upload, list_reports, report, list_results, approve_results, status, badge, feed, metrics, healthz, reload,
          table, table_full, detail, detail_full, scope_page, report_page, report_full_page, openapi_json),
    modifiers(&BasicAuth),
    tags((name = "reports", description = "Signed report upload and retrieval"),
         (name = "results", description = "Result rows and their approval"),
         (name = "evaluation", description = "Standing of subjects against scopes"),
         (name = "pages", description = "Pages for people"),
         (name = "operations", description = "Health, metrics, administration")),
)]
pub struct ApiDoc;

struct BasicAuth;

impl utoipa::Modify for BasicAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("basic", SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)));
    }
}

/// The OpenAPI document, pretty-printed as committed.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as served.
pub fn openapi_document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default() + "\n"
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json", body = Object)))]
async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_document()).into_response()
}
