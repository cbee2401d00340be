// SPDX-License-Identifier: Apache-2.0
//! The OpenStack client layer of `scs`.
//!
//! One crate hides how we talk to OpenStack, so checks see typed resources and
//! a [`Session`], and the HTTP details (auth, catalog, microversions,
//! pagination, retries, timeouts, request counting) live in one place. It is
//! hand-written on reqwest rather than built on a generated SDK: the checks
//! need a handful of calls, custom Glance properties intact, and a count of
//! every request; the generated SDK crates are heavy to build, drop unknown
//! image properties in their typed responses, and churn between 0.x releases.

pub mod block_storage;
pub mod compute;
pub mod config;
pub mod key_manager;
pub mod load_balancer;
pub mod network;
pub mod object_store;
pub mod resources;
pub mod s3;
pub mod session;

pub use config::CloudConfig;
pub use reqwest::Method;
pub use resources::{DefaultSecurityGroupRule, Flavor, Image, SecurityGroup, VolumeType};
pub use session::{ApiError, Call, CallObserver, CallOutcome, CatalogEntry, Session, SessionOptions};
