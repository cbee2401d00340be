// SPDX-License-Identifier: Apache-2.0
//! Accounts of the compliance monitor, from upstream's `bootstrap.yaml`: who
//! may upload for which subject, with which API keys and SSH keys.

use serde::Deserialize;
use ssh_key::PublicKey;
use std::collections::BTreeSet;

/// What an account may do beyond uploading for its own subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Read every subject's reports.
    ReadAny,
    /// Upload reports of any subject that delegates to this account.
    AppendAny,
    /// Reload accounts.
    Admin,
    /// Set approvals of results.
    Approve,
}

impl Role {
    /// Upstream's bitmask value (read_any 1, append_any 2, admin 4, approve 8).
    pub fn bit(self) -> i64 {
        match self {
            Self::ReadAny => 1,
            Self::AppendAny => 2,
            Self::Admin => 4,
            Self::Approve => 8,
        }
    }

    /// The roles of an upstream bitmask; unknown bits grant nothing.
    pub fn from_bits(bits: i64) -> std::collections::BTreeSet<Role> {
        [Self::ReadAny, Self::AppendAny, Self::Admin, Self::Approve]
            .into_iter()
            .filter(|r| bits & r.bit() != 0)
            .collect()
    }
}

/// One account.
#[derive(Clone, Debug)]
pub struct Account {
    /// The subject it reports for (also the HTTP Basic user name).
    pub subject: String,
    /// argon2 or bcrypt hashes of its API keys.
    pub api_keys: Vec<String>,
    /// SSH keys that sign its reports, by name.
    pub keys: Vec<(String, PublicKey)>,
    /// Its roles.
    pub roles: BTreeSet<Role>,
    /// Accounts allowed to upload reports for this subject.
    pub delegates: Vec<String>,
    /// The group it belongs to (the worst member represents the group).
    pub group: Option<String>,
}

impl Account {
    /// Whether `password` matches one of the account's API-key hashes.
    pub fn verify_api_key(&self, password: &str) -> bool {
        self.api_keys.iter().any(|hash| verify_hash(hash, password))
    }

    /// Upstream's role bitmask.
    pub fn role_bits(&self) -> i64 {
        self.roles.iter().map(|r| r.bit()).sum()
    }
}

/// Checks a password against an argon2 (`$argon2id$...`) or bcrypt (`$2b$...`) hash.
pub fn verify_hash(hash: &str, password: &str) -> bool {
    verify_hash_with(hash, password, &mut Vec::new())
}

/// [`verify_hash`], filling argon2's memory into `memory`, which the caller
/// keeps from one check to the next: a password-check thread then holds one
/// buffer of the accounts' memory cost (19 MiB by default) instead of
/// allocating and freeing one per check, which the allocator kept around
/// in pieces.
pub fn verify_hash_with(hash: &str, password: &str, memory: &mut Vec<argon2::Block>) -> bool {
    if hash.starts_with("$argon2") {
        verify_argon2(hash, password.as_bytes(), memory).unwrap_or(false)
    } else if hash.starts_with("$2") {
        bcrypt::verify(password, hash).unwrap_or(false)
    } else {
        false
    }
}

/// An argon2 PHC string checked as `PasswordVerifier` does (the hash's own
/// algorithm, version and parameters; a constant-time comparison), in
/// `memory`. `None` for a hash that cannot be read.
fn verify_argon2(hash: &str, password: &[u8], memory: &mut Vec<argon2::Block>) -> Option<bool> {
    use argon2::password_hash::{Output, PasswordHash};
    let parsed = PasswordHash::new(hash).ok()?;
    let (salt, expected) = (parsed.salt?, parsed.hash?);
    let params = argon2::Params::try_from(&parsed).ok()?;
    let algorithm = argon2::Algorithm::try_from(parsed.algorithm).ok()?;
    let version = match parsed.version {
        Some(v) => argon2::Version::try_from(v).ok()?,
        None => argon2::Version::default(),
    };
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes).ok()?;
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, argon2::Block::default());
    }
    let mut computed = vec![0u8; expected.len()];
    argon2::Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut computed, &mut memory[..blocks])
        .ok()?;
    Some(Output::new(&computed).ok()? == expected)
}

