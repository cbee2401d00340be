// SPDX-License-Identifier: Apache-2.0
//! The monitor's HTTP interface on the shared `scs-web` foundation: its
//! routes, its OpenAPI document, its error shape (`{"detail": …}`, as
//! upstream's FastAPI server) and accounts as typed extractors. Handlers
//! live by area: [`reports`] (upload and retrieval), [`evaluation`]
//! (`/status`, badges, the feed, metrics), [`pages`] (pages for people) and
//! [`operations`] (administration).

pub mod evaluation;
pub mod operations;
pub mod pages;
pub mod reports;

use crate::accounts::Role;
use crate::app::App;
use crate::store::StoredAccount;
use crate::upload::UploadError;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Serialize;
use std::marker::PhantomData;
use std::sync::Arc;
use utoipa::OpenApi;

/// An error answer in the monitor's shape.
pub type ApiError = scs_web::HttpError<scs_web::Detail>;

// `Query` and `Path` answering a malformed parameter `{"detail": …}`
scs_web::shaped_extractors!(scs_web::Detail);

/// Every error's body (upstream's FastAPI shape, `{"detail": …}`).
pub use scs_web::DetailError;

/// The monitor alone, as `scs serve --service monitor` serves it: its
/// routes and the shared `/healthz`, `/metrics` and `/openapi.json`.
pub fn router(mut app: App, max_body: usize) -> Router {
    app.max_body = max_body;
    let db = app.store.db().clone();
    scs_web::compose("SCS compliance monitor", vec![Arc::new(app)], db)
}

/// The monitor's own routes.
pub fn routes(app: App) -> Router {
    let max_body = app.max_body;
    Router::new()
        .route("/reports", get(reports::list_reports).post(reports::upload).layer(DefaultBodyLimit::max(max_body)))
        .route("/reports/{uuid}", get(reports::report))
        .route("/results", get(reports::list_results).post(reports::approve_results))
        .route("/status", get(evaluation::status))
        .route("/{view}/table", get(pages::table))
        .route("/{view}/table_full", get(pages::table_full))
        .route("/{view}/detail/{subject}/{scope}", get(pages::detail))
        .route("/{view}/detail_full/{subject}/{scope}", get(pages::detail_full))
        .route("/{view}/scope/{scope}", get(pages::scope_page))
        .route("/{view}/report/{uuid}", get(pages::report_page))
        .route("/{view}/report_full/{uuid}", get(pages::report_full_page))
        .route("/badge/{subject}/{scope}", get(evaluation::badge))
        .route("/admin/reload", post(operations::reload))
        .route("/feed.atom", get(evaluation::feed))
        .with_state(app)
}

impl scs_web::Service for App {
    fn name(&self) -> &'static str {
        "monitor"
    }

    fn routes(&self) -> Router {
        routes(self.clone())
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        openapi()
    }

    fn metrics(&self) -> futures::future::BoxFuture<'_, Result<scs_web::metrics::Exposition, String>> {
        Box::pin(evaluation::metrics(self))
    }

    fn index(&self) -> Option<axum::routing::MethodRouter> {
        let table = format!("{}page/table", self.base_url);
        Some(get(move || async move { Redirect::temporary(&table) }))
    }

    fn background(&self) -> Vec<futures::future::BoxFuture<'static, ()>> {
        vec![
            Box::pin(crate::changes::reevaluate_forever(self.clone(), self.reevaluate_every)),
            Box::pin(crate::webhooks::deliver_forever(self.clone(), self.webhooks.clone())),
            Box::pin(self.snapshots.clone().follow(self.store.db().clone())),
        ]
    }

    fn snapshots(&self) -> Option<scs_web::snapshot::Snapshots> {
        Some(self.snapshots.clone())
    }
}

/// What an account must be allowed, as a type: handlers name it in their
/// signature (`Authenticated<ReadAny>`) and the extractor refuses before
/// the handler runs.
pub trait Requirement: Send + Sync + 'static {
    /// The role needed, if any beyond a valid account.
    const ROLE: Option<Role>;
    /// What the refusal says the role is needed for.
    const FOR: &'static str;
}

/// Any valid account.
pub struct AnyAccount;
impl Requirement for AnyAccount {
    const ROLE: Option<Role> = None;
    const FOR: &'static str = "this";
}

/// Reads every subject's reports and results.
pub struct ReadAny;
impl Requirement for ReadAny {
    const ROLE: Option<Role> = Some(Role::ReadAny);
    const FOR: &'static str = "listing results needs the read_any role";
}

