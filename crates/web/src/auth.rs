// SPDX-License-Identifier: Apache-2.0
//! Credentials as the request carries them, parsed once: HTTP Basic
//! (RFC 7617) and bearer tokens (RFC 6750). Whether they are valid, and
//! which roles they grant, is the service's rule; the service wraps these in
//! its own extractors (the monitor's `Authenticated<Role>`, the status
//! page's write guard).

use axum::http::{HeaderMap, header};
use base64::Engine as _;

/// A user name and password from `Authorization: Basic …`.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicCredentials {
    /// The user (the monitor's subject).
    pub user: String,
    /// The password, never printed.
    pub password: String,
}

impl std::fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicCredentials").field("user", &self.user).field("password", &"***").finish()
    }
}

/// The scheme's parameter of `Authorization: <scheme> <parameter>`; the
/// scheme is case-insensitive (RFC 9110 §11.1).
fn authorization<'h>(headers: &'h HeaderMap, scheme: &str) -> Option<&'h str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (given, rest) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// HTTP Basic credentials of a request, if it carries well-formed ones.
pub fn basic(headers: &HeaderMap) -> Option<BasicCredentials> {
    let decoded = base64::engine::general_purpose::STANDARD.decode(authorization(headers, "Basic")?).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some(BasicCredentials { user: user.to_owned(), password: password.to_owned() })
}

/// The bearer token of a request, if it carries one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    authorization(headers, "Bearer").filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")));
        h
    }

    #[test]
    fn basic_credentials_are_decoded_and_the_password_is_not_printed() {
        let c = basic(&with("Basic YWxwaGE6czNjcjN0Omxvbmc=")).unwrap_or_else(|| panic!("not parsed"));
        assert_eq!((c.user.as_str(), c.password.as_str()), ("alpha", "s3cr3t:long"));
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert_eq!(basic(&with("basic YWxwaGE6eA==")).map(|c| c.user), Some("alpha".into()));
        for bad in ["Basic !!!", "Basic YWxwaGE=", "Bearer YWxwaGE6eA==", "Basic"] {
            assert_eq!(basic(&with(bad)), None, "{bad}");
        }
    }

    #[test]
    fn bearer_tokens_are_found_by_scheme() {
        assert_eq!(bearer(&with("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&with("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(&with("Bearer ")), None);
        assert_eq!(bearer(&with("Basic abc")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
