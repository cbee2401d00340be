// SPDX-License-Identifier: Apache-2.0
//! Octavia load balancers with a listener, a pool, members and a health
//! monitor: the health iteration's, and what `scs cleanup` finds. Every
//! change makes the load balancer `PENDING_UPDATE` until it is `ACTIVE`
//! again; the caller waits for that between changes.

use crate::session::{ApiError, Session};
use serde::Deserialize;
use serde_json::{Value, json};

/// A load balancer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct LoadBalancer {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// `PENDING_CREATE`, `ACTIVE`, `ERROR`, ...
    #[serde(default)]
    pub provisioning_status: String,
}

impl Session {
    async fn lbaas_create(&self, collection: &str, key: &str, body: Value) -> Result<String, ApiError> {
        let base = self.endpoint(&["load-balancer"])?;
        let url = format!("{base}/v2/lbaas/{collection}");
        let answer: Value = self.post(&url, &json!({ key: body })).await?;
        answer[key]["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| ApiError::Decode { url, message: format!("no {key}.id in the answer") })
    }

    /// Creates a load balancer with its VIP on `subnet_id`.
    pub async fn create_load_balancer(&self, name: &str, subnet_id: &str) -> Result<String, ApiError> {
        self.lbaas_create("loadbalancers", "loadbalancer", json!({ "name": name, "vip_subnet_id": subnet_id })).await
    }

    /// One load balancer.
    pub async fn get_load_balancer(&self, id: &str) -> Result<LoadBalancer, ApiError> {
        #[derive(Deserialize)]
        struct W {
            loadbalancer: LoadBalancer,
        }
        let base = self.endpoint(&["load-balancer"])?;
        Ok(self.get::<W>(&format!("{base}/v2/lbaas/loadbalancers/{id}"), &[]).await?.loadbalancer)
    }

    /// The project's load balancers.
    pub async fn list_load_balancers(&self) -> Result<Vec<LoadBalancer>, ApiError> {
        let base = self.endpoint(&["load-balancer"])?;
        self.get_all(&format!("{base}/v2/lbaas/loadbalancers"), "loadbalancers", &[]).await
    }

    /// An HTTP listener on port 80.
    pub async fn create_listener(&self, name: &str, load_balancer_id: &str) -> Result<String, ApiError> {
        let body =
            json!({ "name": name, "protocol": "HTTP", "protocol_port": 80, "loadbalancer_id": load_balancer_id });
        self.lbaas_create("listeners", "listener", body).await
    }

    /// A round-robin HTTP pool behind `listener_id`.
    pub async fn create_pool(&self, name: &str, listener_id: &str) -> Result<String, ApiError> {
        let body =
            json!({ "name": name, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "listener_id": listener_id });
        self.lbaas_create("pools", "pool", body).await
    }

    /// A member at `address`:80 on `subnet_id`.
    pub async fn create_member(&self, pool_id: &str, address: &str, subnet_id: &str) -> Result<String, ApiError> {
        let body = json!({ "address": address, "protocol_port": 80, "subnet_id": subnet_id });
        self.lbaas_create(&format!("pools/{pool_id}/members"), "member", body).await
    }

    /// An HTTP health monitor (`GET /`, every 5 s) on `pool_id`.
    pub async fn create_health_monitor(&self, name: &str, pool_id: &str) -> Result<String, ApiError> {
        let body = json!({
            "name": name, "pool_id": pool_id, "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 2,
            "http_method": "GET", "url_path": "/", "expected_codes": "200",
        });
        self.lbaas_create("healthmonitors", "healthmonitor", body).await
    }

    /// Deletes a load balancer with everything under it; 404 = gone.
    pub async fn delete_load_balancer(&self, id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&["load-balancer"])?;
        self.delete(&format!("{base}/v2/lbaas/loadbalancers/{id}?cascade=true")).await
    }
}
