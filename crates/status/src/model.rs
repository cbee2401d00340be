// SPDX-License-Identifier: Apache-2.0
//! The resources of status-page-openapi v1.1.2 as the API sends and takes
//! them, and the checks every write passes before anything is stored.
//!
//! Request bodies are parsed strictly: a wrong type or an unknown field is a
//! 400 naming the field (`affects[1].severity`), where the Go reference
//! server answers 500. The read-only fields a client may echo back (`id`,
//! `activelyAffectedBy`, `updates`, `order`, `generation`) are accepted and
//! ignored, as the spec asks.
//!
//! This file is over 600 lines because it is the whole resource model of
//! status-page-openapi: each resource's output shape, its input shape and the
//! validation of that input sit together, as the spec defines them together.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Longest display name (characters).
pub const MAX_NAME: usize = 256;
/// Longest description (characters).
pub const MAX_DESCRIPTION: usize = 65_536;
/// Most labels on one component.
pub const MAX_LABELS: usize = 64;
/// Longest label key and value (characters).
pub const MAX_LABEL_KEY: usize = 128;
/// Longest label value (characters).
pub const MAX_LABEL_VALUE: usize = 1024;
/// Most phases in one generation, most impacts on one incident.
pub const MAX_LIST: usize = 256;

/// A request the API refuses, with what is wrong in words a client can act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct Invalid(pub String);

fn invalid<T>(message: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid(message.into()))
}

/// Parses a JSON request body, naming the offending field on failure.
pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, Invalid> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return invalid("the request needs a JSON body");
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." { Invalid(format!("body: {inner}")) } else { Invalid(format!("{path}: {inner}")) }
    })?;
    // one JSON document: whatever follows it (a second document, garbage) is refused,
    // so the audit log and the stored state cannot disagree about what was sent
    de.end().map_err(|e| Invalid(format!("body: {e}")))?;
    Ok(value)
}

/// `null` → `Some(None)`, absent (with `#[serde(default)]`) → `None`: PATCH
/// must tell "set to null" (re-open an incident) from "leave alone".
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Times go out as RFC 3339 in UTC with a `Z`, to the microsecond at most.
pub fn format_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn ser_time<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&format_time(t)),
        None => s.serialize_none(),
    }
}

/// Parses an RFC 3339 time from a query parameter, naming the parameter.
pub fn parse_time(name: &str, value: &str) -> Result<DateTime<Utc>, Invalid> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Invalid(format!("{name}: {value:?} is not an RFC 3339 date-time ({e})")))
}

/// Stored times are microseconds since the epoch: one integer column that
/// compares the same way on SQLite and PostgreSQL.
pub fn to_micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The inverse of [`to_micros`].
pub fn from_micros(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

fn check_name(field: &str, value: &str) -> Result<(), Invalid> {
    if value.trim().is_empty() {
        return invalid(format!("{field}: must not be empty"));
    }
    if value.chars().count() > MAX_NAME {
        return invalid(format!("{field}: longer than {MAX_NAME} characters"));
    }
    Ok(())
}

fn check_description(field: &str, value: &str) -> Result<(), Invalid> {
    if value.chars().count() > MAX_DESCRIPTION {
        return invalid(format!("{field}: longer than {MAX_DESCRIPTION} characters"));
    }
    Ok(())
}

// ----- phases -----

/// `POST /phases` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseListIn {
    /// The names, in order.
    pub phases: Vec<String>,
    #[serde(default)]
    generation: Option<IgnoredAny>,
}

impl PhaseListIn {
    /// Non-empty, unique, bounded names.
    pub fn validate(&self) -> Result<(), Invalid> {
        let _ = &self.generation;
        if self.phases.is_empty() {
            return invalid("phases: a generation needs at least one phase");
        }
        if self.phases.len() > MAX_LIST {
            return invalid(format!("phases: more than {MAX_LIST} phases"));
        }
        for (i, name) in self.phases.iter().enumerate() {
            check_name(&format!("phases[{i}]"), name)?;
            if self.phases[..i].contains(name) {
                return invalid(format!("phases[{i}]: {name:?} is listed twice"));
            }
        }
        Ok(())
    }
}

/// A phase list with its generation (`PhaseListResponseData`).
#[derive(Debug, Serialize, ToSchema)]
pub struct PhaseList {
    /// The generation (1, 2, …; 0 while none exists).
    pub generation: i64,
    /// The phase names; a phase's order is its index.
    pub phases: Vec<String>,
}

