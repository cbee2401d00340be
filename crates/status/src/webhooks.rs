// SPDX-License-Identifier: Apache-2.0
//! Webhook subscriptions: every incident event (create, update, resolve,
//! re-open, delete, new update) is POSTed as JSON to each configured URL by
//! the shared outbox delivery of `scs-web` (signature, retries, at least
//! once). The events table is the outbox; this module is its adapter.

use crate::app::App;
use crate::store::Store;
use scs_web::outbox::{Message, Outbox, OutboxError, Outcome, Receiver, RetryPolicy};
use std::time::Duration;

/// One receiver (`[[status.webhook]]` in the serve config).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Where events are POSTed.
    pub url: String,
    /// Shared secret for the signature (`X-SCS-Signature-256`).
    #[serde(default)]
    pub secret: Option<String>,
}

impl From<Webhook> for Receiver {
    fn from(w: Webhook) -> Self {
        Self { url: w.url, secret: w.secret, subjects: Vec::new() }
    }
}

/// The status page's events table as an outbox.
struct Events(Store);

impl Outbox for Events {
    async fn claim(&self, lease: Duration) -> Result<Option<Message>, OutboxError> {
        let lease = i64::try_from(lease.as_secs()).unwrap_or(60);
        let Some(event) = self.0.claim_events(1, lease).await?.into_iter().next() else { return Ok(None) };
        let payload = serde_json::json!({
            "id": event.id,
            "event": event.kind,
            "at": crate::model::format_time(&event.at),
            "incident": serde_json::from_str::<serde_json::Value>(&event.payload).unwrap_or_default(),
        });
        Ok(Some(Message {
            id: event.id,
            event: event.kind,
            body: payload.to_string().into_bytes(),
            // the claim counted this attempt; the row read is from before
            attempt: u32::try_from(event.attempts + 1).unwrap_or(u32::MAX),
            subject: None,
        }))
    }

    async fn finish(&self, id: i64, outcome: Outcome) -> Result<(), OutboxError> {
        match outcome {
            Outcome::Delivered => self.0.finish_event(id, 1).await?,
            Outcome::GaveUp => self.0.finish_event(id, 2).await?,
            Outcome::RetryIn(wait) => self.0.retry_event(id, i64::try_from(wait.as_secs()).unwrap_or(128)).await?,
        }
        Ok(())
    }
}

/// Delivers events to `hooks` until the process ends.
pub async fn deliver_forever(app: App, hooks: Vec<Webhook>) {
    deliver(app, hooks.into_iter().map(Receiver::from).collect()).await;
}

/// Delivers events to `receivers` until the process ends.
pub async fn deliver(app: App, receivers: Vec<Receiver>) {
    scs_web::outbox::deliver_forever(
        "status",
        Events(app.store.clone()),
        receivers,
        RetryPolicy::default(),
        app.events_pending.clone(),
    )
    .await;
}
