// SPDX-License-Identifier: Apache-2.0
//! The status page's tables in the shared database ([`scs_db::Db`]).
//!
//! Every write runs in one transaction under the service's write lock
//! ([`scs_db::BeginWrite`]): the checks that span rows (the next phase
//! generation, the severity with value 100 that must stay, the ids an
//! incident refers to) see no concurrent writer, on one process or on
//! several replicas. The event a write causes (feed entry, webhook) is
//! written in the same transaction, so it is never lost nor invented.
//!
//! This file is over 600 lines because it holds every query of the status
//! page's tables, each write with the checks and the event it must make in the
//! same transaction: a schema change is reviewed against all of them in one
//! place.

use crate::model::{
    Component, Impact, ImpactType, Incident, IncidentIn, IncidentState, Invalid, NewImpact, PhaseList, PhaseRef,
    Severity, Update, UpdateIn, from_micros, to_micros,
};
use chrono::{DateTime, Utc};
use scs_db::{BeginWrite, Db, on_db};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// The advisory-lock key of the status page's writers on PostgreSQL.
const WRITE_LOCK: i64 = 0x5c5_0057_a705;

/// Why a store operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The addressed resource does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// The request is wrong (400).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The request conflicts with what is stored (409).
    #[error("{0}")]
    Conflict(String),
    /// The database failed (500).
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Schema migration failed.
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

fn not_found<T>(what: impl Into<String>) -> Result<T> {
    Err(StoreError::NotFound(what.into()))
}

/// An API token as `scs status token list` shows it (never the secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    /// Its name (who holds it).
    pub name: String,
    /// Whether it may read the audit log.
    pub admin: bool,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One audited write.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// Who: `token:NAME`, `oidc:SUBJECT`, or `anonymous` for refused writes.
    pub actor: String,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// The answer's status code.
    pub status: i64,
    /// The request body (cut at 4 KiB).
    pub body: String,
}

/// An incident event: a feed entry and a webhook delivery.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Event {
    /// Increasing id; receivers drop duplicates by it.
    pub id: i64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// `incident.created`, `incident.updated`, `incident.resolved`,
    /// `incident.reopened`, `incident.deleted`, `update.created`.
    pub kind: String,
    /// The incident.
    pub incident: String,
    /// The incident's name (or the update's title).
    pub title: String,
    /// The JSON sent to webhooks.
    pub payload: String,
    /// Delivery attempts so far.
    pub attempts: i64,
}

/// Fails the transaction's write with a 400 naming the field when the phase,
/// a component or an impact type an incident refers to does not exist.
macro_rules! check_references {
    ($tx:expr, $state:expr) => {{
        let state: &IncidentState = $state;
        if let Some(p) = state.phase {
            let found = sqlx::query("SELECT 1 AS x FROM status_phase WHERE generation = $1 AND ord = $2")
                .bind(i64::from(p.generation))
                .bind(i64::from(p.order))
                .fetch_optional(&mut *$tx)
                .await?;
            if found.is_none() {
                return Err(Invalid(format!("phase: generation {} has no phase {}", p.generation, p.order)).into());
            }
        }
        for (i, a) in state.affects.iter().enumerate() {
            let c = sqlx::query("SELECT 1 AS x FROM status_component WHERE id = $1")
                .bind(&a.component)
                .fetch_optional(&mut *$tx)
                .await?;
            if c.is_none() {
                return Err(Invalid(format!("affects[{i}].reference: no component {}", a.component)).into());
            }
            let t = sqlx::query("SELECT 1 AS x FROM status_impact_type WHERE id = $1")
                .bind(&a.kind)
                .fetch_optional(&mut *$tx)
                .await?;
            if t.is_none() {
                return Err(Invalid(format!("affects[{i}].type: no impact type {}", a.kind)).into());
            }
        }
    }};
}

