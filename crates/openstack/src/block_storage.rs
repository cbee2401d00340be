// SPDX-License-Identifier: Apache-2.0
//! Cinder volumes and backups: what scs-0117 creates, and what `scs cleanup`
//! finds again by name.

use crate::session::{ApiError, Session};
use serde::Deserialize;
use serde_json::json;

/// A volume or a backup: both are tracked by id, name and status.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct StorageObject {
    /// Id.
    pub id: String,
    /// Name (may be null).
    #[serde(default)]
    pub name: Option<String>,
    /// `creating`, `available`, `error`, ...
    #[serde(default)]
    pub status: String,
}

/// Where a restore went.
#[derive(Clone, Debug, Deserialize)]
pub struct Restore {
    /// The backup restored.
    pub backup_id: String,
    /// The volume it was restored to.
    pub volume_id: String,
}

const TYPES: [&str; 3] = ["volumev3", "block-storage", "volume"];

/// The microversion of Cinder's attachments API.
const ATTACHMENTS: (&str, &str) = ("OpenStack-API-Version", "volume 3.27");

/// A volume attachment (Cinder's attachments API).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Attachment {
    /// Id.
    pub id: String,
    /// `reserved`, `attaching`, `attached`, ...
    #[serde(default)]
    pub status: String,
    /// The server it is (to be) attached to.
    #[serde(default)]
    pub instance: Option<String>,
}

impl Session {
    /// Creates a volume of `size_gib`.
    pub async fn create_volume(&self, name: &str, size_gib: u32) -> Result<StorageObject, ApiError> {
        #[derive(Deserialize)]
        struct W {
            volume: StorageObject,
        }
        let base = self.endpoint(&TYPES)?;
        let body = json!({ "volume": { "name": name, "size": size_gib } });
        Ok(self.post::<W>(&format!("{base}/volumes"), &body).await?.volume)
    }

    /// Creates a volume from an image (for boot from volume).
    pub async fn create_volume_from_image(
        &self,
        name: &str,
        size_gib: u32,
        image_id: &str,
    ) -> Result<StorageObject, ApiError> {
        #[derive(Deserialize)]
        struct W {
            volume: StorageObject,
        }
        let base = self.endpoint(&TYPES)?;
        let body = json!({ "volume": { "name": name, "size": size_gib, "imageRef": image_id } });
        Ok(self.post::<W>(&format!("{base}/volumes"), &body).await?.volume)
    }

    /// One volume.
    pub async fn get_volume(&self, id: &str) -> Result<StorageObject, ApiError> {
        #[derive(Deserialize)]
        struct W {
            volume: StorageObject,
        }
        let base = self.endpoint(&TYPES)?;
        Ok(self.get::<W>(&format!("{base}/volumes/{id}"), &[]).await?.volume)
    }

    /// The project's volumes.
    pub async fn list_volumes(&self) -> Result<Vec<StorageObject>, ApiError> {
        let base = self.endpoint(&TYPES)?;
        self.get_all(&format!("{base}/volumes/detail"), "volumes", &[]).await
    }

    /// Deletes a volume (404 = gone).
    pub async fn delete_volume(&self, id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&TYPES)?;
        self.delete(&format!("{base}/volumes/{id}")).await
    }

    /// A volume's attachments (microversion 3.27).
    pub async fn volume_attachments(&self, volume_id: &str) -> Result<Vec<Attachment>, ApiError> {
        #[derive(Deserialize)]
        struct W {
            attachments: Vec<Attachment>,
        }
        let base = self.endpoint(&TYPES)?;
        let url = format!("{base}/attachments?volume_id={volume_id}");
        Ok(self.get::<W>(&url, &[ATTACHMENTS]).await?.attachments)
    }

    /// Deletes an attachment, which releases the volume (the owner may; 404 = gone).
    pub async fn delete_attachment(&self, id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&TYPES)?;
        match self.send(reqwest::Method::DELETE, &format!("{base}/attachments/{id}"), None, &[ATTACHMENTS]).await {
            Ok(_) => Ok(()),
            Err(e) if e.status() == Some(reqwest::StatusCode::NOT_FOUND) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Returns a volume stuck in `attaching` without attachments to
    /// `available` (`os-unreserve`; the owner may).
    pub async fn unreserve_volume(&self, id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&TYPES)?;
        self.post_action(&format!("{base}/volumes/{id}/action"), &json!({ "os-unreserve": {} })).await
    }

    /// Backs a volume up.
    pub async fn create_backup(&self, name: &str, volume_id: &str) -> Result<StorageObject, ApiError> {
        #[derive(Deserialize)]
        struct W {
            backup: StorageObject,
        }
        let base = self.endpoint(&TYPES)?;
        let body = json!({ "backup": { "name": name, "volume_id": volume_id } });
        Ok(self.post::<W>(&format!("{base}/backups"), &body).await?.backup)
    }

    /// One backup.
    pub async fn get_backup(&self, id: &str) -> Result<StorageObject, ApiError> {
        #[derive(Deserialize)]
        struct W {
            backup: StorageObject,
        }
        let base = self.endpoint(&TYPES)?;
        Ok(self.get::<W>(&format!("{base}/backups/{id}"), &[]).await?.backup)
    }

    /// The project's backups.
    pub async fn list_backups(&self) -> Result<Vec<StorageObject>, ApiError> {
        let base = self.endpoint(&TYPES)?;
        self.get_all(&format!("{base}/backups/detail"), "backups", &[]).await
    }

    /// Deletes a backup (404 = gone).
    pub async fn delete_backup(&self, id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&TYPES)?;
        self.delete(&format!("{base}/backups/{id}")).await
    }

    /// Restores a backup into a new volume named `name`.
    pub async fn restore_backup(&self, backup_id: &str, name: &str) -> Result<Restore, ApiError> {
        #[derive(Deserialize)]
        struct W {
            restore: Restore,
        }
        let base = self.endpoint(&TYPES)?;
        let body = json!({ "restore": { "name": name } });
        Ok(self.post::<W>(&format!("{base}/backups/{backup_id}/restore"), &body).await?.restore)
    }
}
