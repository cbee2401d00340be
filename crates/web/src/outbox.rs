// SPDX-License-Identifier: Apache-2.0
//! Webhook delivery from a database outbox, one mechanism for every service.
//! A service records what happened in its own table in the same transaction
//! as the change itself; [`deliver_forever`] then claims the oldest message
//! for a lease (another replica skips it meanwhile), POSTs it to every
//! receiver that wants it, and finishes it only when all answered 2xx;
//! otherwise it is retried after [`RetryPolicy::wait`] and given up after
//! [`RetryPolicy::max_attempts`]. Deliveries are at least once: receivers
//! drop duplicates by `X-SCS-Delivery` (the message id).
//!
//! Each body is signed with HMAC-SHA256 in `X-SCS-Signature-256:
//! sha256=HEX` (GitHub's scheme) when the receiver has a secret. Redirects
//! are not followed: a signed body goes only where it was configured to go.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// An outbox's failure (its database); logged, then delivery goes on.
pub type OutboxError = Box<dyn std::error::Error + Send + Sync>;

/// One message claimed from an outbox.
#[derive(Debug, Clone)]
pub struct Message {
    /// Unique and stable across attempts (`X-SCS-Delivery`).
    pub id: i64,
    /// The event's name (`X-SCS-Event`).
    pub event: String,
    /// The JSON body.
    pub body: Vec<u8>,
    /// Which attempt this is, from 1.
    pub attempt: u32,
    /// The subject it concerns, for receivers that want only some.
    pub subject: Option<String>,
}

/// How a delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every receiver answered 2xx.
    Delivered,
    /// Out of attempts.
    GaveUp,
    /// Try again after this long.
    RetryIn(Duration),
}

/// A service's outbox table.
pub trait Outbox: Send + Sync + 'static {
    /// Claims the oldest undelivered message whose lease has run out, for
    /// `lease`, counting the attempt; `None` when there is none.
    fn claim(&self, lease: Duration) -> impl Future<Output = Result<Option<Message>, OutboxError>> + Send;
    /// Records how the delivery of message `id` ended.
    fn finish(&self, id: i64, outcome: Outcome) -> impl Future<Output = Result<(), OutboxError>> + Send;
}

/// One receiver.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receiver {
    /// Where messages are POSTed.
    pub url: String,
    /// Shared secret for the signature.
    #[serde(default)]
    pub secret: Option<String>,
    /// Only messages about these subjects (the monitor's subjects and
    /// `group-NAME`s); all when empty.
    #[serde(default)]
    pub subjects: Vec<String>,
}

impl Receiver {
    fn wants(&self, message: &Message) -> bool {
        self.subjects.is_empty() || message.subject.as_ref().is_some_and(|s| self.subjects.contains(s))
    }
}

/// Attempts and waits, the same for every service.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts before a message is given up on.
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles after each.
    pub first_wait: Duration,
    /// The longest wait.
    pub max_wait: Duration,
    /// How long a claim keeps other replicas away.
    pub lease: Duration,
    /// How often the outbox is looked at without a wake-up (retries are due,
    /// another replica recorded something).
    pub poll: Duration,
    /// The time one receiver has to answer.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    /// 8 attempts, waits of 2 s, 4 s … 128 s (about 4 minutes in all).
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_wait: Duration::from_secs(2),
            max_wait: Duration::from_secs(128),
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// What follows a failed `attempt` (counted from 1).
    pub fn after_failure(&self, attempt: u32) -> Outcome {
        if attempt >= self.max_attempts {
            return Outcome::GaveUp;
        }
        let doubled = self.first_wait.saturating_mul(1 << attempt.saturating_sub(1).min(20));
        Outcome::RetryIn(doubled.min(self.max_wait))
    }
}

/// Delivers messages of `outbox` to `receivers` until the process ends;
/// wakes on `wake` (a change was just recorded) and every `policy.poll`.
pub async fn deliver_forever<O: Outbox>(
    name: &'static str,
    outbox: O,
    receivers: Vec<Receiver>,
    policy: RetryPolicy,
    wake: Arc<tokio::sync::Notify>,
) {
    if receivers.is_empty() {
        return;
    }
    let client =
        match reqwest::Client::builder().timeout(policy.timeout).redirect(reqwest::redirect::Policy::none()).build() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("{name} webhooks disabled: no HTTP client: {e}");
                return;
            }
        };
    loop {
        match deliver_one(&outbox, &client, &receivers, &policy).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!("{name} webhooks: {e}"),
        }
        let _ = tokio::time::timeout(policy.poll, wake.notified()).await;
    }
}

/// Delivers the oldest pending message; `false` when there was none.
async fn deliver_one<O: Outbox>(
    outbox: &O,
    client: &reqwest::Client,
    receivers: &[Receiver],
    policy: &RetryPolicy,
) -> Result<bool, OutboxError> {
    let Some(message) = outbox.claim(policy.lease).await? else { return Ok(false) };
    let mut failed = Vec::new();
    for receiver in receivers.iter().filter(|r| r.wants(&message)) {
        let mut request = client
            .post(&receiver.url)
            .header("content-type", "application/json")
            .header("x-scs-event", &message.event)
            .header("x-scs-delivery", message.id.to_string());
        if let Some(secret) = &receiver.secret {
            request = request.header("x-scs-signature-256", scs_signing::hmac::signature(secret, &message.body));
        }
        match request.body(message.body.clone()).send().await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => failed.push(format!("{}: HTTP {}", receiver.url, r.status())),
            Err(e) => failed.push(format!("{}: {e}", receiver.url)),
        }
    }
    let outcome = if failed.is_empty() { Outcome::Delivered } else { policy.after_failure(message.attempt) };
    match outcome {
        Outcome::Delivered => {}
        Outcome::GaveUp => tracing::error!(
            "webhooks: giving up on message {} after {} attempts: {}",
            message.id,
            message.attempt,
            failed.join("; ")
        ),
        Outcome::RetryIn(wait) => tracing::warn!(
            "webhooks: message {} not delivered (attempt {}), retry in {} s: {}",
            message.id,
            message.attempt,
            wait.as_secs(),
            failed.join("; ")
        ),
    }
    outbox.finish(message.id, outcome).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_then_the_message_is_given_up() {
        let p = RetryPolicy::default();
        let waits: Vec<Outcome> = (1..=8).map(|a| p.after_failure(a)).collect();
        let secs = |s| Outcome::RetryIn(Duration::from_secs(s));
        assert_eq!(waits, [secs(2), secs(4), secs(8), secs(16), secs(32), secs(64), secs(128), Outcome::GaveUp]);
        let long = RetryPolicy { max_attempts: 40, ..p };
        assert_eq!(long.after_failure(30), secs(128));
    }

    #[test]
    fn receivers_filter_by_subject() {
        let m = |subject: Option<&str>| Message {
            id: 1,
            event: "e".into(),
            body: Vec::new(),
            attempt: 1,
            subject: subject.map(str::to_owned),
        };
        let all = Receiver { url: "http://127.0.0.1:9/".into(), secret: None, subjects: Vec::new() };
        let some = Receiver { subjects: vec!["alpha".into()], ..all.clone() };
        assert!(all.wants(&m(None)) && all.wants(&m(Some("beta"))));
        assert!(some.wants(&m(Some("alpha"))) && !some.wants(&m(Some("beta"))) && !some.wants(&m(None)));
    }
}
