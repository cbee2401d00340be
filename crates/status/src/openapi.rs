// SPDX-License-Identifier: Apache-2.0
//! The OpenAPI document of the status page API (3.1, from the handlers'
//! annotations): a superset of status-page-openapi v1.1.2's paths and
//! operations, plus the audit log and the documented error answers.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "SCS status page API", description = "status-page-openapi v1.1.2 compatible; writes need a bearer token"),
    paths(
        crate::http::get_phases, crate::http::create_phases,
        crate::http::get_impact_types, crate::http::create_impact_type, crate::http::get_impact_type,
        crate::http::update_impact_type, crate::http::delete_impact_type,
        crate::http::get_severities, crate::http::create_severity, crate::http::get_severity,
        crate::http::update_severity, crate::http::delete_severity,
        crate::http::get_components, crate::http::create_component, crate::http::get_component,
        crate::http::update_component, crate::http::delete_component,
        crate::http::get_incidents, crate::http::create_incident, crate::http::get_incident,
        crate::http::update_incident, crate::http::delete_incident,
        crate::http::get_updates, crate::http::create_update, crate::http::get_update,
        crate::http::patch_update, crate::http::delete_update,
        crate::http::audit_log,
    ),
    modifiers(&BearerAuth),
    tags((name = "phase"), (name = "impact"), (name = "component"), (name = "incident"), (name = "admin"))
)]
struct ApiDoc;

/// Writes and the audit log need a bearer token (`scs status token create`
/// or an OIDC JWT); reads are public. Declared here once for every write
/// operation, so a new write handler cannot forget it.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("A token from `scs status token create`, or an OIDC JWT where OIDC is configured"))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
        for (path, item) in openapi.paths.paths.iter_mut() {
            let writes = [&mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            for operation in writes.into_iter().flatten() {
                // the write guard answers these for every write, before the handler
                let responses = &mut operation.responses.responses;
                for (status, description) in [
                    ("401", "No, a wrong or a revoked token"),
                    ("413", "The body is larger than the status page's max_body"),
                    ("503", "The token could not be checked (the OIDC provider is unreachable)"),
                ] {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| scs_web::openapi::error_response(description, "MessageError").into());
                }
                operation.security = Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
            }
            if let (true, Some(operation)) = (path == "/auditlog", &mut item.get) {
                operation.security = Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
            }
        }
        scs_web::openapi::document_malformed_parameters(openapi, "MessageError");
    }
}

/// The document as JSON.
pub fn document() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

/// The typed document, for merging with the other services' documents.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
