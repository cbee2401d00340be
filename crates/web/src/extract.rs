// SPDX-License-Identifier: Apache-2.0
//! axum's `Query` and `Path` with their rejections answered in the API's own
//! error shape. axum answers a malformed query or path in plain text
//! (`Failed to deserialize query string: …`), which is neither API's
//! documented error body; schemathesis found it (`/reports?skip=2^63`).
//! A service names its shape once, `scs_web::shaped_extractors!(Detail);`,
//! and gets `Query<T>` and `Path<T>` to use as axum's.

use crate::error::{ErrorShape, HttpError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Query parameters deserialised into `T`; a malformed query is a 400 in
/// the shape `S`.
pub async fn query<T: DeserializeOwned, S: ErrorShape, State: Send + Sync>(
    parts: &mut Parts,
    state: &State,
) -> Result<T, HttpError<S>> {
    match axum::extract::Query::<T>::from_request_parts(parts, state).await {
        Ok(axum::extract::Query(value)) => Ok(value),
        Err(rejection) => Err(HttpError::bad_request(rejection.body_text())),
    }
}

/// Path parameters deserialised into `T`; a malformed path (not UTF-8
/// after percent-decoding, a number out of range) is a 400 in the shape `S`.
pub async fn path<T: DeserializeOwned + Send, S: ErrorShape, State: Send + Sync>(
    parts: &mut Parts,
    state: &State,
) -> Result<T, HttpError<S>> {
    match axum::extract::Path::<T>::from_request_parts(parts, state).await {
        Ok(axum::extract::Path(value)) => Ok(value),
        Err(rejection) => Err(HttpError::bad_request(rejection.body_text())),
    }
}

/// Defines `Query<T>` and `Path<T>` extractors in the calling module whose
/// rejections are `HttpError<$shape>`.
#[macro_export]
macro_rules! shaped_extractors {
    ($shape:ty) => {
        /// Query parameters; a malformed query is a 400 in this API's error shape.
        pub struct Query<T>(pub T);

        impl<T, St> $crate::__private::axum::extract::FromRequestParts<St> for Query<T>
        where
            T: $crate::__private::serde::de::DeserializeOwned,
            St: Send + Sync,
        {
            type Rejection = $crate::HttpError<$shape>;

            async fn from_request_parts(
                parts: &mut $crate::__private::axum::http::request::Parts,
                state: &St,
            ) -> Result<Self, Self::Rejection> {
                $crate::extract::query(parts, state).await.map(Query)
            }
        }

        /// Path parameters; a malformed path is a 400 in this API's error shape.
        pub struct Path<T>(pub T);

        impl<T, St> $crate::__private::axum::extract::FromRequestParts<St> for Path<T>
        where
            T: $crate::__private::serde::de::DeserializeOwned + Send,
            St: Send + Sync,
        {
            type Rejection = $crate::HttpError<$shape>;

            async fn from_request_parts(
                parts: &mut $crate::__private::axum::http::request::Parts,
                state: &St,
            ) -> Result<Self, Self::Rejection> {
                $crate::extract::path(parts, state).await.map(Path)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::error::Detail;
    use axum::response::IntoResponse;

    #[derive(serde::Deserialize)]
    struct Paging {
        #[allow(dead_code)] // read by serde only
        skip: i64,
    }

    #[tokio::test]
    async fn a_malformed_query_is_answered_in_the_apis_shape() {
        let request =
            axum::http::Request::builder().uri("/reports?skip=9223372036854775808").body(()).unwrap_or_default();
        let (mut parts, ()) = request.into_parts();
        let Err(e) = super::query::<Paging, Detail, ()>(&mut parts, &()).await else { panic!("2^63 is no i64") };
        let response = e.into_response();
        assert_eq!(response.status(), 400);
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert!(body["detail"].as_str().is_some_and(|d| d.contains("skip")), "{body}");
    }
}
