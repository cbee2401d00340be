// SPDX-License-Identifier: Apache-2.0
//! An authenticated session: one Keystone token, the service catalog, and
//! JSON requests with timeouts, retries of idempotent requests, pagination and
//! a count of every request sent (so benchmarks can prove "nothing fetched twice").

use crate::config::{CloudConfig, Credentials};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A request failed; the message says which request and why.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The endpoint could not be reached.
    #[error("{method} {url}: cannot connect: {message}")]
    Connect {
        /// HTTP method.
        method: Method,
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
    /// No answer within the timeout.
    #[error("{method} {url}: no answer within {seconds}s")]
    Timeout {
        /// HTTP method.
        method: Method,
        /// The URL.
        url: String,
        /// The timeout.
        seconds: u64,
    },
    /// An HTTP error status.
    #[error("{method} {url}: HTTP {status}: {body}")]
    Status {
        /// HTTP method.
        method: Method,
        /// The URL.
        url: String,
        /// The status.
        status: StatusCode,
        /// Start of the response body.
        body: String,
    },
    /// The response was not the JSON we expect.
    #[error("{url}: unexpected response: {message}")]
    Decode {
        /// The URL.
        url: String,
        /// What did not fit.
        message: String,
    },
    /// The catalog has no endpoint of that type.
    #[error("the service catalog has no {service} endpoint (interface {interface})")]
    NoEndpoint {
        /// Service type(s) looked for.
        service: String,
        /// Interface.
        interface: String,
    },
    /// Authentication failed.
    #[error("authentication at {url} failed: {message}")]
    Auth {
        /// Keystone URL.
        url: String,
        /// Why.
        message: String,
    },
    /// TLS setup (cacert) failed.
    #[error("TLS setup: {0}")]
    Tls(String),
}

impl ApiError {
    /// The HTTP status, if the error is one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// One catalog entry.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct CatalogEntry {
    /// Service type (`compute`, `volumev3`, ...).
    #[serde(rename = "type")]
    pub service_type: String,
    /// Service name.
    #[serde(default)]
    pub name: String,
    /// Its endpoints.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint of a catalog entry.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Endpoint {
    /// public / internal / admin.
    pub interface: String,
    /// Region id.
    #[serde(default)]
    pub region_id: Option<String>,
    /// Region (older name).
    #[serde(default)]
    pub region: Option<String>,
    /// URL (already substituted by Keystone).
    pub url: String,
}

/// How one HTTP request of a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    /// An HTTP answer with this status.
    Status(u16),
    /// No answer within the timeout.
    Timeout,
    /// No connection (refused, reset, DNS, TLS).
    Connect,
}

/// One HTTP request a session sent: what a health monitor times. Retries
/// are separate calls; the token request of [`Session::connect`] is one too.
#[derive(Clone, Debug)]
pub struct Call<'a> {
    /// The method.
    pub method: &'a Method,
    /// The URL, as sent.
    pub url: &'a str,
    /// How it ended.
    pub outcome: CallOutcome,
    /// From sending to the answer's headers.
    pub duration: Duration,
}

/// Told of every request a session sends, as it is answered; the session
/// does not wait for more than the call.
pub trait CallObserver: Send + Sync + std::fmt::Debug {
    /// One request was answered (or failed).
    fn observe(&self, call: &Call<'_>);
}

/// Tunables of a session.
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// Per-request timeout (upstream's checker uses 32 s).
    pub timeout: Duration,
    /// Attempts for idempotent requests.
    pub attempts: u32,
    /// First backoff between attempts (doubles each time).
    pub backoff: Duration,
    /// Told of every request (`scs health` times each call).
    pub observer: Option<std::sync::Arc<dyn CallObserver>>,
    /// At most this many requests in flight at once (`None`: no bound). A
    /// request waiting for its turn is not timed until it is sent.
    pub max_in_flight: Option<usize>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(32),
            attempts: 3,
            backoff: Duration::from_millis(250),
            observer: None,
            max_in_flight: None,
        }
    }
}

/// An authenticated session with one cloud.
#[derive(Debug)]
pub struct Session {
    http: reqwest::Client,
    token: String,
    /// The token's catalog.
    pub catalog: Vec<CatalogEntry>,
    /// Role names on the scoped project.
    pub roles: Vec<String>,
    /// The scoped project id.
    pub project_id: Option<String>,
    interface: String,
    region: Option<String>,
    options: SessionOptions,
    in_flight: Option<std::sync::Arc<tokio::sync::Semaphore>>,
    requests: AtomicU64,
}

