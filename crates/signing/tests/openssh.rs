// SPDX-License-Identifier: Apache-2.0
//! Signatures interoperate with the real OpenSSH `ssh-keygen -Y sign/verify`
//! both ways; a wrong namespace, a wrong key or an altered report is rejected
//! by both. Needs `ssh-keygen` (package openssh-client); without it these tests
//! fail rather than skip.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use scs_signing::{REPORT_NAMESPACE, Signer, SigningError, read_public_keys, verify};
use std::path::Path;
use std::process::{Command, Stdio};

const REPORT: &str =
    "---\nspec: {uuid: 50393e6f-2ae1-4c5c-a62c-3b75f2abef3f, name: SCS-compatible IaaS}\nsubject: lab\n";

use scs_testkit::ssh::keygen;

/// `ssh-keygen -Y sign`: returns the armored signature.
fn openssh_sign(key: &Path, namespace: &str, message: &str, _dir: &Path) -> String {
    scs_testkit::ssh::sign(key, namespace, message)
}

/// `ssh-keygen -Y verify` as the compliance monitor calls it.
fn openssh_verify(public: &Path, namespace: &str, message: &str, signature: &str, dir: &Path) -> bool {
    let signers = dir.join("allowed_signers");
    let key = std::fs::read_to_string(public).unwrap();
    std::fs::write(&signers, format!("mail@csp.eu {key}")).unwrap();
    let sig = dir.join("check.sig");
    std::fs::write(&sig, signature).unwrap();
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-I", "mail@csp.eu", "-n", namespace, "-f"])
        .arg(&signers)
        .arg("-s")
        .arg(&sig)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(message.as_bytes()).unwrap();
    child.wait().unwrap().success()
}

#[test]
fn our_signature_verifies_with_openssh_and_tampering_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "csp");
    let other = keygen(dir.path(), "other");
    let signer = Signer::from_file(&key).unwrap();
    let sig = signer.sign(REPORT_NAMESPACE, REPORT.as_bytes()).unwrap();
    assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----\n") && sig.ends_with("-----END SSH SIGNATURE-----\n"));
    let public = key.with_extension("pub");
    assert!(openssh_verify(&public, "report", REPORT, &sig, dir.path()));
    // wrong namespace, wrong key, altered report
    assert!(!openssh_verify(&public, "file", REPORT, &sig, dir.path()));
    assert!(!openssh_verify(&other.with_extension("pub"), "report", REPORT, &sig, dir.path()));
    assert!(!openssh_verify(&public, "report", &REPORT.replace("lab", "lab2"), &sig, dir.path()));
    let in_other_namespace = signer.sign("file", REPORT.as_bytes()).unwrap();
    assert!(!openssh_verify(&public, "report", REPORT, &in_other_namespace, dir.path()));
}

#[test]
fn openssh_signature_verifies_here_and_tampering_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "csp");
    let other = keygen(dir.path(), "other");
    let allowed = read_public_keys(&key.with_extension("pub")).unwrap();
    let sig = openssh_sign(&key, "report", REPORT, dir.path());
    let signed_by = verify(&allowed, REPORT_NAMESPACE, REPORT.as_bytes(), &sig).unwrap();
    assert_eq!(signed_by, &allowed[0]);

    let altered = verify(&allowed, REPORT_NAMESPACE, REPORT.replace("lab", "lab2").as_bytes(), &sig);
    assert!(matches!(altered, Err(SigningError::Mismatch)), "{altered:?}");
    let others = read_public_keys(&other.with_extension("pub")).unwrap();
    let wrong_key = verify(&others, REPORT_NAMESPACE, REPORT.as_bytes(), &sig);
    assert!(matches!(wrong_key, Err(SigningError::UnknownKey { .. })), "{wrong_key:?}");
    let file_sig = openssh_sign(&key, "file", REPORT, dir.path());
    let namespace = verify(&allowed, REPORT_NAMESPACE, REPORT.as_bytes(), &file_sig);
    assert!(matches!(namespace, Err(SigningError::Namespace { .. })), "{namespace:?}");
    // a signature by another key, over the right bytes, is still refused
    let by_other = openssh_sign(&other, "report", REPORT, dir.path());
    assert!(matches!(
        verify(&allowed, REPORT_NAMESPACE, REPORT.as_bytes(), &by_other),
        Err(SigningError::UnknownKey { .. })
    ));
}

#[test]
fn bad_key_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not-a-key");
    std::fs::write(&bad, "hello\n").unwrap();
    let err = Signer::from_file(&bad).unwrap_err().to_string();
    assert!(err.contains("not-a-key") && err.contains("private key"), "{err}");
    let locked = dir.path().join("locked");
    let status =
        Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "secret", "-f"]).arg(&locked).status().unwrap();
    assert!(status.success());
    let err = Signer::from_file(&locked).unwrap_err().to_string();
    assert!(err.contains("encrypted"), "{err}");
    let missing = Signer::from_file(&dir.path().join("nope")).unwrap_err().to_string();
    assert!(missing.contains("nope"), "{missing}");
}

