// SPDX-License-Identifier: Apache-2.0
//! [`serve`]: the accept loop `scs serve` runs, with the limits a server
//! facing the internet needs and `axum::serve` does not set: a deadline for
//! a request's headers (slowloris clients held file descriptors forever and
//! starved `/healthz`), a deadline for its body, a cap on open connections,
//! and the process's file-descriptor limit raised to what the system allows.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::response::IntoResponse;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The limits on each client; every one is a `scs serve` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A request's headers must arrive within this time, counted from the
    /// first byte (or from the end of the previous answer on a kept-alive
    /// connection); otherwise the connection is closed.
    pub header_timeout: Duration,
    /// A request's body must arrive whole within this time after its
    /// headers; otherwise reading it fails and the request is answered 408.
    pub body_timeout: Duration,
    /// Open connections at most; one more is answered 503 and closed at once.
    pub max_connections: usize,
}

impl Default for Limits {
    /// 10 s for headers, 60 s for a body (16 MiB at 280 KB/s), 4,096 connections.
    fn default() -> Self {
        Self { header_timeout: Duration::from_secs(10), body_timeout: Duration::from_secs(60), max_connections: 4096 }
    }
}

/// Raises the soft limit on open files to the hard limit, so the connection
/// cap and not the descriptor limit decides when clients are refused; returns
/// the limit now in force.
pub fn raise_open_files_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(0)
}

/// Serves `router` on `listener` under `limits` until `shutdown` resolves,
/// then lets open requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    // every connection holds a receiver; shutdown drops the sender, each
    // connection finishes its request and closes, and `closed` resolves
    // when the last receiver is gone
    let (stop, stopped) = tokio::sync::watch::channel(());
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let body_timeout = limits.body_timeout;
    let router =
        router.layer(axum::middleware::from_fn(move |request: Request<Body>, next: axum::middleware::Next| {
            body_deadline(body_timeout, request, next)
        }));
    let mut refused_since_log = 0u64;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // out of descriptors or a connection reset before it was
                    // taken: wait a moment instead of spinning
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            refused_since_log += 1;
            if refused_since_log.is_power_of_two() {
                tracing::warn!("{refused_since_log} connections refused: {} are open", limits.max_connections);
            }
            // best effort: a full socket buffer means the client gets a reset
            let _ = stream.try_write(REFUSED);
            continue;
        };
        refused_since_log = 0;
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = stopped.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!("connection ended: {e}");
            }
            drop(stopped);
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop.send(());
    drop(stopped);
    stop.closed().await;
    Ok(())
}

/// Runs the request with its body under `timeout`; when the deadline cut
/// the body off, the answer is 408 and the connection closes (the rest of
/// the body is never read).
async fn body_deadline(
    timeout: Duration,
    request: Request<Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let timed_out = Arc::new(AtomicBool::new(false));
    let deadline = tokio::time::Instant::now() + timeout;
    let flag = Arc::clone(&timed_out);
    let response = next.run(request.map(|body| Body::new(DeadlineBody::new(body, deadline, flag)))).await;
    if timed_out.load(Ordering::Relaxed) {
        let message = format!("the request body did not arrive within {} s", timeout.as_secs());
        return crate::HttpError::<crate::Detail>::new(axum::http::StatusCode::REQUEST_TIMEOUT, message)
            .closing()
            .into_response();
    }
    response
}

/// What a connection over the cap is told before it is closed.
const REFUSED: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 20\r\nretry-after: 1\r\n\r\ntoo many connections";

/// A request body that fails once its deadline passes, however slowly or
/// steadily it trickles in (a per-read timeout lets a client send one byte
/// just before each expires).
struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
    timed_out: Arc<AtomicBool>,
}

impl DeadlineBody {
    fn new(inner: Body, deadline: tokio::time::Instant, timed_out: Arc<AtomicBool>) -> Self {
        Self { inner, deadline: Box::pin(tokio::time::sleep_until(deadline)), timed_out }
    }
}

/// The body's deadline passed.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTimedOut;

impl http_body::Body for DeadlineBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.timed_out.store(true, Ordering::Relaxed);
                Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
