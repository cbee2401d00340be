// SPDX-License-Identifier: Apache-2.0
//! Barbican secrets: scs-0116 stores, finds and deletes one as a `member`.

use crate::session::{ApiError, Session};
use serde::Deserialize;
use serde_json::json;

/// A secret's reference and name.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Secret {
    /// `https://.../v1/secrets/<uuid>`.
    pub secret_ref: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
}

impl Secret {
    /// The secret's uuid: the last path component of its reference.
    pub fn uuid(&self) -> &str {
        self.secret_ref.trim_end_matches('/').rsplit('/').next().unwrap_or_default()
    }
}

impl Session {
    /// Stores an opaque text secret; returns its reference.
    pub async fn create_secret(&self, name: &str, payload: &str) -> Result<Secret, ApiError> {
        #[derive(Deserialize)]
        struct Created {
            secret_ref: String,
        }
        let base = self.endpoint(&["key-manager"])?;
        let body = json!({
            "name": name,
            "secret_type": "opaque",
            "payload": payload,
            "payload_content_type": "text/plain",
        });
        let created: Created = self.post(&format!("{base}/secrets"), &body).await?;
        Ok(Secret { secret_ref: created.secret_ref, name: Some(name.to_owned()) })
    }

    /// Secrets named `name` (all of the project's when `None`).
    pub async fn list_secrets(&self, name: Option<&str>) -> Result<Vec<Secret>, ApiError> {
        let base = self.endpoint(&["key-manager"])?;
        let mut url = url::Url::parse(&format!("{base}/secrets"))
            .map_err(|e| ApiError::Decode { url: base.clone(), message: e.to_string() })?;
        url.query_pairs_mut().append_pair("limit", "100");
        if let Some(name) = name {
            url.query_pairs_mut().append_pair("name", name);
        }
        // Barbican pages with offset/limit and a `next` link.
        self.get_all(url.as_str(), "secrets", &[]).await
    }

    /// Deletes a secret by uuid (404 = gone).
    pub async fn delete_secret(&self, uuid: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&["key-manager"])?;
        self.delete(&format!("{base}/secrets/{uuid}")).await
    }
}
