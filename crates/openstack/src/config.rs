// SPDX-License-Identifier: Apache-2.0
//! Where a cloud's credentials come from: `clouds.yaml` (+ `secure.yaml`) in
//! the standard search paths, `OS_CLOUD`, or the `OS_*` variables — the same
//! rules operators know from `openstack` and openstacksdk.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How to authenticate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// User name and password, scoped to a project.
    Password {
        /// User name.
        username: Option<String>,
        /// User id (instead of a name).
        user_id: Option<String>,
        /// The password.
        password: String,
        /// Domain of the user, by name.
        user_domain_name: Option<String>,
        /// Domain of the user, by id.
        user_domain_id: Option<String>,
        /// Project scope, by name.
        project_name: Option<String>,
        /// Project scope, by id.
        project_id: Option<String>,
        /// Domain of the project, by name.
        project_domain_name: Option<String>,
        /// Domain of the project, by id.
        project_domain_id: Option<String>,
    },
    /// An application credential (already scoped to its project).
    ApplicationCredential {
        /// Credential id.
        id: Option<String>,
        /// Credential name (then the user is needed too).
        name: Option<String>,
        /// The secret.
        secret: String,
        /// The owning user's name, with a name.
        username: Option<String>,
        /// The owning user's domain, with a name.
        user_domain_name: Option<String>,
    },
}

/// Everything needed to talk to one cloud.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudConfig {
    /// The name it was selected by (`OS_CLOUD` or `--os-cloud`), or `env`.
    pub name: String,
    /// Keystone v3 URL.
    pub auth_url: String,
    /// How to authenticate.
    pub credentials: Credentials,
    /// Region for endpoint selection.
    pub region_name: Option<String>,
    /// Endpoint interface: public (default), internal, admin.
    pub interface: String,
    /// Extra CA bundle (PEM file).
    pub cacert: Option<PathBuf>,
    /// Skip TLS verification (`verify: false` / `OS_INSECURE`).
    pub insecure: bool,
}

/// Finding or reading the configuration failed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No clouds.yaml holds the cloud.
    #[error("cloud '{cloud}' not found in {searched}")]
    CloudNotFound {
        /// Requested cloud.
        cloud: String,
        /// The files searched.
        searched: String,
    },
    /// A file exists but cannot be read or parsed.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A required setting is missing.
    #[error("cloud '{cloud}': {what} is missing")]
    Missing {
        /// The cloud.
        cloud: String,
        /// The setting.
        what: &'static str,
    },
    /// Neither a cloud name nor `OS_AUTH_URL` was given.
    #[error("no cloud selected: pass --os-cloud, set OS_CLOUD, or set OS_AUTH_URL and friends")]
    NothingSelected,
}

#[derive(Deserialize, Default, Clone)]
struct CloudsFile {
    #[serde(default)]
    clouds: BTreeMap<String, RawCloud>,
}

#[derive(Deserialize, Default, Clone)]
struct RawCloud {
    #[serde(default)]
    auth: BTreeMap<String, String>,
    auth_type: Option<String>,
    region_name: Option<String>,
    interface: Option<String>,
    cacert: Option<String>,
    verify: Option<bool>,
    #[serde(flatten)]
    _rest: BTreeMap<String, serde_json::Value>,
}

/// The files searched for `clouds.yaml`, in order: `OS_CLIENT_CONFIG_FILE`,
/// the current directory, `~/.config/openstack`, `/etc/openstack`.
pub fn search_paths(file: &str) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(p) = std::env::var_os("OS_CLIENT_CONFIG_FILE").filter(|_| file == "clouds.yaml") {
        paths.push(PathBuf::from(p));
    }
    paths.push(PathBuf::from(file));
    if let Some(home) = std::env::var_os("HOME") {
        paths.push(Path::new(&home).join(".config/openstack").join(file));
    }
    paths.push(Path::new("/etc/openstack").join(file));
    paths
}

fn read_clouds(path: &Path) -> Result<Option<CloudsFile>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ConfigError::File { path: path.display().to_string(), message: e.to_string() }),
    };
    serde_saphyr::from_str::<CloudsFile>(&text).map(Some).map_err(|e| ConfigError::File {
        path: path.display().to_string(),
        message: e.to_string().lines().next().unwrap_or("invalid YAML").to_owned(),
    })
}

fn first_with(file: &str, cloud: &str) -> Result<(Option<RawCloud>, Vec<PathBuf>), ConfigError> {
    let paths = search_paths(file);
    for path in &paths {
        if let Some(c) = read_clouds(path)?.and_then(|parsed| parsed.clouds.get(cloud).cloned()) {
            return Ok((Some(c), paths));
        }
    }
    Ok((None, paths))
}

impl CloudConfig {
    /// Selects a cloud: by name from clouds.yaml (merged with secure.yaml),
    /// else `OS_CLOUD`, else the `OS_*` variables.
    pub fn load(cloud: Option<&str>) -> Result<Self, ConfigError> {
        let env_cloud = std::env::var("OS_CLOUD").ok().filter(|s| !s.is_empty());
        match cloud.map(str::to_owned).or(env_cloud) {
            Some(name) => Self::from_clouds_yaml(&name),
            None if std::env::var_os("OS_AUTH_URL").is_some() => Self::from_env(),
            None => Err(ConfigError::NothingSelected),
        }
    }

    /// Selects cloud `name` from one given clouds.yaml file.
    pub fn load_from(path: &Path, name: &str) -> Result<Self, ConfigError> {
        let cloud = read_clouds(path)?.and_then(|f| f.clouds.get(name).cloned()).ok_or_else(|| {
            ConfigError::CloudNotFound { cloud: name.to_owned(), searched: path.display().to_string() }
        })?;
        Self::from_raw(name, cloud)
    }