/// A reference to one phase of one generation.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseRef {
    /// The generation.
    pub generation: u32,
    /// The phase's index in that generation.
    pub order: u32,
}

// ----- impact types -----

/// `POST`/`PATCH /impacttypes` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImpactTypeIn {
    /// Name.
    pub display_name: Option<String>,
    /// Longer text.
    pub description: Option<String>,
    #[serde(default)]
    id: Option<IgnoredAny>,
}

impl ImpactTypeIn {
    /// `create`: the name is required; a PATCH must change something.
    pub fn validate(&self, create: bool) -> Result<(), Invalid> {
        let _ = &self.id;
        match &self.display_name {
            Some(n) => check_name("displayName", n)?,
            None if create => return invalid("displayName: required"),
            None if self.description.is_none() => return invalid("body: no field to change"),
            None => {}
        }
        if let Some(d) = &self.description {
            check_description("description", d)?;
        }
        Ok(())
    }
}

/// An impact type (`ImpactTypeResponseData`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImpactType {
    /// Id.
    pub id: String,
    /// Name.
    pub display_name: String,
    /// Longer text; left out when empty, as the Go server leaves out a
    /// description it was never given.
    #[serde(skip_serializing_if = "String::is_empty")]
    #[schema(required = false)]
    pub description: String,
}

// ----- severities -----

/// `POST`/`PATCH /severities` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeverityIn {
    /// The name (the key).
    pub display_name: Option<String>,
    /// The upper bound of the severity's range.
    pub value: Option<i64>,
}

impl SeverityIn {
    /// Name and value 0..=100 (the Go server takes any value on POST).
    pub fn validate(&self, create: bool) -> Result<(), Invalid> {
        match &self.display_name {
            Some(n) => {
                check_name("displayName", n)?;
                if n.contains('/') {
                    return invalid("displayName: must not contain '/' (it is the resource's path)");
                }
            }
            None if create => return invalid("displayName: required"),
            None => {}
        }
        match self.value {
            Some(v) if !(0..=100).contains(&v) => invalid(format!("value: {v} is outside 0..100")),
            None if create => invalid("value: required"),
            None if self.display_name.is_none() => invalid("body: no field to change"),
            _ => Ok(()),
        }
    }
}

/// A severity.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Severity {
    /// The name (the key).
    pub display_name: String,
    /// Upper bound of its range; 0 is maintenance.
    pub value: i64,
}

/// The severity whose range holds `value` (ranges run from the previous
/// value + 1 to the own value), or `None` (unknown) above the highest.
pub fn severity_of(severities: &[Severity], value: i64) -> Option<&Severity> {
    severities.iter().filter(|s| s.value >= value).min_by_key(|s| s.value)
}

// ----- components -----

/// `POST`/`PATCH /components` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ComponentIn {
    /// Name.
    pub display_name: Option<String>,
    /// Free key/value pairs (a PATCH replaces them all).
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    id: Option<IgnoredAny>,
    #[serde(default)]
    actively_affected_by: Option<IgnoredAny>,
}

impl ComponentIn {
    /// The name is required on create; labels are bounded.
    pub fn validate(&self, create: bool) -> Result<(), Invalid> {
        let _ = (&self.id, &self.actively_affected_by);
        match &self.display_name {
            Some(n) => check_name("displayName", n)?,
            None if create => return invalid("displayName: required"),
            None if self.labels.is_none() => return invalid("body: no field to change"),
            None => {}
        }
        if let Some(labels) = &self.labels {
            if labels.len() > MAX_LABELS {
                return invalid(format!("labels: {} labels, at most {MAX_LABELS} allowed", labels.len()));
            }
            for (k, v) in labels {
                if k.is_empty() || k.chars().count() > MAX_LABEL_KEY {
                    return invalid(format!("labels: key {k:?} must have 1 to {MAX_LABEL_KEY} characters"));
                }
                if v.chars().count() > MAX_LABEL_VALUE {
                    return invalid(format!("labels.{k}: longer than {MAX_LABEL_VALUE} characters"));
                }
            }
        }
        Ok(())
    }
}

/// An impact as a component lists it (reference = the incident).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Impact {
    /// The impact type's id.
    #[serde(rename = "type")]
    pub kind: String,
    /// The incident (on a component) or the component (on an incident).
    pub reference: String,
    /// 0 = maintenance, 1–100.
    pub severity: i64,
}

