// SPDX-License-Identifier: Apache-2.0
//! The resources the checks read, typed so that custom image properties and
//! flavor extra specs arrive intact (the reason we do not use generated SDK
//! types: they drop unknown Glance properties).

use crate::session::{ApiError, Session};
use futures::future::try_join_all;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Nova microversion that embeds `extra_specs` in flavor listings.
pub const FLAVOR_EXTRA_SPECS_MICROVERSION: &str = "2.61";

/// A Nova flavor with its extra specs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flavor {
    /// Flavor id.
    pub id: String,
    /// Flavor name.
    pub name: String,
    /// vCPUs.
    pub vcpus: u32,
    /// RAM in MiB.
    pub ram: u64,
    /// Root disk in GiB (0 = none).
    pub disk: u64,
    /// Extra specs (`scs:cpu-type`, `hw_rng:allowed`, ...).
    #[serde(default)]
    pub extra_specs: BTreeMap<String, String>,
}

/// A Glance image with all its properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// Image id.
    pub id: String,
    /// Image name.
    #[serde(default)]
    pub name: Option<String>,
    /// public, community, shared, private.
    #[serde(default)]
    pub visibility: String,
    /// The project that owns it.
    #[serde(default)]
    pub owner: Option<String>,
    /// Hidden from default listings.
    #[serde(default)]
    pub os_hidden: bool,
    /// Status (`active`, ...).
    #[serde(default)]
    pub status: String,
    /// Creation time (ISO 8601).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// Minimum disk in GiB.
    #[serde(default)]
    pub min_disk: Option<u64>,
    /// Minimum RAM in MiB.
    #[serde(default)]
    pub min_ram: Option<u64>,
    /// Every other property (`os_distro`, `image_build_date`, ...), as Glance sent it.
    #[serde(flatten)]
    pub properties: BTreeMap<String, Value>,
}

impl Image {
    /// A property as text (`None` if unset or null).
    pub fn property(&self, key: &str) -> Option<String> {
        match self.properties.get(key)? {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// The name, or the id for unnamed images.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("image '{n}' ({})", self.id),
            None => format!("image {}", self.id),
        }
    }
}

/// A Cinder volume type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeType {
    /// Type id.
    pub id: String,
    /// Type name.
    pub name: String,
    /// Description (scs-0114 aspects are declared here).
    #[serde(default)]
    pub description: Option<String>,
}

/// A Neutron default security-group rule (API ≥ 2023.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultSecurityGroupRule {
    /// Rule id.
    pub id: String,
    /// ingress / egress.
    pub direction: String,
    /// IPv4 / IPv6.
    pub ethertype: String,
    /// Remote prefix.
    #[serde(default)]
    pub remote_ip_prefix: Option<String>,
    /// Remote group (`PARENT` = the group itself).
    #[serde(default)]
    pub remote_group_id: Option<String>,
    /// Applied to the default group.
    #[serde(default)]
    pub used_in_default_sg: bool,
    /// Applied to other groups.
    #[serde(default)]
    pub used_in_non_default_sg: bool,
}

/// A rule of a concrete security group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroupRule {
    /// ingress / egress.
    pub direction: String,
    /// IPv4 / IPv6.
    pub ethertype: String,
    /// Remote prefix.
    #[serde(default)]
    pub remote_ip_prefix: Option<String>,
    /// Remote group.
    #[serde(default)]
    pub remote_group_id: Option<String>,
}

/// A security group with its rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    /// Group id.
    pub id: String,
    /// Group name.
    pub name: String,
    /// Rules.
    #[serde(default)]
    pub security_group_rules: Vec<SecurityGroupRule>,
}

#[derive(Deserialize)]
struct ExtraSpecs {
    #[serde(default)]
    extra_specs: BTreeMap<String, String>,
}

