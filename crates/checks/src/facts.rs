// SPDX-License-Identifier: Apache-2.0
//! The facts a check run reads from a cloud, gathered once and concurrently.
//!
//! Testcases never talk to the cloud themselves (except the ones that must
//! create resources): they decide from these facts. That keeps a run as fast
//! as its slowest listing, makes every verdict reproducible from a recorded
//! `Facts` file, and lets unit tests run without a cloud.

use crate::scratch::{Kind, Ledger};
use scs_openstack::{CatalogEntry, DefaultSecurityGroupRule, Flavor, Image, Session, VolumeType};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A fact, or why it could not be gathered (the testcases that need it ABORT with that reason).
pub type Fact<T> = Result<T, String>;

/// What a cloud says about its default security-group rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "source")]
pub enum DefaultRules {
    /// From `GET /v2.0/default-security-group-rules` (Neutron ≥ 2023.2).
    Api {
        /// The rules.
        rules: Vec<DefaultSecurityGroupRule>,
    },
    /// The API is missing; the rules of a freshly created group stand in.
    FreshGroup {
        /// The rules the new group got.
        rules: Vec<scs_openstack::resources::SecurityGroupRule>,
    },
}

/// Which facts a set of testcases needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Nova flavors with extra specs.
    pub flavors: bool,
    /// Public and community images.
    pub images: bool,
    /// Cinder volume types.
    pub volume_types: bool,
    /// Default security-group rules.
    pub default_rules: bool,
}

/// Everything the read-only testcases decide from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// When the facts were gathered (UTC, `YYYY-MM-DDTHH:MM:SSZ`); recency checks measure against it.
    pub gathered_at: String,
    /// Role names of the checking user on its project.
    pub roles: Vec<String>,
    /// The checking user's project (absent in facts recorded before it was).
    #[serde(default)]
    pub project_id: Option<String>,
    /// The service catalog.
    pub catalog: Vec<CatalogEntryFact>,
    /// Flavors with extra specs.
    pub flavors: Fact<Vec<Flavor>>,
    /// Public and community images (hidden included).
    pub images: Fact<Vec<Image>>,
    /// Volume types.
    pub volume_types: Fact<Vec<VolumeType>>,
    /// Default security-group rules.
    pub default_rules: Fact<DefaultRules>,
}

/// A catalog entry, reduced to what checks need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntryFact {
    /// Service type.
    pub service_type: String,
    /// Service name.
    pub name: String,
    /// Endpoint URLs with their interface.
    pub endpoints: Vec<(String, String)>,
}

impl From<&CatalogEntry> for CatalogEntryFact {
    fn from(e: &CatalogEntry) -> Self {
        Self {
            service_type: e.service_type.clone(),
            name: e.name.clone(),
            endpoints: e.endpoints.iter().map(|ep| (ep.interface.clone(), ep.url.clone())).collect(),
        }
    }
}

impl Facts {
    /// The catalog's service types.
    pub fn service_types(&self) -> BTreeSet<&str> {
        self.catalog.iter().map(|e| e.service_type.as_str()).collect()
    }

    /// Parses `gathered_at`.
    pub fn now(&self) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(self.gathered_at.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S")
            .unwrap_or_else(|_| chrono::Utc::now().naive_utc())
    }
}

/// Name of the security group the scs-0115 fallback creates and deletes (upstream's name).
pub const TEST_SG_NAME: &str = "scs-test-default-sg";

/// Gathers the needed facts concurrently. Errors become per-fact reasons.
pub async fn gather(session: &Session, needs: Needs, ledger: &Ledger) -> Facts {
    fn skipped<T>() -> Fact<T> {
        Err("not needed by the selected testcases".to_owned())
    }
    let flavors =
        async { if needs.flavors { session.list_flavors().await.map_err(|e| e.to_string()) } else { skipped() } };
    let images =
        async { if needs.images { session.list_public_images().await.map_err(|e| e.to_string()) } else { skipped() } };
    let volume_types = async {
        if needs.volume_types { session.list_volume_types().await.map_err(|e| e.to_string()) } else { skipped() }
    };
    let default_rules = async { if needs.default_rules { default_rules(session, ledger).await } else { skipped() } };
    let (flavors, images, volume_types, default_rules) = tokio::join!(flavors, images, volume_types, default_rules);
    Facts {
        gathered_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        roles: session.roles.clone(),
        project_id: session.project_id.clone(),
        catalog: session.catalog.iter().map(CatalogEntryFact::from).collect(),
        flavors,
        images,
        volume_types,
        default_rules,
    }
}

/// The default rules from the API, or, on clouds older than Neutron 2023.2,
/// from a security group we create and delete again.
async fn default_rules(session: &Session, ledger: &Ledger) -> Fact<DefaultRules> {
    match session.list_default_security_group_rules().await {
        Ok(rules) => Ok(DefaultRules::Api { rules }),
        Err(e) if e.status().map(|s| s.as_u16()) == Some(404) => fresh_group_rules(session, ledger).await,
        Err(e) => Err(e.to_string()),
    }
}

async fn fresh_group_rules(session: &Session, ledger: &Ledger) -> Fact<DefaultRules> {
    // Only the group created here is deleted; leftovers of killed runs are `scs cleanup`'s job.
    let group = session
        .create_security_group(TEST_SG_NAME, "scs-0115 check: rules a new group gets")
        .await
        .map_err(|e| format!("default-security-group-rules API missing, and creating a test group failed: {e}"))?;
    ledger.record(Kind::SecurityGroup, &group.id, TEST_SG_NAME);
    let rules = group.security_group_rules.clone();
    session
        .delete_security_group(&group.id)
        .await
        .map_err(|e| format!("test security group {} could not be deleted: {e}", group.id))?;
    ledger.forget(&Kind::SecurityGroup, &group.id);
    Ok(DefaultRules::FreshGroup { rules })
}
