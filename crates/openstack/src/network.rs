// SPDX-License-Identifier: Apache-2.0
//! Neutron networks, subnets, routers, ports and security groups: the
//! network scs-0101 builds for its test server, and what `scs cleanup` finds.

use crate::resources::SecurityGroup;
use crate::session::{ApiError, Session};
use serde::Deserialize;
use serde_json::{Value, json};

/// A network, subnet, router or port: tracked by id and name.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct NetworkObject {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// For ports: the device (server or router) it belongs to.
    #[serde(default)]
    pub device_id: Option<String>,
    /// For ports: `network:router_interface`, `compute:nova`, ...
    #[serde(default)]
    pub device_owner: Option<String>,
    /// For ports: the fixed IPs with their subnets.
    #[serde(default)]
    pub fixed_ips: Vec<FixedIp>,
    /// For networks: whether it is an external network.
    #[serde(default, rename = "router:external")]
    pub external: bool,
}

/// A port's address on a subnet.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct FixedIp {
    /// The subnet.
    pub subnet_id: String,
    /// The address.
    #[serde(default)]
    pub ip_address: String,
}

/// A floating IP.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct FloatingIp {
    /// Id.
    pub id: String,
    /// The address.
    #[serde(default)]
    pub floating_ip_address: String,
    /// What it is for (floating IPs have no name; checks put theirs here).
    #[serde(default)]
    pub description: String,
    /// `ACTIVE` once routed, `DOWN` before (or without an L3 agent).
    #[serde(default)]
    pub status: String,
}

impl Session {
    async fn network_create(&self, collection: &str, key: &str, body: Value) -> Result<NetworkObject, ApiError> {
        let base = self.endpoint(&["network"])?;
        let mut answer: Value = self.post(&format!("{base}/{collection}"), &json!({ key: body })).await?;
        serde_json::from_value(answer.get_mut(key).map(Value::take).unwrap_or_default())
            .map_err(|e| ApiError::Decode { url: format!("{base}/{collection}"), message: e.to_string() })
    }

    async fn network_list(&self, collection: &str, query: &str) -> Result<Vec<NetworkObject>, ApiError> {
        let base = self.endpoint(&["network"])?;
        let key = collection.replace('-', "_");
        self.get_all(&format!("{base}/{collection}{query}"), &key, &[]).await
    }

    /// Creates a network.
    pub async fn create_network(&self, name: &str) -> Result<NetworkObject, ApiError> {
        self.network_create("networks", "network", json!({ "name": name })).await
    }

    /// Creates an IPv4 subnet with a gateway, an allocation pool and a DNS server.
    pub async fn create_subnet(
        &self,
        name: &str,
        network_id: &str,
        cidr: &str,
        gateway: &str,
        pool: (&str, &str),
        dns: &str,
    ) -> Result<NetworkObject, ApiError> {
        let body = json!({
            "name": name, "network_id": network_id, "ip_version": 4, "cidr": cidr, "gateway_ip": gateway,
            "allocation_pools": [{ "start": pool.0, "end": pool.1 }], "dns_nameservers": [dns],
        });
        self.network_create("subnets", "subnet", body).await
    }

    /// Creates a router, with its gateway on `external_network` if given.
    pub async fn create_router(&self, name: &str, external_network: Option<&str>) -> Result<NetworkObject, ApiError> {
        let mut body = json!({ "name": name });
        if let Some(net) = external_network {
            body["external_gateway_info"] = json!({ "network_id": net });
        }
        self.network_create("routers", "router", body).await
    }

    /// Attaches a subnet to a router.
    pub async fn add_router_interface(&self, router_id: &str, subnet_id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&["network"])?;
        let url = format!("{base}/routers/{router_id}/add_router_interface");
        self.put::<Value>(&url, &json!({ "subnet_id": subnet_id })).await.map(drop)
    }

    /// Detaches a subnet from a router; "not found" counts as detached.
    pub async fn remove_router_interface(&self, router_id: &str, subnet_id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&["network"])?;
        let url = format!("{base}/routers/{router_id}/remove_router_interface");
        match self.put::<Value>(&url, &json!({ "subnet_id": subnet_id })).await {
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => Ok(()),
            other => other.map(drop),
        }
    }

    /// Networks of the project and shared ones; `external_only` lists `router:external` ones.
    pub async fn list_networks(&self, external_only: bool) -> Result<Vec<NetworkObject>, ApiError> {
        self.network_list("networks", if external_only { "?router:external=true" } else { "" }).await
    }

    /// The project's subnets.
    pub async fn list_subnets(&self) -> Result<Vec<NetworkObject>, ApiError> {
        self.network_list("subnets", "").await
    }

    /// The project's routers.
    pub async fn list_routers(&self) -> Result<Vec<NetworkObject>, ApiError> {
        self.network_list("routers", "").await
    }

    /// The project's ports (of one device, if given).
    pub async fn list_ports(&self, device_id: Option<&str>) -> Result<Vec<NetworkObject>, ApiError> {
        match device_id {
            Some(d) => self.network_list("ports", &format!("?device_id={d}")).await,
            None => self.network_list("ports", "").await,
        }
    }

    /// The project's security groups.
    pub async fn list_security_groups(&self) -> Result<Vec<SecurityGroup>, ApiError> {
        let base = self.endpoint(&["network"])?;
        self.get_all(&format!("{base}/security-groups"), "security_groups", &[]).await
    }

    /// Deletes a network object (`networks`, `subnets`, `routers`, `ports`); 404 = gone.
    pub async fn delete_network_object(&self, collection: &str, id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&["network"])?;
        self.delete(&format!("{base}/{collection}/{id}")).await
    }

    /// A floating IP on `network_id` for `port_id`, described by `description`.
    pub async fn create_floating_ip(
        &self,
        network_id: &str,
        port_id: &str,
        description: &str,
    ) -> Result<FloatingIp, ApiError> {
        let base = self.endpoint(&["network"])?;
        let body = json!({ "floatingip": {
            "floating_network_id": network_id, "port_id": port_id, "description": description,
        }});
        let mut answer: Value = self.post(&format!("{base}/floatingips"), &body).await?;
        serde_json::from_value(answer.get_mut("floatingip").map(Value::take).unwrap_or_default())
            .map_err(|e| ApiError::Decode { url: format!("{base}/floatingips"), message: e.to_string() })
    }

    /// The project's floating IPs.
    pub async fn list_floating_ips(&self) -> Result<Vec<FloatingIp>, ApiError> {
        let base = self.endpoint(&["network"])?;
        self.get_all(&format!("{base}/floatingips"), "floatingips", &[]).await
    }

    /// Clears a router's external gateway.
    pub async fn clear_router_gateway(&self, router_id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&["network"])?;
        let body = json!({ "router": { "external_gateway_info": {} } });
        match self.put::<Value>(&format!("{base}/routers/{router_id}"), &body).await {
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => Ok(()),
            other => other.map(drop),
        }
    }
}
