// SPDX-License-Identifier: Apache-2.0
//! The SCS compliance monitor: signed reports come in, every subject's
//! standing against every scope is evaluated, and anyone can see it. A drop-in
//! for upstream's monitor (same upload body, same `/status` JSON), on SQLite
//! or PostgreSQL.

pub mod accounts;
pub mod app;
pub mod badge;
pub mod changes;
pub mod feed;
pub mod http;
pub mod import;
pub mod metrics;
pub mod pages;
pub mod passwords;
pub mod standing;
pub mod status;
pub mod store;
pub mod upload;
pub mod webhooks;

pub use app::App;
pub use http::{router, routes};
pub use store::Store;
