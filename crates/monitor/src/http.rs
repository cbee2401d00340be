// SPDX-License-Identifier: Apache-2.0
//! The monitor's HTTP interface (axum): upload, status, reports, health,
//! and the overview page.

use crate::pages::{Pages, TableRow, View};
use crate::status::{records, scope_status};
use crate::store::Store;
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
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

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
    Router::new()
        .route("/", get(root))
        .route("/reports", get(list_reports).post(upload).layer(DefaultBodyLimit::max(max_body)))
        .route("/reports/{uuid}", get(report))
        .route("/results", get(list_results).post(approve_results))
        .route("/status", get(status))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
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

fn error(status: StatusCode, detail: impl std::fmt::Display) -> Response {
    (status, axum::Json(json!({ "detail": detail.to_string() }))).into_response()
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

async fn upload(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let account = match account(&app, &headers).await {
        Ok(a) => a,
        Err(refused) => return refused,
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    match accept(&app.store, &account, content_type, &body, app.now()).await {
        Ok(stored) => {
            // the reports are durable; a failed re-evaluation is repeated by the periodic one
            let mut subjects: Vec<String> = stored.iter().map(|(_, s)| s.clone()).collect();
            subjects.dedup();
            let cause = format!("report {}", stored.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>().join(", "));
            if let Err(e) = crate::changes::reevaluate(&app, Some(&subjects), &cause).await {
                tracing::error!("re-evaluation after upload: {e:#}");
            }
            let uuids: Vec<String> = stored.into_iter().map(|(u, _)| u).collect();
            (StatusCode::OK, axum::Json(json!({ "accepted": uuids }))).into_response()
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

#[derive(Deserialize)]
struct ReportsQuery {
    subject: Option<String>,
    #[serde(default = "ten")]
    limit: i64,
    #[serde(default)]
    skip: i64,
}

fn ten() -> i64 {
    10
}

/// `GET /reports`: the account's own reports (or another subject's, with
/// `read_any`), newest first, as upstream lists them.
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
        Ok(reports) => {
            let mut body = String::from("[");
            for (i, data) in reports.iter().enumerate() {
                if i > 0 {
                    body.push(',');
                }
                body.push_str(data);
            }
            body.push(']');
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

#[derive(Deserialize)]
struct ResultsQuery {
    approved: Option<bool>,
    #[serde(default = "ten")]
    limit: i64,
    #[serde(default)]
    skip: i64,
}

/// `GET /results`: result rows of the last seven days (upstream's window),
/// for `read_any` accounts, e.g. to review before approving.
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
        Ok(changed) => axum::Json(json!({ "changed": changed })).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

#[derive(Deserialize)]
struct StatusQuery {
    subject: Option<String>,
    scopeuuid: Option<String>,
}

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
    let mut out = Map::new();
    for s in subjects {
        let status = subject_status(app, &accounts, &s, &scopes, include_drafts).await?;
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

/// `{scopeuuid: status}` of one subject; a group's worst member represents it,
/// as upstream's pages show groups.
pub(crate) async fn subject_status(
    app: &App,
    accounts: &[(String, Option<String>)],
    subject: &str,
    scopes: &[&Scope],
    include_drafts: bool,
) -> anyhow::Result<Value> {
    let now = app.now();
    let members = members(accounts, subject);
    let mut per_scope = Map::new();
    for scope in scopes {
        let mut worst: Option<(u8, Value)> = None;
        for member in &members {
            let recs = records(&app.store, member, scope).await?;
            let mut status = scope_status(scope, &recs, now, include_drafts);
            let rank = crate::status::rank(&status);
            if members.len() > 1 || subject.starts_with("group-") {
                status["subject"] = Value::from(member.clone());
            }
            if worst.as_ref().is_none_or(|(r, _)| rank < *r) {
                worst = Some((rank, status));
            }
        }
        let status = worst.map_or_else(|| scope_status(scope, &[], now, include_drafts), |(_, v)| v);
        per_scope.insert(scope.uuid.clone().unwrap_or_default(), status);
    }
    Ok(Value::Object(per_scope))
}

/// `/badge/{subject}/{scope}.svg`: the scope by uuid or alias.
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

async fn metrics(State(app): State<App>) -> Response {
    let started = std::time::Instant::now();
    let status = match status_json(&app, None, None, false).await {
        Ok(v) => v,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let seconds = started.elapsed().as_secs_f64();
    let reports = app.store.report_count().await.unwrap_or(-1);
    let names: Vec<(String, String)> =
        app.scopes.iter().map(|s| (s.uuid.clone().unwrap_or_default(), s.name.clone())).collect();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], crate::metrics::render(&status, &names, reports, seconds))
        .into_response()
}

#[derive(Deserialize)]
struct FeedQuery {
    subject: Option<String>,
}

/// `/feed.atom[?subject=S]`: the latest 100 verdict changes.
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

async fn healthz(State(app): State<App>) -> Response {
    match app.store.ping().await {
        Ok(()) => {
            (StatusCode::OK, axum::Json(json!({ "status": "ok", "database": app.store.backend() }))).into_response()
        }
        Err(e) => {
            tracing::error!("healthz: {e}");
            error(StatusCode::INTERNAL_SERVER_ERROR, "database unreachable")
        }
    }
}

async fn reload(State(app): State<App>, headers: HeaderMap) -> Response {
    match account(&app, &headers).await {
        Ok(a) if has_role(&a, crate::accounts::Role::Admin) => {
            let reloaded = match app.reload_accounts().await {
                Ok(n) => app.reload_templates().map(|()| n).map_err(anyhow::Error::from),
                Err(e) => Err(e),
            };
            match reloaded {
                Ok(n) => axum::Json(json!({ "accounts": n })).into_response(),
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

async fn table(State(app): State<App>, Path(v): Path<String>) -> Response {
    overview(app, &v, false).await
}

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
        let mut rows = Vec::with_capacity(names.len());
        for name in names {
            let status = subject_status(&app, &accounts, &name, &scopes, full).await?;
            let members = if name.starts_with("group-") { members(&accounts, &name) } else { Vec::new() };
            rows.push(TableRow { subject: name, members, status });
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

async fn detail(State(app): State<App>, Path((v, subject, scope)): Path<(String, String, String)>) -> Response {
    detail_page(app, &v, &subject, &scope, false).await
}

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
        let status = subject_status(&app, &accounts, subject, &[scope], full).await?;
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

async fn scope_page(State(app): State<App>, Path((v, scope)): Path<(String, String)>) -> Response {
    let Ok(view) = v.parse::<View>() else { return no_view(&v) };
    let Some(scope) = app.scope(&scope) else { return error(StatusCode::NOT_FOUND, format!("no scope {scope}")) };
    let context = crate::pages::scope_context(&app.base_url, view, scope, app.now().date());
    render(&app, "scope.md", &scope.name, view, &context)
}

async fn report_page(State(app): State<App>, Path((v, uuid)): Path<(String, String)>) -> Response {
    report_view(app, &v, &uuid, None).await
}

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
