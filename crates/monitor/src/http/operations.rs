// SPDX-License-Identifier: Apache-2.0
//! Administration: reloading accounts and templates. `/healthz`, `/metrics`
//! and `/openapi.json` are the shared routes of `scs-web`.

use super::{Admin, ApiError, Authenticated, DetailError, json};
use crate::app::App;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

/// `POST /admin/reload` success.
#[derive(Serialize, ToSchema)]
pub struct Reloaded {
    /// Accounts now loaded.
    pub accounts: usize,
}

/// Reload the accounts file and the templates (as SIGHUP does).
#[utoipa::path(post, path = "/admin/reload", tag = "operations", security(("basic" = [])),
    responses(
        (status = 200, description = "Reloaded", body = Reloaded),
        (status = 400, description = "The accounts file or a template is invalid; nothing changed", body = DetailError),
        (status = 401, description = "No or wrong HTTP Basic credentials", body = DetailError),
        (status = 403, description = "Needs admin", body = DetailError),
    ))]
pub(crate) async fn reload(State(app): State<App>, _admin: Authenticated<Admin>) -> Result<Response, ApiError> {
    let accounts = app.reload_accounts().await.map_err(|e| ApiError::bad_request(format!("{e:#}")))?;
    app.reload_templates().map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(json(Reloaded { accounts }))
}
