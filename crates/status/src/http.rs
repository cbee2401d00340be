// SPDX-License-Identifier: Apache-2.0
//! The HTTP API of status-page-openapi v1.1.2: same paths, envelopes and
//! status codes as the spec, so upstream's web front end and scripts work
//! unchanged. Errors are `{"message": "..."}` (the Go server's shape) and
//! always say what is wrong; nothing is written when a request is refused.

use crate::app::{ApiError, App, MessageError};

// `Query` and `Path` answering a malformed parameter `{"message": …}`
scs_web::shaped_extractors!(scs_web::Message);
use crate::auth::{self, Actor, AuthError, authenticate};
use crate::model::{
    self, Component, ComponentIn, ImpactType, ImpactTypeIn, Incident, IncidentIn, Invalid, PhaseList, PhaseListIn,
    Severity, SeverityIn, Update, UpdateIn,
};
use crate::store::AuditEntry;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use scs_web::snapshot::{Read, Rendered};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

type ApiResult<T> = Result<T, ApiError>;

/// `{"data": …}`, the envelope of every GET.
#[derive(Serialize, ToSchema)]
pub struct Data<T> {
    /// The payload.
    pub data: T,
}

fn data<T: Serialize>(value: T) -> Json<Data<T>> {
    Json(Data { data: value })
}

/// A read answered from the kept snapshot: `value` wrapped as `{"data": …}`,
/// rendered once until a write (or `valid_until`).
fn kept<T: Serialize>(value: T, valid_until: Option<chrono::DateTime<Utc>>) -> ApiResult<Rendered> {
    let body = serde_json::to_vec(&Data { data: value }).map_err(|e| ApiError::internal("encoding the answer", e))?;
    Ok(Rendered::json(body, valid_until))
}

/// `201 {"id": …}`.
#[derive(Serialize, ToSchema)]
pub struct IdBody {
    /// The new resource's id.
    pub id: String,
}

/// `201 {"generation": …}`.
#[derive(Serialize, ToSchema)]
pub struct GenerationBody {
    /// The new generation.
    pub generation: i64,
}

/// `201 {"order": …}`.
#[derive(Serialize, ToSchema)]
pub struct OrderBody {
    /// The new update's order.
    pub order: i64,
}

/// The API's routes (without `/`, `/healthz`, `/metrics`, `/openapi.json`,
/// which `scs serve` shares between services).
pub fn routes(app: App) -> Router {
    let cors = cors(&app.cors_origins);
    let router = Router::new()
        .route("/phases", get(get_phases).post(create_phases))
        .route("/impacttypes", get(get_impact_types).post(create_impact_type))
        .route("/impacttypes/{impactTypeId}", get(get_impact_type).patch(update_impact_type).delete(delete_impact_type))
        .route("/severities", get(get_severities).post(create_severity))
        .route("/severities/{severityName}", get(get_severity).patch(update_severity).delete(delete_severity))
        .route("/components", get(get_components).post(create_component))
        .route("/components/{componentId}", get(get_component).patch(update_component).delete(delete_component))
        .route("/incidents", get(get_incidents).post(create_incident))
        .route("/incidents/{incidentId}", get(get_incident).patch(update_incident).delete(delete_incident))
        .route("/incidents/{incidentId}/updates", get(get_updates).post(create_update))
        .route(
            "/incidents/{incidentId}/updates/{updateOrder}",
            get(get_update).patch(patch_update).delete(delete_update),
        )
        .route("/auditlog", get(audit_log))
        .route("/incidents.atom", get(crate::feed::atom))
        .route("/incident/{id}", get(crate::page::incident_page))
        .layer(middleware::from_fn_with_state(app.clone(), guard_writes))
        // the guard answers oversized bodies with a JSON error; this keeps the
        // handlers' extractor from applying its own, smaller default
        .layer(axum::extract::DefaultBodyLimit::max(app.max_body))
        .with_state(app);
    match cors {
        Some(layer) => router.layer(layer),
        None => router,
    }
}

