// SPDX-License-Identifier: Apache-2.0
//! Taking over an upstream deployment: `scs serve import --from URL` copies
//! the reports and results of upstream's compliance monitor (its PostgreSQL
//! schema v3 or v4) into this monitor's database, keeping every result's
//! approval. Accounts are not copied: upstream reads them from its
//! `bootstrap.yaml` at every start, and `scs serve --accounts` reads the same
//! file.
//!
//! `scs serve` refuses to start on upstream's database itself (its tables
//! share names with ours, and the status page would add its own beside them):
//! [`upstream_schema`] tells it, and its message points here.

use crate::store::{NewReport, NewResult, Store, StoreError};
use chrono::NaiveDateTime;
use sqlx::Row;

/// Reports copied per transaction.
const REPORTS_PER_BATCH: i64 = 200;

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The source cannot be reached.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The source, without its password.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// The source holds no upstream monitor, or one this importer does not read.
    #[error("{url}: {message}")]
    Schema {
        /// The source, without its password.
        url: String,
        /// What was found.
        message: String,
    },
    /// Reading the source failed.
    #[error("reading {url}: {source}")]
    Read {
        /// The source, without its password.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// Writing this monitor's database failed.
    #[error("writing the imported reports: {0}")]
    Store(#[from] StoreError),
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// Upstream's schema version (`v3`, `v4`).
    pub schema: String,
    /// Reports copied.
    pub reports: usize,
    /// Reports already here (by run uuid), left as they are: an import can be repeated.
    pub already_present: usize,
    /// Result rows copied.
    pub results: usize,
    /// Result rows without a value (upstream's column allows NULL), not copied.
    pub results_without_value: usize,
}

/// The schema version of upstream's monitor if `db` holds one (its `meta`
/// table, without this monitor's migrations), else `None`.
pub async fn upstream_schema(db: &scs_db::Db) -> Result<Option<String>, sqlx::Error> {
    let scs_db::Db::Postgres(pool) = db else { return Ok(None) };
    let row = sqlx::query(
        "SELECT to_regclass('meta') IS NOT NULL AS meta, to_regclass('_sqlx_migrations') IS NOT NULL AS ours",
    )
    .fetch_one(pool)
    .await?;
    if !row.try_get::<bool, _>("meta")? || row.try_get::<bool, _>("ours")? {
        return Ok(None);
    }
    let version = sqlx::query("SELECT value FROM meta WHERE key = 'version'").fetch_optional(pool).await?;
    Ok(Some(match version {
        Some(row) => row.try_get::<String, _>("value")?,
        None => "unknown".to_owned(),
    }))
}

/// Copies upstream's reports and results from `source_url` into `store`.
pub async fn import_upstream(source_url: &str, store: &Store) -> Result<ImportSummary, ImportError> {
    let shown = scs_db::redact_url(source_url);
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(source_url)
        .await
        .map_err(|source| ImportError::Connect { url: shown.clone(), source })?;
    let read = |source| ImportError::Read { url: shown.clone(), source };
    let schema = upstream_schema(&scs_db::Db::Postgres(pool.clone())).await.map_err(read)?.ok_or_else(|| {
        ImportError::Schema {
            url: shown.clone(),
            message: "no upstream compliance monitor here (no `meta` table, or this monitor's own tables)".into(),
        }
    })?;
    if !matches!(schema.as_str(), "v3" | "v4") {
        return Err(ImportError::Schema {
            url: shown.clone(),
            message: format!(
                "upstream's schema {schema}; this importer reads v3 and v4 (start upstream's monitor once to upgrade)"
            ),
        });
    }
    let mut summary = ImportSummary { schema, ..ImportSummary::default() };
    let mut after = 0_i64;
    loop {
        let rows = sqlx::query(
            "SELECT reportid::bigint AS reportid, reportuuid, checked_at, subject, data::text AS data FROM report \
             WHERE reportid > $1 ORDER BY reportid LIMIT $2",
        )
        .bind(after)
        .bind(REPORTS_PER_BATCH)
        .fetch_all(&pool)
        .await
        .map_err(read)?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("reportid").map_err(read)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.try_get("reportid")).collect::<Result<_, _>>().map_err(read)?;
        let results = sqlx::query(
            "SELECT reportid::bigint AS reportid, scopeuuid, version, testcase, result, approval FROM result2 \
             WHERE reportid = ANY($1::integer[]) ORDER BY resultid",
        )
        .bind(&ids)
        .fetch_all(&pool)
        .await
        .map_err(read)?;
        let mut by_report: std::collections::HashMap<i64, Vec<NewResult>> = std::collections::HashMap::new();
        for r in &results {
            let Some(value) = r.try_get::<Option<i32>, _>("result").map_err(read)? else {
                summary.results_without_value += 1;
                continue;
            };
            by_report.entry(r.try_get("reportid").map_err(read)?).or_default().push(NewResult {
                scope: r.try_get("scopeuuid").map_err(read)?,
                version: r.try_get("version").map_err(read)?,
                testcase: r.try_get("testcase").map_err(read)?,
                result: value,
                approval: r.try_get::<Option<bool>, _>("approval").map_err(read)?.unwrap_or(false),
            });
        }
        let mut batch = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("reportid").map_err(read)?;
            let uuid: String = row.try_get("reportuuid").map_err(read)?;
            if store.report(&uuid).await?.is_some() {
                summary.already_present += 1;
                continue;
            }
            let checked_at: NaiveDateTime = row.try_get("checked_at").map_err(read)?;
            let report = NewReport {
                uuid,
                checked_at,
                subject: row.try_get("subject").map_err(read)?,
                data: row.try_get::<Option<String>, _>("data").map_err(read)?.unwrap_or_else(|| "{}".to_owned()),
                results: by_report.remove(&id).unwrap_or_default(),
                // upstream does not record when a report arrived
                uploaded_at: Some(checked_at),
            };
            summary.results += report.results.len();
            batch.push(report);
        }
        summary.reports += batch.len();
        // the time given is unused: every imported report carries its own
        store.insert_reports(&batch, chrono::Utc::now().naive_utc()).await?;
    }
    pool.close().await;
    Ok(summary)
}
