// SPDX-License-Identifier: Apache-2.0
//! A write refused before its body is read (too large, no credentials) must
//! not poison the client's kept-alive connection: the server says
//! `Connection: close`, so the next request on the same client goes out on a
//! new connection instead of failing with an incomplete message. Seen in CI
//! as a flake of the status contract test on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::serve;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_body_closes_the_connection_and_the_next_request_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let store = scs_status::Store::connect(&format!("sqlite://{}", dir.path().join("r.db").display())).await.unwrap();
    let token = scs_status::auth::new_token().unwrap();
    store.create_token("ops", &scs_status::auth::token_hash(&token), true).await.unwrap();
    let base = serve(scs_status::App::new(store)).await;
    let client = reqwest::Client::new();
    for round in 0..40 {
        for (bearer, body, status) in [(Some(&token), vec![b' '; 2 << 20], 413), (None, vec![b' '; 256 << 10], 401)] {
            let mut request = client.post(format!("{base}/phases")).body(body);
            if let Some(t) = bearer {
                request = request.bearer_auth(t);
            }
            let refused = request.send().await.unwrap_or_else(|e| panic!("round {round}: refused write: {e:?}"));
            assert_eq!(refused.status().as_u16(), status, "round {round}");
            assert_eq!(
                refused.headers().get("connection").map(|v| v.to_str().unwrap()),
                Some("close"),
                "round {round}"
            );
            let next = client
                .get(format!("{base}/phases"))
                .send()
                .await
                .unwrap_or_else(|e| panic!("round {round}: the request after a {status}: {e:?}"));
            assert_eq!(next.status().as_u16(), 200, "round {round}");
        }
    }
}