impl Session {
    /// Every flavor the project sees, with extra specs: one listing at
    /// microversion 2.61, or, on older clouds, a listing plus one extra-specs
    /// request per flavor, concurrently.
    pub async fn list_flavors(&self) -> Result<Vec<Flavor>, ApiError> {
        let base = self.endpoint(&["compute"])?;
        let url = format!("{base}/flavors/detail?is_public=None");
        let mv = format!("compute {FLAVOR_EXTRA_SPECS_MICROVERSION}");
        let headers =
            [("OpenStack-API-Version", mv.as_str()), ("X-OpenStack-Nova-API-Version", FLAVOR_EXTRA_SPECS_MICROVERSION)];
        match self.get_all::<Flavor>(&url, "flavors", &headers).await {
            Err(e) if matches!(e.status().map(|s| s.as_u16()), Some(400 | 406)) => {
                let mut flavors: Vec<Flavor> = self.get_all(&url, "flavors", &[]).await?;
                let specs = try_join_all(flavors.iter().map(|f| {
                    let url = format!("{base}/flavors/{}/os-extra_specs", f.id);
                    async move { self.get::<ExtraSpecs>(&url, &[]).await }
                }))
                .await?;
                for (flavor, specs) in flavors.iter_mut().zip(specs) {
                    flavor.extra_specs = specs.extra_specs;
                }
                Ok(flavors)
            }
            other => other,
        }
    }

    /// Public and community images, hidden ones included (two listings,
    /// since Glance leaves hidden images out unless asked).
    pub async fn list_public_images(&self) -> Result<Vec<Image>, ApiError> {
        let base = self.endpoint(&["image"])?;
        let visible = format!("{base}/images?visibility=all&limit=1000");
        let hidden = format!("{base}/images?visibility=all&os_hidden=true&limit=1000");
        let (mut images, hidden) = futures::try_join!(
            self.get_all::<Image>(&visible, "images", &[]),
            self.get_all::<Image>(&hidden, "images", &[])
        )?;
        for image in hidden {
            if !images.iter().any(|i| i.id == image.id) {
                images.push(image);
            }
        }
        images.retain(|i| i.visibility == "public" || i.visibility == "community");
        images.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        Ok(images)
    }

    /// Volume types visible to the project.
    pub async fn list_volume_types(&self) -> Result<Vec<VolumeType>, ApiError> {
        let base = self.endpoint(&["volumev3", "block-storage", "volume"])?;
        self.get_all(&format!("{base}/types"), "volume_types", &[]).await
    }

    /// Default security-group rules; a 404 means the API is too old (< 2023.2).
    pub async fn list_default_security_group_rules(&self) -> Result<Vec<DefaultSecurityGroupRule>, ApiError> {
        let base = self.endpoint(&["network"])?;
        self.get_all(&format!("{base}/default-security-group-rules"), "default_security_group_rules", &[]).await
    }

    /// Creates a security group (its rules are the cloud's defaults).
    pub async fn create_security_group(&self, name: &str, description: &str) -> Result<SecurityGroup, ApiError> {
        #[derive(Deserialize)]
        struct Wrapper {
            security_group: SecurityGroup,
        }
        let base = self.endpoint(&["network"])?;
        let url = format!("{base}/security-groups");
        let body = serde_json::json!({ "security_group": { "name": name, "description": description } });
        let response = self.send(reqwest::Method::POST, &url, Some(&body), &[]).await?;
        let bytes =
            response.bytes().await.map_err(|e| ApiError::Decode { url: url.clone(), message: e.to_string() })?;
        serde_json::from_slice::<Wrapper>(&bytes)
            .map(|w| w.security_group)
            .map_err(|e| ApiError::Decode { url, message: e.to_string() })
    }

    /// Adds an ingress rule for `protocol` (`tcp`, `icmp`) from anywhere
    /// (IPv4), on one port if given; returns the rule's id.
    pub async fn create_security_group_rule(
        &self,
        group_id: &str,
        protocol: &str,
        port: Option<u16>,
    ) -> Result<String, ApiError> {
        let base = self.endpoint(&["network"])?;
        let mut rule = serde_json::json!({
            "security_group_id": group_id, "direction": "ingress", "ethertype": "IPv4",
            "protocol": protocol, "remote_ip_prefix": "0.0.0.0/0",
        });
        if let Some(port) = port {
            rule["port_range_min"] = port.into();
            rule["port_range_max"] = port.into();
        }
        let answer: serde_json::Value = self
            .post(&format!("{base}/security-group-rules"), &serde_json::json!({ "security_group_rule": rule }))
            .await?;
        Ok(answer["security_group_rule"]["id"].as_str().unwrap_or_default().to_owned())
    }

    /// Deletes a security group; a 404 counts as deleted.
    pub async fn delete_security_group(&self, id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&["network"])?;
        match self.send(reqwest::Method::DELETE, &format!("{base}/security-groups/{id}"), None, &[]).await {
            Ok(_) => Ok(()),
            Err(e) if e.status() == Some(reqwest::StatusCode::NOT_FOUND) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
