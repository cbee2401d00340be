// SPDX-License-Identifier: Apache-2.0
//! OpenSSH signatures (the SSHSIG format of `ssh-keygen -Y sign`) over SCS
//! reports, and the signed body the compliance monitor accepts.
//!
//! Upstream signs every report with `ssh-keygen -Y sign -n report` and uploads
//! `signature & report` as `application/x-signed-yaml`; the monitor verifies
//! with `ssh-keygen -Y verify` against the keys of the uploading account. This
//! crate produces and checks exactly those bytes, so reports signed here verify
//! with OpenSSH and the other way round, without running `ssh-keygen`.

pub mod hmac;

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};
use std::path::Path;

/// The SSHSIG namespace of SCS reports.
pub const REPORT_NAMESPACE: &str = "report";

/// The content type of a signed YAML upload.
pub const SIGNED_YAML: &str = "application/x-signed-yaml";

/// The content type of a signed JSON upload.
pub const SIGNED_JSON: &str = "application/x-signed-json";

/// Why signing or verifying failed; each names the file or the reason.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// A key or signature file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A private key is not an OpenSSH private key we can use.
    #[error("{path}: not a usable OpenSSH private key: {message}")]
    PrivateKey {
        /// The key file.
        path: String,
        /// Why.
        message: String,
    },
    /// A public key line could not be parsed.
    #[error("{place}: not an OpenSSH public key: {message}")]
    PublicKey {
        /// File and line.
        place: String,
        /// Why.
        message: String,
    },
    /// The signature text is not an SSH signature.
    #[error("not an SSH signature: {0}")]
    Signature(String),
    /// The signature was made for another namespace.
    #[error("signature namespace is '{found}', expected '{expected}'")]
    Namespace {
        /// The namespace inside the signature.
        found: String,
        /// The namespace required.
        expected: String,
    },
    /// The signing key is not among the allowed keys.
    #[error("signed by {fingerprint}, which is not an allowed key")]
    UnknownKey {
        /// SHA256 fingerprint of the signing key.
        fingerprint: String,
    },
    /// The signature was made with a key or signature algorithm this build
    /// does not verify (DSA, RSA with SHA-1): saying so, rather than calling
    /// the report altered.
    #[error(
        "signed with {algorithm}, which is not supported (supported: ssh-ed25519, rsa-sha2-256, rsa-sha2-512, \
         ecdsa-sha2-nistp256/384/521 and their sk- security-key variants)"
    )]
    Unsupported {
        /// The key or signature algorithm.
        algorithm: String,
    },
    /// The signature does not match the message (altered report or forged signature).
    #[error("signature does not match the report (altered, or signed over other bytes)")]
    Mismatch,
    /// Producing the signature failed.
    #[error("cannot sign: {0}")]
    Sign(String),
    /// A signed body lacks the `&` between signature and report.
    #[error("signed body has no signature: expected '-----BEGIN SSH SIGNATURE-----...&report'")]
    NoSignature,
}

/// An OpenSSH private key ready to sign.
#[derive(Clone, Debug)]
pub struct Signer {
    key: PrivateKey,
}

impl Signer {
    /// Reads an unencrypted OpenSSH private key (`ssh-keygen -t ed25519 -N ''`,
    /// as upstream's runner uses; RSA and ECDSA keys as well), naming the
    /// file in every error.
    pub fn from_file(path: &Path) -> Result<Self, SigningError> {
        let text = read(path)?;
        Self::from_openssh(&path.display().to_string(), &text)
    }

    /// Parses an OpenSSH private key; `origin` names it in errors.
    pub fn from_openssh(origin: &str, text: &str) -> Result<Self, SigningError> {
        // ssh-key 0.6.7 wants an ECDSA scalar at the curve's full width; OpenSSH writes it
        // shorter when it begins with a zero byte (half of all P-521 keys, 1 in 256 others)
        let padded = ecdsa_padded(text);
        let key = PrivateKey::from_openssh(padded.as_deref().unwrap_or(text)).map_err(|e| {
            let message = e.to_string();
            SigningError::PrivateKey { path: origin.to_owned(), message }
        })?;
        if key.is_encrypted() {
            return Err(SigningError::PrivateKey {
                path: origin.to_owned(),
                message: "the key is encrypted with a passphrase; unattended signing needs an unencrypted key".into(),
            });
        }
        Ok(Self { key })
    }

    /// The public half, as in a `.pub` file.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key().clone()
    }

    /// Signs `message` in `namespace`; returns the armored signature
    /// (`-----BEGIN SSH SIGNATURE-----` ... ending in a newline), byte-compatible
    /// with a `.sig` file of `ssh-keygen -Y sign`.
    pub fn sign(&self, namespace: &str, message: &[u8]) -> Result<String, SigningError> {
        let sig = match self.key.key_data() {
            ssh_key::private::KeypairData::Rsa(rsa) => rsa_sign(self.key.public_key(), rsa, namespace, message)?,
            _ => self.key.sign(namespace, HashAlg::Sha512, message).map_err(|e| SigningError::Sign(e.to_string()))?,
        };
        let mut pem = sig.to_pem(LineEnding::LF).map_err(|e| SigningError::Sign(e.to_string()))?;
        if !pem.ends_with('\n') {
            pem.push('\n');
        }
        Ok(pem)
    }
}

