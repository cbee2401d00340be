// SPDX-License-Identifier: Apache-2.0
//! Webhook delivery against real receivers on loopback: a signed body goes
//! only where it was configured to go (a redirect is an answer, not an
//! instruction), and a refusal is retried by the shared policy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{any, post};
use scs_web::outbox::{Message, Outbox, OutboxError, Outcome, Receiver, RetryPolicy};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One message, handed out once; how it ended is kept.
#[derive(Clone, Default)]
struct OneMessage {
    given: Arc<Mutex<bool>>,
    outcome: Arc<Mutex<Option<Outcome>>>,
}

impl Outbox for OneMessage {
    async fn claim(&self, _lease: Duration) -> Result<Option<Message>, OutboxError> {
        let mut given = self.given.lock().unwrap();
        if *given {
            return Ok(None);
        }
        *given = true;
        Ok(Some(Message { id: 7, event: "test".into(), body: b"{\"id\":7}".to_vec(), attempt: 1, subject: None }))
    }

    async fn finish(&self, _id: i64, outcome: Outcome) -> Result<(), OutboxError> {
        *self.outcome.lock().unwrap() = Some(outcome);
        Ok(())
    }
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

#[tokio::test]
async fn a_redirect_is_not_followed_with_the_signed_body() {
    let elsewhere_got = Arc::new(Mutex::new(0));
    let count = elsewhere_got.clone();
    let elsewhere = serve(Router::new().route(
        "/steal",
        any(move |_: HeaderMap| {
            let count = count.clone();
            async move {
                *count.lock().unwrap() += 1;
                StatusCode::NO_CONTENT
            }
        }),
    ))
    .await;
    let target = format!("{elsewhere}/steal");
    let redirecting = serve(Router::new().route(
        "/hook",
        post(move || {
            let target = target.clone();
            async move { (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, target)]) }
        }),
    ))
    .await;
    let outbox = OneMessage::default();
    let receivers =
        vec![Receiver { url: format!("{redirecting}/hook"), secret: Some("s3cret".into()), subjects: Vec::new() }];
    let wake = Arc::new(tokio::sync::Notify::new());
    let delivery =
        tokio::spawn(scs_web::outbox::deliver_forever("test", outbox.clone(), receivers, RetryPolicy::default(), wake));
    let started = std::time::Instant::now();
    while outbox.outcome.lock().unwrap().is_none() {
        assert!(started.elapsed() < Duration::from_secs(10), "no delivery attempt");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    delivery.abort();
    assert_eq!(*elsewhere_got.lock().unwrap(), 0, "the signed body followed the redirect");
    assert_eq!(*outbox.outcome.lock().unwrap(), Some(Outcome::RetryIn(Duration::from_secs(2))));
}
