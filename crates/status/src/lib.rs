// SPDX-License-Identifier: Apache-2.0
//! The SCS status page ("Open Operations"): the status-page-openapi v1.1.2
//! API that upstream's web front end talks to, on the database the
//! compliance monitor uses, with authenticated and audited writes, a public
//! server-rendered page, an Atom feed and webhooks.

pub mod app;
pub mod auth;
pub mod feed;
pub mod http;
pub mod metrics;
pub mod model;
pub mod openapi;
pub mod page;
pub mod provision;
pub mod service;
pub mod store;
pub mod webhooks;

pub use app::App;
pub use http::routes;
pub use service::router;
pub use store::Store;