/// An SSHSIG with an RSA key, as `ssh-keygen -Y sign` makes it
/// (`rsa-sha2-512` over the SHA-512 message hash). Done here because ssh-key
/// 0.6.7, the newest stable release, builds the RSA private key with the
/// prime `p` twice and fails every RSA signature; signing is blinded with
/// the operating system's randomness.
fn rsa_sign(
    public: &PublicKey,
    key: &ssh_key::private::RsaKeypair,
    namespace: &str,
    message: &[u8],
) -> Result<SshSig, SigningError> {
    use rsa::signature::{RandomizedSigner, SignatureEncoding};
    let fail = |e: &dyn std::fmt::Display| SigningError::Sign(format!("RSA: {e}"));
    let number = |m: &ssh_key::Mpint| {
        m.as_positive_bytes().map(rsa::BigUint::from_bytes_be).ok_or_else(|| fail(&"a negative RSA component"))
    };
    let private = rsa::RsaPrivateKey::from_components(
        number(&key.public.n)?,
        number(&key.public.e)?,
        number(&key.private.d)?,
        vec![number(&key.private.p)?, number(&key.private.q)?],
    )
    .map_err(|e| fail(&e))?;
    let data = SshSig::signed_data(namespace, HashAlg::Sha512, message).map_err(|e| fail(&e))?;
    let signing = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(private);
    let raw = signing.try_sign_with_rng(&mut rsa::rand_core::OsRng, &data).map_err(|e| fail(&e))?;
    let signature = ssh_key::Signature::new(ssh_key::Algorithm::Rsa { hash: Some(HashAlg::Sha512) }, raw.to_vec())
        .map_err(|e| fail(&e))?;
    SshSig::new(public.key_data().clone(), namespace, HashAlg::Sha512, signature).map_err(|e| fail(&e))
}

/// An unencrypted OpenSSH private key file whose ECDSA scalar OpenSSH wrote
/// shorter than its curve's width (a leading zero byte dropped), rewritten
/// with the scalar at full width; `None` for every other key (left as is).
fn ecdsa_padded(text: &str) -> Option<String> {
    use base64::Engine as _;
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).map(str::trim).collect();
    let bytes = base64::engine::general_purpose::STANDARD.decode(body).ok()?;
    let mut outer = Fields(bytes.strip_prefix(b"openssh-key-v1\0")?);
    let (cipher, kdf, options) = (outer.string()?, outer.string()?, outer.string()?);
    let count = outer.u32()?;
    let public = outer.string()?;
    let mut private = Fields(outer.string()?);
    if cipher != b"none" || count != 1 {
        return None;
    }
    let (check1, check2, kind) = (private.u32()?, private.u32()?, private.string()?);
    let width = match kind {
        b"ecdsa-sha2-nistp256" => 32,
        b"ecdsa-sha2-nistp384" => 48,
        b"ecdsa-sha2-nistp521" => 66,
        _ => return None,
    };
    let (curve, point, scalar, comment) = (private.string()?, private.string()?, private.string()?, private.string()?);
    if scalar.len() >= width {
        return None;
    }
    let mut full = vec![0u8; width - scalar.len()];
    full.extend_from_slice(scalar);
    let mut section = Vec::new();
    section.extend_from_slice(&check1.to_be_bytes());
    section.extend_from_slice(&check2.to_be_bytes());
    for field in [kind, curve, point, &full, comment] {
        put_string(&mut section, field);
    }
    // padding 1, 2, 3, … to the cipher's block size (8 for none)
    let mut pad = 1u8;
    while section.len() % 8 != 0 {
        section.push(pad);
        pad += 1;
    }
    let mut out = b"openssh-key-v1\0".to_vec();
    for field in [cipher, kdf, options] {
        put_string(&mut out, field);
    }
    out.extend_from_slice(&count.to_be_bytes());
    put_string(&mut out, public);
    put_string(&mut out, &section);
    let encoded = base64::engine::general_purpose::STANDARD.encode(out);
    let lines: Vec<&str> = encoded.as_bytes().chunks(70).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    Some(format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n", lines.join("\n")))
}

/// The length-prefixed fields of an SSH binary encoding, read in order.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_be_bytes(*head))
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.u32()?).ok()?;
        let (field, rest) = (self.0.get(..len)?, self.0.get(len..)?);
        self.0 = rest;
        Some(field)
    }
}

