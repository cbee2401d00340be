// SPDX-License-Identifier: Apache-2.0
//! `scs health`: is this cloud working, now? An iteration builds what a
//! tenant builds (network, subnet, router, security group, boot volume,
//! server), waits for each to be usable, and tears it all down, timing every
//! API call and every wait, as SCS's openstack-health-monitor does; failures
//! are classified so that a status page can say which service is broken.
//!
//! - [`calls`]: every HTTP request of the session, timed and named by
//!   service and operation (the session's observer);
//! - [`scenario`]: one iteration, its steps and their outcomes, with
//!   guaranteed cleanup through the checks' resource ledger;
//! - [`probe`]: the light probe, read-only calls every few seconds;
//! - [`guest`]: logging in to a server through its floating IP (OpenSSH);
//! - [`metrics`]: what the iterations and probes measured, as Prometheus metrics;
//! - [`line_protocol`]: the same as openstack-health-monitor's InfluxDB lines;
//! - [`record`]: the local record (SQLite by default) `scs health report` reads;
//! - [`config`]: the daemon's settings file, validated at start;
//! - [`daemon`]: iterations every interval per cloud until stopped;
//! - [`incidents`]: when to open, update and resolve a status-page
//!   incident (pure decisions), [`open_operations`] doing it through the
//!   [`status_page`] API.
//!
//! Resources are named `scs-health-<iteration>-…`, a prefix `scs cleanup`
//! sweeps by default, so what an interrupted iteration leaves is found.

pub mod calls;
pub mod config;
pub mod daemon;
pub mod guest;
pub mod incidents;
pub mod line_protocol;
pub mod metrics;
pub mod open_operations;
pub mod probe;
pub mod record;
pub mod scenario;
pub mod status_page;

pub use calls::{ApiCall, CallLog};
pub use scenario::{Iteration, ScenarioConfig, Step, StepOutcome};
