// SPDX-License-Identifier: Apache-2.0
//! The monitor's storage: SQLite (the default, one file) or PostgreSQL
//! (several replicas behave as one service: every request reads the database,
//! nothing that matters lives in a process).
//!
//! The SQL is shared by both backends (standard SQL with `$n` parameters,
//! `ON CONFLICT` and `RETURNING`); each backend has its own migrations.
//!
//! This file is over 600 lines because it holds every query of the monitor's
//! tables for both backends: a schema change is reviewed against all of them
//! in one place, and the row mapping sits beside the SQL that selects it.

use crate::accounts::Account;
use chrono::NaiveDateTime;
use scs_db::Db;
use sqlx::Row;

/// Result rows per INSERT statement (8 binds each).
const RESULTS_PER_STATEMENT: usize = 1000;

/// The monitor's tables in the shared database ([`scs_db::Db`]).
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
}

/// The columns a [`VerdictChange`] is read from (a macro, so queries stay
/// literals).
macro_rules! change_columns {
    () => {
        "changeid, subject, scopeuuid, old_summary, new_summary, changed_at, cause, attempts"
    };
}

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A report with this run uuid was stored before.
    #[error("a report with uuid {0} exists already")]
    Duplicate(String),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Schema migration failed.
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A stored result row, as `GET /results` lists them.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ResultRow {
    /// The run uuid of the report holding the result.
    pub reportuuid: String,
    /// The subject tested.
    pub subject: String,
    /// When the test ran.
    pub checked_at: NaiveDateTime,
    /// The scope's uuid.
    pub scopeuuid: String,
    /// The scope version (`*` for version-independent results).
    pub version: String,
    /// The testcase id (upstream's field name).
    pub check: String,
    /// 1 PASS, 0 ABORT, -1 FAIL.
    pub result: i32,
    /// Whether an approver accepted the result.
    pub approval: bool,
}

/// One approval decision of `POST /results`.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The report's run uuid.
    pub reportuuid: String,
    /// The scope's uuid.
    pub scopeuuid: String,
    /// The scope version of the row.
    pub version: String,
    /// The testcase id.
    pub check: String,
    /// The decision.
    pub approval: bool,
}

/// A change of a subject's verdict for a scope (the feed's entries, the
/// webhooks' payload).
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct VerdictChange {
    /// Increasing id; receivers use it to drop duplicate deliveries.
    #[sqlx(rename = "changeid")]
    pub id: i64,
    /// The subject.
    pub subject: String,
    /// The scope's uuid.
    pub scopeuuid: String,
    /// The summary before (`None` for the first verdict).
    #[sqlx(rename = "old_summary")]
    pub old: Option<String>,
    /// The summary now, e.g. `✅ v5.1`.
    #[sqlx(rename = "new_summary")]
    pub new: String,
    /// When the monitor noticed the change.
    pub changed_at: NaiveDateTime,
    /// What caused it: `report UUID` or `re-evaluation` (expiry, new scope versions).
    pub cause: String,
    /// Delivery attempts so far.
    pub attempts: i32,
}

/// A report to store, with one row per testcase result.
#[derive(Clone, Debug)]
pub struct NewReport {
    /// `run.uuid` (or the v2 report's `uuid`).
    pub uuid: String,
    /// When the check ran.
    pub checked_at: NaiveDateTime,
    /// The subject.
    pub subject: String,
    /// The document as JSON text.
    pub data: String,
    /// Its results.
    pub results: Vec<NewResult>,
    /// When it was stored; `None`: now (an upload). An import keeps the
    /// time it had, or its `checked_at` where that is unknown.
    pub uploaded_at: Option<NaiveDateTime>,
}

/// One result row of a report.
#[derive(Clone, Debug)]
pub struct NewResult {
    /// The scope's uuid.
    pub scope: String,
    /// The scope version (`*` for version-independent reports).
    pub version: String,
    /// The testcase id.
    pub testcase: String,
    /// 1 PASS, 0 ABORT, -1 FAIL.
    pub result: i32,
    /// Pre-approved (an upload approves its passes, as upstream does).
    pub approval: bool,
}

