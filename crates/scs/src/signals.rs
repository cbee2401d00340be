// SPDX-License-Identifier: Apache-2.0
//! SIGINT and SIGTERM end a run gracefully: the future below resolves, the
//! run stops its testcases and deletes what they created before exiting.

/// Resolves on the first SIGINT or SIGTERM (never, if they cannot be hooked).
pub async fn shutdown() {
    shutdown_quietly().await;
    eprintln!("scs: interrupted; removing what this check created");
}

/// Resolves on the first SIGINT or SIGTERM, without a message.
pub async fn shutdown_quietly() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupt), Ok(mut terminate)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
    else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
}