/// CORS for the configured origins: the methods and headers the web front
/// end uses, bearer tokens in the `Authorization` header (no cookies).
fn cors(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let origins: Vec<HeaderValue> =
        origins.iter().filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()).collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// Authenticates every write, refuses oversized bodies with a JSON error and
/// records the write (or the refusal) in the audit log.
async fn guard_writes(State(app): State<App>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let method = crate::store::cut(request.method().as_str(), 16);
    let path = request.uri().path().to_owned();
    let actor = auth::authenticate(&app.store, app.oidc.as_deref(), request.headers()).await;
    let (parts, body) = request.into_parts();
    let (actor, response, body) = match actor {
        Err(e) => {
            let status = if matches!(e, auth::AuthError::Unavailable(_)) {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::UNAUTHORIZED
            };
            ("anonymous".to_owned(), ApiError::new(status, e.to_string()).closing().into_response(), String::new())
        }
        Ok(Actor { name, .. }) => match axum::body::to_bytes(body, app.max_body).await {
            Err(_) => (name, ApiError::too_large(app.max_body).into_response(), String::new()),
            Ok(bytes) => {
                // the audit log keeps the first 4 KiB; copy no more than that
                let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4100)]).into_owned();
                let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
                (name, response, text)
            }
        },
    };
    let anonymous = actor == "anonymous";
    if !anonymous || app.audit.admit_refusal() {
        // an anonymous path is the attacker's text: keep its start only
        let path = if anonymous { crate::store::cut(&path, crate::app::AUDIT_PATH_BYTES) } else { path };
        if let Err(e) = app.store.audit(&actor, &method, &path, response.status().as_u16(), &body).await {
            tracing::error!("status page: audit log: {e}");
        }
    }
    if response.status().is_success() {
        // a write records its event in the same transaction
        app.events_pending.notify_one();
    }
    response
}

fn query_time(q: &HashMap<String, String>, name: &str) -> ApiResult<Option<chrono::DateTime<Utc>>> {
    q.get(name).map(|v| model::parse_time(name, v)).transpose().map_err(Into::into)
}

fn update_order(value: &str) -> ApiResult<i64> {
    value.parse::<u32>().map(i64::from).map_err(|_| {
        ApiError::new(StatusCode::BAD_REQUEST, format!("updateOrder: {value:?} is not a non-negative integer"))
    })
}

fn created<T: Serialize>(value: T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

const NO_CONTENT: StatusCode = StatusCode::NO_CONTENT;

// ----- phases -----

#[utoipa::path(get, path = "/phases", operation_id = "getPhaseList", tag = "phase",
    params(("generation" = Option<i64>, Query, description = "A generation (default: the newest)")),
    responses((status = 200, body = Data<PhaseList>), (status = 400, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn get_phases(
    State(app): State<App>,
    read: Read,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let generation = match q.get("generation") {
        Some(g) => Some(
            g.parse::<i64>()
                .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, format!("generation: {g:?} is not an integer")))?,
        ),
        None => None,
    };
    read.answer(&app.snapshots, app.store.clock().now(), async { kept(app.store.phases(generation).await?, None) })
        .await
}

#[utoipa::path(post, path = "/phases", operation_id = "createPhaseList", tag = "phase",
    request_body(content = inline(serde_json::Value), description = "`{\"phases\": [names]}`"),
    responses((status = 201, body = GenerationBody), (status = 400, body = MessageError), (status = 401, body = MessageError)))]
pub(crate) async fn create_phases(State(app): State<App>, body: Bytes) -> ApiResult<Response> {
    let body: PhaseListIn = model::parse_body(&body)?;
    body.validate()?;
    Ok(created(GenerationBody { generation: app.store.create_phases(&body.phases).await? }))
}

// ----- impact types -----

