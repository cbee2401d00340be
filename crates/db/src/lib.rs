// SPDX-License-Identifier: Apache-2.0
//! The database layer the `scs serve` services share. The compliance monitor
//! and the status page live in one database (the embedded SQLite file by
//! default, PostgreSQL for replicas), so an operator backs up, migrates and
//! monitors one thing.
//!
//! Each service keeps its own migrations in its own version range (monitor
//! 1–999, status page 1001–1999). Both migrators record into the same
//! `_sqlx_migrations` table, so each is told to ignore the other's entries.

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;

/// A connection pool to one of the two backends. Services write their SQL
/// once, in the dialect both understand (`$n` parameters, `ON CONFLICT`,
/// `RETURNING`), and run it through [`on_db!`].
#[derive(Clone, Debug)]
pub enum Db {
    /// An embedded SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// Runs the same code against whichever pool a [`Db`] holds; `$pool` is
/// bound to the concrete pool, so queries stay typed per backend.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

impl Db {
    /// Opens `postgres://…` / `postgresql://…`, or anything else as an
    /// SQLite URL (`sqlite://path`, created when missing).
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(
                PgPoolOptions::new()
                    .max_connections(16)
                    .after_release(|conn, _| Box::pin(fit_for_reuse(conn)))
                    .connect(url)
                    .await?,
            ))
        } else {
            // WAL with full sync: an acknowledged write survives a crash, and
            // readers do not block the writer
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(std::time::Duration::from_secs(10));
            Ok(Self::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(8)
                    .after_release(|conn, _| Box::pin(fit_for_reuse(conn)))
                    .connect_with(options)
                    .await?,
            ))
        }
    }

    /// Applies one service's migrations (the set for this backend; pass
    /// `sqlx::migrate!(…)` for each), leaving the other services' recorded
    /// migrations alone.
    pub async fn migrate(&self, sqlite: Migrator, postgres: Migrator) -> Result<(), MigrateError> {
        let mut migrator = match self {
            Self::Sqlite(_) => sqlite,
            Self::Postgres(_) => postgres,
        };
        migrator.set_ignore_missing(true);
        on_db!(self, pool => migrator.run(pool).await)
    }

    /// Which backend (for `/healthz`, metrics and start-up messages).
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(drop))
    }
}

/// Whether a connection given back to the pool may serve the next request:
/// not when it still counts itself inside a transaction. SQLite rolls a
/// transaction back by itself after some errors (SQLITE_FULL on a full
/// disk, SQLITE_IOERR); the driver's own rollback of the dropped transaction
/// then fails, its count stays at one, and every later `begin_write` on the
/// connection failed until the pool dropped it. The ping first lets the
/// queued rollback of a dropped transaction run.
async fn fit_for_reuse<C: sqlx::Connection>(conn: &mut C) -> Result<bool, sqlx::Error> {
    conn.ping().await?;
    let fit = !conn.is_in_transaction();
    if !fit {
        tracing::warn!("a database connection came back inside a transaction; it is closed");
    }
    Ok(fit)
}

/// Starting a transaction that will write, so that concurrent writers queue
/// instead of failing or interleaving: SQLite takes the write lock at once
/// (`BEGIN IMMEDIATE`, so a later upgrade cannot fail with `SQLITE_BUSY`),
/// PostgreSQL takes a transaction-scoped advisory lock named by `key`, which
/// makes read-check-write sequences (next generation, the severity that must
/// stay) safe across replicas.
pub trait BeginWrite {
    /// The backend.
    type Database: sqlx::Database;
    /// Begins the transaction holding the service's write lock.
    fn begin_write(
        &self,
        key: i64,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    async fn begin_write(&self, _key: i64) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    async fn begin_write(&self, key: i64) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        let mut tx = self.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(key).execute(&mut *tx).await?;
        Ok(tx)
    }
}

/// Whether a database error is a unique-constraint violation (a duplicate
/// key the caller turns into its own error).
pub fn unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// A database URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
