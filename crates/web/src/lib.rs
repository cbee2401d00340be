// SPDX-License-Identifier: Apache-2.0
//! The foundation of every HTTP service `scs serve` runs (the compliance
//! monitor, the status page, and whatever comes next). A mechanism lives
//! here once; a service brings only its rules:
//!
//! - [`error`]: one error type, the body shaped per API, internal causes
//!   logged and never sent;
//! - [`auth`]: credentials parsed from the request as typed extractors;
//! - [`metrics`]: the Prometheus text writer and the request-metrics layer;
//! - [`escape`] and [`atom`]: text into HTML, XML and Atom feeds;
//! - [`extract`]: `Query` and `Path` whose rejections keep the API's shape;
//! - [`openapi`]: what every service's OpenAPI document says alike;
//!   [`api_docs`]: the document as a page (`/docs`);
//! - [`clock`]: the one injectable clock services decide by;
//! - [`outbox`]: webhook delivery from a database outbox, one retry policy;
//! - [`listener`]: the accept loop with header and body deadlines and a
//!   connection cap;
//! - [`service`]: the [`Service`] trait and [`compose`], which builds the
//!   router production serves and tests call;
//! - [`snapshot`]: public reads answered from memory, dropped on writes
//!   (here and on the other replicas), with ETags and precompressed bytes.

pub mod api_docs;
pub mod atom;
pub mod auth;
pub mod clock;
pub mod error;
pub mod escape;
pub mod extract;
pub mod listener;
pub mod metrics;
pub mod openapi;
pub mod outbox;
pub mod service;
pub mod snapshot;

/// What the macros of this crate name; not an interface.
#[doc(hidden)]
pub mod __private {
    pub use axum;
    pub use serde;
}

pub use clock::Clock;
pub use error::{Detail, DetailError, ErrorShape, HttpError, Message, MessageError};
pub use service::{Service, compose};
