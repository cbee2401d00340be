// SPDX-License-Identifier: Apache-2.0
//! One HTTP error type for every service. The body's shape is the API's
//! own (the monitor answers `{"detail": …}` as upstream's FastAPI server,
//! the status page `{"message": …}` as status-page-openapi's Go server), so
//! the shape is a type parameter rather than a second error type.
//!
//! Internal failures (a database error, a template that does not render) are
//! logged with their cause and answered with a generic message: a driver's
//! text names tables, hosts and queries and is none of the client's business.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::fmt::Display;
use std::marker::PhantomData;
use utoipa::ToSchema;

/// How an API shapes its error bodies and challenges.
pub trait ErrorShape: Send + Sync + 'static {
    /// The JSON body carrying `message`.
    fn body(message: String) -> serde_json::Value;
    /// The `WWW-Authenticate` challenge of a 401 (`Basic`, `Bearer`).
    const CHALLENGE: &'static str;
}

/// `{"detail": …}` with an HTTP Basic challenge: the compliance monitor.
#[derive(Debug, Clone, Copy)]
pub struct Detail;

impl ErrorShape for Detail {
    fn body(message: String) -> serde_json::Value {
        serde_json::json!({ "detail": message })
    }
    const CHALLENGE: &'static str = "Basic";
}

/// `{"message": …}` with a bearer challenge: the status page.
#[derive(Debug, Clone, Copy)]
pub struct Message;

impl ErrorShape for Message {
    fn body(message: String) -> serde_json::Value {
        serde_json::json!({ "message": message })
    }
    const CHALLENGE: &'static str = "Bearer";
}

/// The [`Detail`] body in OpenAPI documents. Each shape has a schema name
/// of its own: `scs serve` merges the services' documents, and two schemas
/// of one name would give one service's errors the other's shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct DetailError {
    /// What went wrong.
    pub detail: String,
}

/// The [`Message`] body in OpenAPI documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageError {
    /// What is wrong.
    pub message: String,
}

/// An error answer: a status, a message the client may read, and whether
/// the connection must close (the request's body was left unread).
pub struct HttpError<S> {
    status: StatusCode,
    message: String,
    close: bool,
    shape: PhantomData<S>,
}

impl<S> std::fmt::Debug for HttpError<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpError").field("status", &self.status).field("message", &self.message).finish()
    }
}

impl<S: ErrorShape> HttpError<S> {
    /// An answer with `status` and a message the client may read.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), close: false, shape: PhantomData }
    }

    /// 400: the request is malformed; `message` says where.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401 with the API's challenge.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 403: authenticated, but not allowed.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 413, closing the connection (the rest of the body stays unread).
    pub fn too_large(limit: usize) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, format!("the request body is larger than {limit} bytes")).closing()
    }

    /// 500: logs `what` failed because of `cause`; the client learns only
    /// that `what` failed.
    pub fn internal(what: &str, cause: impl Display) -> Self {
        tracing::error!("{what}: {cause:#}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: {what} failed; the server log has the cause"),
        )
    }

    /// 503: logs the cause; the client learns that `what` is unavailable.
    pub fn unavailable(what: &str, cause: impl Display) -> Self {
        tracing::error!("{what}: {cause:#}");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, format!("{what} is unavailable; try again later"))
    }

    /// Answers `Connection: close`: for refusals before or while the body is
    /// read, whose unread rest would otherwise be taken for the next
    /// request on a kept-alive connection.
    #[must_use]
    pub fn closing(mut self) -> Self {
        self.close = true;
        self
    }

    /// The status answered.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message the client reads.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl<S: ErrorShape> IntoResponse for HttpError<S> {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(S::body(self.message))).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(S::CHALLENGE));
        }
        if self.close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap_or_default()
    }

    #[tokio::test]
    async fn each_api_gets_its_own_body_shape_and_challenge() {
        let r = HttpError::<Detail>::unauthorized("HTTP Basic credentials required").into_response();
        assert_eq!(r.headers()[header::WWW_AUTHENTICATE], "Basic");
        assert_eq!(body(r).await, serde_json::json!({"detail": "HTTP Basic credentials required"}));
        let r = HttpError::<Message>::unauthorized("no token").into_response();
        assert_eq!(r.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(body(r).await, serde_json::json!({"message": "no token"}));
    }

    #[tokio::test]
    async fn internal_causes_stay_in_the_log() {
        let cause = "error returned from database: relation \"report\" does not exist";
        let r = HttpError::<Detail>::internal("reading the report", cause).into_response();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let text = body(r).await.to_string();
        assert!(text.contains("reading the report failed") && !text.contains("relation"), "{text}");
    }

    #[tokio::test]
    async fn an_unread_body_closes_the_connection() {
        let r = HttpError::<Message>::too_large(1024).into_response();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.headers()[header::CONNECTION], "close");
        assert!(HttpError::<Message>::not_found("x").into_response().headers().get(header::CONNECTION).is_none());
    }
}
