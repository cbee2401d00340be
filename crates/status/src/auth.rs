// SPDX-License-Identifier: Apache-2.0
//! Who may write. Reads are public; a write carries `Authorization: Bearer
//! …` with either an API token made by `scs status token create` (stored as
//! a SHA-256 hash, revocable) or, when an issuer is configured, an OIDC
//! JWT checked against the issuer's JWKS: signature, `iss`, `exp`, `nbf`,
//! `aud` (required: without it a token the issuer made for any of its
//! clients would be accepted), optionally one claim to write
//! (`groups=status-writers`) and one to be an admin (`groups=status-admins`).
//! Upstream runs the API behind Oathkeeper and Dex for this; here it is
//! built in, so one process is the whole service.

use crate::store::Store;
use axum::http::HeaderMap;
use base64::Engine as _;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// Prefix of API tokens, so secret scanners and people recognise them.
pub const TOKEN_PREFIX: &str = "scs_status_";

/// A new random API token (256 bits).
pub fn new_token() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Unavailable(format!("no randomness: {e}")))?;
    Ok(format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}

/// What is stored of a token: its SHA-256 (tokens are random, so a fast
/// hash is enough; a stolen database yields no usable token).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a write was not authenticated.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No or a malformed `Authorization` header.
    #[error("writes need an Authorization: Bearer token")]
    Missing,
    /// An unknown or revoked API token.
    #[error("the API token is unknown or revoked")]
    UnknownToken,
    /// A JWT that failed a check.
    #[error("the JWT is not accepted: {0}")]
    Jwt(String),
    /// The issuer's keys could not be fetched, the database failed.
    #[error("cannot check credentials now: {0}")]
    Unavailable(String),
}

/// OIDC settings (`[status.oidc]` in the serve config).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The issuer (`iss`), e.g. `https://status-idp.example`.
    pub issuer: String,
    /// The required audience (`aud`), usually the client id; required.
    #[serde(default)]
    pub audience: Option<String>,
    /// Where the keys are; default: the issuer's discovery document.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// A claim the token must carry, `name=value`; a list claim must contain
    /// the value (`groups=status-admins`).
    #[serde(default)]
    pub required_claim: Option<String>,
    /// A claim that makes the writer an admin (reads the audit log),
    /// `name=value` as `required_claim`; without it no OIDC writer is one.
    #[serde(default)]
    pub admin_claim: Option<String>,
}

/// Whether `claims` hold `name=value` (a list claim must contain the value).
fn holds(claims: &serde_json::Value, name: &str, value: &str) -> bool {
    match &claims[name] {
        serde_json::Value::String(s) => s == value,
        serde_json::Value::Array(a) => a.iter().any(|v| v.as_str() == Some(value)),
        _ => false,
    }
}

/// Checks OIDC JWTs, keeping the issuer's keys for ten minutes and fetching
/// them again at once for an unknown key id (key rotation), at most every
/// 30 seconds.
#[derive(Debug)]
pub struct Oidc {
    config: OidcConfig,
    client: reqwest::Client,
    keys: RwLock<Option<(Instant, JwkSet)>>,
}

const KEYS_FRESH: Duration = Duration::from_secs(600);
const KEYS_REFETCH: Duration = Duration::from_secs(30);

