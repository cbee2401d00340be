// SPDX-License-Identifier: Apache-2.0
//! Public reads answered from memory: each answer is rendered once, kept as
//! ready bytes (and precompressed with gzip and brotli), and served until
//! the data changes or its time runs out, instead of being recomputed from
//! the database for every request. When a cloud has an incident everyone
//! opens its status page at once; that rush must not become a rush on the
//! database.
//!
//! - **Freshness on this replica**: a successful write through the API
//!   (any 2xx answer to a method other than GET, HEAD and OPTIONS) drops
//!   every snapshot before the writer gets its answer, so the writer reads
//!   its own write at once; background writers call [`Snapshots::publish`].
//! - **Freshness across replicas**: the write is published through the
//!   database (PostgreSQL `NOTIFY`, on SQLite a generation row polled every
//!   [`SQLITE_POLL`]); every replica's [`Snapshots::follow`] drops its
//!   snapshots when it hears of one, within the bound the tests state.
//! - **Time**: an answer that changes when a time comes (an incident begins
//!   or ends, a result expires) is rendered with that time as its end.
//! - **HTTP caching** (RFC 9110, 9111): a strong `ETag` from the bytes,
//!   `If-None-Match` answered with 304, `Last-Modified`, `Cache-Control` per
//!   answer, `Vary: Accept-Encoding`, content negotiated by `Accept-Encoding`
//!   (br, gzip, identity, with q-values).

mod representation;

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use representation::{Entry, prepare, respond};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How often a replica on SQLite looks at the generation row.
pub const SQLITE_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// The PostgreSQL channel writes are announced on.
pub const CHANNEL: &str = "scs_snapshots";

/// Cache-Control of answers that must be revalidated every time (the API:
/// a client always asks, and an unchanged answer costs a 304).
pub const REVALIDATE: &str = "no-cache";

/// Cache-Control of pages and feeds people and readers poll: a few seconds
/// stale at most.
pub const SHORT: &str = "public, max-age=10";

/// What a handler renders for a snapshot.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The media type.
    pub content_type: &'static str,
    /// The bytes.
    pub body: Vec<u8>,
    /// How clients and proxies may cache it.
    pub cache_control: &'static str,
    /// When the answer changes without any write (an incident's start or
    /// end, a result's expiry), if it does.
    pub valid_until: Option<DateTime<Utc>>,
}

impl Rendered {
    /// A JSON answer that clients revalidate.
    pub fn json(body: Vec<u8>, valid_until: Option<DateTime<Utc>>) -> Self {
        Self { content_type: "application/json", body, cache_control: REVALIDATE, valid_until }
    }
}

/// A public read as a snapshot needs it: the request's headers (for
/// conditional requests and content negotiation) and its key, the path with
/// the query.
#[derive(Debug, Clone)]
pub struct Read {
    /// The request headers.
    pub headers: HeaderMap,
    /// Path and query, as the client sent them.
    pub key: String,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Read {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let key = parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
        Ok(Self { headers: parts.headers.clone(), key })
    }
}

impl Read {
    /// [`Snapshots::answer`] for this request.
    pub async fn answer<E, F>(&self, snapshots: &Snapshots, now: DateTime<Utc>, render: F) -> Result<Response, E>
    where
        F: Future<Output = Result<Rendered, E>>,
    {
        snapshots.answer(&self.headers, &self.key, now, render).await
    }
}

/// Bounds of the kept answers.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Answers kept at most (distinct paths with their queries).
    pub entries: usize,
    /// Bytes kept at most, compressed variants included.
    pub bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { entries: 4096, bytes: 256 << 20 }
    }
}

#[derive(Default)]
struct Kept {
    entries: HashMap<String, Arc<Entry>>,
    bytes: usize,
}

struct Inner {
    generation: AtomicU64,
    kept: Mutex<Kept>,
    /// One render at a time per key: a rush of readers after a write waits
    /// for the one render instead of each rendering the same answer.
    rendering: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    limits: Limits,
    hits: AtomicU64,
    renders: AtomicU64,
}

/// The kept answers of a server; cheap to clone (shared).
#[derive(Clone)]
pub struct Snapshots {
    inner: Arc<Inner>,
}