#[utoipa::path(get, path = "/impacttypes", operation_id = "getImpactTypes", tag = "impact",
    responses((status = 200, body = Data<Vec<ImpactType>>)))]
pub(crate) async fn get_impact_types(State(app): State<App>, read: Read) -> ApiResult<Response> {
    read.answer(&app.snapshots, app.store.clock().now(), async { kept(app.store.impact_types().await?, None) }).await
}

#[utoipa::path(post, path = "/impacttypes", operation_id = "createImpactType", tag = "impact",
    request_body(content = inline(serde_json::Value), description = "`{displayName, description}`"),
    responses((status = 201, body = IdBody), (status = 400, body = MessageError), (status = 401, body = MessageError)))]
pub(crate) async fn create_impact_type(State(app): State<App>, body: Bytes) -> ApiResult<Response> {
    let body: ImpactTypeIn = model::parse_body(&body)?;
    body.validate(true)?;
    let id = app
        .store
        .create_impact_type(
            body.display_name.as_deref().unwrap_or_default(),
            body.description.as_deref().unwrap_or_default(),
        )
        .await?;
    Ok(created(IdBody { id }))
}

#[utoipa::path(get, path = "/impacttypes/{impactTypeId}", operation_id = "getImpactType", tag = "impact",
    params(("impactTypeId" = String, Path, description = "A uuid")),
    responses((status = 200, body = Data<ImpactType>), (status = 400, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn get_impact_type(State(app): State<App>, read: Read, Path(id): Path<String>) -> ApiResult<Response> {
    read.answer(&app.snapshots, app.store.clock().now(), async { kept(app.store.impact_type(&id).await?, None) }).await
}

#[utoipa::path(patch, path = "/impacttypes/{impactTypeId}", operation_id = "updateImpactType", tag = "impact",
    params(("impactTypeId" = String, Path, description = "A uuid")),
    request_body(content = inline(serde_json::Value), description = "`{displayName, description}`, each optional"),
    responses((status = 204), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn update_impact_type(
    State(app): State<App>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let body: ImpactTypeIn = model::parse_body(&body)?;
    body.validate(false)?;
    app.store.update_impact_type(&id, body.display_name.as_deref(), body.description.as_deref()).await?;
    Ok(NO_CONTENT)
}

#[utoipa::path(delete, path = "/impacttypes/{impactTypeId}", operation_id = "deleteImpactType", tag = "impact",
    params(("impactTypeId" = String, Path, description = "A uuid")),
    responses((status = 204), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 404, body = MessageError), (status = 409, body = MessageError)))]
pub(crate) async fn delete_impact_type(State(app): State<App>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    app.store.delete_impact_type(&id).await?;
    Ok(NO_CONTENT)
}

// ----- severities -----

#[utoipa::path(get, path = "/severities", operation_id = "getSeverities", tag = "impact",
    responses((status = 200, body = Data<Vec<Severity>>)))]
pub(crate) async fn get_severities(State(app): State<App>, read: Read) -> ApiResult<Response> {
    read.answer(&app.snapshots, app.store.clock().now(), async { kept(app.store.severities().await?, None) }).await
}

#[utoipa::path(post, path = "/severities", operation_id = "createSeverity", tag = "impact",
    request_body(content = inline(serde_json::Value), description = "`{displayName, value}`, value 0..100"),
    responses((status = 204), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 409, body = MessageError)))]
pub(crate) async fn create_severity(State(app): State<App>, body: Bytes) -> ApiResult<StatusCode> {
    let body: SeverityIn = model::parse_body(&body)?;
    body.validate(true)?;
    app.store.create_severity(body.display_name.as_deref().unwrap_or_default(), body.value.unwrap_or_default()).await?;
    Ok(NO_CONTENT)
}

#[utoipa::path(get, path = "/severities/{severityName}", operation_id = "getSeverity", tag = "impact",
    params(("severityName" = String, Path)),
    responses((status = 200, body = Data<Severity>), (status = 404, body = MessageError)))]