/// The accounts file could not be used; the message names file and entry.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct AccountsError {
    /// The file.
    pub file: String,
    /// What is wrong, with the entry.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Bootstrap {
    #[serde(default)]
    accounts: Vec<RawAccount>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    subject: String,
    #[serde(default)]
    api_keys: Vec<String>,
    #[serde(default)]
    keys: Vec<RawKey>,
    #[serde(default)]
    roles: Vec<Role>,
    #[serde(default)]
    delegates: Vec<String>,
    #[serde(default)]
    group: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    public_key: String,
    public_key_type: String,
    public_key_name: String,
}

/// Parses a `bootstrap.yaml`; `file` names it in errors.
pub fn parse_bootstrap(file: &str, text: &str) -> Result<Vec<Account>, AccountsError> {
    let err = |message: String| AccountsError { file: file.to_owned(), message };
    let raw: Bootstrap = serde_saphyr::from_str(text).map_err(|e| err(e.to_string()))?;
    let mut seen = BTreeSet::new();
    let mut accounts = Vec::with_capacity(raw.accounts.len());
    for (i, a) in raw.accounts.into_iter().enumerate() {
        let at = format!("accounts[{i}] ({})", a.subject);
        if a.subject.is_empty() || !seen.insert(a.subject.clone()) {
            return Err(err(format!("{at}: subject is empty or appears twice")));
        }
        for hash in &a.api_keys {
            if !(hash.starts_with("$argon2") || hash.starts_with("$2")) {
                return Err(err(format!("{at}: api_keys holds something that is not an argon2 or bcrypt hash")));
            }
        }
        let mut keys = Vec::with_capacity(a.keys.len());
        for k in a.keys {
            let line = format!("{} {}", k.public_key_type, k.public_key);
            let key =
                PublicKey::from_openssh(&line).map_err(|e| err(format!("{at}: key '{}': {e}", k.public_key_name)))?;
            keys.push((k.public_key_name, key));
        }
        accounts.push(Account {
            subject: a.subject,
            api_keys: a.api_keys,
            keys,
            roles: a.roles.into_iter().collect(),
            delegates: a.delegates,
            group: a.group,
        });
    }
    for a in &accounts {
        if let Some(d) = a.delegates.iter().find(|d| !seen.contains(*d)) {
            return Err(err(format!("account {}: delegate '{d}' is not an account", a.subject)));
        }
    }
    Ok(accounts)
}

#[cfg(test)]
mod verify_tests {
    use super::*;
    use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

    /// The check in reused memory answers as the argon2 crate's own verifier
    /// does, for every algorithm, version, parameter set and output length,
    /// whatever the buffer held before (a larger cost, then a smaller one).
    #[test]
    fn argon2_in_reused_memory_agrees_with_the_crates_verifier() {
        let mut memory = Vec::new();
        let salt = SaltString::encode_b64(b"scs-verify-test!").unwrap_or_else(|e| panic!("{e}"));
        // the default (19 MiB) first, so that the smaller ones below reuse a larger buffer
        let default = argon2::Argon2::default().hash_password(b"right", &salt).unwrap_or_else(|e| panic!("{e}"));
        assert!(verify_hash_with(&default.to_string(), "right", &mut memory));
        assert!(!verify_hash_with(&default.to_string(), "wrong", &mut memory));
        assert_eq!(memory.len(), 19_456);
        let mut checked = 0;
        for algorithm in [argon2::Algorithm::Argon2id, argon2::Algorithm::Argon2i, argon2::Algorithm::Argon2d] {
            for version in [argon2::Version::V0x13, argon2::Version::V0x10] {
                for (m, t, p, len) in [(1024, 3, 2, 16), (8, 1, 1, 64), (4096, 1, 4, 32)] {
                    let params = argon2::Params::new(m, t, p, Some(len)).unwrap_or_else(|e| panic!("{e}"));
                    let hasher = argon2::Argon2::new(algorithm, version, params);
                    let hash = hasher.hash_password(b"right", &salt).unwrap_or_else(|e| panic!("{e}")).to_string();
                    let parsed = PasswordHash::new(&hash).unwrap_or_else(|e| panic!("{e}"));
                    for password in ["right", "wrong", ""] {
                        let theirs = argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
                        let ours = verify_hash_with(&hash, password, &mut memory);
                        assert_eq!(ours, theirs, "{hash} with {password:?}");
                        assert_eq!(ours, password == "right");
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 54);
        assert!(!verify_hash_with("$argon2id$v=19$m=8,t=1,p=1$not-b64!$AAAA", "right", &mut memory));
        assert!(!verify_hash_with("$argon2id$garbage", "right", &mut memory));
    }
}