/// A component (`ComponentResponseData`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// Id.
    pub id: String,
    /// Name.
    pub display_name: String,
    /// Free key/value pairs.
    pub labels: BTreeMap<String, String>,
    /// Impacts of the incidents active at the asked time.
    pub actively_affected_by: Vec<Impact>,
}

// ----- incidents -----

/// One entry of an incident's `affects`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactIn {
    /// The impact type's id.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The component's id.
    pub reference: Option<String>,
    /// 0 = maintenance, 1–100.
    pub severity: Option<i64>,
}

/// A checked impact: (component, impact type, severity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImpact {
    /// Component id.
    pub component: String,
    /// Impact type id.
    pub kind: String,
    /// Severity.
    pub severity: i64,
}

/// `POST`/`PATCH /incidents` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IncidentIn {
    /// Name.
    pub display_name: Option<String>,
    /// Longer text.
    pub description: Option<String>,
    /// When it began (`null`: unknown).
    #[serde(default, deserialize_with = "nullable")]
    pub began_at: Option<Option<DateTime<Utc>>>,
    /// When it ended; `null` in a PATCH re-opens the incident.
    #[serde(default, deserialize_with = "nullable")]
    pub ended_at: Option<Option<DateTime<Utc>>>,
    /// The phase it is in; `null` in a PATCH clears it.
    #[serde(default, deserialize_with = "nullable")]
    pub phase: Option<Option<PhaseRef>>,
    /// The components it affects; in a PATCH the list replaces the old one.
    pub affects: Option<Vec<ImpactIn>>,
    #[serde(default)]
    id: Option<IgnoredAny>,
    #[serde(default)]
    updates: Option<IgnoredAny>,
}

/// An incident as stored, the state a write is checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentState {
    /// Name.
    pub display_name: String,
    /// Longer text.
    pub description: String,
    /// Began.
    pub began_at: Option<DateTime<Utc>>,
    /// Ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Phase.
    pub phase: Option<PhaseRef>,
    /// Impacts.
    pub affects: Vec<NewImpact>,
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

impl IncidentIn {
    /// Whether the body sets nothing.
    fn is_empty(&self) -> bool {
        self.display_name.is_none()
            && self.description.is_none()
            && self.began_at.is_none()
            && self.ended_at.is_none()
            && self.phase.is_none()
            && self.affects.is_none()
    }

    /// Applies the body to `old` (a default state for a create) and checks the
    /// result as a whole, so a PATCH cannot reach a state a POST could not
    /// create (an end before the beginning, maintenance without an end).
    /// Whether ids exist is the store's part.
    pub fn apply(&self, old: Option<&IncidentState>) -> Result<IncidentState, Invalid> {
        let _ = (&self.id, &self.updates);
        if self.is_empty() {
            return invalid(if old.is_some() { "body: no field to change" } else { "body: an incident needs fields" });
        }
        let mut s = old.cloned().unwrap_or_default();
        match (&self.display_name, old) {
            (Some(n), _) => {
                check_name("displayName", n)?;
                s.display_name.clone_from(n);
            }
            (None, None) => return invalid("displayName: required"),
            (None, Some(_)) => {}
        }
        if let Some(d) = &self.description {
            check_description("description", d)?;
            s.description.clone_from(d);
        }
        if let Some(b) = self.began_at {
            s.began_at = b;
        }
        if let Some(e) = self.ended_at {
            s.ended_at = e;
        }
        if let Some(p) = self.phase {
            s.phase = p;
        }
        if let Some(affects) = &self.affects {
            if affects.len() > MAX_LIST {
                return invalid(format!("affects: more than {MAX_LIST} impacts"));
            }
            let mut out: Vec<NewImpact> = Vec::with_capacity(affects.len());
            for (i, a) in affects.iter().enumerate() {
                let component = match &a.reference {
                    Some(r) if is_uuid(r) => r.to_ascii_lowercase(),
                    Some(r) => return invalid(format!("affects[{i}].reference: {r:?} is not a component id (uuid)")),
                    None => return invalid(format!("affects[{i}].reference: required (the component's id)")),
                };
                let kind = match &a.kind {
                    Some(t) if is_uuid(t) => t.to_ascii_lowercase(),
                    Some(t) => return invalid(format!("affects[{i}].type: {t:?} is not an impact type id (uuid)")),
                    None => return invalid(format!("affects[{i}].type: required (the impact type's id)")),
                };
                let severity = match a.severity {
                    Some(v) if (0..=100).contains(&v) => v,
                    Some(v) => return invalid(format!("affects[{i}].severity: {v} is outside 0..100")),
                    None => return invalid(format!("affects[{i}].severity: required")),
                };
                if out.iter().any(|o| o.component == component && o.kind == kind) {
                    return invalid(format!(
                        "affects[{i}]: component {component} is listed twice with this impact type"
                    ));
                }
                out.push(NewImpact { component, kind, severity });
            }
            s.affects = out;
        }
        if let (Some(b), Some(e)) = (s.began_at, s.ended_at)
            && e < b
        {
            return invalid(format!("endedAt: {} is before beganAt {}", format_time(&e), format_time(&b)));
        }
        if s.affects.iter().any(|a| a.severity == 0) && (s.began_at.is_none() || s.ended_at.is_none()) {
            return invalid("affects: maintenance (severity 0) needs both beganAt and endedAt");
        }
        Ok(s)
    }
}

