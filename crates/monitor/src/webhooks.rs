// SPDX-License-Identifier: Apache-2.0
//! Webhook delivery of verdict changes by the shared outbox delivery of
//! `scs-web` (lease, retries with backoff, signature, at least once): the
//! verdict-change table is the outbox; this module is its adapter.
//! Receivers drop duplicates by the payload's `id` (also in `X-SCS-Delivery`).

use crate::app::App;
use crate::changes::payload;
use scs_web::outbox::{Message, Outbox, OutboxError, Outcome, RetryPolicy};
use std::time::Duration;

/// One receiver of verdict changes (`[[webhook]]` in the serve config):
/// `url`, optional `secret` for the signature, optional `subjects` (and
/// `group-NAME`s) it wants, all when empty.
pub type Webhook = scs_web::outbox::Receiver;

pub use scs_signing::hmac::signature;

/// The monitor's verdict changes as an outbox.
struct Changes(App);

impl Outbox for Changes {
    async fn claim(&self, lease: Duration) -> Result<Option<Message>, OutboxError> {
        let now = chrono::Utc::now().naive_utc();
        let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
        let Some(change) = self.0.store.claim_change(now, lease).await? else { return Ok(None) };
        Ok(Some(Message {
            id: change.id,
            event: "verdict-change".to_owned(),
            body: serde_json::to_vec(&payload(&self.0, &change))?,
            // the claim counted this attempt
            attempt: u32::try_from(change.attempts).unwrap_or(u32::MAX),
            subject: Some(change.subject),
        }))
    }

    async fn finish(&self, id: i64, outcome: Outcome) -> Result<(), OutboxError> {
        let now = chrono::Utc::now().naive_utc();
        match outcome {
            Outcome::Delivered | Outcome::GaveUp => self.0.store.finish_change(id, true, now).await?,
            Outcome::RetryIn(wait) => {
                let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(128));
                self.0.store.finish_change(id, false, now + wait).await?;
            }
        }
        Ok(())
    }
}

/// Delivers changes to `hooks` until the process ends; wakes on new changes.
pub async fn deliver_forever(app: App, hooks: Vec<Webhook>) {
    let wake = app.changes_pending.clone();
    scs_web::outbox::deliver_forever("monitor", Changes(app), hooks, RetryPolicy::default(), wake).await;
}
