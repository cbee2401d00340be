// SPDX-License-Identifier: Apache-2.0
//! Webhook delivery of verdict changes, from the database as an outbox: a
//! change is claimed for a lease, POSTed to every webhook that wants its
//! subject, and marked delivered only when all answered 2xx; otherwise it is
//! retried with backoff (another replica may take it over), and given up
//! after [`MAX_ATTEMPTS`]. Deliveries are at least once: receivers drop
//! duplicates by the payload's `id` (also in `X-SCS-Delivery`).

use crate::changes::payload;
use crate::http::App;
use std::time::Duration;

/// Attempts before a change is given up on (waits 2 s, 4 s, ... 128 s: about
/// 4 min in all).
pub const MAX_ATTEMPTS: i32 = 8;

/// One receiver of verdict changes.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Where changes are POSTed.
    pub url: String,
    /// Shared secret: each body is signed with HMAC-SHA256 in
    /// `X-SCS-Signature-256: sha256=HEX` (GitHub's scheme).
    #[serde(default)]
    pub secret: Option<String>,
    /// Only these subjects (and `group-NAME`s); all when empty.
    #[serde(default)]
    pub subjects: Vec<String>,
}

impl Webhook {
    fn wants(&self, subject: &str) -> bool {
        self.subjects.is_empty() || self.subjects.iter().any(|s| s == subject)
    }
}

pub use scs_signing::hmac::signature;

/// Delivers changes until the process ends; wakes on new changes and every
/// few seconds for retries and for changes recorded by other replicas.
pub async fn deliver_forever(app: App, hooks: Vec<Webhook>) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("webhooks disabled: no HTTP client: {e}");
            return;
        }
    };
    loop {
        match deliver_one(&app, &client, &hooks).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!("webhooks: {e:#}"),
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), app.changes_pending.notified()).await;
    }
}

/// Delivers the oldest pending change; `false` when there was none.
async fn deliver_one(app: &App, client: &reqwest::Client, hooks: &[Webhook]) -> anyhow::Result<bool> {
    let now = chrono::Utc::now().naive_utc();
    let Some(change) = app.store.claim_change(now, chrono::Duration::seconds(60)).await? else { return Ok(false) };
    let body = serde_json::to_vec(&payload(app, &change))?;
    let mut failed = Vec::new();
    for hook in hooks.iter().filter(|h| h.wants(&change.subject)) {
        let mut request = client
            .post(&hook.url)
            .header("content-type", "application/json")
            .header("x-scs-event", "verdict-change")
            .header("x-scs-delivery", change.id.to_string());
        if let Some(secret) = &hook.secret {
            request = request.header("x-scs-signature-256", signature(secret, &body));
        }
        match request.body(body.clone()).send().await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => failed.push(format!("{}: HTTP {}", hook.url, r.status())),
            Err(e) => failed.push(format!("{}: {e}", hook.url)),
        }
    }
    let now = chrono::Utc::now().naive_utc();
    if failed.is_empty() {
        app.store.finish_change(change.id, true, now).await?;
    } else if change.attempts >= MAX_ATTEMPTS {
        tracing::error!(
            "webhooks: giving up on change {} after {} attempts: {}",
            change.id,
            change.attempts,
            failed.join("; ")
        );
        app.store.finish_change(change.id, true, now).await?;
    } else {
        let wait = chrono::Duration::seconds(1 << change.attempts.clamp(1, 10));
        tracing::warn!(
            "webhooks: change {} not delivered (attempt {}), retry in {wait}: {}",
            change.id,
            change.attempts,
            failed.join("; ")
        );
        app.store.finish_change(change.id, false, now + wait).await?;
    }
    Ok(true)
}