/// An incident (`IncidentResponseData`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Incident {
    /// Id.
    pub id: String,
    /// Name.
    pub display_name: String,
    /// Longer text.
    pub description: String,
    /// When it began.
    #[serde(serialize_with = "ser_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub began_at: Option<DateTime<Utc>>,
    /// When it ended; `null` while it is active.
    #[serde(serialize_with = "ser_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<DateTime<Utc>>,
    /// The phase it is in (left out when none is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<PhaseRef>,
    /// Affected components (reference = component id).
    pub affects: Vec<Impact>,
    /// Orders of its updates, ascending.
    pub updates: Vec<i64>,
}

// ----- incident updates -----

/// `POST`/`PATCH /incidents/{id}/updates` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateIn {
    /// Title.
    pub display_name: Option<String>,
    /// Text.
    pub description: Option<String>,
    /// When it was written (default: now).
    #[serde(default, deserialize_with = "nullable")]
    pub created_at: Option<Option<DateTime<Utc>>>,
    #[serde(default)]
    order: Option<IgnoredAny>,
}

impl UpdateIn {
    /// A title on create; a PATCH must change something.
    pub fn validate(&self, create: bool) -> Result<(), Invalid> {
        let _ = &self.order;
        match &self.display_name {
            Some(n) => check_name("displayName", n)?,
            None if create => return invalid("displayName: required"),
            None if self.description.is_none() && self.created_at.is_none() => {
                return invalid("body: no field to change");
            }
            None => {}
        }
        if let Some(d) = &self.description {
            check_description("description", d)?;
        }
        if let Some(None) = self.created_at {
            return invalid("createdAt: must be a date-time, not null");
        }
        Ok(())
    }
}

