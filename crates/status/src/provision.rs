// SPDX-License-Identifier: Apache-2.0
//! Provisioning at start from a YAML file with upstream's keys
//! (`impactTypes[].displayname/description`, `components[].displayname/labels`,
//! `phases[].name`, `severities[].name/value`). As upstream, each kind is
//! written only while its table is empty, so applying the file again, or
//! after operators changed things through the API, changes nothing.

use crate::model::{ComponentIn, ImpactTypeIn, PhaseListIn, SeverityIn, parse_body};
use crate::store::{Store, StoreError, Table};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A provisioning failure, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// Unreadable file.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not the expected YAML, or a value the API would refuse.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong (with line and column from the parser).
        message: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A checked provisioning file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Provisioning {
    #[serde(default)]
    impact_types: Vec<NamedItem>,
    #[serde(default)]
    components: Vec<ComponentItem>,
    #[serde(default)]
    phases: Vec<PhaseItem>,
    #[serde(default)]
    severities: Vec<SeverityItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamedItem {
    displayname: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComponentItem {
    displayname: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseItem {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeverityItem {
    name: String,
    value: i64,
}

/// What [`apply`] wrote: (kind, items) for each kind it filled.
pub type Applied = Vec<(&'static str, usize)>;

/// Applies the file at `path` (see [`parse`] and [`apply_parsed`]).
pub async fn apply(store: &Store, path: &Path) -> Result<Applied, ProvisionError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ProvisionError::Read { path: name.clone(), source })?;
    apply_parsed(store, &parse(&name, &text)?).await
}

/// Parses a provisioning file and checks every item as the API would check
/// it, so nothing is written from a file with a mistake in it.
pub fn parse(name: &str, text: &str) -> Result<Provisioning, ProvisionError> {
    let file: Provisioning = serde_saphyr::from_str(text)
        .map_err(|e| ProvisionError::Invalid { path: name.to_owned(), message: e.to_string() })?;
    let bad = |message: String| ProvisionError::Invalid { path: name.to_owned(), message };
    // check everything first, through the API's own rules
    for (i, t) in file.impact_types.iter().enumerate() {
        let body = serde_json::json!({"displayName": t.displayname, "description": t.description}).to_string();
        parse_body::<ImpactTypeIn>(body.as_bytes())
            .and_then(|b| b.validate(true))
            .map_err(|e| bad(format!("impactTypes[{i}].{e}")))?;
    }
    for (i, c) in file.components.iter().enumerate() {
        let body = serde_json::json!({"displayName": c.displayname, "labels": c.labels}).to_string();
        parse_body::<ComponentIn>(body.as_bytes())
            .and_then(|b| b.validate(true))
            .map_err(|e| bad(format!("components[{i}].{e}")))?;
    }
    let phases: Vec<String> = file.phases.iter().map(|p| p.name.clone()).collect();
    if !phases.is_empty() {
        let body = serde_json::json!({"phases": phases}).to_string();
        parse_body::<PhaseListIn>(body.as_bytes()).and_then(|b| b.validate()).map_err(|e| bad(e.0))?;
    }
    for (i, s) in file.severities.iter().enumerate() {
        let body = serde_json::json!({"displayName": s.name, "value": s.value}).to_string();
        parse_body::<SeverityIn>(body.as_bytes())
            .and_then(|b| b.validate(true))
            .map_err(|e| bad(format!("severities[{i}].{e}")))?;
        if file.severities[..i].iter().any(|o| o.name == s.name || o.value == s.value) {
            return Err(bad(format!("severities[{i}]: name or value {} listed twice", s.value)));
        }
    }
    if !file.severities.is_empty() && !file.severities.iter().any(|s| s.value == 100) {
        return Err(bad("severities: one severity must have value 100".to_owned()));
    }
    Ok(file)
}

/// Writes a checked file's kinds into the tables that are still empty.
pub async fn apply_parsed(store: &Store, file: &Provisioning) -> Result<Applied, ProvisionError> {
    let phases: Vec<String> = file.phases.iter().map(|p| p.name.clone()).collect();
    let mut applied = Applied::new();
    if !file.impact_types.is_empty() && store.count(Table::ImpactTypes).await? == 0 {
        for t in &file.impact_types {
            store.create_impact_type(&t.displayname, &t.description).await?;
        }
        applied.push(("impact types", file.impact_types.len()));
    }
    if !file.components.is_empty() && store.count(Table::Components).await? == 0 {
        for c in &file.components {
            store.create_component(&c.displayname, &c.labels).await?;
        }
        applied.push(("components", file.components.len()));
    }
    if !phases.is_empty() && store.count(Table::Phases).await? == 0 {
        store.create_phases(&phases).await?;
        applied.push(("phases", phases.len()));
    }
    if !file.severities.is_empty() && store.count(Table::Severities).await? == 0 {
        for s in &file.severities {
            store.create_severity(&s.name, s.value).await?;
        }
        applied.push(("severities", file.severities.len()));
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "impactTypes:\n  - displayname: Performance\ncomponents:\n  - displayname: Storage\n    labels: {az: '1'}\n\
                        phases:\n  - name: Open\n  - name: Done\nseverities:\n  - name: ok\n    value: 33\n  - name: broken\n    value: 100\n";

    #[test]
    fn mistakes_name_the_file_and_item() {
        let e = parse("p.yaml", "components:\n  - displayname: ''\n").unwrap_err().to_string();
        assert_eq!(e, "p.yaml: components[0].displayName: must not be empty");
        let e = parse("p.yaml", "severities:\n  - name: a\n    value: 50\n").unwrap_err().to_string();
        assert_eq!(e, "p.yaml: severities: one severity must have value 100");
        let e = parse("p.yaml", "severities:\n  - name: a\n    value: 150\n").unwrap_err().to_string();
        assert_eq!(e, "p.yaml: severities[0].value: 150 is outside 0..100");
        let e = parse("p.yaml", "component:\n  - displayname: x\n").unwrap_err().to_string();
        assert!(e.starts_with("p.yaml: ") && e.contains("component") && e.contains("line 1"), "{e}");
    }

    #[tokio::test]
    async fn applying_twice_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}", dir.path().join("p.db").display())).await.unwrap();
        let file = parse("p.yaml", FILE).unwrap();
        let first = apply_parsed(&store, &file).await.unwrap();
        assert_eq!(first, [("impact types", 1), ("components", 1), ("phases", 2), ("severities", 2)]);
        assert!(apply_parsed(&store, &file).await.unwrap().is_empty());
        assert_eq!(store.phases(None).await.unwrap().generation, 1);
        assert_eq!(store.components(chrono::Utc::now()).await.unwrap().len(), 1);
    }
}
