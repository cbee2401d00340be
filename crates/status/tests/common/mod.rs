// SPDX-License-Identifier: Apache-2.0
//! Helpers of the status page's tests.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // test code

/// Serves `app` with the router `scs serve` serves, on a free loopback
/// port; returns its base URL.
pub async fn serve(app: scs_status::App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, scs_status::router(app)).await.unwrap() });
    base
}