/// An incident update (`IncidentUpdateResponseData`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Update {
    /// Its order within the incident (assigned by the server, never reused).
    pub order: i64,
    /// Title.
    pub display_name: String,
    /// Text.
    pub description: String,
    /// When it was written.
    #[serde(serialize_with = "ser_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_with_data_after_its_json_is_refused() {
        let e = parse_body::<PhaseListIn>(br#"{"phases": ["a"]} {"phases": ["b"]}"#).unwrap_err();
        assert!(e.0.contains("trailing"), "{}", e.0);
        let e = parse_body::<PhaseListIn>(br#"{"phases": ["a"]}garbage"#).unwrap_err();
        assert!(e.0.contains("trailing"), "{}", e.0);
        assert!(parse_body::<PhaseListIn>(b"{\"phases\": [\"a\"]}\n  ").is_ok());
    }

    fn incident(json: &str) -> Result<IncidentState, Invalid> {
        parse_body::<IncidentIn>(json.as_bytes())?.apply(None)
    }

    const C: &str = "0b4c4b2e-59c4-4bd8-b2a4-6a8f6e0c1a01";
    const T: &str = "0b4c4b2e-59c4-4bd8-b2a4-6a8f6e0c1a02";

    #[test]
    fn errors_name_the_field() {
        let e = parse_body::<IncidentIn>(br#"{"displayName": 3}"#).unwrap_err();
        assert!(e.0.starts_with("displayName: invalid type"), "{e}");
        let e = parse_body::<IncidentIn>(br#"{"affects": [{"severity": "x"}]}"#).unwrap_err();
        assert!(e.0.starts_with("affects[0].severity:"), "{e}");
        let e = parse_body::<IncidentIn>(br#"{"displayname": "x"}"#).unwrap_err();
        assert!(e.0.contains("unknown field `displayname`"), "{e}");
        let e = parse_body::<IncidentIn>(b"{").unwrap_err();
        assert!(e.0.contains("EOF"), "{e}");
        assert_eq!(parse_body::<IncidentIn>(b"").unwrap_err().0, "the request needs a JSON body");
        let e = parse_body::<IncidentIn>(br#"{"phase": {"generation": 1, "order": -1}}"#).unwrap_err();
        assert!(e.0.starts_with("phase.order:"), "{e}");
    }

    #[test]
    fn incident_rules() {
        assert!(incident(r#"{"displayName": "x"}"#).is_ok());
        assert_eq!(incident("{}").unwrap_err().0, "body: an incident needs fields");
        let e =
            incident(r#"{"displayName": "x", "beganAt": "2024-01-02T00:00:00Z", "endedAt": "2024-01-01T00:00:00Z"}"#);
        assert!(e.unwrap_err().0.starts_with("endedAt: 2024-01-01T00:00:00Z is before"));
        let maintenance =
            format!(r#"{{"displayName": "m", "affects": [{{"type": "{T}", "reference": "{C}", "severity": 0}}]}}"#);
        assert!(incident(&maintenance).unwrap_err().0.contains("maintenance"));
        let sev =
            format!(r#"{{"displayName": "m", "affects": [{{"type": "{T}", "reference": "{C}", "severity": 101}}]}}"#);
        assert_eq!(incident(&sev).unwrap_err().0, "affects[0].severity: 101 is outside 0..100");
        let twice = format!(
            r#"{{"displayName": "m", "affects": [{{"type": "{T}", "reference": "{C}", "severity": 1}}, {{"type": "{T}", "reference": "{C}", "severity": 2}}]}}"#
        );
        assert!(incident(&twice).unwrap_err().0.contains("listed twice"));
    }

    #[test]
    fn patch_null_reopens_and_absent_keeps() {
        let old = IncidentState {
            display_name: "x".into(),
            began_at: Some(parse_time("t", "2024-01-01T00:00:00Z").unwrap()),
            ended_at: Some(parse_time("t", "2024-01-02T00:00:00Z").unwrap()),
            ..Default::default()
        };
        let kept = parse_body::<IncidentIn>(br#"{"description": "d"}"#).unwrap().apply(Some(&old)).unwrap();
        assert_eq!(kept.ended_at, old.ended_at);
        let reopened = parse_body::<IncidentIn>(br#"{"endedAt": null}"#).unwrap().apply(Some(&old)).unwrap();
        assert_eq!(reopened.ended_at, None);
        let e = parse_body::<IncidentIn>(br#"{"beganAt": "2024-01-03T00:00:00Z"}"#).unwrap().apply(Some(&old));
        assert!(e.unwrap_err().0.starts_with("endedAt:"));
    }

    #[test]
    fn severity_ranges() {
        let s = [
            Severity { display_name: "operational".into(), value: 33 },
            Severity { display_name: "limited".into(), value: 66 },
            Severity { display_name: "broken".into(), value: 100 },
        ];
        assert_eq!(severity_of(&s, 1).unwrap().display_name, "operational");
        assert_eq!(severity_of(&s, 33).unwrap().display_name, "operational");
        assert_eq!(severity_of(&s, 34).unwrap().display_name, "limited");
        assert_eq!(severity_of(&s, 100).unwrap().display_name, "broken");
        assert_eq!(severity_of(&s[..2], 67), None);
        assert!(parse_body::<SeverityIn>(br#"{"displayName": "x", "value": 101}"#).unwrap().validate(true).is_err());
        assert!(parse_body::<SeverityIn>(br#"{"displayName": "x", "value": -1}"#).unwrap().validate(true).is_err());
    }

    #[test]
    fn labels_are_bounded() {
        let many: BTreeMap<String, String> = (0..10_000).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        let body = serde_json::to_vec(&serde_json::json!({"displayName": "c", "labels": many})).unwrap();
        let e = parse_body::<ComponentIn>(&body).unwrap().validate(true).unwrap_err();
        assert_eq!(e.0, "labels: 10000 labels, at most 64 allowed");
    }
}