#[derive(Deserialize)]
struct TokenBody {
    token: TokenInfo,
}

#[derive(Deserialize)]
struct TokenInfo {
    #[serde(default)]
    catalog: Vec<CatalogEntry>,
    #[serde(default)]
    roles: Vec<Named>,
    project: Option<Named>,
}

#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
}

fn auth_body(credentials: &Credentials) -> Value {
    let domain = |name: &Option<String>, id: &Option<String>| match (name, id) {
        (_, Some(id)) => Some(json!({ "id": id })),
        (Some(name), None) => Some(json!({ "name": name })),
        (None, None) => None,
    };
    match credentials {
        Credentials::Password {
            username,
            user_id,
            password,
            user_domain_name,
            user_domain_id,
            project_name,
            project_id,
            project_domain_name,
            project_domain_id,
        } => {
            let mut user = json!({ "password": password });
            if let Some(id) = user_id {
                user["id"] = json!(id);
            } else if let Some(name) = username {
                user["name"] = json!(name);
                user["domain"] = domain(user_domain_name, user_domain_id).unwrap_or(json!({ "id": "default" }));
            }
            let mut body = json!({ "auth": { "identity": { "methods": ["password"], "password": { "user": user } } } });
            if let Some(id) = project_id {
                body["auth"]["scope"] = json!({ "project": { "id": id } });
            } else if let Some(name) = project_name {
                let dom = domain(project_domain_name, project_domain_id).unwrap_or(json!({ "id": "default" }));
                body["auth"]["scope"] = json!({ "project": { "name": name, "domain": dom } });
            }
            body
        }
        Credentials::ApplicationCredential { id, name, secret, username, user_domain_name } => {
            let mut cred = json!({ "secret": secret });
            if let Some(id) = id {
                cred["id"] = json!(id);
            } else {
                cred["name"] = json!(name);
                cred["user"] = json!({ "name": username, "domain": { "name": user_domain_name.clone().unwrap_or_else(|| "Default".into()) } });
            }
            json!({ "auth": { "identity": { "methods": ["application_credential"], "application_credential": cred } } })
        }
    }
}