impl Oidc {
    /// Checks the settings.
    pub fn new(config: OidcConfig) -> Result<Self, AuthError> {
        for (key, claim) in [("required_claim", &config.required_claim), ("admin_claim", &config.admin_claim)] {
            if let Some(c) = claim
                && !c.contains('=')
            {
                return Err(AuthError::Unavailable(format!("[status.oidc] {key} {c:?}: expected name=value")));
            }
        }
        if config.audience.as_deref().is_none_or(str::is_empty) {
            return Err(AuthError::Unavailable(
                "[status.oidc] audience is required (the client id tokens for this page carry in aud): \
                 without it a token the issuer made for any other client would be accepted"
                    .to_owned(),
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| AuthError::Unavailable(e.to_string()))?;
        Ok(Self { config, client, keys: RwLock::new(None) })
    }

    async fn fetch_keys(&self) -> Result<JwkSet, AuthError> {
        let fail = |e: reqwest::Error| AuthError::Unavailable(format!("fetching the issuer's keys: {e}"));
        let url = match &self.config.jwks_url {
            Some(u) => u.clone(),
            None => {
                #[derive(Deserialize)]
                struct Discovery {
                    jwks_uri: String,
                }
                let doc = format!("{}/.well-known/openid-configuration", self.config.issuer.trim_end_matches('/'));
                let d: Discovery = self
                    .client
                    .get(&doc)
                    .send()
                    .await
                    .map_err(fail)?
                    .error_for_status()
                    .map_err(fail)?
                    .json()
                    .await
                    .map_err(fail)?;
                d.jwks_uri
            }
        };
        self.client.get(&url).send().await.map_err(fail)?.error_for_status().map_err(fail)?.json().await.map_err(fail)
    }

    async fn key(&self, kid: Option<&str>) -> Result<jsonwebtoken::jwk::Jwk, AuthError> {
        let find = |set: &JwkSet| match kid {
            Some(k) => set.find(k).cloned(),
            None if set.keys.len() == 1 => set.keys.first().cloned(),
            None => None,
        };
        if let Some((at, set)) = &*self.keys.read().await
            && at.elapsed() < KEYS_FRESH
            && let Some(k) = find(set)
        {
            return Ok(k);
        }
        let mut guard = self.keys.write().await;
        if let Some((at, set)) = &*guard
            && at.elapsed() < KEYS_REFETCH
        {
            return find(set).ok_or_else(|| AuthError::Jwt(format!("no key {kid:?} at the issuer")));
        }
        let set = self.fetch_keys().await?;
        let key = find(&set);
        *guard = Some((Instant::now(), set));
        key.ok_or_else(|| AuthError::Jwt(format!("no key {kid:?} at the issuer")))
    }

    /// The token's writer when every check passes.
    pub async fn verify(&self, token: &str) -> Result<Actor, AuthError> {
        let header = decode_header(token).map_err(|e| AuthError::Jwt(e.to_string()))?;
        let jwk = self.key(header.kid.as_deref()).await?;
        let key = DecodingKey::from_jwk(&jwk).map_err(|e| AuthError::Jwt(format!("issuer key: {e}")))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        validation.validate_nbf = true;
        validation.set_audience(&[self.config.audience.as_deref().unwrap_or_default()]);
        let claims =
            decode::<serde_json::Value>(token, &key, &validation).map_err(|e| AuthError::Jwt(e.to_string()))?.claims;
        if let Some((name, value)) = self.config.required_claim.as_deref().and_then(|c| c.split_once('='))
            && !holds(&claims, name, value)
        {
            return Err(AuthError::Jwt(format!("claim {name} does not hold {value:?}")));
        }
        let admin = self
            .config
            .admin_claim
            .as_deref()
            .and_then(|c| c.split_once('='))
            .is_some_and(|(name, value)| holds(&claims, name, value));
        let sub = claims["sub"].as_str().unwrap_or_default();
        Ok(Actor { name: format!("oidc:{sub}"), admin })
    }
}

/// An authenticated writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `token:NAME` or `oidc:SUBJECT`, as the audit log names it.
    pub name: String,
    /// Whether it may read the audit log (admin tokens; OIDC writers with
    /// the admin claim).
    pub admin: bool,
}

/// Checks the bearer token of a request.
pub async fn authenticate(store: &Store, oidc: Option<&Oidc>, headers: &HeaderMap) -> Result<Actor, AuthError> {
    let token = scs_web::auth::bearer(headers).ok_or(AuthError::Missing)?;
    if token.starts_with(TOKEN_PREFIX) {
        return match store.token_by_hash(&token_hash(token)).await {
            Ok(Some((name, admin))) => Ok(Actor { name: format!("token:{name}"), admin }),
            Ok(None) => Err(AuthError::UnknownToken),
            Err(e) => {
                tracing::error!("status page: looking up a token: {e}");
                Err(AuthError::Unavailable("the token store does not answer".to_owned()))
            }
        };
    }
    match oidc {
        Some(oidc) => oidc.verify(token).await,
        None => Err(AuthError::UnknownToken),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 43);
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn oidc_needs_an_audience_and_claims_shaped_name_value() {
        let config = |audience: Option<&str>, admin: Option<&str>| OidcConfig {
            issuer: "https://idp.example".into(),
            audience: audience.map(Into::into),
            jwks_url: None,
            required_claim: None,
            admin_claim: admin.map(Into::into),
        };
        let e = Oidc::new(config(None, None)).unwrap_err().to_string();
        assert!(e.contains("audience is required"), "{e}");
        let e = Oidc::new(config(Some(""), None)).unwrap_err().to_string();
        assert!(e.contains("audience is required"), "{e}");
        let e = Oidc::new(config(Some("page"), Some("admins"))).unwrap_err().to_string();
        assert!(e.contains("admin_claim \"admins\": expected name=value"), "{e}");
        assert!(Oidc::new(config(Some("page"), Some("groups=admins"))).is_ok());
    }
}