impl NewResult {
    /// A result as an upload stores it: passes pre-approved.
    pub fn uploaded(scope: &str, version: &str, testcase: &str, result: i32) -> Self {
        Self {
            scope: scope.to_owned(),
            version: version.to_owned(),
            testcase: testcase.to_owned(),
            result,
            approval: result == 1,
        }
    }
}

/// A stored account, as the request handlers need it.
#[derive(Clone, Debug)]
pub struct StoredAccount {
    /// Subject.
    pub subject: String,
    /// Its roles (stored as upstream's bitmask).
    pub roles: std::collections::BTreeSet<crate::accounts::Role>,
    /// Group.
    pub group: Option<String>,
    /// API-key hashes.
    pub api_keys: Vec<String>,
    /// `type base64` public keys.
    pub keys: Vec<String>,
}

/// The latest result of one testcase.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct LatestResult {
    /// Testcase id.
    pub testcase: String,
    /// 1, 0, -1.
    pub result: i32,
    /// When it was checked.
    pub checked_at: NaiveDateTime,
    /// The report it came from.
    #[sqlx(rename = "reportuuid")]
    pub report: String,
}

/// A [`LatestResult`] with the subject it belongs to.
#[derive(sqlx::FromRow)]
struct SubjectResult {
    subject: String,
    #[sqlx(flatten)]
    result: LatestResult,
}