impl Default for Snapshots {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl std::fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (entries, bytes) = self.size();
        f.debug_struct("Snapshots").field("entries", &entries).field("bytes", &bytes).finish()
    }
}

impl Snapshots {
    /// No answers kept yet.
    pub fn new(limits: Limits) -> Self {
        Self {
            inner: Arc::new(Inner {
                generation: AtomicU64::new(1),
                kept: Mutex::new(Kept::default()),
                rendering: Mutex::new(HashMap::new()),
                limits,
                hits: AtomicU64::new(0),
                renders: AtomicU64::new(0),
            }),
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        match self.inner.kept.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Drops every kept answer on this replica (the next read renders anew).
    pub fn invalidate(&self) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        let mut kept = self.kept();
        kept.entries.clear();
        kept.bytes = 0;
    }

    /// Drops every kept answer here and announces the change to the other
    /// replicas on `db`. Called after a write has committed.
    pub async fn publish(&self, db: &scs_db::Db) {
        self.invalidate();
        announce(db).await;
    }

    /// Entries and bytes kept now.
    pub fn size(&self) -> (usize, usize) {
        let kept = self.kept();
        (kept.entries.len(), kept.bytes)
    }

    /// Answers served from memory and answers rendered, since start.
    pub fn counts(&self) -> (u64, u64) {
        (self.inner.hits.load(Ordering::Relaxed), self.inner.renders.load(Ordering::Relaxed))
    }

    /// The answer to a GET (or HEAD) of `key` (path and query) with the
    /// request's `headers`: from memory while fresh at `now`, else from
    /// `render`, which is then kept. An error of `render` is answered as is
    /// and not kept.
    pub async fn answer<E, F>(
        &self,
        headers: &HeaderMap,
        key: &str,
        now: DateTime<Utc>,
        render: F,
    ) -> Result<Response, E>
    where
        F: Future<Output = Result<Rendered, E>>,
    {
        if let Some(entry) = self.fresh(key, now) {
            return Ok(respond(&entry, headers));
        }
        // one render per key at a time; who waited finds the answer kept
        let turn = {
            let mut rendering = match self.inner.rendering.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            Arc::clone(rendering.entry(key.to_owned()).or_default())
        };
        let _turn = turn.lock().await;
        if let Some(entry) = self.fresh(key, now) {
            return Ok(respond(&entry, headers));
        }
        let generation = self.inner.generation.load(Ordering::SeqCst);
        let rendered = render.await?;
        self.inner.renders.fetch_add(1, Ordering::Relaxed);
        let entry = Arc::new(prepare(rendered, generation, now));
        self.keep(key, &entry, generation);
        if let Ok(mut rendering) = self.inner.rendering.lock() {
            // the lock stays only while someone holds or waits for it
            if Arc::strong_count(&turn) <= 2 {
                rendering.remove(key);
            }
        }
        Ok(respond(&entry, headers))
    }

    /// The kept answer of `key` if it is of the current generation and its
    /// time has not come.
    fn fresh(&self, key: &str, now: DateTime<Utc>) -> Option<Arc<Entry>> {
        let generation = self.inner.generation.load(Ordering::SeqCst);
        let entry = self.kept().entries.get(key).cloned()?;
        if entry.generation == generation && entry.valid_until.is_none_or(|t| now < t) {
            self.inner.hits.fetch_add(1, Ordering::Relaxed);
            Some(entry)
        } else {
            None
        }
    }

    /// Keeps `entry` unless a write happened while it was rendered, within
    /// the bounds (the oldest-rendered answers go first).
    fn keep(&self, key: &str, entry: &Arc<Entry>, generation: u64) {
        let limits = self.inner.limits;
        let size = entry.size();
        if size > limits.bytes {
            return;
        }
        let mut kept = self.kept();
        if self.inner.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if let Some(old) = kept.entries.remove(key) {
            kept.bytes -= old.size();
        }
        while kept.entries.len() >= limits.entries || kept.bytes + size > limits.bytes {
            // drop any one entry: answers are cheap to render again, and no order is kept
            let Some(victim) = kept.entries.keys().next().cloned() else { break };
            if let Some(old) = kept.entries.remove(&victim) {
                kept.bytes -= old.size();
            }
        }
        kept.bytes += size;
        kept.entries.insert(key.to_owned(), Arc::clone(entry));
    }

    /// Follows the other replicas' writes on `db` until the process ends:
    /// PostgreSQL `LISTEN`, or the SQLite generation row every
    /// [`SQLITE_POLL`]. After a lost connection everything kept is dropped
    /// (announcements may have been missed).
    pub async fn follow(self, db: scs_db::Db) {
        match db {
            scs_db::Db::Postgres(pool) => loop {
                match sqlx::postgres::PgListener::connect_with(&pool).await {
                    Ok(mut listener) => {
                        if let Err(e) = listener.listen(CHANNEL).await {
                            tracing::warn!("listening for other replicas' writes: {e}");
                        } else {
                            self.invalidate();
                            while listener.recv().await.is_ok() {
                                self.invalidate();
                            }
                        }
                    }
                    Err(e) => tracing::warn!("listening for other replicas' writes: {e}"),
                }
                self.invalidate();
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            },
            scs_db::Db::Sqlite(pool) => {
                let mut seen = None;
                loop {
                    match sqlite_generation(&pool).await {
                        Ok(n) => {
                            if seen.is_some_and(|s| s != n) {
                                self.invalidate();
                            }
                            seen = Some(n);
                        }
                        Err(e) => {
                            tracing::warn!("reading the snapshot generation: {e}");
                            self.invalidate();
                        }
                    }
                    tokio::time::sleep(SQLITE_POLL).await;
                }
            }
        }
    }
}

/// The kept answers of each service as gauges and counters: what they cost
/// in memory and how often they saved a render.
pub fn write_metrics<'a>(out: &mut crate::metrics::Exposition, services: impl Iterator<Item = (&'a str, Snapshots)>) {
    use crate::metrics::Kind;
    let services: Vec<(&str, Snapshots)> = services.collect();
    if services.is_empty() {
        return;
    }
    out.family("scs_snapshot_entries", Kind::Gauge, "Public answers kept in memory.");
    for (name, s) in &services {
        out.sample("scs_snapshot_entries", &[("service", name)], s.size().0);
    }
    out.family("scs_snapshot_bytes", Kind::Gauge, "Bytes the kept answers take, compressed variants included.");
    for (name, s) in &services {
        out.sample("scs_snapshot_bytes", &[("service", name)], s.size().1);
    }
    out.family("scs_snapshot_hits_total", Kind::Counter, "Reads answered from a kept answer.");
    for (name, s) in &services {
        out.sample("scs_snapshot_hits_total", &[("service", name)], s.counts().0);
    }
    out.family("scs_snapshot_renders_total", Kind::Counter, "Answers rendered (and kept) because none was fresh.");
    for (name, s) in &services {
        out.sample("scs_snapshot_renders_total", &[("service", name)], s.counts().1);
    }
}

