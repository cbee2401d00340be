// SPDX-License-Identifier: Apache-2.0
//! The status page's state and settings, and its error answer: what every
//! handler, the page, the feed and the webhook delivery share.

use crate::auth::Oidc;
use crate::model::Invalid;
use crate::store::{Store, StoreError};
use axum::http::StatusCode;
use std::sync::Arc;

/// The status page service: storage, who may write, and counters.
#[derive(Clone)]
pub struct App {
    /// The tables.
    pub store: Store,
    /// OIDC writers, when configured.
    pub oidc: Option<Arc<Oidc>>,
    /// Largest accepted request body.
    pub max_body: usize,
    /// Wakes the webhook delivery when a write recorded an event.
    pub events_pending: Arc<tokio::sync::Notify>,
    /// Receivers of incident events.
    pub webhooks: Vec<scs_web::outbox::Receiver>,
    /// Page settings.
    pub page: Arc<PageConfig>,
    /// Origins whose scripts may call the API (upstream's web front end
    /// served from another host); none by default.
    pub cors_origins: Vec<String>,
    /// What the audit log keeps of refused anonymous writes, and for how long.
    pub audit: Arc<AuditPolicy>,
    /// The public reads kept in memory (dropped on every write).
    pub snapshots: scs_web::snapshot::Snapshots,
}

/// The audit log's limits: every write by a writer is kept, but refused
/// anonymous writes cost nothing to send, so they are truncated and
/// rate-limited (one anonymous client filled 17 MB in 3 s), and old rows go.
#[derive(Debug)]
pub struct AuditPolicy {
    /// Refused anonymous writes recorded per minute at most (the rest are
    /// counted in `scs_status_audit_refusals_dropped_total`).
    pub refusals_per_minute: u32,
    /// Rows older than this are deleted (hourly).
    pub retention: std::time::Duration,
    window: std::sync::Mutex<(std::time::Instant, u32)>,
    dropped: std::sync::atomic::AtomicU64,
}

/// How much of a refused anonymous request's path the audit log keeps.
pub const AUDIT_PATH_BYTES: usize = 256;

impl AuditPolicy {
    /// `refusals_per_minute` anonymous refusals recorded per minute, rows kept for `retention`.
    pub fn new(refusals_per_minute: u32, retention: std::time::Duration) -> Self {
        Self {
            refusals_per_minute,
            retention,
            window: std::sync::Mutex::new((std::time::Instant::now(), 0)),
            dropped: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Whether one more refused anonymous write is recorded now; counts it
    /// as dropped otherwise.
    pub fn admit_refusal(&self) -> bool {
        let mut window = match self.window.lock() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        if window.0.elapsed() >= std::time::Duration::from_secs(60) {
            *window = (std::time::Instant::now(), 0);
        }
        if window.1 < self.refusals_per_minute {
            window.1 += 1;
            true
        } else {
            self.dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            false
        }
    }

    /// Refused anonymous writes not recorded since the start.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Default for AuditPolicy {
    /// 60 refusals a minute, a year's retention.
    fn default() -> Self {
        Self::new(60, std::time::Duration::from_secs(365 * 86_400))
    }
}

impl App {
    /// A service on `store` with default settings (no OIDC, 1 MiB bodies).
    pub fn new(store: Store) -> Self {
        Self {
            store,
            oidc: None,
            max_body: 1 << 20,
            events_pending: Arc::default(),
            webhooks: Vec::new(),
            page: Arc::new(PageConfig::default()),
            cors_origins: Vec::new(),
            audit: Arc::default(),
            snapshots: scs_web::snapshot::Snapshots::default(),
        }
    }
}

/// Settings of the public page.
#[derive(Debug, Clone)]
pub struct PageConfig {
    /// The page title.
    pub title: String,
    /// Days in the strip (upstream's `noOfDays`).
    pub days: i64,
    /// How far ahead planned maintenance is listed (`maintenancePreviewDays`).
    pub maintenance_days: i64,
    /// The page's public address (`https://status.example/`), for links
    /// that leave the site (the feed); links are root-relative without it.
    pub public_url: Option<String>,
}

impl Default for PageConfig {
    fn default() -> Self {
        Self { title: "Status".to_owned(), days: 90, maintenance_days: 30, public_url: None }
    }
}

/// An error answer in the status API's shape, `{"message": …}`.
pub type ApiError = scs_web::HttpError<scs_web::Message>;

/// Every error's body (`{"message": …}`).
pub use scs_web::MessageError;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => Self::new(StatusCode::NOT_FOUND, m),
            StoreError::Invalid(m) => Self::new(StatusCode::BAD_REQUEST, m.0),
            StoreError::Conflict(m) => Self::new(StatusCode::CONFLICT, m),
            e => Self::internal("reading or writing the status page's database", e),
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        Self::new(StatusCode::BAD_REQUEST, e.0)
    }
}