/// Sets approvals.
pub struct Approve;
impl Requirement for Approve {
    const ROLE: Option<Role> = Some(Role::Approve);
    const FOR: &'static str = "approving results needs the approve role";
}

/// Reloads accounts and templates.
pub struct Admin;
impl Requirement for Admin {
    const ROLE: Option<Role> = Some(Role::Admin);
    const FOR: &'static str = "reloading accounts needs the admin role";
}

/// The account of a request with valid HTTP Basic credentials that meets
/// `R`; 401 without credentials or with wrong ones, 403 without the role.
pub struct Authenticated<R: Requirement = AnyAccount> {
    /// The account.
    pub account: StoredAccount,
    requirement: PhantomData<R>,
}

impl<R: Requirement> Authenticated<R> {
    /// Whether the account may act for `subject` (its own, or any with
    /// `read_any`).
    pub fn reads(&self, subject: &str) -> bool {
        self.account.subject == subject || self.account.roles.contains(&Role::ReadAny)
    }
}

impl<R: Requirement> FromRequestParts<App> for Authenticated<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        // refused before the body is read: its unread rest must not be taken
        // for the next request on this connection
        let has_body = parts.headers.contains_key(axum::http::header::TRANSFER_ENCODING)
            || parts.headers.get(axum::http::header::CONTENT_LENGTH).is_some_and(|l| l != "0");
        let refuse = |e: ApiError| if has_body { e.closing() } else { e };
        let Some(credentials) = scs_web::auth::basic(&parts.headers) else {
            return Err(refuse(ApiError::unauthorized("HTTP Basic credentials required")));
        };
        let account =
            crate::upload::authenticate(&app.store, &app.password_checks, &credentials.user, &credentials.password)
                .await
                .map_err(|e| refuse(upload_error(e)))?;
        if let Some(role) = R::ROLE
            && !account.roles.contains(&role)
        {
            return Err(ApiError::forbidden(R::FOR));
        }
        Ok(Self { account, requirement: PhantomData })
    }
}

/// The answer to a refused or failed upload.
pub(crate) fn upload_error(e: UploadError) -> ApiError {
    match &e {
        UploadError::Unauthorized(m) => ApiError::unauthorized(m.clone()),
        UploadError::MediaType(_) => ApiError::new(axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE, e.to_string()),
        UploadError::BadReport(_) => ApiError::bad_request(e.to_string()),
        UploadError::Duplicate(_) => ApiError::new(axum::http::StatusCode::CONFLICT, e.to_string()),
        UploadError::TooManyResults { .. } => ApiError::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, e.to_string()),
        UploadError::Store(_) | UploadError::AccountKeys { .. } => ApiError::internal("storing the report", &e),
    }
}

/// The monitor's HTTP interface as OpenAPI 3.1; committed as
/// `openapi/monitor.json`, which a test keeps equal to this.
#[derive(OpenApi)]
#[openapi(
    info(title = "SCS compliance monitor", license(name = "Apache-2.0", identifier = "Apache-2.0"), description = "Signed compliance reports in, evaluated standing out: a drop-in for the upstream SCS compliance monitor (same upload body, same /status JSON), with pages, badges, a feed, webhooks and metrics."),
    paths(reports::upload, reports::list_reports, reports::report, reports::list_results, reports::approve_results,
          evaluation::status, evaluation::badge, evaluation::feed, operations::reload,
          pages::table, pages::table_full, pages::detail, pages::detail_full, pages::scope_page, pages::report_page, pages::report_full_page),
    components(schemas(crate::pages::View)),
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
        scs_web::openapi::document_malformed_parameters(openapi, "DetailError");
        scs_web::openapi::document_unauthorized(openapi, "DetailError");
    }
}

/// The OpenAPI document, with the shared routes every service has.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi().merge_from(scs_web::service::SharedRoutes::openapi())
}

/// The document as served, pretty-printed as committed.
pub fn openapi_document() -> String {
    openapi().to_pretty_json().unwrap_or_default() + "\n"
}

/// A response for a result of the store, or the generic internal error.
pub(crate) fn stored<T, E: std::fmt::Display>(what: &str, r: Result<T, E>) -> Result<T, ApiError> {
    r.map_err(|e| ApiError::internal(what, e))
}

/// Answers `T` as JSON.
pub(crate) fn json<T: Serialize>(value: T) -> Response {
    axum::Json(value).into_response()
}