/// Tells the other replicas on `db` that data changed (PostgreSQL
/// `NOTIFY`, or the SQLite generation row).
pub async fn announce(db: &scs_db::Db) {
    let announced = match db {
        scs_db::Db::Postgres(pool) => {
            sqlx::query("SELECT pg_notify($1, '')").bind(CHANNEL).execute(pool).await.map(|_| ())
        }
        scs_db::Db::Sqlite(pool) => sqlite_bump(pool).await,
    };
    if let Err(e) = announced {
        // the others catch up with the next announced write, or when their answers' time runs out
        tracing::warn!("announcing a change to other replicas: {e}");
    }
}

const SQLITE_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS scs_snapshot_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)";

async fn sqlite_bump(pool: &sqlx::SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query(SQLITE_TABLE).execute(pool).await?;
    sqlx::query("INSERT INTO scs_snapshot_generation (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = n + 1")
        .execute(pool)
        .await?;
    Ok(())
}

async fn sqlite_generation(pool: &sqlx::SqlitePool) -> Result<i64, sqlx::Error> {
    use sqlx::Row;
    sqlx::query(SQLITE_TABLE).execute(pool).await?;
    let row = sqlx::query("SELECT n FROM scs_snapshot_generation WHERE id = 1").fetch_optional(pool).await?;
    Ok(match row {
        Some(row) => row.try_get("n")?,
        None => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, StatusCode, header};

    #[tokio::test]
    async fn if_modified_since_answers_304_unless_if_none_match_is_sent() {
        let snapshots = Snapshots::default();
        let now = Utc::now();
        let render = || async { Ok::<_, ()>(Rendered::json(b"{}".to_vec(), None)) };
        let first = snapshots.answer(&HeaderMap::new(), "/a", now, render()).await.unwrap_or_default();
        let modified = first.headers()[header::LAST_MODIFIED].clone();
        let mut since = HeaderMap::new();
        since.insert(header::IF_MODIFIED_SINCE, modified);
        let r = snapshots.answer(&since, "/a", now, render()).await.unwrap_or_default();
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        since.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
        let r = snapshots.answer(&since, "/a", now, render()).await.unwrap_or_default();
        assert_eq!(r.status(), StatusCode::OK, "If-None-Match decides when sent");
        let mut old = HeaderMap::new();
        old.insert(header::IF_MODIFIED_SINCE, HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"));
        let r = snapshots.answer(&old, "/a", now, render()).await.unwrap_or_default();
        assert_eq!(r.status(), StatusCode::OK);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_rush_of_readers_waits_for_one_render() {
        let snapshots = Snapshots::default();
        let now = Utc::now();
        let renders = Arc::new(AtomicU64::new(0));
        let mut readers = Vec::new();
        for _ in 0..32 {
            let (snapshots, renders) = (snapshots.clone(), Arc::clone(&renders));
            readers.push(tokio::spawn(async move {
                let render = async {
                    renders.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    Ok::<_, ()>(Rendered::json(b"{}".to_vec(), None))
                };
                snapshots.answer(&HeaderMap::new(), "/slow", now, render).await.map(|r| r.status())
            }));
        }
        for reader in readers {
            assert_eq!(reader.await.ok().and_then(Result::ok), Some(StatusCode::OK));
        }
        assert_eq!(renders.load(Ordering::SeqCst), 1, "one render for 32 readers");
    }

    #[tokio::test]
    async fn kept_until_invalidated_or_its_time_has_come() {
        let snapshots = Snapshots::default();
        let now = Utc::now();
        let render = |n: u8, until| async move { Ok::<_, ()>(Rendered::json(vec![n; 600], until)) };
        let headers = HeaderMap::new();
        let first = snapshots.answer(&headers, "/a", now, render(1, None)).await.unwrap_or_default();
        let etag = first.headers()[header::ETAG].clone();
        let again = snapshots.answer(&headers, "/a", now, render(2, None)).await.unwrap_or_default();
        assert_eq!(again.headers()[header::ETAG], etag, "kept: the second render never ran");
        assert_eq!(snapshots.counts(), (1, 1));
        snapshots.invalidate();
        let after = snapshots.answer(&headers, "/a", now, render(3, None)).await.unwrap_or_default();
        assert_ne!(after.headers()[header::ETAG], etag);
        // an answer with an end is rendered again once its time has come
        let soon = now + chrono::Duration::seconds(5);
        let _ = snapshots.answer(&headers, "/b", now, render(4, Some(soon))).await;
        let before_end = snapshots.answer(&headers, "/b", now, render(5, Some(soon))).await.unwrap_or_default();
        let at_end = snapshots.answer(&headers, "/b", soon, render(6, None)).await.unwrap_or_default();
        assert_ne!(before_end.headers()[header::ETAG], at_end.headers()[header::ETAG]);
    }

    #[tokio::test]
    async fn bounded_in_entries_and_bytes() {
        let snapshots = Snapshots::new(Limits { entries: 3, bytes: 10_000 });
        let now = Utc::now();
        for i in 0..10 {
            let key = format!("/k{i}");
            let _ = snapshots
                .answer(&HeaderMap::new(), &key, now, async { Ok::<_, ()>(Rendered::json(vec![b'x'; 100], None)) })
                .await;
        }
        assert!(snapshots.size().0 <= 3);
        let big = || async { Ok::<_, ()>(Rendered::json((0..20_000u32).map(|i| (i % 251) as u8).collect(), None)) };
        let _ = snapshots.answer(&HeaderMap::new(), "/big", now, big()).await;
        assert!(snapshots.size().1 <= 10_000, "{:?}", snapshots.size());
    }
}
