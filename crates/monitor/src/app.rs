// SPDX-License-Identifier: Apache-2.0
//! The monitor's state: storage, scopes, settings and the clock, shared by
//! the HTTP handlers and the background tasks.

use crate::pages::Pages;
use crate::store::Store;
use chrono::NaiveDateTime;
use scs_standards::Scope;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// Everything a request needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub store: Store,
    /// The scopes evaluated.
    pub scopes: Arc<Vec<Scope>>,
    /// URL prefix of the pages (`/` by default).
    pub base_url: String,
    /// The accounts file, reloaded on SIGHUP and `POST /admin/reload`.
    pub accounts_file: Option<PathBuf>,
    /// What "now" is for evaluations (fixed in tests and with
    /// `--evaluate-at`).
    pub clock: scs_web::Clock,
    /// Templates replacing the shipped ones, reloaded with the accounts.
    pub templates_dir: Option<PathBuf>,
    /// The parsed page templates.
    pub pages: Arc<RwLock<Arc<Pages>>>,
    /// The monitor's public address (`https://compliance.example/`), for
    /// links that leave the site: webhooks and the feed.
    pub public_url: Option<String>,
    /// Wakes the webhook delivery when a change was recorded.
    pub changes_pending: Arc<tokio::sync::Notify>,
    /// The largest upload accepted.
    pub max_body: usize,
    /// The most results one upload may hold (`max_results_per_report`).
    pub max_results: usize,
    /// How far a report's `checked_at` may lie ahead of the system clock
    /// (clocks differ a little; a report from the future would outrank every
    /// later one).
    pub max_clock_skew: std::time::Duration,
    /// Receivers of verdict changes.
    pub webhooks: Vec<scs_web::outbox::Receiver>,
    /// How often every subject is re-evaluated (results expire without uploads).
    pub reevaluate_every: std::time::Duration,
    /// The threads that check API keys, as many as may run at once: argon2
    /// takes 19 MiB per check, and unbounded concurrent checks by anonymous
    /// clients grew the process by gigabytes (`password_checks`, one per
    /// CPU by default).
    pub password_checks: crate::passwords::PasswordChecks,
    /// The public reads kept in memory, dropped on every write, reload and
    /// recorded verdict change.
    pub snapshots: scs_web::snapshot::Snapshots,
}

impl App {
    /// A monitor on `store` evaluating `scopes`, with the shipped templates,
    /// no accounts file and the system clock.
    pub fn new(store: Store, scopes: Vec<Scope>) -> Result<Self, crate::pages::PageError> {
        Ok(Self {
            store,
            scopes: Arc::new(scopes),
            base_url: "/".to_owned(),
            accounts_file: None,
            clock: scs_web::Clock::System,
            templates_dir: None,
            pages: Arc::new(RwLock::new(Arc::new(Pages::new(None)?))),
            public_url: None,
            changes_pending: Arc::new(tokio::sync::Notify::new()),
            max_body: 16 << 20,
            max_results: crate::upload::DEFAULT_MAX_RESULTS,
            max_clock_skew: std::time::Duration::from_secs(300),
            webhooks: Vec::new(),
            reevaluate_every: std::time::Duration::from_secs(300),
            password_checks: crate::passwords::PasswordChecks::new(default_password_checks()),
            snapshots: scs_web::snapshot::Snapshots::default(),
        })
    }

    /// Lets `n` password checks run at once (at least one).
    pub fn set_password_checks(&mut self, n: usize) {
        self.password_checks = crate::passwords::PasswordChecks::new(n);
    }

    /// Reads the templates directory again (or the shipped templates).
    pub fn reload_templates(&self) -> Result<(), crate::pages::PageError> {
        let pages = Arc::new(Pages::new(self.templates_dir.as_deref())?);
        match self.pages.write() {
            Ok(mut guard) => *guard = pages,
            Err(poisoned) => *poisoned.into_inner() = pages,
        }
        self.snapshots.invalidate();
        Ok(())
    }

    pub(crate) fn pages(&self) -> Arc<Pages> {
        match self.pages.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Where links to the pages start: the public URL, else the base path.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(url) => format!("{}{}", url.trim_end_matches('/'), self.base_url),
            None => self.base_url.clone(),
        }
    }

    /// The evaluation time.
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now_naive()
    }

    /// The scope with this uuid or alias (`scs-compatible-iaas`).
    pub fn scope(&self, key: &str) -> Option<&Scope> {
        self.scopes.iter().find(|s| s.uuid.as_deref() == Some(key) || alias(s) == key)
    }

    /// Reads the accounts file into the database.
    pub async fn reload_accounts(&self) -> anyhow::Result<usize> {
        let Some(path) = &self.accounts_file else { return Ok(0) };
        let text = std::fs::read_to_string(path)?;
        let accounts = crate::accounts::parse_bootstrap(&path.display().to_string(), &text)?;
        self.store.replace_accounts(&accounts).await?;
        // groups and their members show on the pages, here and on the other replicas
        self.snapshots.publish(self.store.db()).await;
        Ok(accounts.len())
    }
}

/// A scope's alias (`scs-compatible-iaas`): its name, lower case, dashes for spaces; also the
/// `scope_aliases` upstream's templates resolve.
pub(crate) fn alias(scope: &Scope) -> String {
    scope.name.to_ascii_lowercase().replace(' ', "-")
}

/// One password check per CPU.
pub fn default_password_checks() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}