/// Writes an incident's impacts, in the write's transaction.
async fn write_impacts<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    id: &str,
    affects: &[NewImpact],
) -> Result<(), sqlx::Error>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for a in affects {
        sqlx::query::<DB>(
            "INSERT INTO status_impact (incident_id, component_id, impact_type_id, severity) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(a.component.as_str())
        .bind(a.kind.as_str())
        .bind(a.severity)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Records an event in the write's transaction, so it is never lost nor
/// invented.
async fn record_event<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    at: DateTime<Utc>,
    kind: &str,
    incident: &str,
    title: &str,
    payload: serde_json::Value,
) -> Result<(), sqlx::Error>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query::<DB>("INSERT INTO status_event (at, kind, incident_id, title, payload) VALUES ($1, $2, $3, $4, $5)")
        .bind(to_micros(&at))
        .bind(kind)
        .bind(incident)
        .bind(title)
        .bind(payload.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Reads incidents matching a filter on `status_incident i` (a literal, so
/// the queries stay literals), with their impacts and update orders: three
/// queries, the last two selecting by `incident_id IN (…)` so both backends
/// seek by the primary keys' incident prefix.
macro_rules! incidents_by {
    ($self:expr, $filter:literal, $($bind:expr),+) => {{
        on_db!(&$self.db, pool => {
            let rows = sqlx::query(concat!(
                "SELECT i.id, i.display_name, i.description, i.began_at, i.ended_at, i.phase_generation, i.phase_order \
                 FROM status_incident i WHERE ", $filter))
                $(.bind($bind))+.fetch_all(pool).await?;
            let impacts = sqlx::query(concat!(
                "SELECT m.incident_id, m.component_id, m.impact_type_id, m.severity FROM status_impact m \
                 WHERE m.incident_id IN (SELECT i.id FROM status_incident i WHERE ", $filter, ") \
                 ORDER BY m.severity DESC, m.component_id, m.impact_type_id"))
                $(.bind($bind))+.fetch_all(pool).await?;
            let updates = sqlx::query(concat!(
                "SELECT u.incident_id, u.ord FROM status_update u \
                 WHERE u.incident_id IN (SELECT i.id FROM status_incident i WHERE ", $filter, ") ORDER BY u.ord"))
                $(.bind($bind))+.fetch_all(pool).await?;
            let mut affects: HashMap<String, Vec<Impact>> = HashMap::new();
            for r in impacts {
                affects.entry(r.try_get("incident_id")?).or_default().push(Impact {
                    kind: r.try_get("impact_type_id")?, reference: r.try_get("component_id")?, severity: r.try_get("severity")?,
                });
            }
            let mut orders: HashMap<String, Vec<i64>> = HashMap::new();
            for r in updates {
                orders.entry(r.try_get("incident_id")?).or_default().push(r.try_get("ord")?);
            }
            rows.iter().map(|r| {
                let id: String = r.try_get("id")?;
                let generation: Option<i64> = r.try_get("phase_generation")?;
                let order: Option<i64> = r.try_get("phase_order")?;
                Ok(Incident {
                    affects: affects.remove(&id).unwrap_or_default(),
                    updates: orders.remove(&id).unwrap_or_default(),
                    display_name: r.try_get("display_name")?,
                    description: r.try_get("description")?,
                    began_at: r.try_get::<Option<i64>, _>("began_at")?.map(from_micros),
                    ended_at: r.try_get::<Option<i64>, _>("ended_at")?.map(from_micros),
                    phase: match (generation, order) {
                        (Some(g), Some(o)) => Some(PhaseRef { generation: g as u32, order: o as u32 }),
                        _ => None,
                    },
                    id,
                })
            }).collect::<Result<Vec<Incident>>>()
        })
        // sorted here: an ORDER BY would make SQLite walk the index on the
        // beginning instead of reading only the incidents the end index selects
        .map(|mut v| {
            v.sort_by(|a, b| (a.began_at, &a.id).cmp(&(b.began_at, &b.id)));
            v
        })
    }};
}

/// The status page's storage.
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    clock: scs_web::Clock,
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Normalises an id from a path; anything not a uuid cannot exist.
fn path_id(what: &str, id: &str) -> Result<String> {
    match uuid::Uuid::parse_str(id) {
        Ok(u) => Ok(u.to_string()),
        Err(_) => Err(StoreError::Invalid(Invalid(format!("{what}: {id:?} is not a uuid")))),
    }
}

impl Store {
    /// Connects and brings the tables up to date.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::open(Db::connect(url).await?).await
    }

    /// Brings the status page's tables in a shared database up to date.
    pub async fn open(db: Db) -> Result<Self> {
        db.migrate(sqlx::migrate!("./migrations/sqlite"), sqlx::migrate!("./migrations/postgres")).await?;
        Ok(Self { db, clock: scs_web::Clock::System })
    }

    /// The store deciding by `clock` (when incidents are over, when writes
    /// happened); leases keep to the system clock.
    pub fn with_clock(mut self, clock: scs_web::Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The clock this store decides by.
    pub fn clock(&self) -> scs_web::Clock {
        self.clock
    }

    /// The shared database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The first time after `now` at which an incident begins or ends:
    /// answers that depend on the time (which incidents are active) change
    /// then, without any write.
    pub async fn next_change_after(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let now = to_micros(&now);
        on_db!(&self.db, pool => {
            let row = sqlx::query(
                "SELECT MIN(t) AS t FROM (SELECT began_at AS t FROM status_incident WHERE began_at > $1 \
                 UNION ALL SELECT ended_at AS t FROM status_incident WHERE ended_at > $1) times",
            )
            .bind(now)
            .fetch_one(pool)
            .await?;
            Ok(row.try_get::<Option<i64>, _>("t")?.map(from_micros))
        })
    }

    // ----- phases -----

    /// The phase list of `generation`, or of the newest one.
    pub async fn phases(&self, generation: Option<i64>) -> Result<PhaseList> {
        on_db!(&self.db, pool => {
            let newest: i64 = sqlx::query("SELECT COALESCE(MAX(generation), 0) AS g FROM status_phase")
                .fetch_one(pool).await?.try_get("g")?;
            let generation = match generation {
                Some(g) if g < 1 => return Err(Invalid(format!("generation: {g} is not a generation (they start at 1)")).into()),
                Some(g) if g > newest => return not_found(format!("phase generation {g} does not exist (newest: {newest})")),
                Some(g) => g,
                None => newest,
            };
            let rows = sqlx::query("SELECT name FROM status_phase WHERE generation = $1 ORDER BY ord")
                .bind(generation).fetch_all(pool).await?;
            let phases = rows.iter().map(|r| r.try_get("name")).collect::<Result<Vec<String>, _>>()?;
            Ok(PhaseList { generation, phases })
        })
    }

    /// Appends a generation; the earlier ones never change.
    pub async fn create_phases(&self, names: &[String]) -> Result<i64> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write(WRITE_LOCK).await?;
            let generation: i64 = sqlx::query("SELECT COALESCE(MAX(generation), 0) + 1 AS g FROM status_phase")
                .fetch_one(&mut *tx).await?.try_get("g")?;
            for (order, name) in names.iter().enumerate() {
                sqlx::query("INSERT INTO status_phase (generation, ord, name) VALUES ($1, $2, $3)")
                    .bind(generation).bind(order as i64).bind(name).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(generation)
        })
    }

    // ----- impact types -----

    /// Every impact type, by name.
    pub async fn impact_types(&self) -> Result<Vec<ImpactType>> {
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT id, display_name, description FROM status_impact_type ORDER BY display_name, id")
                .fetch_all(pool).await?;
            rows.iter().map(|r| Ok(ImpactType {
                id: r.try_get("id")?, display_name: r.try_get("display_name")?, description: r.try_get("description")?,
            })).collect()
        })
    }

    /// One impact type.
    pub async fn impact_type(&self, id: &str) -> Result<ImpactType> {
        let id = path_id("impactTypeId", id)?;
        on_db!(&self.db, pool => {
            let row = sqlx::query("SELECT id, display_name, description FROM status_impact_type WHERE id = $1")
                .bind(&id).fetch_optional(pool).await?;
            match row {
                Some(r) => Ok(ImpactType { id: r.try_get("id")?, display_name: r.try_get("display_name")?, description: r.try_get("description")? }),
                None => not_found(format!("no impact type {id}")),
            }
        })
    }

    /// Stores a new impact type.
    pub async fn create_impact_type(&self, name: &str, description: &str) -> Result<String> {
        let id = new_id();
        on_db!(&self.db, pool => {
            sqlx::query("INSERT INTO status_impact_type (id, display_name, description) VALUES ($1, $2, $3)")
                .bind(&id).bind(name).bind(description).execute(pool).await?;
        });
        Ok(id)
    }

    /// Changes the given fields.
    pub async fn update_impact_type(&self, id: &str, name: Option<&str>, description: Option<&str>) -> Result<()> {
        let id = path_id("impactTypeId", id)?;
        on_db!(&self.db, pool => {
            let n = sqlx::query("UPDATE status_impact_type SET display_name = COALESCE($2, display_name), \
                                 description = COALESCE($3, description) WHERE id = $1")
                .bind(&id).bind(name).bind(description).execute(pool).await?.rows_affected();
            if n == 0 { return not_found(format!("no impact type {id}")); }
        });
        Ok(())
    }

    /// Deletes an impact type no incident uses.
    pub async fn delete_impact_type(&self, id: &str) -> Result<()> {
        let id = path_id("impactTypeId", id)?;
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write(WRITE_LOCK).await?;
            let used: i64 = sqlx::query("SELECT COUNT(DISTINCT incident_id) AS n FROM status_impact WHERE impact_type_id = $1")
                .bind(&id).fetch_one(&mut *tx).await?.try_get("n")?;
            if used > 0 {
                return Err(StoreError::Conflict(format!("impact type {id} is used by {used} incident(s); change them first")));
            }
            let n = sqlx::query("DELETE FROM status_impact_type WHERE id = $1").bind(&id).execute(&mut *tx).await?.rows_affected();
            if n == 0 { return not_found(format!("no impact type {id}")); }
            tx.commit().await?;
        });
        Ok(())
    }

    // ----- severities -----

    /// Every severity, by value.
    pub async fn severities(&self) -> Result<Vec<Severity>> {
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT name, value FROM status_severity ORDER BY value").fetch_all(pool).await?;
            rows.iter().map(|r| Ok(Severity { display_name: r.try_get("name")?, value: r.try_get("value")? })).collect()
        })
    }

    /// One severity by name.
    pub async fn severity(&self, name: &str) -> Result<Severity> {
        on_db!(&self.db, pool => {
            let row = sqlx::query("SELECT name, value FROM status_severity WHERE name = $1").bind(name).fetch_optional(pool).await?;
            match row {
                Some(r) => Ok(Severity { display_name: r.try_get("name")?, value: r.try_get("value")? }),
                None => not_found(format!("no severity {name:?}")),
            }
        })
    }

    /// Adds a severity; names and values are unique.
    pub async fn create_severity(&self, name: &str, value: i64) -> Result<()> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write(WRITE_LOCK).await?;
            let clash = sqlx::query("SELECT name, value FROM status_severity WHERE name = $1 OR value = $2")
                .bind(name).bind(value).fetch_optional(&mut *tx).await?;
            if let Some(r) = clash {
                let (n, v): (String, i64) = (r.try_get("name")?, r.try_get("value")?);
                return Err(StoreError::Conflict(format!("severity {n:?} with value {v} exists already (names and values are unique)")));
            }
            sqlx::query("INSERT INTO status_severity (name, value) VALUES ($1, $2)").bind(name).bind(value).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Renames and/or revalues a severity, keeping one with value 100.
    pub async fn update_severity(&self, name: &str, new_name: Option<&str>, value: Option<i64>) -> Result<()> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write(WRITE_LOCK).await?;
            let old: Option<i64> = sqlx::query("SELECT value FROM status_severity WHERE name = $1")
                .bind(name).fetch_optional(&mut *tx).await?.map(|r| r.try_get("value")).transpose()?;
            let Some(old) = old else { return not_found(format!("no severity {name:?}")) };
            let new_name = new_name.unwrap_or(name);
            let value = value.unwrap_or(old);
            let clash = sqlx::query("SELECT name FROM status_severity WHERE name <> $1 AND (name = $2 OR value = $3)")
                .bind(name).bind(new_name).bind(value).fetch_optional(&mut *tx).await?;
            if let Some(r) = clash {
                let other: String = r.try_get("name")?;
                return Err(StoreError::Conflict(format!("severity {other:?} has this name or value already")));
            }
            if old == 100 && value != 100 {
                return Err(StoreError::Conflict(format!("severity {name:?} has value 100, which must exist; give another severity 100 first")));
            }
            sqlx::query("UPDATE status_severity SET name = $2, value = $3 WHERE name = $1")
                .bind(name).bind(new_name).bind(value).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Deletes a severity other than the one with value 100.
    pub async fn delete_severity(&self, name: &str) -> Result<()> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write(WRITE_LOCK).await?;
            let old: Option<i64> = sqlx::query("SELECT value FROM status_severity WHERE name = $1")
                .bind(name).fetch_optional(&mut *tx).await?.map(|r| r.try_get("value")).transpose()?;
            match old {
                None => return not_found(format!("no severity {name:?}")),
                Some(100) => return Err(StoreError::Conflict(format!("severity {name:?} has value 100, which must exist"))),
                Some(_) => {}
            }
            sqlx::query("DELETE FROM status_severity WHERE name = $1").bind(name).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    // ----- components -----

    /// Impacts of the incidents active at `at`, per component.
    async fn active_impacts(&self, at: DateTime<Utc>, component: Option<&str>) -> Result<HashMap<String, Vec<Impact>>> {
        let at = to_micros(&at);
        let mut out: HashMap<String, Vec<Impact>> = HashMap::new();
        on_db!(&self.db, pool => {
            let rows = sqlx::query(
                "SELECT m.component_id, m.impact_type_id, m.incident_id, m.severity FROM status_impact m \
                 WHERE m.incident_id IN (SELECT i.id FROM status_incident i \
                     WHERE COALESCE(i.began_at, -9223372036854775807) <= $1 AND COALESCE(i.ended_at, 9223372036854775807) > $1) \
                 AND ($2 IS NULL OR m.component_id = $2) \
                 ORDER BY m.severity DESC, m.incident_id, m.impact_type_id")
                .bind(at).bind(component).fetch_all(pool).await?;
            for r in rows {
                out.entry(r.try_get("component_id")?).or_default().push(Impact {
                    kind: r.try_get("impact_type_id")?, reference: r.try_get("incident_id")?, severity: r.try_get("severity")?,
                });
            }
        });
        Ok(out)
    }

    /// Every component with the impacts active at `at` (active: begun and
    /// not ended at that instant, maintenance included).
    pub async fn components(&self, at: DateTime<Utc>) -> Result<Vec<Component>> {
        let mut impacts = self.active_impacts(at, None).await?;
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT id, display_name, labels FROM status_component ORDER BY display_name, id")
                .fetch_all(pool).await?;
            rows.iter().map(|r| {
                let id: String = r.try_get("id")?;
                let labels: String = r.try_get("labels")?;
                Ok(Component {
                    actively_affected_by: impacts.remove(&id).unwrap_or_default(),
                    id,
                    display_name: r.try_get("display_name")?,
                    labels: serde_json::from_str(&labels).unwrap_or_default(),
                })
            }).collect()
        })
    }

    /// One component.
    pub async fn component(&self, id: &str, at: DateTime<Utc>) -> Result<Component> {
        let id = path_id("componentId", id)?;
        let row = on_db!(&self.db, pool => {
            sqlx::query("SELECT display_name, labels FROM status_component WHERE id = $1").bind(&id).fetch_optional(pool).await?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get::<String, _>("display_name")?, r.try_get::<String, _>("labels")?))).transpose()?
        });
        let Some((display_name, labels)) = row else { return not_found(format!("no component {id}")) };
        let mut impacts = self.active_impacts(at, Some(&id)).await?;
        Ok(Component {
            actively_affected_by: impacts.remove(&id).unwrap_or_default(),
            id,
            display_name,
            labels: serde_json::from_str(&labels).unwrap_or_default(),
        })
    }

    /// Stores a new component.
    pub async fn create_component(&self, name: &str, labels: &BTreeMap<String, String>) -> Result<String> {
        let id = new_id();
        let labels = serde_json::to_string(labels).unwrap_or_else(|_| "{}".into());
        on_db!(&self.db, pool => {
            sqlx::query("INSERT INTO status_component (id, display_name, labels) VALUES ($1, $2, $3)")
                .bind(&id).bind(name).bind(&labels).execute(pool).await?;
        });
        Ok(id)
    }

    /// Changes the given fields (labels are replaced as a whole).
    pub async fn update_component(
        &self,
        id: &str,
        name: Option<&str>,
        labels: Option<&BTreeMap<String, String>>,
    ) -> Result<()> {
        let id = path_id("componentId", id)?;
        let labels = labels.map(|l| serde_json::to_string(l).unwrap_or_else(|_| "{}".into()));
        on_db!(&self.db, pool => {
            let n = sqlx::query("UPDATE status_component SET display_name = COALESCE($2, display_name), \
                                 labels = COALESCE($3, labels) WHERE id = $1")
                .bind(&id).bind(name).bind(labels).execute(pool).await?.rows_affected();
            if n == 0 { return not_found(format!("no component {id}")); }
        });
        Ok(())
    }

    /// Deletes a component and its impacts.
    pub async fn delete_component(&self, id: &str) -> Result<()> {
        let id = path_id("componentId", id)?;
        on_db!(&self.db, pool => {
            let n = sqlx::query("DELETE FROM status_component WHERE id = $1").bind(&id).execute(pool).await?.rows_affected();
            if n == 0 { return not_found(format!("no component {id}")); }
        });
        Ok(())
    }

    // ----- incidents -----

    /// Incidents overlapping `[start, end]` (open ones that began by `end`
    /// included), oldest first, with their impacts and update orders.
    pub async fn incidents(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Vec<Incident>> {
        let (start, end) = (to_micros(&start), to_micros(&end));
        // the COALESCE forms are what the expression index on the end covers
        incidents_by!(
            self,
            "COALESCE(i.began_at, -9223372036854775807) <= $2 AND COALESCE(i.ended_at, 9223372036854775807) >= $1",
            start,
            end
        )
    }

    /// One incident.
    pub async fn incident(&self, id: &str) -> Result<Incident> {
        let id = path_id("incidentId", id)?;
        let found: Vec<Incident> = incidents_by!(self, "i.id = $1", &id)?;
        match found.into_iter().next() {
            Some(i) => Ok(i),
            None => not_found(format!("no incident {id}")),
        }
    }

    /// Creates an incident from a checked body; its references must exist.
    pub async fn create_incident(&self, body: &IncidentIn) -> Result<String> {
        let state = body.apply(None)?;
        let id = new_id();
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write(WRITE_LOCK).await?;
            check_references!(&mut *tx, &state);
            sqlx::query("INSERT INTO status_incident (id, display_name, description, began_at, ended_at, phase_generation, phase_order) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&id).bind(&state.display_name).bind(&state.description)
                .bind(state.began_at.as_ref().map(to_micros)).bind(state.ended_at.as_ref().map(to_micros))
                .bind(state.phase.map(|p| i64::from(p.generation))).bind(state.phase.map(|p| i64::from(p.order)))
                .execute(&mut *tx).await?;
            write_impacts(&mut tx, &id, &state.affects).await?;
            let kind = if state.ended_at.is_some_and(|e| e <= self.clock.now()) { "incident.resolved" } else { "incident.created" };
            record_event(&mut tx, self.clock.now(), kind, &id, &state.display_name, incident_payload(&id, &state)).await?;
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Applies a PATCH: omitted fields stay, `endedAt: null` re-opens,
    /// `affects` replaces the impacts.
    pub async fn update_incident(&self, id: &str, body: &IncidentIn) -> Result<()> {
        let id = path_id("incidentId", id)?;
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write(WRITE_LOCK).await?;
            let Some(r) = sqlx::query("SELECT display_name, description, began_at, ended_at, phase_generation, phase_order \
                                       FROM status_incident WHERE id = $1").bind(&id).fetch_optional(&mut *tx).await?
            else { return not_found(format!("no incident {id}")) };
            let generation: Option<i64> = r.try_get("phase_generation")?;
            let order: Option<i64> = r.try_get("phase_order")?;
            let impacts = sqlx::query("SELECT component_id, impact_type_id, severity FROM status_impact WHERE incident_id = $1 \
                                       ORDER BY component_id, impact_type_id").bind(&id).fetch_all(&mut *tx).await?;
            let old = IncidentState {
                display_name: r.try_get("display_name")?,
                description: r.try_get("description")?,
                began_at: r.try_get::<Option<i64>, _>("began_at")?.map(from_micros),
                ended_at: r.try_get::<Option<i64>, _>("ended_at")?.map(from_micros),
                phase: match (generation, order) { (Some(g), Some(o)) => Some(PhaseRef { generation: g as u32, order: o as u32 }), _ => None },
                affects: impacts.iter().map(|m| Ok::<_, sqlx::Error>(NewImpact {
                    component: m.try_get("component_id")?, kind: m.try_get("impact_type_id")?, severity: m.try_get("severity")?,
                })).collect::<Result<_, _>>()?,
            };
            let new = body.apply(Some(&old))?;
            check_references!(&mut *tx, &new);
            sqlx::query("UPDATE status_incident SET display_name = $2, description = $3, began_at = $4, ended_at = $5, \
                         phase_generation = $6, phase_order = $7 WHERE id = $1")
                .bind(&id).bind(&new.display_name).bind(&new.description)
                .bind(new.began_at.as_ref().map(to_micros)).bind(new.ended_at.as_ref().map(to_micros))
                .bind(new.phase.map(|p| i64::from(p.generation))).bind(new.phase.map(|p| i64::from(p.order)))
                .execute(&mut *tx).await?;
            if body.affects.is_some() {
                sqlx::query("DELETE FROM status_impact WHERE incident_id = $1").bind(&id).execute(&mut *tx).await?;
                write_impacts(&mut tx, &id, &new.affects).await?;
            }
            let now = self.clock.now();
            let was_open = old.ended_at.is_none_or(|e| e > now);
            let is_open = new.ended_at.is_none_or(|e| e > now);
            let kind = match (was_open, is_open) {
                (true, false) => "incident.resolved",
                (false, true) => "incident.reopened",
                _ => "incident.updated",
            };
            if old != new {
                record_event(&mut tx, self.clock.now(), kind, &id, &new.display_name, incident_payload(&id, &new)).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Deletes an incident with its impacts and updates.
    pub async fn delete_incident(&self, id: &str) -> Result<()> {
        let id = path_id("incidentId", id)?;
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write(WRITE_LOCK).await?;
            let name: Option<String> = sqlx::query("DELETE FROM status_incident WHERE id = $1 RETURNING display_name")
                .bind(&id).fetch_optional(&mut *tx).await?.map(|r| r.try_get("display_name")).transpose()?;
            let Some(name) = name else { return not_found(format!("no incident {id}")) };
            record_event(&mut tx, self.clock.now(), "incident.deleted", &id, &name, serde_json::json!({"id": id, "displayName": name})).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    // ----- incident updates -----

    /// An incident's updates, in order.
    pub async fn updates(&self, incident: &str) -> Result<Vec<Update>> {
        let incident = path_id("incidentId", incident)?;
        on_db!(&self.db, pool => {
            let exists = sqlx::query("SELECT 1 AS x FROM status_incident WHERE id = $1").bind(&incident).fetch_optional(pool).await?;
            if exists.is_none() { return not_found(format!("no incident {incident}")); }
            let rows = sqlx::query("SELECT ord, display_name, description, created_at FROM status_update WHERE incident_id = $1 ORDER BY ord")
                .bind(&incident).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(Update {
                order: r.try_get("ord")?, display_name: r.try_get("display_name")?, description: r.try_get("description")?,
                created_at: r.try_get::<Option<i64>, _>("created_at")?.map(from_micros),
            })).collect()
        })
    }

    /// One update.
    pub async fn update(&self, incident: &str, order: i64) -> Result<Update> {
        let incident = path_id("incidentId", incident)?;
        on_db!(&self.db, pool => {
            let r = sqlx::query("SELECT ord, display_name, description, created_at FROM status_update WHERE incident_id = $1 AND ord = $2")
                .bind(&incident).bind(order).fetch_optional(pool).await?;
            match r {
                Some(r) => Ok(Update {
                    order: r.try_get("ord")?, display_name: r.try_get("display_name")?, description: r.try_get("description")?,
                    created_at: r.try_get::<Option<i64>, _>("created_at")?.map(from_micros),
                }),
                None => not_found(format!("incident {incident} has no update {order}")),
            }
        })
    }

    /// Appends an update; its order is the incident's next (never reused).
    pub async fn create_update(&self, incident: &str, body: &UpdateIn) -> Result<i64> {
        let incident = path_id("incidentId", incident)?;
        let name = body.display_name.clone().unwrap_or_default();
        let description = body.description.clone().unwrap_or_default();
        let created = body.created_at.flatten().unwrap_or_else(Utc::now);
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write(WRITE_LOCK).await?;
            let row = sqlx::query("UPDATE status_incident SET next_update = next_update + 1 WHERE id = $1 \
                                   RETURNING next_update - 1 AS ord, display_name")
                .bind(&incident).fetch_optional(&mut *tx).await?;
            let Some(row) = row else { return not_found(format!("no incident {incident}")) };
            let order: i64 = row.try_get("ord")?;
            let incident_name: String = row.try_get("display_name")?;
            sqlx::query("INSERT INTO status_update (incident_id, ord, display_name, description, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&incident).bind(order).bind(&name).bind(&description).bind(to_micros(&created)).execute(&mut *tx).await?;
            record_event(&mut tx, self.clock.now(), "update.created", &incident, &format!("{incident_name}: {name}"), serde_json::json!({
                "incident": incident, "incidentName": incident_name, "order": order,
                "displayName": name, "description": description, "createdAt": crate::model::format_time(&created),
            })).await?;
            tx.commit().await?;
            Ok(order)
        })
    }

    /// Changes the given fields of an update.
    pub async fn patch_update(&self, incident: &str, order: i64, body: &UpdateIn) -> Result<()> {
        let incident = path_id("incidentId", incident)?;
        let created = body.created_at.flatten().as_ref().map(to_micros);
        on_db!(&self.db, pool => {
            let n = sqlx::query("UPDATE status_update SET display_name = COALESCE($3, display_name), \
                                 description = COALESCE($4, description), created_at = COALESCE($5, created_at) \
                                 WHERE incident_id = $1 AND ord = $2")
                .bind(&incident).bind(order).bind(&body.display_name).bind(&body.description).bind(created)
                .execute(pool).await?.rows_affected();
            if n == 0 { return not_found(format!("incident {incident} has no update {order}")); }
        });
        Ok(())
    }

    /// Deletes an update (its order is not given out again).
    pub async fn delete_update(&self, incident: &str, order: i64) -> Result<()> {
        let incident = path_id("incidentId", incident)?;
        on_db!(&self.db, pool => {
            let n = sqlx::query("DELETE FROM status_update WHERE incident_id = $1 AND ord = $2")
                .bind(&incident).bind(order).execute(pool).await?.rows_affected();
            if n == 0 { return not_found(format!("incident {incident} has no update {order}")); }
        });
        Ok(())
    }

    // ----- tokens and audit -----

    /// Stores a token's hash under a new name.
    pub async fn create_token(&self, name: &str, hash: &str, admin: bool) -> Result<()> {
        on_db!(&self.db, pool => {
            let r = sqlx::query("INSERT INTO status_token (name, hash, admin, created_at) VALUES ($1, $2, $3, $4)")
                .bind(name).bind(hash).bind(admin).bind(to_micros(&self.clock.now())).execute(pool).await;
            match r {
                Err(e) if scs_db::unique_violation(&e) => return Err(StoreError::Conflict(format!("a token named {name:?} exists already"))),
                r => { r?; }
            }
        });
        Ok(())
    }

    /// Every token, revoked ones included.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>> {
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT name, admin, created_at, revoked_at FROM status_token ORDER BY name").fetch_all(pool).await?;
            rows.iter().map(|r| Ok(TokenInfo {
                name: r.try_get("name")?, admin: r.try_get("admin")?,
                created_at: from_micros(r.try_get("created_at")?),
                revoked_at: r.try_get::<Option<i64>, _>("revoked_at")?.map(from_micros),
            })).collect()
        })
    }

    /// Revokes a token for good.
    pub async fn revoke_token(&self, name: &str) -> Result<()> {
        on_db!(&self.db, pool => {
            let n = sqlx::query("UPDATE status_token SET revoked_at = COALESCE(revoked_at, $2) WHERE name = $1")
                .bind(name).bind(to_micros(&self.clock.now())).execute(pool).await?.rows_affected();
            if n == 0 { return not_found(format!("no token {name:?}")); }
        });
        Ok(())
    }

    /// The live token with this hash: (name, admin).
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<(String, bool)>> {
        on_db!(&self.db, pool => {
            let r = sqlx::query("SELECT name, admin FROM status_token WHERE hash = $1 AND revoked_at IS NULL")
                .bind(hash).fetch_optional(pool).await?;
            Ok(match r { Some(r) => Some((r.try_get("name")?, r.try_get("admin")?)), None => None })
        })
    }

    /// Records one write (the body's first 4 KiB).
    pub async fn audit(&self, actor: &str, method: &str, path: &str, status: u16, body: &str) -> Result<()> {
        let body = cut(body, 4096);
        on_db!(&self.db, pool => {
            sqlx::query("INSERT INTO status_audit (at, actor, method, path, status, body) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(to_micros(&self.clock.now())).bind(actor).bind(method).bind(path).bind(i64::from(status)).bind(&body)
                .execute(pool).await?;
        });
        Ok(())
    }

    /// Deletes audit entries recorded before `before`; returns how many.
    pub async fn prune_audit(&self, before: &DateTime<Utc>) -> Result<u64> {
        on_db!(&self.db, pool => {
            let done = sqlx::query("DELETE FROM status_audit WHERE at < $1").bind(to_micros(before)).execute(pool).await?;
            Ok(done.rows_affected())
        })
    }

    /// The newest audit entries first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT id, at, actor, method, path, status, body FROM status_audit ORDER BY id DESC LIMIT $1")
                .bind(limit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(AuditEntry {
                id: r.try_get("id")?, at: from_micros(r.try_get("at")?), actor: r.try_get("actor")?,
                method: r.try_get("method")?, path: r.try_get("path")?, status: r.try_get("status")?, body: r.try_get("body")?,
            })).collect()
        })
    }

    // ----- events -----

    /// The newest events first.
    pub async fn events(&self, limit: i64) -> Result<Vec<Event>> {
        on_db!(&self.db, pool => {
            let rows = sqlx::query_as::<_, EventRow>("SELECT id, at, kind, incident_id, title, payload, attempts FROM status_event ORDER BY id DESC LIMIT $1")
                .bind(limit).fetch_all(pool).await?;
            Ok(rows.into_iter().map(Event::from).collect())
        })
    }

    /// Takes up to `n` undelivered events for `lease` seconds (other
    /// replicas skip them meanwhile); attempts are counted.
    pub async fn claim_events(&self, n: i64, lease: i64) -> Result<Vec<Event>> {
        let now = to_micros(&Utc::now());
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write(WRITE_LOCK).await?;
            let rows = sqlx::query_as::<_, EventRow>("SELECT id, at, kind, incident_id, title, payload, attempts FROM status_event \
                                    WHERE delivered = 0 AND lease_until <= $1 ORDER BY id LIMIT $2")
                .bind(now).bind(n).fetch_all(&mut *tx).await?;
            let events: Vec<Event> = rows.into_iter().map(Event::from).collect();
            for e in &events {
                sqlx::query("UPDATE status_event SET lease_until = $2, attempts = attempts + 1 WHERE id = $1")
                    .bind(e.id).bind(now + lease * 1_000_000).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(events)
        })
    }

    /// Marks an event delivered (1) or given up (2).
    pub async fn finish_event(&self, id: i64, outcome: i64) -> Result<()> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE status_event SET delivered = $2 WHERE id = $1").bind(id).bind(outcome).execute(pool).await?;
        });
        Ok(())
    }

    /// Puts a claimed event back for another attempt in `seconds`.
    pub async fn retry_event(&self, id: i64, seconds: i64) -> Result<()> {
        let until = to_micros(&Utc::now()) + seconds * 1_000_000;
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE status_event SET lease_until = $2 WHERE id = $1").bind(id).bind(until).execute(pool).await?;
        });
        Ok(())
    }

    /// Open incidents per the worst severity of their impacts and the
    /// number of components affected now (for `/metrics`).
    pub async fn open_counts(&self) -> Result<(Vec<(i64, i64)>, i64)> {
        let now = to_micros(&self.clock.now());
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT w, COUNT(*) AS n FROM (SELECT i.id, COALESCE(MAX(m.severity), -1) AS w FROM status_incident i \
                                    LEFT JOIN status_impact m ON m.incident_id = i.id \
                                    WHERE COALESCE(i.began_at, -9223372036854775807) <= $1 AND COALESCE(i.ended_at, 9223372036854775807) > $1 \
                                    GROUP BY i.id) t GROUP BY w ORDER BY w")
                .bind(now).fetch_all(pool).await?;
            let by = rows.iter().map(|r| Ok((r.try_get("w")?, r.try_get("n")?))).collect::<Result<Vec<_>, sqlx::Error>>()?;
            let affected: i64 = sqlx::query("SELECT COUNT(DISTINCT m.component_id) AS n FROM status_impact m JOIN status_incident i ON i.id = m.incident_id \
                                             WHERE COALESCE(i.began_at, -9223372036854775807) <= $1 AND COALESCE(i.ended_at, 9223372036854775807) > $1")
                .bind(now).fetch_one(pool).await?.try_get("n")?;
            Ok((by, affected))
        })
    }

    /// Whether the tables are empty (provisioning fills only empty ones).
    pub async fn count(&self, table: Table) -> Result<i64> {
        let sql = match table {
            Table::Phases => "SELECT COUNT(*) AS n FROM status_phase",
            Table::Severities => "SELECT COUNT(*) AS n FROM status_severity",
            Table::ImpactTypes => "SELECT COUNT(*) AS n FROM status_impact_type",
            Table::Components => "SELECT COUNT(*) AS n FROM status_component",
        };
        on_db!(&self.db, pool => Ok(sqlx::query(sql).fetch_one(pool).await?.try_get("n")?))
    }
}

