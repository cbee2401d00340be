// SPDX-License-Identifier: Apache-2.0
//! Swift containers and objects: the health iteration's put, get and
//! delete, and what `scs cleanup` finds.

use crate::session::{ApiError, Session};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

/// A container or object, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Named {
    /// Its name.
    pub name: String,
}

impl Session {
    fn object_store(&self) -> Result<String, ApiError> {
        self.endpoint(&["object-store"])
    }

    /// Creates a container (an existing one is kept: Swift answers 202).
    pub async fn create_container(&self, container: &str) -> Result<(), ApiError> {
        let base = self.object_store()?;
        self.send(Method::PUT, &format!("{base}/{container}"), None, &[]).await.map(drop)
    }

    /// Writes `body` as a JSON object.
    pub async fn put_object(&self, container: &str, object: &str, body: &Value) -> Result<(), ApiError> {
        let base = self.object_store()?;
        self.send(Method::PUT, &format!("{base}/{container}/{object}"), Some(body), &[]).await.map(drop)
    }

    /// Reads an object as text.
    pub async fn get_object(&self, container: &str, object: &str) -> Result<String, ApiError> {
        let base = self.object_store()?;
        let url = format!("{base}/{container}/{object}");
        let response = self.send(Method::GET, &url, None, &[]).await?;
        response.text().await.map_err(|e| ApiError::Decode { url, message: e.to_string() })
    }

    /// Deletes an object; 404 = gone.
    pub async fn delete_object(&self, container: &str, object: &str) -> Result<(), ApiError> {
        let base = self.object_store()?;
        self.delete(&format!("{base}/{container}/{object}")).await
    }

    /// Deletes a container, its objects first; 404 = gone.
    pub async fn delete_container(&self, container: &str) -> Result<(), ApiError> {
        let base = self.object_store()?;
        let objects: Vec<Named> = match self.get(&format!("{base}/{container}?format=json"), &[]).await {
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => return Ok(()),
            other => other?,
        };
        for object in objects {
            self.delete_object(container, &object.name).await?;
        }
        self.delete(&format!("{base}/{container}")).await
    }

    /// The account's containers.
    pub async fn list_containers(&self) -> Result<Vec<Named>, ApiError> {
        let base = self.object_store()?;
        self.get(&format!("{base}?format=json"), &[]).await
    }
}