pub(crate) async fn get_severity(State(app): State<App>, read: Read, Path(name): Path<String>) -> ApiResult<Response> {
    read.answer(&app.snapshots, app.store.clock().now(), async { kept(app.store.severity(&name).await?, None) }).await
}

#[utoipa::path(patch, path = "/severities/{severityName}", operation_id = "updateSeverity", tag = "impact",
    params(("severityName" = String, Path)),
    request_body(content = inline(serde_json::Value), description = "`{displayName, value}`, each optional"),
    responses((status = 204), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 404, body = MessageError), (status = 409, body = MessageError)))]
pub(crate) async fn update_severity(
    State(app): State<App>,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let body: SeverityIn = model::parse_body(&body)?;
    body.validate(false)?;
    app.store.update_severity(&name, body.display_name.as_deref(), body.value).await?;
    Ok(NO_CONTENT)
}

#[utoipa::path(delete, path = "/severities/{severityName}", operation_id = "deleteSeverity", tag = "impact",
    params(("severityName" = String, Path)),
    responses((status = 204), (status = 401, body = MessageError), (status = 404, body = MessageError), (status = 409, body = MessageError)))]
pub(crate) async fn delete_severity(State(app): State<App>, Path(name): Path<String>) -> ApiResult<StatusCode> {
    app.store.delete_severity(&name).await?;
    Ok(NO_CONTENT)
}

// ----- components -----

#[utoipa::path(get, path = "/components", operation_id = "getComponents", tag = "component",
    params(("at" = Option<String>, Query, format = DateTime, description = "Show the impacts active at this time (default: now)")),
    responses((status = 200, body = Data<Vec<Component>>), (status = 400, body = MessageError)))]
pub(crate) async fn get_components(
    State(app): State<App>,
    read: Read,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let now = app.store.clock().now();
    let asked = query_time(&q, "at")?;
    read.answer(&app.snapshots, now, async {
        // without `at`, the active impacts change when an incident begins or ends
        let until = if asked.is_none() { app.store.next_change_after(now).await? } else { None };
        kept(app.store.components(asked.unwrap_or(now)).await?, until)
    })
    .await
}

#[utoipa::path(post, path = "/components", operation_id = "createComponent", tag = "component",
    request_body(content = inline(serde_json::Value), description = "`{displayName, labels}`"),
    responses((status = 201, body = IdBody), (status = 400, body = MessageError), (status = 401, body = MessageError)))]
pub(crate) async fn create_component(State(app): State<App>, body: Bytes) -> ApiResult<Response> {
    let body: ComponentIn = model::parse_body(&body)?;
    body.validate(true)?;
    let id = app
        .store
        .create_component(body.display_name.as_deref().unwrap_or_default(), &body.labels.unwrap_or_default())
        .await?;
    Ok(created(IdBody { id }))
}