/// The provisioned tables.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    /// Phases.
    Phases,
    /// Severities.
    Severities,
    /// Impact types.
    ImpactTypes,
    /// Components.
    Components,
}

/// A `status_event` row as stored (times in microseconds since the epoch).
#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    at: i64,
    kind: String,
    incident_id: String,
    title: String,
    payload: String,
    attempts: i64,
}

impl From<EventRow> for Event {
    fn from(r: EventRow) -> Self {
        Self {
            id: r.id,
            at: from_micros(r.at),
            kind: r.kind,
            incident: r.incident_id,
            title: r.title,
            payload: r.payload,
            attempts: r.attempts,
        }
    }
}

fn incident_payload(id: &str, s: &IncidentState) -> serde_json::Value {
    use crate::model::format_time;
    serde_json::json!({
        "id": id,
        "displayName": s.display_name,
        "description": s.description,
        "beganAt": s.began_at.as_ref().map(format_time),
        "endedAt": s.ended_at.as_ref().map(format_time),
        "phase": s.phase,
        "affects": s.affects.iter().map(|a| serde_json::json!({"type": a.kind, "reference": a.component, "severity": a.severity})).collect::<Vec<_>>(),
    })
}

/// `text` cut to at most `max` bytes at a character boundary, `…` marking
/// the cut: the one truncation the audit log applies (bodies; paths and
/// methods of refused anonymous writes).
pub fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}
