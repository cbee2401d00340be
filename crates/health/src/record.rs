// SPDX-License-Identifier: Apache-2.0
//! The local record of `scs health run` (an SQLite file by default,
//! PostgreSQL through the same URL setting, by the `scs serve` database
//! layer): each check, each service's verdict in it and each API call's
//! time; `scs health report` reads availability per service and latency
//! percentiles from it. Rows older than the retention are deleted as new
//! ones come.

use crate::ApiCall;
use crate::calls::percentile;
use crate::incidents::Verdict;
use crate::open_operations::{iteration_verdicts, probe_verdicts};
use crate::probe::Probe;
use crate::scenario::Iteration;
use chrono::{DateTime, Utc};
use scs_db::{Db, on_db};
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// Why the record could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The database failed.
    #[error("health record: {0}")]
    Database(#[from] sqlx::Error),
    /// The migrations failed.
    #[error("health record: migrating: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The record.
#[derive(Clone, Debug)]
pub struct Record {
    db: Db,
    retention: chrono::Duration,
}

fn micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

impl Record {
    /// Opens (creating and migrating) the record at `url`, keeping
    /// `retention_days` of checks.
    pub async fn open(url: &str, retention_days: u32) -> Result<Self, RecordError> {
        let db = Db::connect(url).await?;
        db.migrate(sqlx::migrate!("./migrations/sqlite"), sqlx::migrate!("./migrations/postgres")).await?;
        Ok(Self { db, retention: chrono::Duration::days(i64::from(retention_days)) })
    }

    /// Records an iteration (an interrupted one is not a verdict on the cloud).
    pub async fn iteration(&self, it: &Iteration) -> Result<(), RecordError> {
        if it.interrupted {
            return Ok(());
        }
        let verdicts = iteration_verdicts(it, None);
        self.check(&it.cloud, "iteration", &it.started_at, it.seconds, it.success(), &verdicts, &it.calls).await
    }

    /// Records a light probe.
    pub async fn probe(&self, p: &Probe) -> Result<(), RecordError> {
        let verdicts = probe_verdicts(p, None);
        self.check(&p.cloud, "probe", &p.started_at, p.seconds, p.success(), &verdicts, &p.calls).await
    }

    #[allow(clippy::too_many_arguments)] // one check's columns
    async fn check(
        &self,
        cloud: &str,
        kind: &str,
        started_at: &DateTime<Utc>,
        seconds: f64,
        success: bool,
        verdicts: &BTreeMap<String, Verdict>,
        calls: &[ApiCall],
    ) -> Result<(), RecordError> {
        let cut = micros(&Utc::now().checked_sub_signed(self.retention).unwrap_or(DateTime::<Utc>::MIN_UTC));
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query(
                "INSERT INTO health_check (cloud, kind, started_at, seconds, success) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(cloud)
            .bind(kind)
            .bind(micros(started_at))
            .bind(seconds)
            .bind(i32::from(success))
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            for (service, verdict) in verdicts {
                sqlx::query("INSERT INTO health_verdict (check_id, service, good) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(service)
                    .bind(i32::from(matches!(verdict, Verdict::Good)))
                    .execute(&mut *tx)
                    .await?;
            }
            for call in calls {
                sqlx::query("INSERT INTO health_call (check_id, service, failed, seconds) VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(&call.service)
                    .bind(i32::from(call.failed()))
                    .bind(call.seconds)
                    .execute(&mut *tx)
                    .await?;
            }
            // the cascade takes the verdicts and calls along
            sqlx::query("DELETE FROM health_check WHERE started_at < $1").bind(cut).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// What the record holds since `since`, per cloud (only `cloud`, if given).
    pub async fn report(&self, since: DateTime<Utc>, cloud: Option<&str>) -> Result<Report, RecordError> {
        let since_us = micros(&since);
        let cloud = cloud.unwrap_or("");
        let (checks, verdicts, calls) = on_db!(&self.db, pool => {
            let checks = sqlx::query(
                "SELECT cloud, kind, COUNT(*) AS n, SUM(success) AS ok FROM health_check \
                 WHERE started_at >= $1 AND ($2 = '' OR cloud = $2) GROUP BY cloud, kind",
            )
            .bind(since_us)
            .bind(cloud)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("cloud")?, r.try_get::<String, _>("kind")?, r.try_get::<i64, _>("n")?, r.try_get::<i64, _>("ok")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
            let verdicts = sqlx::query(
                "SELECT c.cloud, v.service, COUNT(*) AS n, SUM(v.good) AS good FROM health_verdict v \
                 JOIN health_check c ON c.id = v.check_id \
                 WHERE c.started_at >= $1 AND ($2 = '' OR c.cloud = $2) GROUP BY c.cloud, v.service",
            )
            .bind(since_us)
            .bind(cloud)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("cloud")?, r.try_get::<String, _>("service")?, r.try_get::<i64, _>("n")?, r.try_get::<i64, _>("good")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
            let calls = sqlx::query(
                "SELECT c.cloud, k.service, k.failed, k.seconds FROM health_call k \
                 JOIN health_check c ON c.id = k.check_id \
                 WHERE c.started_at >= $1 AND ($2 = '' OR c.cloud = $2)",
            )
            .bind(since_us)
            .bind(cloud)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("cloud")?, r.try_get::<String, _>("service")?, r.try_get::<i32, _>("failed")? != 0, r.try_get::<f64, _>("seconds")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
            (checks, verdicts, calls)
        });
        Ok(Report::from_rows(since, &checks, &verdicts, &calls))
    }
}

/// Availability and latency since a time, per cloud.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The start of the window.
    pub since: DateTime<Utc>,
    /// Per cloud, by name.
    pub clouds: Vec<CloudReport>,
}

/// One cloud's figures.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CloudReport {
    /// The cloud.
    pub cloud: String,
    /// Iterations recorded.
    pub iterations: i64,
    /// Of which every step passed.
    pub iterations_ok: i64,
    /// Light probes recorded.
    pub probes: i64,
    /// Of which every read answered.
    pub probes_ok: i64,
    /// Per service, by name.
    pub services: Vec<ServiceReport>,
}

/// One service's figures.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ServiceReport {
    /// The service type.
    pub service: String,
    /// Checks that reached it.
    pub checks: i64,
    /// Of which it passed.
    pub good: i64,
    /// `good / checks`.
    pub availability: f64,
    /// Its API calls.
    pub calls: u64,
    /// Of which failed.
    pub failed_calls: u64,
    /// Median call time (seconds).
    pub p50: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
}

impl Report {
    fn from_rows(
        since: DateTime<Utc>,
        checks: &[(String, String, i64, i64)],
        verdicts: &[(String, String, i64, i64)],
        calls: &[(String, String, bool, f64)],
    ) -> Self {
        let mut clouds: BTreeMap<String, CloudReport> = BTreeMap::new();
        let mut services: BTreeMap<(String, String), ServiceReport> = BTreeMap::new();
        let mut times: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
        for (cloud, kind, n, ok) in checks {
            let c = clouds
                .entry(cloud.clone())
                .or_insert_with(|| CloudReport { cloud: cloud.clone(), ..CloudReport::default() });
            if kind == "iteration" {
                (c.iterations, c.iterations_ok) = (*n, *ok);
            } else {
                (c.probes, c.probes_ok) = (*n, *ok);
            }
        }
        for (cloud, service, n, good) in verdicts {
            let s = services.entry((cloud.clone(), service.clone())).or_default();
            (s.checks, s.good) = (*n, *good);
        }
        for (cloud, service, failed, seconds) in calls {
            let s = services.entry((cloud.clone(), service.clone())).or_default();
            s.calls += 1;
            s.failed_calls += u64::from(*failed);
            if !failed {
                times.entry((cloud.clone(), service.clone())).or_default().push(*seconds);
            }
        }
        for ((cloud, service), mut s) in services {
            s.service = service.clone();
            s.availability = if s.checks > 0 { s.good as f64 / s.checks as f64 } else { 0.0 };
            let mut t = times.remove(&(cloud.clone(), service)).unwrap_or_default();
            t.sort_by(f64::total_cmp);
            (s.p50, s.p95, s.p99) = (percentile(&t, 50), percentile(&t, 95), percentile(&t, 99));
            let c = clouds.entry(cloud.clone()).or_insert_with(|| CloudReport { cloud, ..CloudReport::default() });
            c.services.push(s);
        }
        Self { since, clouds: clouds.into_values().collect() }
    }
}

/// `7d`, `24h`, `30m`, `90s` before now, or an RFC 3339 time.
pub fn parse_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: i64 =
        number.parse().map_err(|_| format!("{text:?}: not a duration like 7d, 24h, 30m or an RFC 3339 time"))?;
    let span = match unit {
        "d" => chrono::Duration::days(n),
        "h" => chrono::Duration::hours(n),
        "m" => chrono::Duration::minutes(n),
        "s" => chrono::Duration::seconds(n),
        _ => return Err(format!("{text:?}: the unit is d, h, m or s")),
    };
    Ok(now - span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_durations_and_times() {
        let now = DateTime::parse_from_rfc3339("2026-12-05T12:00:00Z").map(|t| t.with_timezone(&Utc));
        let now = now.unwrap_or_default();
        assert_eq!(parse_since("7d", now).map(|t| t.to_rfc3339()), Ok("2026-11-28T12:00:00+00:00".into()));
        assert_eq!(parse_since("90m", now).map(|t| t.to_rfc3339()), Ok("2026-12-05T10:30:00+00:00".into()));
        assert_eq!(
            parse_since("2026-12-01T00:00:00Z", now).map(|t| t.to_rfc3339()),
            Ok("2026-12-01T00:00:00+00:00".into())
        );
        assert!(parse_since("7w", now).is_err_and(|e| e.contains("unit")));
        assert!(parse_since("soon", now).is_err_and(|e| e.contains("not a duration")));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=200).map(f64::from).collect();
        assert_eq!(
            (percentile(&v, 50), percentile(&v, 95), percentile(&v, 99)),
            (Some(100.0), Some(190.0), Some(198.0))
        );
        assert_eq!(percentile(&[], 50), None);
    }
}