#[utoipa::path(get, path = "/components/{componentId}", operation_id = "getComponent", tag = "component",
    params(("componentId" = String, Path, description = "A uuid"), ("at" = Option<String>, Query, format = DateTime)),
    responses((status = 200, body = Data<Component>), (status = 400, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn get_component(
    State(app): State<App>,
    read: Read,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let now = app.store.clock().now();
    let asked = query_time(&q, "at")?;
    read.answer(&app.snapshots, now, async {
        let until = if asked.is_none() { app.store.next_change_after(now).await? } else { None };
        kept(app.store.component(&id, asked.unwrap_or(now)).await?, until)
    })
    .await
}

#[utoipa::path(patch, path = "/components/{componentId}", operation_id = "updateComponent", tag = "component",
    params(("componentId" = String, Path, description = "A uuid")),
    request_body(content = inline(serde_json::Value), description = "`{displayName, labels}`, each optional; labels replace"),
    responses((status = 204), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn update_component(
    State(app): State<App>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let body: ComponentIn = model::parse_body(&body)?;
    body.validate(false)?;
    app.store.update_component(&id, body.display_name.as_deref(), body.labels.as_ref()).await?;
    Ok(NO_CONTENT)
}

#[utoipa::path(delete, path = "/components/{componentId}", operation_id = "deleteComponent", tag = "component",
    params(("componentId" = String, Path, description = "A uuid")),
    responses((status = 204), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn delete_component(State(app): State<App>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    app.store.delete_component(&id).await?;
    Ok(NO_CONTENT)
}

// ----- incidents -----

#[utoipa::path(get, path = "/incidents", operation_id = "getIncidents", tag = "incident",
    params(("start" = String, Query, format = DateTime), ("end" = String, Query, format = DateTime)),
    responses((status = 200, body = Data<Vec<Incident>>), (status = 400, body = MessageError)))]
pub(crate) async fn get_incidents(
    State(app): State<App>,
    read: Read,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let start = query_time(&q, "start")?.ok_or_else(|| Invalid("start: required (RFC 3339 date-time)".into()))?;
    let end = query_time(&q, "end")?.ok_or_else(|| Invalid("end: required (RFC 3339 date-time)".into()))?;
    if end < start {
        return Err(Invalid(format!(
            "end: {} is before start {}",
            model::format_time(&end),
            model::format_time(&start)
        ))
        .into());
    }
    read.answer(&app.snapshots, app.store.clock().now(), async { kept(app.store.incidents(start, end).await?, None) })
        .await
}

#[utoipa::path(post, path = "/incidents", operation_id = "createIncident", tag = "incident",
    request_body(content = inline(serde_json::Value), description = "`{displayName, description, beganAt, endedAt, phase, affects}`"),
    responses((status = 201, body = IdBody), (status = 400, body = MessageError), (status = 401, body = MessageError)))]
pub(crate) async fn create_incident(State(app): State<App>, body: Bytes) -> ApiResult<Response> {
    let body: IncidentIn = model::parse_body(&body)?;
    Ok(created(IdBody { id: app.store.create_incident(&body).await? }))
}

