// SPDX-License-Identifier: Apache-2.0
//! Nova servers: the boot-from-volume test server of scs-0101 and its console
//! log, and what `scs cleanup` finds.

use crate::session::{ApiError, Session};
use serde::Deserialize;
use serde_json::json;

/// A server's id, name, status and fault.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Server {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// `BUILD`, `ACTIVE`, `ERROR`, ...
    #[serde(default)]
    pub status: String,
    /// Why it is in ERROR.
    #[serde(default)]
    pub fault: Option<Fault>,
}

/// A server fault.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Fault {
    /// The message.
    #[serde(default)]
    pub message: String,
}

/// What a server boots from.
#[derive(Clone, Copy, Debug)]
pub enum Root<'a> {
    /// An existing bootable volume (deleted with the server).
    Volume(&'a str),
    /// An image, onto the flavor's root disk.
    Image(&'a str),
}

/// How to boot a server.
#[derive(Clone, Debug)]
pub struct BootServer<'a> {
    /// Server name.
    pub name: &'a str,
    /// Flavor id.
    pub flavor_id: &'a str,
    /// What it boots from.
    pub root: Root<'a>,
    /// The availability zone, if one is chosen.
    pub availability_zone: Option<&'a str>,
    /// Network to attach.
    pub network_id: &'a str,
    /// Cloud-init user data (plain text; sent base64).
    pub user_data: &'a str,
    /// The key pair to inject, if any.
    pub key_name: Option<&'a str>,
    /// Security groups by name (none: the project's `default`).
    pub security_groups: &'a [&'a str],
}

/// A key pair (`GET /os-keypairs`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Keypair {
    /// Its name (key pairs are named, not numbered).
    pub name: String,
}

impl Session {
    /// Boots a server (from a volume, which is deleted with the server, or
    /// from an image).
    pub async fn boot_server(&self, spec: &BootServer<'_>) -> Result<Server, ApiError> {
        #[derive(Deserialize)]
        struct W {
            server: Created,
        }
        #[derive(Deserialize)]
        struct Created {
            id: String,
        }
        let base = self.endpoint(&["compute"])?;
        let mut body = json!({ "server": {
            "name": spec.name,
            "flavorRef": spec.flavor_id,
            "networks": [{ "uuid": spec.network_id }],
            "user_data": base64_encode(spec.user_data.as_bytes()),
        }});
        match spec.root {
            Root::Volume(id) => {
                body["server"]["block_device_mapping_v2"] = json!([{
                    "boot_index": 0, "uuid": id, "source_type": "volume", "destination_type": "volume",
                    "delete_on_termination": true,
                }]);
            }
            Root::Image(id) => body["server"]["imageRef"] = id.into(),
        }
        if let Some(zone) = spec.availability_zone {
            body["server"]["availability_zone"] = zone.into();
        }
        if let Some(key) = spec.key_name {
            body["server"]["key_name"] = key.into();
        }
        if !spec.security_groups.is_empty() {
            let groups: Vec<_> = spec.security_groups.iter().map(|g| json!({ "name": g })).collect();
            body["server"]["security_groups"] = groups.into();
        }
        let created: W = self.post(&format!("{base}/servers"), &body).await?;
        Ok(Server { id: created.server.id, name: spec.name.to_owned(), status: "BUILD".into(), fault: None })
    }

    /// The availability zones servers can be booted in (available ones).
    pub async fn availability_zones(&self) -> Result<Vec<String>, ApiError> {
        #[derive(Deserialize)]
        struct State {
            available: bool,
        }
        #[derive(Deserialize)]
        struct Zone {
            #[serde(rename = "zoneName")]
            name: String,
            #[serde(rename = "zoneState")]
            state: State,
        }
        #[derive(Deserialize)]
        struct W {
            #[serde(rename = "availabilityZoneInfo")]
            zones: Vec<Zone>,
        }
        let base = self.endpoint(&["compute"])?;
        let w: W = self.get(&format!("{base}/os-availability-zone"), &[]).await?;
        Ok(w.zones.into_iter().filter(|z| z.state.available).map(|z| z.name).collect())
    }

    /// Creates a key pair: imports `public_key`, or without one lets Nova
    /// generate it (its private key is not kept then).
    pub async fn create_keypair(&self, name: &str, public_key: Option<&str>) -> Result<Keypair, ApiError> {
        let base = self.endpoint(&["compute"])?;
        let mut keypair = json!({ "name": name });
        if let Some(key) = public_key {
            keypair["public_key"] = key.into();
        }
        let answer: serde_json::Value =
            self.post(&format!("{base}/os-keypairs"), &json!({ "keypair": keypair })).await?;
        Ok(Keypair { name: answer["keypair"]["name"].as_str().unwrap_or(name).to_owned() })
    }

    /// The user's key pairs.
    pub async fn list_keypairs(&self) -> Result<Vec<Keypair>, ApiError> {
        #[derive(Deserialize)]
        struct Item {
            keypair: Keypair,
        }
        #[derive(Deserialize)]
        struct W {
            keypairs: Vec<Item>,
        }
        let base = self.endpoint(&["compute"])?;
        let w: W = self.get(&format!("{base}/os-keypairs"), &[]).await?;
        Ok(w.keypairs.into_iter().map(|i| i.keypair).collect())
    }

    /// Deletes a key pair; 404 = gone.
    pub async fn delete_keypair(&self, name: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&["compute"])?;
        self.delete(&format!("{base}/os-keypairs/{name}")).await
    }

    /// One server.
    pub async fn get_server(&self, id: &str) -> Result<Server, ApiError> {
        #[derive(Deserialize)]
        struct W {
            server: Server,
        }
        let base = self.endpoint(&["compute"])?;
        Ok(self.get::<W>(&format!("{base}/servers/{id}"), &[]).await?.server)
    }

    /// The project's servers.
    pub async fn list_servers(&self) -> Result<Vec<Server>, ApiError> {
        let base = self.endpoint(&["compute"])?;
        self.get_all(&format!("{base}/servers/detail"), "servers", &[]).await
    }

    /// Deletes a server (404 = gone).
    pub async fn delete_server(&self, id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&["compute"])?;
        self.delete(&format!("{base}/servers/{id}")).await
    }

    /// Attaches a volume to a server (Nova then attaches it through Cinder).
    pub async fn attach_volume(&self, server_id: &str, volume_id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&["compute"])?;
        let body = json!({ "volumeAttachment": { "volumeId": volume_id } });
        self.post::<serde_json::Value>(&format!("{base}/servers/{server_id}/os-volume_attachments"), &body)
            .await
            .map(drop)
    }

    /// Detaches a volume from a server (asynchronous: the volume turns
    /// `available` when done).
    pub async fn detach_volume(&self, server_id: &str, volume_id: &str) -> Result<(), ApiError> {
        let base = self.endpoint(&["compute"])?;
        self.delete(&format!("{base}/servers/{server_id}/os-volume_attachments/{volume_id}")).await
    }

    /// The server's console log (`os-getConsoleOutput`).
    pub async fn console_output(&self, id: &str) -> Result<String, ApiError> {
        #[derive(Deserialize)]
        struct W {
            output: String,
        }
        let base = self.endpoint(&["compute"])?;
        let body = json!({ "os-getConsoleOutput": { "length": null } });
        Ok(self.post::<W>(&format!("{base}/servers/{id}/action"), &body).await?.output)
    }
}

fn base64_encode(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}