/// The key types `ssh-keygen` makes that SCS users sign with: each signs here
/// and verifies with OpenSSH, and the other way round (issue 18, point 8).
const KEY_TYPES: [(&str, &[&str]); 6] = [
    ("ed25519", &["-t", "ed25519"]),
    ("rsa-3072", &["-t", "rsa", "-b", "3072"]),
    ("rsa-2048", &["-t", "rsa", "-b", "2048"]),
    ("ecdsa-p256", &["-t", "ecdsa", "-b", "256"]),
    ("ecdsa-p384", &["-t", "ecdsa", "-b", "384"]),
    ("ecdsa-p521", &["-t", "ecdsa", "-b", "521"]),
];

#[test]
fn rsa_and_ecdsa_keys_interoperate_with_openssh_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in KEY_TYPES {
        let key = scs_testkit::ssh::keygen_typed(dir.path(), name, args);
        let public = key.with_extension("pub");
        let allowed = read_public_keys(&public).unwrap();
        // OpenSSH signs (RSA keys: rsa-sha2-512), we verify; an altered report is a mismatch
        let theirs = openssh_sign(&key, "report", REPORT, dir.path());
        let signed_by = verify(&allowed, REPORT_NAMESPACE, REPORT.as_bytes(), &theirs);
        assert_eq!(signed_by.unwrap_or_else(|e| panic!("{name}: {e}")), &allowed[0], "{name}");
        let altered = verify(&allowed, REPORT_NAMESPACE, REPORT.replace("lab", "lab2").as_bytes(), &theirs);
        assert!(matches!(altered, Err(SigningError::Mismatch)), "{name}: {altered:?}");
        // we sign, OpenSSH verifies, and refuses an altered report
        let ours = Signer::from_file(&key).unwrap_or_else(|e| panic!("{name}: {e}"));
        let sig = ours.sign(REPORT_NAMESPACE, REPORT.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(openssh_verify(&public, "report", REPORT, &sig, dir.path()), "{name}: OpenSSH refused our signature");
        assert!(!openssh_verify(&public, "report", &REPORT.replace("lab", "lab2"), &sig, dir.path()), "{name}");
        // and our own verification agrees
        verify(&allowed, REPORT_NAMESPACE, REPORT.as_bytes(), &sig).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// OpenSSH writes an ECDSA scalar that begins with a zero byte shorter than
/// the curve's width (about half of all P-521 keys): every one must load.
#[test]
fn every_p521_key_signs_whatever_its_scalar() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..12 {
        let name = format!("p521-{i}");
        let key = scs_testkit::ssh::keygen_typed(dir.path(), &name, &["-t", "ecdsa", "-b", "521"]);
        let signer = Signer::from_file(&key).unwrap_or_else(|e| panic!("{name}: {e}"));
        let sig = signer.sign(REPORT_NAMESPACE, REPORT.as_bytes()).unwrap();
        assert!(openssh_verify(&key.with_extension("pub"), "report", REPORT, &sig, dir.path()), "{name}");
    }
}

#[test]
fn openssh_message_hash_sha256_verifies_too() {
    let dir = tempfile::tempdir().unwrap();
    let key = scs_testkit::ssh::keygen_typed(dir.path(), "rsa", &["-t", "rsa", "-b", "2048"]);
    let message = dir.path().join("report.yaml");
    std::fs::write(&message, REPORT).unwrap();
    let out = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "report", "-O", "hashalg=sha256", "-f"])
        .arg(&key)
        .arg(&message)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sig = std::fs::read_to_string(message.with_extension("yaml.sig")).unwrap();
    let allowed = read_public_keys(&key.with_extension("pub")).unwrap();
    verify(&allowed, REPORT_NAMESPACE, REPORT.as_bytes(), &sig).unwrap();
}

#[test]
fn a_dsa_signature_is_called_unsupported_not_altered() {
    let dir = tempfile::tempdir().unwrap();
    let key = scs_testkit::ssh::keygen_typed(dir.path(), "dsa", &["-t", "dsa"]);
    let sig = openssh_sign(&key, "report", REPORT, dir.path());
    let allowed = read_public_keys(&key.with_extension("pub")).unwrap();
    let err = verify(&allowed, REPORT_NAMESPACE, REPORT.as_bytes(), &sig).unwrap_err();
    assert!(matches!(err, SigningError::Unsupported { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("ssh-dss") && text.contains("not supported") && !text.contains("altered"), "{text}");
}
