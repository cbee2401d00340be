// SPDX-License-Identifier: Apache-2.0
//! Webhook subscriptions: every incident event (create, update, resolve,
//! re-open, delete, new update) is POSTed as JSON to each configured URL,
//! signed with HMAC-SHA256 in `X-SCS-Signature-256: sha256=HEX` when a
//! secret is set. The events table is the outbox: an event is claimed for a
//! lease, retried with backoff (2 s … 128 s) until every receiver answered
//! 2xx, and given up after [`MAX_ATTEMPTS`]. At least once: receivers drop
//! duplicates by `id` (also in `X-SCS-Delivery`).

use crate::http::App;
use std::time::Duration;

/// Attempts before an event is given up on.
pub const MAX_ATTEMPTS: i64 = 8;

/// One receiver (`[[status.webhook]]` in the serve config).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Where events are POSTed.
    pub url: String,
    /// Shared secret for the signature.
    #[serde(default)]
    pub secret: Option<String>,
}

/// Delivers events until the process ends.
pub async fn deliver_forever(app: App, hooks: Vec<Webhook>) {
    if hooks.is_empty() {
        return;
    }
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("status webhooks disabled: no HTTP client: {e}");
            return;
        }
    };
    loop {
        match deliver_some(&app, &client, &hooks).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!("status webhooks: {e}"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn deliver_some(
    app: &App,
    client: &reqwest::Client,
    hooks: &[Webhook],
) -> Result<bool, crate::store::StoreError> {
    let events = app.store.claim_events(16, 60).await?;
    if events.is_empty() {
        return Ok(false);
    }
    for event in events {
        let payload = serde_json::json!({
            "id": event.id,
            "event": event.kind,
            "at": crate::model::format_time(&event.at),
            "incident": serde_json::from_str::<serde_json::Value>(&event.payload).unwrap_or_default(),
        });
        let body = payload.to_string().into_bytes();
        let mut failed = Vec::new();
        for hook in hooks {
            let mut request = client
                .post(&hook.url)
                .header("content-type", "application/json")
                .header("x-scs-event", &event.kind)
                .header("x-scs-delivery", event.id.to_string());
            if let Some(secret) = &hook.secret {
                request = request.header("x-scs-signature-256", scs_signing::hmac::signature(secret, &body));
            }
            match request.body(body.clone()).send().await {
                Ok(r) if r.status().is_success() => {}
                Ok(r) => failed.push(format!("{}: HTTP {}", hook.url, r.status())),
                Err(e) => failed.push(format!("{}: {e}", hook.url)),
            }
        }
        if failed.is_empty() {
            app.store.finish_event(event.id, 1).await?;
        } else if event.attempts + 1 >= MAX_ATTEMPTS {
            tracing::error!(
                "status webhooks: giving up on event {} after {MAX_ATTEMPTS} attempts: {}",
                event.id,
                failed.join("; ")
            );
            app.store.finish_event(event.id, 2).await?;
        } else {
            let wait = 1i64 << (event.attempts + 1).clamp(1, 7);
            tracing::warn!(
                "status webhooks: event {} not delivered, retry in {wait} s: {}",
                event.id,
                failed.join("; ")
            );
            app.store.retry_event(event.id, wait).await?;
        }
    }
    Ok(true)
}
