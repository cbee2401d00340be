// SPDX-License-Identifier: Apache-2.0
//! The DCO app judges the author's address with the npm package
//! `email-validator`; the same addresses go through it (installed from the
//! npm registry, run by Node) and through `scs_oss::dco::valid_email`, and the
//! answers must agree.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::process::Command;

fn addresses() -> Vec<String> {
    let mut list: Vec<String> = [
        "alice@example.org",
        "a@b.co",
        "a@b.c",
        "a.b@c.de",
        ".a@c.de",
        "a.@c.de",
        "a..b@c.de",
        "a@-b.de",
        "a@b-.de",
        "a@b--c.de",
        "a@b..de",
        "a@b.de.",
        "a`b@c.de",
        "`a@c.de",
        "a@b.d1",
        "a@b.1d",
        "a@b.d-e",
        "a@b.d--e",
        "name+tag@x.io",
        "a@b",
        "",
        "a b@c.de",
        "a@b.de ",
        "x@[127.0.0.1]",
        "root@localhost",
        "49699333+dependabot[bot]@users.noreply.github.com",
        "user@users.noreply.github.com",
        "ä@b.de",
        "a@bä.de",
        "a@@b.de",
        "a@b@c.de",
        "!#$%&'*+/=?^_{|}~-@x.yz",
        "o'hara@x.ie",
        "a@1.2.3.de",
        "A@B.DE",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    list.push(format!("{}@x.de", "a".repeat(64)));
    list.push(format!("{}@x.de", "a".repeat(65)));
    list.push(format!("a@{}.de", "b".repeat(63)));
    list.push(format!("a@{}.de", "b".repeat(64)));
    let long_domain = vec!["c".repeat(60); 4].join(".");
    list.push(format!("a@{long_domain}.de"));
    list.push(format!("{}@{long_domain}.de", "a".repeat(10)));
    list
}

#[test]
fn the_address_rule_agrees_with_email_validator() {
    let dir = tempfile::tempdir().unwrap();
    let install = Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
        .arg(dir.path())
        .arg("email-validator@2.0.4")
        .output()
        .expect("npm (Node.js) is needed for this oracle");
    assert!(install.status.success(), "npm install email-validator: {}", String::from_utf8_lossy(&install.stderr));
    let list = addresses();
    let script = "const v = require('email-validator'); \
                  const list = JSON.parse(require('fs').readFileSync(0, 'utf8')); \
                  console.log(JSON.stringify(list.map(a => v.validate(a))));";
    let mut node = Command::new("node")
        .args(["-e", script])
        .env("NODE_PATH", dir.path().join("node_modules"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(node.stdin.take().unwrap(), &list).unwrap();
    let out = node.wait_with_output().unwrap();
    assert!(out.status.success());
    let theirs: Vec<bool> = serde_json::from_slice(&out.stdout).unwrap();
    let disagreements: Vec<String> = list
        .iter()
        .zip(&theirs)
        .filter(|(a, t)| scs_oss::dco::valid_email(a) != **t)
        .map(|(a, t)| format!("{a:?}: email-validator {t}"))
        .collect();
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    assert!(theirs.iter().filter(|t| **t).count() >= 8 && theirs.iter().filter(|t| !**t).count() >= 15);
}