impl Store {
    /// Connects (`sqlite://path` or `postgres://...`) and runs the migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::open(Db::connect(url).await?).await
    }

    /// Brings the monitor's tables in a shared database up to date.
    pub async fn open(db: Db) -> Result<Self, StoreError> {
        db.migrate(sqlx::migrate!("./migrations/sqlite"), sqlx::migrate!("./migrations/postgres")).await?;
        Ok(Self { db })
    }

    /// The shared database (for `/healthz`).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Makes the stored accounts equal to `accounts`: new ones are added,
    /// changed ones updated, missing ones deleted (with their keys).
    pub async fn replace_accounts(&self, accounts: &[Account]) -> Result<(), StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let mut ids = Vec::with_capacity(accounts.len());
            for (position, a) in (0_i64..).zip(accounts) {
                let row = sqlx::query(
                    "INSERT INTO account (subject, roles, \"group\", position) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (subject) DO UPDATE SET roles = excluded.roles, \"group\" = excluded.\"group\", \
                     position = excluded.position RETURNING accountid",
                )
                .bind(&a.subject)
                .bind(a.role_bits())
                .bind(&a.group)
                .bind(position)
                .fetch_one(&mut *tx)
                .await?;
                let id: i64 = row.try_get("accountid")?;
                ids.push((a, id));
                sqlx::query("DELETE FROM apikey WHERE accountid = $1").bind(id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM publickey WHERE accountid = $1").bind(id).execute(&mut *tx).await?;
                for hash in &a.api_keys {
                    sqlx::query("INSERT INTO apikey (apikeyhash, accountid) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(hash)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                for (name, key) in &a.keys {
                    // stored as upstream does: the key type and the base64 body apart
                    let line = key.to_openssh().map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
                    let mut parts = line.split_whitespace();
                    let (keytype, body) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
                    sqlx::query("INSERT INTO publickey (key, keytype, keyname, accountid) VALUES ($1, $2, $3, $4)")
                        .bind(body)
                        .bind(keytype)
                        .bind(name)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let keep: Vec<&str> = accounts.iter().map(|a| a.subject.as_str()).collect();
            let existing = sqlx::query("SELECT subject FROM account").fetch_all(&mut *tx).await?;
            for row in existing {
                let subject: String = row.try_get("subject")?;
                if !keep.contains(&subject.as_str()) {
                    sqlx::query("DELETE FROM account WHERE subject = $1").bind(&subject).execute(&mut *tx).await?;
                }
            }
            sqlx::query("DELETE FROM delegation").execute(&mut *tx).await?;
            for (a, id) in &ids {
                for delegate in &a.delegates {
                    if let Some((_, delegate_id)) = ids.iter().find(|(d, _)| d.subject == *delegate) {
                        sqlx::query("INSERT INTO delegation (delegateid, accountid) VALUES ($1, $2)")
                            .bind(delegate_id)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The account of `subject`, with keys.
    pub async fn account(&self, subject: &str) -> Result<Option<StoredAccount>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let Some(row) = sqlx::query("SELECT accountid, roles, \"group\" FROM account WHERE subject = $1")
                .bind(subject)
                .fetch_optional(pool)
                .await?
            else {
                return Ok(None);
            };
            let id: i64 = row.try_get("accountid")?;
            let api_keys = sqlx::query("SELECT apikeyhash FROM apikey WHERE accountid = $1")
                .bind(id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("apikeyhash"))
                .collect::<Result<Vec<_>, _>>()?;
            let keys = sqlx::query("SELECT keytype, key FROM publickey WHERE accountid = $1")
                .bind(id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| Ok(format!("{} {}", r.try_get::<String, _>("keytype")?, r.try_get::<String, _>("key")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
            Ok(Some(StoredAccount {
                subject: subject.to_owned(),
                roles: crate::accounts::Role::from_bits(row.try_get("roles")?),
                group: row.try_get("group")?,
                api_keys,
                keys,
            }))
        })
    }

    /// Subjects that name `subject`'s account as a delegate (it may upload for them).
    pub async fn delegators(&self, subject: &str) -> Result<Vec<String>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let rows = sqlx::query(
                "SELECT a.subject FROM delegation d JOIN account a ON a.accountid = d.accountid \
                 JOIN account me ON me.accountid = d.delegateid WHERE me.subject = $1",
            )
            .bind(subject)
            .fetch_all(pool)
            .await?;
            Ok(rows.iter().map(|r| r.try_get::<String, _>("subject")).collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Every subject with an account, and its group, in the accounts file's order.
    pub async fn subjects(&self) -> Result<Vec<(String, Option<String>)>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT subject, \"group\" FROM account ORDER BY position, subject").fetch_all(pool).await?;
            Ok(rows
                .iter()
                .map(|r| Ok((r.try_get("subject")?, r.try_get("group")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?)
        })
    }

    /// Every subject some report was stored for, sorted.
    pub async fn reported_subjects(&self) -> Result<Vec<String>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT DISTINCT subject FROM report ORDER BY subject").fetch_all(pool).await?;
            Ok(rows.iter().map(|r| r.try_get::<String, _>("subject")).collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Stores reports all-or-nothing: one transaction, committed (durable)
    /// before this returns; a duplicate uuid stores nothing.
    pub async fn insert_reports(&self, reports: &[NewReport], now: NaiveDateTime) -> Result<(), StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            for r in reports {
                let inserted = sqlx::query(
                    "INSERT INTO report (reportuuid, checked_at, subject, data, uploaded_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING reportid",
                )
                .bind(&r.uuid)
                .bind(r.checked_at)
                .bind(&r.subject)
                .bind(&r.data)
                .bind(r.uploaded_at.unwrap_or(now))
                .fetch_one(&mut *tx)
                .await;
                let id: i64 = match inserted {
                    Ok(row) => row.try_get("reportid")?,
                    Err(e) if scs_db::unique_violation(&e) => return Err(StoreError::Duplicate(r.uuid.clone())),
                    Err(e) => return Err(e.into()),
                };
                // batches of rows (8 binds each, well under either database's
                // limit): one statement per testcase held SQLite's write lock
                // for 26 s with 124,000 of them
                for batch in r.results.chunks(RESULTS_PER_STATEMENT) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO result2 (checked_at, subject, scopeuuid, version, testcase, result, approval, reportid) ",
                    );
                    insert.push_values(batch, |mut row, result| {
                        row.push_bind(r.checked_at)
                            .push_bind(&r.subject)
                            .push_bind(&result.scope)
                            .push_bind(&result.version)
                            .push_bind(&result.testcase)
                            .push_bind(result.result)
                            .push_bind(result.approval)
                            .push_bind(id);
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                // newer (or, at the same time, later stored) results replace
                // the latest; within the report the last stored one per
                // testcase counts (a testcase may appear under several versions)
                sqlx::query(
                    "INSERT INTO result_latest (subject, scopeuuid, testcase, result, checked_at, resultid, reportid) \
                     SELECT subject, scopeuuid, testcase, result, checked_at, resultid, reportid FROM result2 \
                     WHERE resultid IN (SELECT max(resultid) FROM result2 WHERE reportid = $1 GROUP BY scopeuuid, testcase) \
                     ON CONFLICT (scopeuuid, subject, testcase) DO UPDATE SET result = excluded.result, \
                       checked_at = excluded.checked_at, resultid = excluded.resultid, reportid = excluded.reportid \
                     WHERE excluded.checked_at > result_latest.checked_at \
                        OR (excluded.checked_at = result_latest.checked_at AND excluded.resultid > result_latest.resultid)",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The latest result of every testcase of `subject` against `scope`.
    pub async fn latest_results(&self, subject: &str, scope: &str) -> Result<Vec<LatestResult>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            Ok(sqlx::query_as::<_, LatestResult>(
                "SELECT l.testcase, l.result, l.checked_at, p.reportuuid \
                 FROM result_latest l JOIN report p ON p.reportid = l.reportid \
                 WHERE l.subject = $1 AND l.scopeuuid = $2",
            )
            .bind(subject)
            .bind(scope)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The latest result of every testcase of every subject against `scope`
    /// (one query where the overview would otherwise ask once per subject).
    pub async fn latest_results_all(&self, scope: &str) -> Result<Vec<(String, LatestResult)>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let rows = sqlx::query_as::<_, SubjectResult>(
                "SELECT l.subject, l.testcase, l.result, l.checked_at, p.reportuuid \
                 FROM result_latest l JOIN report p ON p.reportid = l.reportid WHERE l.scopeuuid = $1",
            )
            .bind(scope)
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().map(|r| (r.subject, r.result)).collect())
        })
    }

    /// A stored report's JSON text.
    pub async fn report(&self, uuid: &str) -> Result<Option<(String, String)>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let row = sqlx::query("SELECT subject, data FROM report WHERE reportuuid = $1")
                .bind(uuid)
                .fetch_optional(pool)
                .await?;
            Ok(match row {
                Some(r) => Some((r.try_get("subject")?, r.try_get("data")?)),
                None => None,
            })
        })
    }

    /// The reports of `subject`, newest first, as stored JSON text.
    pub async fn reports(&self, subject: &str, limit: i64, skip: i64) -> Result<Vec<String>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let rows = sqlx::query(
                "SELECT data FROM report WHERE subject = $1 ORDER BY checked_at DESC, reportid DESC LIMIT $2 OFFSET $3",
            )
            .bind(subject)
            .bind(limit)
            .bind(skip)
            .fetch_all(pool)
            .await?;
            Ok(rows.iter().map(|r| r.try_get::<String, _>("data")).collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Result rows checked since `since`, newest first, optionally only the
    /// (not) approved ones.
    pub async fn recent_results(
        &self,
        since: NaiveDateTime,
        approved: Option<bool>,
        limit: i64,
        skip: i64,
    ) -> Result<Vec<ResultRow>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let rows = sqlx::query(
                "SELECT p.reportuuid, r.subject, r.checked_at, r.scopeuuid, r.version, r.testcase, r.result, r.approval \
                 FROM result2 r JOIN report p ON p.reportid = r.reportid \
                 WHERE r.checked_at >= $1 AND ($2 IS NULL OR r.approval = $2) \
                 ORDER BY r.checked_at DESC, r.resultid DESC LIMIT $3 OFFSET $4",
            )
            .bind(since)
            .bind(approved)
            .bind(limit)
            .bind(skip)
            .fetch_all(pool)
            .await?;
            Ok(rows
                .iter()
                .map(|r| {
                    Ok(ResultRow {
                        reportuuid: r.try_get("reportuuid")?,
                        subject: r.try_get("subject")?,
                        checked_at: r.try_get("checked_at")?,
                        scopeuuid: r.try_get("scopeuuid")?,
                        version: r.try_get("version")?,
                        check: r.try_get("testcase")?,
                        result: r.try_get("result")?,
                        approval: r.try_get("approval")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?)
        })
    }

    /// Applies approval decisions in one transaction; returns how many result
    /// rows changed.
    pub async fn set_approvals(&self, approvals: &[Approval]) -> Result<u64, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let mut changed = 0;
            for a in approvals {
                changed += sqlx::query(
                    "UPDATE result2 SET approval = $1 WHERE scopeuuid = $2 AND version = $3 AND testcase = $4 \
                     AND reportid = (SELECT reportid FROM report WHERE reportuuid = $5)",
                )
                .bind(a.approval)
                .bind(&a.scopeuuid)
                .bind(&a.version)
                .bind(&a.check)
                .bind(&a.reportuuid)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            Ok(changed)
        })
    }

    /// Records `summary` as the verdict of `subject` for `scope`; returns the
    /// change when it differs from the recorded one. Compare-and-set in one
    /// transaction, so replicas evaluating at once record a change once.
    /// A first verdict without any result (`🛑 –`) is recorded silently.
    pub async fn record_verdict(
        &self,
        subject: &str,
        scope: &str,
        summary: &str,
        has_results: bool,
        now: NaiveDateTime,
        cause: &str,
    ) -> Result<Option<VerdictChange>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            // write first: SQLite fails a read transaction's upgrade to a writer at once
            // (SQLITE_BUSY) where a first write waits for the lock
            let inserted = sqlx::query(
                "INSERT INTO verdict (subject, scopeuuid, summary, changed_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (subject, scopeuuid) DO NOTHING",
            )
            .bind(subject)
            .bind(scope)
            .bind(summary)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let (old, won) = if inserted == 1 {
                (None, 1)
            } else {
                let old: String = sqlx::query("SELECT summary FROM verdict WHERE subject = $1 AND scopeuuid = $2")
                    .bind(subject)
                    .bind(scope)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("summary")?;
                if old == summary {
                    return Ok(None);
                }
                let won = sqlx::query(
                    "UPDATE verdict SET summary = $1, changed_at = $2 WHERE subject = $3 AND scopeuuid = $4 AND summary = $5",
                )
                .bind(summary)
                .bind(now)
                .bind(subject)
                .bind(scope)
                .bind(&old)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                (Some(old), won)
            };
            if won == 0 || (old.is_none() && !has_results) {
                tx.commit().await?;
                return Ok(None);
            }
            let row = sqlx::query(
                "INSERT INTO verdict_change (subject, scopeuuid, old_summary, new_summary, changed_at, cause) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING changeid",
            )
            .bind(subject)
            .bind(scope)
            .bind(&old)
            .bind(summary)
            .bind(now)
            .bind(cause)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = row.try_get("changeid")?;
            tx.commit().await?;
            Ok(Some(VerdictChange {
                id,
                subject: subject.to_owned(),
                scopeuuid: scope.to_owned(),
                old,
                new: summary.to_owned(),
                changed_at: now,
                cause: cause.to_owned(),
                attempts: 0,
            }))
        })
    }

    /// The latest verdict changes, newest first; of one subject if given.
    pub async fn changes(&self, subject: Option<&str>, limit: i64) -> Result<Vec<VerdictChange>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            Ok(sqlx::query_as::<_, VerdictChange>(concat!(
                "SELECT ",
                change_columns!(),
                " FROM verdict_change WHERE ($1 IS NULL OR subject = $1) ORDER BY changeid DESC LIMIT $2"
            ))
            .bind(subject)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Takes the oldest undelivered change for `lease` (another replica may
    /// take it after that, if this one died while delivering).
    pub async fn claim_change(
        &self,
        now: NaiveDateTime,
        lease: chrono::Duration,
    ) -> Result<Option<VerdictChange>, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            Ok(sqlx::query_as::<_, VerdictChange>(concat!(
                "UPDATE verdict_change SET claimed_until = $1, attempts = attempts + 1 WHERE changeid = ( \
                   SELECT changeid FROM verdict_change WHERE notified = FALSE \
                   AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY changeid LIMIT 1) \
                 AND (claimed_until IS NULL OR claimed_until < $2) RETURNING ",
                change_columns!()
            ))
            .bind(now + lease)
            .bind(now)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Ends a change's delivery: delivered (or given up on) with `done`,
    /// otherwise retried after `retry_at`.
    pub async fn finish_change(&self, id: i64, done: bool, retry_at: NaiveDateTime) -> Result<(), StoreError> {
        scs_db::on_db!(&self.db, pool => {
            sqlx::query("UPDATE verdict_change SET notified = $1, claimed_until = $2 WHERE changeid = $3")
                .bind(done)
                .bind(retry_at)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// How many reports are stored.
    pub async fn report_count(&self) -> Result<i64, StoreError> {
        scs_db::on_db!(&self.db, pool => {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM report").fetch_one(pool).await?;
            Ok(row.try_get("n")?)
        })
    }
}
