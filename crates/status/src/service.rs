// SPDX-License-Identifier: Apache-2.0
//! The status page as a `scs-web` service: its routes, document, gauges,
//! public page at `/` and webhook delivery, for `scs serve` to compose.

use crate::app::App;
use axum::Router;
use axum::routing::get;
use std::sync::Arc;

/// The status page alone, as `scs serve --service status` serves it: the
/// API, the public page at `/`, and the shared `/healthz`, `/metrics` and
/// `/openapi.json`.
pub fn router(app: App) -> Router {
    let db = app.store.db().clone();
    scs_web::compose("SCS status page", vec![Arc::new(app)], db)
}

impl scs_web::Service for App {
    fn name(&self) -> &'static str {
        "status"
    }

    fn routes(&self) -> Router {
        crate::http::routes(self.clone())
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        crate::openapi::openapi()
    }

    fn metrics(&self) -> futures::future::BoxFuture<'_, Result<scs_web::metrics::Exposition, String>> {
        Box::pin(async move { crate::metrics::render(self).await.map_err(|e| e.to_string()) })
    }

    fn index(&self) -> Option<axum::routing::MethodRouter> {
        Some(get(crate::page::index).with_state(self.clone()))
    }

    fn background(&self) -> Vec<futures::future::BoxFuture<'static, ()>> {
        vec![
            Box::pin(crate::webhooks::deliver(self.clone(), self.webhooks.clone())),
            Box::pin(prune_audit_forever(self.clone())),
            Box::pin(self.snapshots.clone().follow(self.store.db().clone())),
        ]
    }

    fn snapshots(&self) -> Option<scs_web::snapshot::Snapshots> {
        Some(self.snapshots.clone())
    }
}

/// Deletes audit rows past the retention, at start and hourly.
async fn prune_audit_forever(app: App) {
    loop {
        let retention = chrono::Duration::from_std(app.audit.retention).unwrap_or(chrono::Duration::MAX);
        let before =
            app.store.clock().now().checked_sub_signed(retention).unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        match app.store.prune_audit(&before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("status page: {n} audit entries older than the retention deleted"),
            Err(e) => tracing::error!("status page: pruning the audit log: {e}"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}
