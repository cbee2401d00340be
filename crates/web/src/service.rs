// SPDX-License-Identifier: Apache-2.0
//! The [`Service`] trait and [`compose`]: `scs serve` runs the configured
//! services on one listener and one database, and tests call the same
//! router production serves. A service brings its routes, its OpenAPI
//! document, its gauges and its background tasks; the foundation adds what
//! every service has: `/healthz`, `/metrics` (the services' gauges plus
//! request metrics), `/openapi.json` (the documents merged) and `/docs` (the
//! same for people), the request
//! metrics layer and the response headers every answer carries.

use crate::metrics::{Exposition, RequestMetrics};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use futures::future::BoxFuture;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// One HTTP service of `scs serve`.
pub trait Service: Send + Sync + 'static {
    /// Its name in messages (`monitor`, `status`).
    fn name(&self) -> &'static str;
    /// Its routes, state applied, without the shared ones.
    fn routes(&self) -> Router;
    /// Its OpenAPI document.
    fn openapi(&self) -> utoipa::openapi::OpenApi;
    /// Its gauges for `/metrics`; an error is logged and answered with 500.
    fn metrics(&self) -> BoxFuture<'_, Result<Exposition, String>>;
    /// What `/` answers when this service is the first that has an answer.
    fn index(&self) -> Option<MethodRouter> {
        None
    }
    /// Tasks that run as long as the server (re-evaluation, webhook
    /// delivery); `scs serve` spawns them, tests may.
    fn background(&self) -> Vec<BoxFuture<'static, ()>> {
        Vec::new()
    }
    /// The answers it keeps in memory, which every successful write through
    /// the API drops (see [`crate::snapshot`]).
    fn snapshots(&self) -> Option<crate::snapshot::Snapshots> {
        None
    }
}

#[derive(Clone)]
struct Shared {
    services: Arc<Vec<Arc<dyn Service>>>,
    db: scs_db::Db,
    requests: Arc<RequestMetrics>,
    document: Arc<serde_json::Value>,
    docs_page: Arc<String>,
}

/// The router serving `services` on `db`: their routes, `/` from the first
/// service with an index, and the shared routes and layers.
pub fn compose(title: &str, services: Vec<Arc<dyn Service>>, db: scs_db::Db) -> Router {
    // one service: its own document, as it describes itself; several: theirs
    // merged, with the shared routes
    let mut document = match services.as_slice() {
        [one] => one.openapi(),
        _ => {
            let info = utoipa::openapi::InfoBuilder::new().title(title).version(env!("CARGO_PKG_VERSION")).build();
            let mut d = utoipa::openapi::OpenApiBuilder::new().info(info).build();
            d.merge(<SharedRoutes as utoipa::OpenApi>::openapi());
            d
        }
    };
    let mut router = Router::new();
    let mut index = None;
    for service in &services {
        if services.len() > 1 {
            document.merge(service.openapi());
        }
        router = router.merge(service.routes());
        if index.is_none() {
            index = service.index();
        }
    }
    let document = serde_json::to_value(&document).unwrap_or_default();
    let shared = Shared {
        services: Arc::new(services),
        db,
        requests: Arc::default(),
        docs_page: Arc::new(crate::api_docs::render(&document)),
        document: Arc::new(document),
    };
    if let Some(index) = index {
        router = router.route("/", index);
    }
    let writes =
        Writes { snapshots: shared.services.iter().filter_map(|s| s.snapshots()).collect(), db: shared.db.clone() };
    router
        .merge(
            Router::new()
                .route("/healthz", get(healthz))
                .route("/metrics", get(metrics))
                .route("/openapi.json", get(openapi_json))
                .route("/docs", get(docs))
                .with_state(shared.clone()),
        )
        .layer(axum::middleware::from_fn_with_state(Arc::new(writes), after_write))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&shared.requests), crate::metrics::track))
        .layer(axum::middleware::map_response(common_headers))
}

/// What a successful write must reach: every service's kept answers, and
/// the other replicas through the database.
struct Writes {
    snapshots: Vec<crate::snapshot::Snapshots>,
    db: scs_db::Db,
}

/// After a successful write (a 2xx answer to any method but GET, HEAD and
/// OPTIONS), drops every kept answer before the writer gets its answer, so
/// it reads its own write, and announces the write to the other replicas.
async fn after_write(
    State(writes): State<Arc<Writes>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let reads =
        matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS);
    let response = next.run(request).await;
    if !reads && response.status().is_success() && !writes.snapshots.is_empty() {
        for snapshots in &writes.snapshots {
            snapshots.invalidate();
        }
        crate::snapshot::announce(&writes.db).await;
    }
    response
}

/// The content security policy of every answer that sets none itself. The
/// pages are rendered on the server: inline styles, no scripts, no forms,
/// images only from this site; nothing may frame them (clickjacking). An
/// injected `<script>` or `<base>` would not run or take effect even if an
/// escaping bug let it through.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The policy of views made to be embedded in other sites' pages (the
/// monitor's fragments): the same, but any site may frame them. They hold
/// no controls to click, so framing them risks nothing.
pub const EMBEDDABLE_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors *";

/// Headers on every answer: no content sniffing (a JSON error or an
/// uploaded text is never run as a script), and [`CONTENT_SECURITY_POLICY`]
/// with `X-Frame-Options: DENY` for browsers without `frame-ancestors`,
/// unless the handler chose a policy.
async fn common_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// `GET /healthz`'s body.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when the database does not answer.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
}

/// Liveness including the database.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses(
        (status = 200, description = "Serving, database reachable", body = Health),
        (status = 503, description = "Database unreachable (the cause is in the server log)", body = Health),
    ))]
async fn healthz(State(shared): State<Shared>) -> Response {
    let database = shared.db.backend();
    match shared.db.ping().await {
        Ok(()) => axum::Json(Health { status: "ok", database }).into_response(),
        Err(e) => {
            tracing::error!("healthz: database: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(Health { status: "unavailable", database })).into_response()
        }
    }
}

/// Prometheus metrics of every service, and request counts and latencies.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String),
        (status = 500, description = "A service's gauges could not be read (the cause is in the server log)", content_type = "text/plain", body = String),
    ))]
async fn metrics(State(shared): State<Shared>) -> Response {
    let mut out = Exposition::new();
    for service in shared.services.iter() {
        match service.metrics().await {
            Ok(gauges) => out.append(gauges),
            Err(e) => {
                tracing::error!("metrics of {}: {e}", service.name());
                let message = format!("the {} metrics could not be read\n", service.name());
                return (StatusCode::INTERNAL_SERVER_ERROR, message).into_response();
            }
        }
    }
    shared.requests.write(&mut out);
    crate::snapshot::write_metrics(&mut out, shared.services.iter().filter_map(|s| Some((s.name(), s.snapshots()?))));
    out.into_response()
}

/// This server's OpenAPI document: every running service's, merged.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json", body = Object)))]
async fn openapi_json(State(shared): State<Shared>) -> Response {
    axum::Json(shared.document.as_ref().clone()).into_response()
}

/// The OpenAPI document as a page to read (upstream's monitor has FastAPI's
/// `/docs`).
#[utoipa::path(get, path = "/docs", tag = "operations",
    responses((status = 200, description = "The API described for people", content_type = "text/html", body = String)))]
async fn docs(State(shared): State<Shared>) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], shared.docs_page.as_ref().clone()).into_response()
}

/// The shared routes' OpenAPI paths, for services that document them.
#[derive(utoipa::OpenApi)]
#[openapi(paths(healthz, metrics, openapi_json, docs), components(schemas(Health)))]
pub struct SharedRoutes;