    fn from_raw(name: &str, cloud: RawCloud) -> Result<Self, ConfigError> {
        Self::from_parts(
            name,
            &cloud.auth,
            cloud.auth_type.as_deref(),
            cloud.region_name,
            cloud.interface,
            cloud.cacert,
            cloud.verify,
        )
    }

    fn from_clouds_yaml(name: &str) -> Result<Self, ConfigError> {
        let (cloud, paths) = first_with("clouds.yaml", name)?;
        let Some(mut cloud) = cloud else {
            return Err(ConfigError::CloudNotFound {
                cloud: name.to_owned(),
                searched: paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
            });
        };
        if let (Some(secure), _) = first_with("secure.yaml", name)? {
            cloud.auth.extend(secure.auth);
        }
        Self::from_raw(name, cloud)
    }

    /// From `OS_AUTH_URL`, `OS_USERNAME`, `OS_PASSWORD`, ... as `openstack` reads them.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut auth = BTreeMap::new();
        for (key, var) in [
            ("auth_url", "OS_AUTH_URL"),
            ("username", "OS_USERNAME"),
            ("user_id", "OS_USER_ID"),
            ("password", "OS_PASSWORD"),
            ("user_domain_name", "OS_USER_DOMAIN_NAME"),
            ("user_domain_id", "OS_USER_DOMAIN_ID"),
            ("project_name", "OS_PROJECT_NAME"),
            ("project_id", "OS_PROJECT_ID"),
            ("project_domain_name", "OS_PROJECT_DOMAIN_NAME"),
            ("project_domain_id", "OS_PROJECT_DOMAIN_ID"),
            ("application_credential_id", "OS_APPLICATION_CREDENTIAL_ID"),
            ("application_credential_name", "OS_APPLICATION_CREDENTIAL_NAME"),
            ("application_credential_secret", "OS_APPLICATION_CREDENTIAL_SECRET"),
        ] {
            if let Ok(v) = std::env::var(var) {
                auth.insert(key.to_owned(), v);
            }
        }
        let var = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
        let insecure = var("OS_INSECURE").map(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"));
        Self::from_parts(
            "env",
            &auth,
            var("OS_AUTH_TYPE").as_deref(),
            var("OS_REGION_NAME"),
            var("OS_INTERFACE"),
            var("OS_CACERT"),
            insecure.map(|i| !i),
        )
    }

    fn from_parts(
        name: &str,
        auth: &BTreeMap<String, String>,
        auth_type: Option<&str>,
        region_name: Option<String>,
        interface: Option<String>,
        cacert: Option<String>,
        verify: Option<bool>,
    ) -> Result<Self, ConfigError> {
        let get = |k: &str| auth.get(k).filter(|v| !v.is_empty()).cloned();
        let missing = |what| ConfigError::Missing { cloud: name.to_owned(), what };
        let auth_url = get("auth_url").ok_or_else(|| missing("auth.auth_url"))?;
        let is_app_cred = matches!(auth_type, Some("v3applicationcredential" | "applicationcredential"))
            || get("application_credential_secret").is_some();
        let credentials = if is_app_cred {
            Credentials::ApplicationCredential {
                id: get("application_credential_id"),
                name: get("application_credential_name"),
                secret: get("application_credential_secret")
                    .ok_or_else(|| missing("auth.application_credential_secret"))?,
                username: get("username"),
                user_domain_name: get("user_domain_name"),
            }
        } else {
            Credentials::Password {
                username: get("username"),
                user_id: get("user_id"),
                password: get("password").ok_or_else(|| missing("auth.password"))?,
                user_domain_name: get("user_domain_name"),
                user_domain_id: get("user_domain_id"),
                project_name: get("project_name"),
                project_id: get("project_id"),
                project_domain_name: get("project_domain_name"),
                project_domain_id: get("project_domain_id"),
            }
        };
        Ok(Self {
            name: name.to_owned(),
            auth_url: normalize_auth_url(&auth_url),
            credentials,
            region_name,
            interface: interface.unwrap_or_else(|| "public".to_owned()).trim_end_matches("URL").to_owned(),
            cacert: cacert.map(PathBuf::from),
            insecure: verify == Some(false),
        })
    }
}

/// Keystone URLs are given with or without `/v3`; we always talk v3.
fn normalize_auth_url(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    if trimmed.ends_with("/v3") { trimmed.to_owned() } else { format!("{trimmed}/v3") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_urls_are_normalized_to_v3() {
        assert_eq!(normalize_auth_url("http://k:5000"), "http://k:5000/v3");
        assert_eq!(normalize_auth_url("http://k:5000/v3/"), "http://k:5000/v3");
    }

    #[test]
    fn application_credentials_are_recognized() {
        let auth = BTreeMap::from([
            ("auth_url".to_owned(), "https://k".to_owned()),
            ("application_credential_id".to_owned(), "abc".to_owned()),
            ("application_credential_secret".to_owned(), "s3cr3t".to_owned()),
        ]);
        let c = CloudConfig::from_parts(
            "c",
            &auth,
            Some("v3applicationcredential"),
            None,
            Some("internalURL".into()),
            None,
            None,
        )
        .expect("config");
        assert!(matches!(c.credentials, Credentials::ApplicationCredential { .. }));
        assert_eq!(c.interface, "internal");
        assert_eq!(c.auth_url, "https://k/v3");
    }

    #[test]
    fn missing_password_is_named() {
        let auth = BTreeMap::from([("auth_url".to_owned(), "https://k".to_owned())]);
        let e = CloudConfig::from_parts("c", &auth, None, None, None, None, None).expect_err("no password");
        assert_eq!(e.to_string(), "cloud 'c': auth.password is missing");
    }
}