fn put_string(out: &mut Vec<u8>, field: &[u8]) {
    out.extend_from_slice(&u32::try_from(field.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(field);
}

/// Reads public keys from a `.pub` file, an `authorized_keys` file or an
/// `allowed_signers` file (principals and options before the key are skipped).
/// Blank lines and `#` comments are ignored; any other line that holds no
/// key is an error naming file and line.
pub fn parse_public_keys(origin: &str, text: &str) -> Result<Vec<PublicKey>, SigningError> {
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let place = format!("{origin}:{}", n + 1);
        let words: Vec<&str> = line.split_whitespace().collect();
        let start = words.iter().position(|w| is_key_type(w)).ok_or_else(|| SigningError::PublicKey {
            place: place.clone(),
            message: "no key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-...) on this line".into(),
        })?;
        let key = PublicKey::from_openssh(&words[start..].join(" "))
            .map_err(|e| SigningError::PublicKey { place, message: e.to_string() })?;
        keys.push(key);
    }
    Ok(keys)
}

fn is_key_type(word: &str) -> bool {
    word.starts_with("ssh-") || word.starts_with("ecdsa-sha2-") || word.starts_with("sk-")
}

/// Reads the public keys of a file (see [`parse_public_keys`]).
pub fn read_public_keys(path: &Path) -> Result<Vec<PublicKey>, SigningError> {
    let text = read(path)?;
    parse_public_keys(&path.display().to_string(), &text)
}

/// Verifies an armored signature over `message`: the namespace must match,
/// the signing key must be one of `allowed`, and the signature must hold.
/// Returns the key that signed.
pub fn verify<'a>(
    allowed: &'a [PublicKey],
    namespace: &str,
    message: &[u8],
    signature: &str,
) -> Result<&'a PublicKey, SigningError> {
    let sig = SshSig::from_pem(signature.trim_start()).map_err(|e| SigningError::Signature(e.to_string()))?;
    if sig.namespace() != namespace {
        return Err(SigningError::Namespace { found: sig.namespace().to_owned(), expected: namespace.to_owned() });
    }
    let key = allowed.iter().find(|k| k.key_data() == sig.public_key()).ok_or_else(|| SigningError::UnknownKey {
        fingerprint: PublicKey::from(sig.public_key().clone()).fingerprint(HashAlg::Sha256).to_string(),
    })?;
    supported(&sig)?;
    key.verify(namespace, message, &sig).map_err(|_| SigningError::Mismatch)?;
    Ok(key)
}

/// Whether this build verifies `sig`'s key and signature algorithm: every
/// one `ssh-keygen -Y sign` makes today, but not DSA keys nor RSA
/// signatures over SHA-1 (`ssh-rsa`), which OpenSSH refuses for SSHSIG too.
fn supported(sig: &SshSig) -> Result<(), SigningError> {
    use ssh_key::Algorithm;
    let unsupported = |algorithm: String| Err(SigningError::Unsupported { algorithm });
    match sig.public_key().algorithm() {
        Algorithm::Ed25519 | Algorithm::SkEd25519 | Algorithm::Ecdsa { .. } | Algorithm::SkEcdsaSha2NistP256 => {}
        Algorithm::Rsa { .. } => match sig.signature().algorithm() {
            Algorithm::Rsa { hash: Some(_) } => {}
            other => return unsupported(format!("an RSA key and signature algorithm {other} (SHA-1)")),
        },
        other => return unsupported(format!("a {other} key")),
    }
    Ok(())
}

/// The upload body upstream's runner sends (`curl --data-binary @sig
/// --data-binary @report` joins them with `&`).
pub fn signed_body(signature: &str, report: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(signature.len() + 1 + report.len());
    body.extend_from_slice(signature.as_bytes());
    body.push(b'&');
    body.extend_from_slice(report);
    body
}

/// Splits a signed body into signature and report. The armored signature is
/// base64 and never contains `&`, so the first `&` separates them.
pub fn split_signed_body(body: &[u8]) -> Result<(&str, &[u8]), SigningError> {
    let at = body.iter().position(|b| *b == b'&').ok_or(SigningError::NoSignature)?;
    let signature = std::str::from_utf8(&body[..at]).map_err(|_| SigningError::NoSignature)?;
    if !signature.trim_start().starts_with("-----BEGIN SSH SIGNATURE-----") {
        return Err(SigningError::NoSignature);
    }
    Ok((signature, &body[at + 1..]))
}

fn read(path: &Path) -> Result<String, SigningError> {
    std::fs::read_to_string(path).map_err(|source| SigningError::Read { path: path.display().to_string(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_round_trip() {
        let sig = "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n";
        let body = signed_body(sig, b"---\nsubject: a&b\n");
        let (s, r) = split_signed_body(&body).unwrap();
        assert_eq!(s, sig);
        assert_eq!(r, b"---\nsubject: a&b\n");
        assert!(matches!(split_signed_body(b"---\nsubject: x\n"), Err(SigningError::NoSignature)));
        assert!(matches!(split_signed_body(b"garbage&---\n"), Err(SigningError::NoSignature)));
    }

    #[test]
    fn allowed_signers_lines_are_parsed_and_bad_lines_named() {
        let text = "# comment\n\nmail@csp.eu ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIByCgCST3JquHZm8z+mHkeCaveqdDVIkrBM9JG37z8kM x\n";
        assert_eq!(parse_public_keys("signers", text).unwrap().len(), 1);
        let err = parse_public_keys("signers", "mail@csp.eu nothing\n").unwrap_err().to_string();
        assert!(err.starts_with("signers:1:"), "{err}");
    }
}