impl Session {
    /// Authenticates and keeps the token and catalog.
    pub async fn connect(config: &CloudConfig, options: SessionOptions) -> Result<Self, ApiError> {
        let mut builder = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(Duration::from_secs(10))
            .pool_max_idle_per_host(16)
            .user_agent(concat!("scs/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &config.cacert {
            let pem = std::fs::read(path).map_err(|e| ApiError::Tls(format!("{}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| ApiError::Tls(format!("{}: {e}", path.display())))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if config.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let http = builder.build().map_err(|e| ApiError::Tls(e.to_string()))?;
        let url = format!("{}/auth/tokens", config.auth_url);
        let session = Self {
            http,
            token: String::new(),
            catalog: Vec::new(),
            roles: Vec::new(),
            project_id: None,
            interface: config.interface.clone(),
            region: config.region_name.clone(),
            in_flight: options.max_in_flight.map(|n| std::sync::Arc::new(tokio::sync::Semaphore::new(n.max(1)))),
            options,
            requests: AtomicU64::new(0),
        };
        let response = session.send_once(Method::POST, &url, Some(&auth_body(&config.credentials)), &[]).await?;
        let token =
            response.headers().get("x-subject-token").and_then(|v| v.to_str().ok()).map(str::to_owned).ok_or_else(
                || ApiError::Auth { url: url.clone(), message: "no X-Subject-Token in the answer".into() },
            )?;
        let body: TokenBody = decode(&url, response).await?;
        Ok(Self {
            token,
            catalog: body.token.catalog,
            roles: body.token.roles.into_iter().map(|r| r.name).collect(),
            project_id: body.token.project.map(|p| p.id),
            ..session
        })
    }

    /// Revokes this session's token (Keystone allows a user to revoke its own);
    /// later requests fail with 401, as with an expired token.
    pub async fn revoke_token(&self, auth_url: &str) -> Result<(), ApiError> {
        let url = format!("{auth_url}/auth/tokens");
        self.send(Method::DELETE, &url, None, &[("X-Subject-Token", &self.token)]).await.map(|_| ())
    }

    /// How many HTTP requests this session has sent (including the token issue).
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The endpoint URL of the first of `types` in the catalog, for our
    /// interface and region, with the API version path the checks speak.
    pub fn endpoint(&self, types: &[&str]) -> Result<String, ApiError> {
        for t in types {
            let found = self.catalog.iter().filter(|e| e.service_type == *t).flat_map(|e| &e.endpoints).find(|ep| {
                ep.interface == self.interface
                    && self.region.as_ref().is_none_or(|r| ep.region_id.as_ref().or(ep.region.as_ref()) == Some(r))
            });
            if let Some(ep) = found {
                let url = ep.url.trim_end_matches('/').to_owned();
                return Ok(match *t {
                    "image" if !url.ends_with("/v2") => format!("{url}/v2"),
                    "network" if !url.ends_with("/v2.0") => format!("{url}/v2.0"),
                    "key-manager" if !url.ends_with("/v1") => format!("{url}/v1"),
                    _ => url,
                });
            }
        }
        Err(ApiError::NoEndpoint { service: types.join(" or "), interface: self.interface.clone() })
    }

    async fn send_once(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<reqwest::Response, ApiError> {
        // a closed semaphore (never closed here) would only lift the bound
        let _permit = match &self.in_flight {
            Some(bound) => bound.acquire().await.ok(),
            None => None,
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.request(method.clone(), url).header("Accept", "application/json");
        if !self.token.is_empty() {
            request = request.header("X-Auth-Token", &self.token);
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let started = std::time::Instant::now();
        let sent = request.send().await;
        if let Some(observer) = &self.options.observer {
            let outcome = match &sent {
                Ok(r) => CallOutcome::Status(r.status().as_u16()),
                Err(e) if e.is_timeout() => CallOutcome::Timeout,
                Err(_) => CallOutcome::Connect,
            };
            observer.observe(&Call { method: &method, url, outcome, duration: started.elapsed() });
        }
        tracing::debug!(
            target: "scs_openstack::http",
            "{method} {url} -> {} in {} ms",
            sent.as_ref().map_or_else(|e| root_cause(e), |r| r.status().as_u16().to_string()),
            started.elapsed().as_millis()
        );
        let response = sent.map_err(|e| self.transport_error(&method, url, &e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response.text().await.unwrap_or_default();
        let body: String = text.chars().take(300).collect();
        if status == StatusCode::UNAUTHORIZED && method == Method::POST && url.ends_with("/auth/tokens") {
            return Err(ApiError::Auth { url: url.to_owned(), message: format!("HTTP 401: {body}") });
        }
        Err(ApiError::Status { method, url: url.to_owned(), status, body })
    }

    /// A request that got no HTTP answer: timed out, or could not connect.
    fn transport_error(&self, method: &Method, url: &str, e: &reqwest::Error) -> ApiError {
        if e.is_timeout() {
            ApiError::Timeout { method: method.clone(), url: url.to_owned(), seconds: self.options.timeout.as_secs() }
        } else {
            ApiError::Connect { method: method.clone(), url: url.to_owned(), message: root_cause(e) }
        }
    }

    /// Sends a request; GET, HEAD, PUT and DELETE (idempotent) are retried with backoff on
    /// connection errors, timeouts and 502/503/504.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<reqwest::Response, ApiError> {
        let idempotent = matches!(method, Method::GET | Method::HEAD | Method::DELETE | Method::PUT);
        let mut delay = self.options.backoff;
        let mut attempt = 1;
        loop {
            let result = self.send_once(method.clone(), url, body, headers).await;
            let retry = match &result {
                Err(ApiError::Connect { .. } | ApiError::Timeout { .. }) => true,
                Err(ApiError::Status { status, .. }) => {
                    matches!(
                        *status,
                        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
                    )
                }
                _ => false,
            };
            if !(retry && idempotent && attempt < self.options.attempts) {
                return result;
            }
            tokio::time::sleep(delay).await;
            delay *= 2;
            attempt += 1;
        }
    }

    /// GET a JSON document.
    pub async fn get<T: DeserializeOwned>(&self, url: &str, headers: &[(&str, &str)]) -> Result<T, ApiError> {
        let response = self.send(Method::GET, url, None, headers).await?;
        decode(url, response).await
    }

    /// POST a JSON body and decode the JSON answer.
    pub async fn post<T: DeserializeOwned>(&self, url: &str, body: &Value) -> Result<T, ApiError> {
        let response = self.send(Method::POST, url, Some(body), &[]).await?;
        decode(url, response).await
    }

    /// POST a JSON body to an action that answers without a body we need (202).
    pub async fn post_action(&self, url: &str, body: &Value) -> Result<(), ApiError> {
        self.send(Method::POST, url, Some(body), &[]).await.map(drop)
    }

    /// PUT a JSON body and decode the JSON answer.
    pub async fn put<T: DeserializeOwned>(&self, url: &str, body: &Value) -> Result<T, ApiError> {
        let response = self.send(Method::PUT, url, Some(body), &[]).await?;
        decode(url, response).await
    }

    /// DELETE; a 404 counts as deleted (the resource is gone either way).
    pub async fn delete(&self, url: &str) -> Result<(), ApiError> {
        match self.send(Method::DELETE, url, None, &[]).await {
            Ok(_) => Ok(()),
            Err(e) if e.status() == Some(StatusCode::NOT_FOUND) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// GET without the token, with the session's TLS settings and timeout:
    /// for probes that bring their own authentication (S3). Returns status and
    /// body; only transport failures are errors.
    pub async fn get_raw(&self, url: &str, headers: &[(&str, &str)]) -> Result<(StatusCode, String), ApiError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.get(url);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = request.send().await.map_err(|e| self.transport_error(&Method::GET, url, &e))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        Ok((status, body))
    }

    /// GET every page of a collection. Follows Glance's `next` and the
    /// `<key>_links` `rel=next` links of Nova, Neutron and Cinder.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        url: &str,
        key: &str,
        headers: &[(&str, &str)],
    ) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut next = Some(url.to_owned());
        let mut pages = 0;
        while let Some(page_url) = next.take() {
            pages += 1;
            if pages > 1000 {
                return Err(ApiError::Decode { url: url.to_owned(), message: "more than 1000 pages".into() });
            }
            let mut page: Value = self.get(&page_url, headers).await?;
            let list = page.get_mut(key).map(Value::take).ok_or_else(|| ApiError::Decode {
                url: page_url.clone(),
                message: format!("no `{key}` list in the answer"),
            })?;
            let batch: Vec<T> = serde_json::from_value(list)
                .map_err(|e| ApiError::Decode { url: page_url.clone(), message: e.to_string() })?;
            let empty = batch.is_empty();
            items.extend(batch);
            next = next_link(url, &page, key);
            if empty {
                break;
            }
        }
        Ok(items)
    }
}

fn next_link(base: &str, page: &Value, key: &str) -> Option<String> {
    let href = page.get("next").and_then(Value::as_str).map(str::to_owned).or_else(|| {
        page.get(format!("{key}_links"))?
            .as_array()?
            .iter()
            .find(|l| l.get("rel").and_then(Value::as_str) == Some("next"))?
            .get("href")?
            .as_str()
            .map(str::to_owned)
    })?;
    if href.starts_with("http://") || href.starts_with("https://") {
        return Some(href);
    }
    // Glance gives `/v2/images?marker=...`: resolve against the endpoint's origin.
    let base = url::Url::parse(base).ok()?;
    base.join(&href).ok().map(String::from)
}

async fn decode<T: DeserializeOwned>(url: &str, response: reqwest::Response) -> Result<T, ApiError> {
    let bytes =
        response.bytes().await.map_err(|e| ApiError::Decode { url: url.to_owned(), message: root_cause(&e) })?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode { url: url.to_owned(), message: e.to_string() })
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message = s.to_string();
        source = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_of_all_styles() {
        let glance = json!({"images": [], "next": "/v2/images?marker=abc"});
        assert_eq!(
            next_link("http://g:9292/v2/images", &glance, "images").as_deref(),
            Some("http://g:9292/v2/images?marker=abc")
        );
        let nova =
            json!({"flavors": [], "flavors_links": [{"rel": "next", "href": "http://n/v2.1/flavors/detail?marker=x"}]});
        assert_eq!(
            next_link("http://n/v2.1/flavors/detail", &nova, "flavors").as_deref(),
            Some("http://n/v2.1/flavors/detail?marker=x")
        );
        assert_eq!(next_link("http://n/", &json!({"flavors": []}), "flavors"), None);
    }

    #[test]
    fn password_auth_body_scopes_the_project() {
        let body = auth_body(&Credentials::Password {
            username: Some("u".into()),
            user_id: None,
            password: "p".into(),
            user_domain_name: Some("Default".into()),
            user_domain_id: None,
            project_name: Some("demo".into()),
            project_id: None,
            project_domain_name: None,
            project_domain_id: None,
        });
        assert_eq!(body["auth"]["identity"]["password"]["user"]["domain"]["name"], "Default");
        assert_eq!(body["auth"]["scope"]["project"]["domain"]["id"], "default");
    }
}