#[utoipa::path(get, path = "/incidents/{incidentId}", operation_id = "getIncident", tag = "incident",
    params(("incidentId" = String, Path, description = "A uuid")),
    responses((status = 200, body = Data<Incident>), (status = 400, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn get_incident(State(app): State<App>, read: Read, Path(id): Path<String>) -> ApiResult<Response> {
    read.answer(&app.snapshots, app.store.clock().now(), async { kept(app.store.incident(&id).await?, None) }).await
}

#[utoipa::path(patch, path = "/incidents/{incidentId}", operation_id = "updateIncident", tag = "incident",
    params(("incidentId" = String, Path, description = "A uuid")),
    request_body(content = inline(serde_json::Value), description = "Fields to change; `endedAt: null` re-opens; `affects` replaces"),
    responses((status = 204), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn update_incident(
    State(app): State<App>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let body: IncidentIn = model::parse_body(&body)?;
    app.store.update_incident(&id, &body).await?;
    Ok(NO_CONTENT)
}

#[utoipa::path(delete, path = "/incidents/{incidentId}", operation_id = "deleteIncident", tag = "incident",
    params(("incidentId" = String, Path, description = "A uuid")),
    responses((status = 204), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn delete_incident(State(app): State<App>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    app.store.delete_incident(&id).await?;
    Ok(NO_CONTENT)
}

// ----- incident updates -----

#[utoipa::path(get, path = "/incidents/{incidentId}/updates", operation_id = "getIncidentUpdates", tag = "incident",
    params(("incidentId" = String, Path, description = "A uuid")),
    responses((status = 200, body = Data<Vec<Update>>), (status = 400, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn get_updates(State(app): State<App>, read: Read, Path(id): Path<String>) -> ApiResult<Response> {
    read.answer(&app.snapshots, app.store.clock().now(), async { kept(app.store.updates(&id).await?, None) }).await
}

#[utoipa::path(post, path = "/incidents/{incidentId}/updates", operation_id = "createIncidentUpdate", tag = "incident",
    params(("incidentId" = String, Path, description = "A uuid")),
    request_body(content = inline(serde_json::Value), description = "`{displayName, description, createdAt}`"),
    responses((status = 201, body = OrderBody), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn create_update(State(app): State<App>, Path(id): Path<String>, body: Bytes) -> ApiResult<Response> {
    let body: UpdateIn = model::parse_body(&body)?;
    body.validate(true)?;
    Ok(created(OrderBody { order: app.store.create_update(&id, &body).await? }))
}

#[utoipa::path(get, path = "/incidents/{incidentId}/updates/{updateOrder}", operation_id = "getIncidentUpdate", tag = "incident",
    params(("incidentId" = String, Path, description = "A uuid"), ("updateOrder" = i64, Path, minimum = 0)),
    responses((status = 200, body = Data<Update>), (status = 400, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn get_update(
    State(app): State<App>,
    read: Read,
    Path((id, order)): Path<(String, String)>,
) -> ApiResult<Response> {
    let order = update_order(&order)?;
    read.answer(&app.snapshots, app.store.clock().now(), async { kept(app.store.update(&id, order).await?, None) })
        .await
}

#[utoipa::path(patch, path = "/incidents/{incidentId}/updates/{updateOrder}", operation_id = "updateIncidentUpdate", tag = "incident",
    params(("incidentId" = String, Path, description = "A uuid"), ("updateOrder" = i64, Path, minimum = 0)),
    request_body(content = inline(serde_json::Value), description = "Fields to change"),
    responses((status = 204), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn patch_update(
    State(app): State<App>,
    Path((id, order)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let order = update_order(&order)?;
    let body: UpdateIn = model::parse_body(&body)?;
    body.validate(false)?;
    app.store.patch_update(&id, order, &body).await?;
    Ok(NO_CONTENT)
}

#[utoipa::path(delete, path = "/incidents/{incidentId}/updates/{updateOrder}", operation_id = "deleteIncidentUpdate", tag = "incident",
    params(("incidentId" = String, Path, description = "A uuid"), ("updateOrder" = i64, Path, minimum = 0)),
    responses((status = 204), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 404, body = MessageError)))]
pub(crate) async fn delete_update(
    State(app): State<App>,
    Path((id, order)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    app.store.delete_update(&id, update_order(&order)?).await?;
    Ok(NO_CONTENT)
}

// ----- audit -----

#[utoipa::path(get, path = "/auditlog", operation_id = "getAuditLog", tag = "admin",
    params(("limit" = Option<i64>, Query, description = "Newest entries (default 100, at most 10000)")),
    responses((status = 200, body = Data<Vec<AuditEntry>>), (status = 400, body = MessageError), (status = 401, body = MessageError), (status = 403, body = MessageError)))]
pub(crate) async fn audit_log(
    State(app): State<App>,
    _admin: Admin,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Data<Vec<AuditEntry>>>> {
    let limit = match q.get("limit") {
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=10_000).contains(l))
            .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, format!("limit: {l:?} is not in 1..10000")))?,
        None => 100,
    };
    Ok(data(app.store.audit_log(limit).await?))
}

/// An actor that may read the audit log, as an extractor: a request
/// without valid credentials is refused with 401, a writer without the
/// admin right with 403, before the handler runs.
#[derive(Debug, Clone)]
pub struct Admin(pub Actor);

impl axum::extract::FromRequestParts<App> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, app: &App) -> Result<Self, Self::Rejection> {
        let actor = authenticate(&app.store, app.oidc.as_deref(), &parts.headers).await.map_err(|e| match e {
            AuthError::Unavailable(_) => ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
            e => ApiError::unauthorized(e.to_string()),
        })?;
        if !actor.admin {
            return Err(ApiError::forbidden(format!("{} may write but not read the audit log", actor.name)));
        }
        Ok(Self(actor))
    }
}
