// SPDX-License-Identifier: Apache-2.0
//! OpenSSH as the oracle for signatures: keys made and reports signed by the
//! real `ssh-keygen`, once for every test that needs them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A new passphrase-less ed25519 key `dir/name` (and `name.pub`), made by
/// `ssh-keygen`, commented with `name`.
pub fn keygen(dir: &Path, name: &str) -> PathBuf {
    keygen_typed(dir, name, &["-t", "ed25519"])
}

/// A new passphrase-less key of the type `ssh-keygen` makes with
/// `type_args` (e.g. `["-t", "rsa", "-b", "3072"]`, `["-t", "ecdsa", "-b", "521"]`).
pub fn keygen_typed(dir: &Path, name: &str, type_args: &[&str]) -> PathBuf {
    let key = dir.join(name);
    let status = Command::new("ssh-keygen")
        .arg("-q")
        .args(type_args)
        .args(["-N", "", "-C", name, "-f"])
        .arg(&key)
        .status()
        .unwrap_or_else(|e| panic!("ssh-keygen must be installed (openssh-client): {e}"));
    assert!(status.success(), "ssh-keygen {type_args:?} failed for {}", key.display());
    key
}

/// The base64 body of `key`'s public half (`ssh-ed25519 BODY comment`).
pub fn public_body(key: &Path) -> String {
    let public =
        std::fs::read_to_string(key.with_extension("pub")).unwrap_or_else(|e| panic!("{}.pub: {e}", key.display()));
    public.split_whitespace().nth(1).unwrap_or_else(|| panic!("{}.pub is not a public key", key.display())).to_owned()
}

/// `ssh-keygen -Y sign -n namespace` over `message` with `key`: the armored
/// signature (the message is written beside the key to be signed).
pub fn sign(key: &Path, namespace: &str, message: &str) -> String {
    let file = key.with_extension("message");
    let signature = key.with_extension("message.sig");
    std::fs::write(&file, message).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let _ = std::fs::remove_file(&signature);
    let out = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", namespace, "-f"])
        .arg(key)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("ssh-keygen: {e}"));
    assert!(out.status.success(), "ssh-keygen -Y sign: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(&signature).unwrap_or_else(|e| panic!("{}: {e}", signature.display()))
}
