// SPDX-License-Identifier: Apache-2.0
//! A client of the SCS status-page API (upstream's OpenAPI spec v1.1.2;
//! `scs serve` and upstream's status-page-api both speak it), with just
//! what the monitor needs: read components, impact types and phases, list
//! the incidents active now, open an incident, add an update, end one.
//! Writes carry a bearer token (upstream's API sits behind an auth proxy
//! that takes one; `scs serve` checks it itself).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Why a status-page request failed.
#[derive(Debug, thiserror::Error)]
pub enum StatusPageError {
    /// No answer (connection refused, timeout, ...).
    #[error("{method} {url}: no answer: {source}")]
    Unreachable {
        /// The request's method.
        method: &'static str,
        /// The URL.
        url: String,
        /// Why.
        source: reqwest::Error,
    },
    /// An error status.
    #[error("{method} {url}: HTTP {status}: {body}")]
    Status {
        /// The request's method.
        method: &'static str,
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// The start of the answer's body.
        body: String,
    },
    /// An answer that is not the API's shape.
    #[error("{method} {url}: unexpected answer: {message}")]
    Decode {
        /// The request's method.
        method: &'static str,
        /// The URL.
        url: String,
        /// What did not fit.
        message: String,
    },
}

/// A component (`GET /components`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub display_name: String,
}

/// An impact type (`GET /impacttypes`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImpactType {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub display_name: String,
}

/// The current phase list (`GET /phases`).
#[derive(Clone, Debug, Deserialize)]
pub struct Phases {
    /// Its generation.
    pub generation: u32,
    /// The phase names, in order.
    pub phases: Vec<String>,
}

/// A phase reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseRef {
    /// The phase list's generation.
    pub generation: u32,
    /// The phase's index in it.
    pub order: u32,
}

/// An impact of an incident on a component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    /// The component's id.
    pub reference: String,
    /// The impact type's id.
    #[serde(rename = "type")]
    pub kind: String,
    /// 1..=100 (0 is maintenance).
    pub severity: u8,
}

/// An incident as listed (`GET /incidents`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Incident {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub display_name: String,
    /// Its text.
    #[serde(default)]
    pub description: String,
    /// `None` while active.
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    /// What it affects.
    #[serde(default)]
    pub affects: Vec<Impact>,
    /// Its updates' orders.
    #[serde(default)]
    pub updates: Vec<u32>,
}

/// A new incident.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewIncident {
    /// Its name.
    pub display_name: String,
    /// Its text (the evidence).
    pub description: String,
    /// When the failures began.
    pub began_at: DateTime<Utc>,
    /// What it affects.
    pub affects: Vec<Impact>,
    /// Its phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<PhaseRef>,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

/// A status page's API at `base` (no trailing slash).
#[derive(Clone, Debug)]
pub struct StatusPage {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl StatusPage {
    /// A client of the API at `base`, writing with `token`.
    pub fn new(base: &str, token: &str, timeout: Duration) -> Self {
        let http = reqwest::Client::builder().timeout(timeout).build().unwrap_or_default();
        Self { base: base.trim_end_matches('/').to_owned(), token: token.to_owned(), http }
    }

    /// The API's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// One request; writes (everything but GET) carry the token.
    async fn send(
        &self,
        method: &'static str,
        path: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<String, StatusPageError> {
        let url = format!("{}{path}", self.base);
        let verb = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let request = self.http.request(verb.clone(), &url);
        let request = if verb == reqwest::Method::GET { request } else { request.bearer_auth(&self.token) };
        let unreachable = |source| StatusPageError::Unreachable { method, url: url.clone(), source };
        let answer = build(request).send().await.map_err(unreachable)?;
        let status = answer.status().as_u16();
        let body = answer.text().await.map_err(unreachable)?;
        if status >= 300 {
            let body: String = body.chars().take(300).collect();
            return Err(StatusPageError::Status { method, url, status, body });
        }
        Ok(body)
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, StatusPageError> {
        let body = self.send("GET", path, |r| r).await?;
        let data: Data<T> = serde_json::from_str(&body).map_err(|e| StatusPageError::Decode {
            method: "GET",
            url: format!("{}{path}", self.base),
            message: e.to_string(),
        })?;
        Ok(data.data)
    }

    /// Every component.
    pub async fn components(&self) -> Result<Vec<Component>, StatusPageError> {
        self.get("/components").await
    }

    /// Every impact type.
    pub async fn impact_types(&self) -> Result<Vec<ImpactType>, StatusPageError> {
        self.get("/impacttypes").await
    }

    /// The current phase list.
    pub async fn phases(&self) -> Result<Phases, StatusPageError> {
        self.get("/phases").await
    }

    /// The incidents active at `at` (begun by then, not ended).
    pub async fn active_incidents(&self, at: DateTime<Utc>) -> Result<Vec<Incident>, StatusPageError> {
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let all: Vec<Incident> = self.get(&format!("/incidents?start={at}&end={at}")).await?;
        Ok(all.into_iter().filter(|i| i.ended_at.is_none()).collect())
    }

    /// Opens `incident`; returns its id.
    pub async fn create_incident(&self, incident: &NewIncident) -> Result<String, StatusPageError> {
        let body = self.send("POST", "/incidents", |r| r.json(incident)).await?;
        let created: Created = serde_json::from_str(&body).map_err(|e| StatusPageError::Decode {
            method: "POST",
            url: format!("{}/incidents", self.base),
            message: e.to_string(),
        })?;
        Ok(created.id)
    }

    /// Adds an update to incident `id`.
    pub async fn add_update(&self, id: &str, title: &str, text: &str) -> Result<(), StatusPageError> {
        let body = serde_json::json!({"displayName": title, "description": text, "createdAt": now()});
        self.send("POST", &format!("/incidents/{id}/updates"), |r| r.json(&body)).await.map(drop)
    }

    /// Ends incident `id` now, in `phase`.
    pub async fn end_incident(&self, id: &str, phase: Option<PhaseRef>) -> Result<(), StatusPageError> {
        let mut body = serde_json::json!({"endedAt": now()});
        if let Some(phase) = phase {
            body["phase"] = serde_json::json!(phase);
        }
        self.send("PATCH", &format!("/incidents/{id}"), |r| r.json(&body)).await.map(drop)
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
