// SPDX-License-Identifier: Apache-2.0
//! What every service's OpenAPI document says the same way: the answers
//! that come from the foundation rather than from a handler. Every
//! operation with a path or query parameter may answer 400 for a malformed
//! one ([`crate::extract`]); documenting it per handler was forgotten in
//! several (schemathesis found the undocumented 400s).

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, Response, ResponseBuilder};

/// A JSON error response whose body is the schema `error_schema`.
pub fn error_response(description: &str, error_schema: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name(error_schema))).build())
        .build()
}

/// Every operation of `item`.
pub fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// Adds a 400 with `error_schema` to every operation that takes
/// parameters and does not document one.
pub fn document_malformed_parameters(openapi: &mut OpenApi, error_schema: &str) {
    for item in openapi.paths.paths.values_mut() {
        for operation in operations(item) {
            if operation.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                operation
                    .responses
                    .responses
                    .entry("400".to_owned())
                    .or_insert_with(|| error_response("A malformed path or query parameter", error_schema).into());
            }
        }
    }
}

/// Adds a 401 with `error_schema` to every operation that names a security
/// scheme and does not document one: the credential extractors answer it
/// before the handler runs.
pub fn document_unauthorized(openapi: &mut OpenApi, error_schema: &str) {
    for item in openapi.paths.paths.values_mut() {
        for operation in operations(item) {
            if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                operation
                    .responses
                    .responses
                    .entry("401".to_owned())
                    .or_insert_with(|| error_response("No, or wrong, credentials", error_schema).into());
            }
        }
    }
}
