// SPDX-License-Identifier: Apache-2.0
//! `scs oss-health`'s checks on repositories built by the test with git: a
//! healthy repository scores 10 on every check, and each variant that breaks
//! one thing flips that check.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::git;

use scs_oss::health::{Assessment, assess, gather};
use std::path::Path;
use std::process::Command;

const DAY: i64 = 86_400;
/// 2026-12-01T00:00:00Z.
const NOW: i64 = 1_796_083_200;

/// What a generated repository has.
#[derive(Clone)]
struct Spec {
    licence_file: bool,
    licence_text: &'static str,
    header: Option<&'static str>,
    /// `REUSE.toml` for the files without headers (and `LICENSES/` with the licence file).
    reuse: bool,
    /// The licence `debian/copyright` (DEP-5) states for all files, if there is one.
    debian: Option<&'static str>,
    signed_off: bool,
    contributing: bool,
    conduct: bool,
    ci: bool,
    tests: bool,
    reviewed: bool,
    changelog: bool,
    signed_tags: bool,
    security: Option<&'static str>,
    fuzz: bool,
    lock: bool,
    pinned: bool,
    binary: bool,
    dangerous: bool,
    days_ago: i64,
    tags: usize,
    authors: Vec<(&'static str, &'static str)>,
}

fn healthy() -> Spec {
    Spec {
        licence_file: true,
        licence_text: "Apache License\nVersion 2.0, January 2004\n",
        header: Some("Apache-2.0"),
        reuse: true,
        debian: None,
        signed_off: true,
        contributing: true,
        conduct: true,
        ci: true,
        tests: true,
        reviewed: true,
        changelog: true,
        signed_tags: true,
        security: Some("# Security\n\nReport vulnerabilities to security@cloud-a.example.\n"),
        fuzz: true,
        lock: true,
        pinned: true,
        binary: false,
        dangerous: false,
        days_ago: 1,
        tags: 2,
        authors: vec![
            ("Alice", "alice@cloud-a.example"),
            ("Bob", "bob@cloud-b.example"),
            ("Carol", "carol@cloud-c.example"),
            ("Dan", "dan@cloud-a.example"),
            ("Erin", "erin@cloud-b.example"),
            ("Finn", "finn@cloud-c.example"),
        ],
    }
}

fn write(dir: &Path, path: &str, content: &[u8]) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// REUSE information for the files that carry no header.
const REUSE_TOML: &str = r#"version = 1

[[annotations]]
path = ["*.md", "Cargo.*", ".github/**", "tools/**", "debian/**"]
SPDX-FileCopyrightText = "2026 Alice"
SPDX-License-Identifier = "Apache-2.0"
"#;

/// Builds the repository `spec` describes and assesses it on NOW.
fn assessed(spec: &Spec) -> Assessment {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = spec.authors[0];
    git(d, &["init", "-q", "-b", "main"], first, NOW);
    if spec.licence_file {
        write(d, "LICENSE", spec.licence_text.as_bytes());
        if spec.reuse {
            write(d, "LICENSES/Apache-2.0.txt", spec.licence_text.as_bytes());
        }
    }
    if spec.reuse {
        write(d, "REUSE.toml", REUSE_TOML.as_bytes());
    }
    if let Some(licence) = spec.debian {
        let copyright = format!(
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n\
             Files: *\nCopyright: 2026 Alice\nLicense: {licence}\n"
        );
        write(d, "debian/copyright", copyright.as_bytes());
    }
    let header = spec
        .header
        .map(|h| format!("// SPDX-FileCopyrightText: 2026 Alice\n// SPDX-License-Identifier: {h}\n"))
        .unwrap_or_default();
    write(d, "src/lib.rs", format!("{header}pub fn f() {{}}\n").as_bytes());
    write(d, "Cargo.toml", b"[package]\nname = \"x\"\nversion = \"0.1.0\"\n");
    if spec.lock {
        write(d, "Cargo.lock", b"version = 4\n");
    }
    let files: [(bool, &str, &[u8]); 6] = [
        (spec.contributing, "CONTRIBUTING.md", b"How to contribute.\n"),
        (spec.conduct, "CODE_OF_CONDUCT.md", b"Be kind.\n"),
        (spec.tests, "tests/it.rs", b"#[test]\nfn t() {}\n"),
        (spec.changelog, "CHANGELOG.md", b"# Changes\n"),
        (spec.fuzz, "fuzz/fuzz_targets/parse.rs", b"#![no_main]\n"),
        (spec.binary, "tools/helper", b"\x7fELF\x02\x01\x01\0binary"),
    ];
    for (wanted, path, content) in files {
        if wanted {
            let with_header =
                if path.ends_with(".rs") { [header.as_bytes(), content].concat() } else { content.to_vec() };
            write(d, path, &with_header);
        }
    }
    if let Some(policy) = spec.security {
        write(d, "SECURITY.md", policy.as_bytes());
    }
    if spec.ci {
        let checkout = if spec.pinned {
            "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"
        } else {
            "actions/checkout@v4"
        };
        let trigger = if spec.dangerous { "pull_request_target" } else { "pull_request" };
        let run = if spec.dangerous { "echo \"${{ github.event.pull_request.title }}\"" } else { "cargo test" };
        let workflow = format!(
            "on: {trigger}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {checkout}\n      - run: {run}\n"
        );
        write(d, ".github/workflows/ci.yml", workflow.as_bytes());
    }
    git(d, &["add", "-A"], first, NOW);
    let trailer = |i: usize| {
        let (name, email) = spec.authors[i % spec.authors.len()];
        let mut t = String::new();
        if spec.signed_off {
            t += &format!("\nSigned-off-by: {name} <{email}>");
        }
        if spec.reviewed {
            t += "\nReviewed-by: Reviewer <reviewer@cloud-r.example>";
        }
        t
    };
    for i in 0..12 {
        let who = spec.authors[i % spec.authors.len()];
        let message = format!("change {i}\n{}", trailer(i));
        let time = NOW - (spec.days_ago + 12 - i as i64) * DAY;
        git(d, &["commit", "-q", "--allow-empty", "-m", &message], who, time);
    }
    let key = d.join(".git/signing-key");
    let out = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key).output().unwrap();
    assert!(out.status.success());
    let signing = format!("user.signingkey={}", key.display());
    for t in 0..spec.tags {
        let name = format!("v0.{t}");
        let args: Vec<&str> = if spec.signed_tags {
            vec!["-c", "gpg.format=ssh", "-c", &signing, "tag", "-s", &name, "-m", "release"]
        } else {
            vec!["tag", "-a", &name, "-m", "release"]
        };
        git(d, &args, first, NOW - spec.days_ago * DAY);
    }
    assess(&gather(d).unwrap(), NOW)
}

fn score(a: &Assessment, id: &str) -> Option<u8> {
    a.checks.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no check {id}")).score
}

#[test]
fn a_healthy_repository_scores_ten_on_every_check() {
    let a = assessed(&healthy());
    let below: Vec<String> = a
        .checks
        .iter()
        .filter(|c| c.score != Some(10))
        .map(|c| format!("{} {:?} {:?}", c.id, c.score, c.evidence))
        .collect();
    assert!(below.is_empty(), "{below:#?}");
    assert_eq!(a.checks.len(), 20);
    assert!((a.score - 10.0).abs() < 1e-9);
    assert!(
        a.risk_summary.starts_with("low likelihood of failing: bus factor 3 and 3 organisation(s)"),
        "{}",
        a.risk_summary
    );
}

#[test]
fn each_flaw_flips_its_check() {
    type Flaw = (&'static str, fn(&mut Spec), Option<u8>);
    let flaws: [Flaw; 26] = [
        ("licence-file", |s| s.licence_file = false, Some(0)),
        ("reuse", |s| s.header = None, Some(7)),
        ("reuse", |s| s.reuse = false, Some(1)),
        ("osi-licences", |s| s.header = Some("LicenseRef-Proprietary"), Some(0)),
        ("osi-licences", |s| s.header = Some("BUSL-1.1"), Some(0)),
        ("osi-licences", |s| s.debian = Some("BUSL-1.1"), Some(0)),
        ("dco", |s| s.signed_off = false, Some(0)),
        ("contribution-guide", |s| s.contributing = false, Some(3)),
        ("contribution-guide", |s| s.conduct = false, Some(7)),
        ("ci", |s| s.ci = false, Some(0)),
        ("tests", |s| s.tests = false, Some(0)),
        ("review", |s| s.reviewed = false, Some(0)),
        ("changelog", |s| s.changelog = false, Some(0)),
        ("signed-tags", |s| s.signed_tags = false, Some(0)),
        ("signed-tags", |s| s.tags = 0, None),
        ("security-policy", |s| s.security = None, Some(0)),
        ("security-policy", |s| s.security = Some("# Security\n\nTell us.\n"), Some(4)),
        ("fuzzing", |s| s.fuzz = false, Some(0)),
        ("lock-files", |s| s.lock = false, Some(0)),
        ("pinned-actions", |s| s.pinned = false, Some(0)),
        ("binary-artifacts", |s| s.binary = true, Some(9)),
        ("dangerous-workflow", |s| s.dangerous = true, Some(0)),
        ("maintained", |s| s.days_ago = 200, Some(0)),
        ("releases", |s| s.tags = 1, Some(5)),
        ("bus-factor", |s| s.authors.truncate(1), Some(2)),
        (
            "organisations",
            |s| s.authors = vec![("Carol", "carol@gmail.com"), ("Dan", "1+dan@users.noreply.github.com")],
            Some(0),
        ),
    ];
    let mut wrong = Vec::new();
    for (id, flaw, expected) in flaws {
        let mut spec = healthy();
        flaw(&mut spec);
        let a = assessed(&spec);
        if score(&a, id) != expected {
            let check = a.checks.iter().find(|c| c.id == id).unwrap();
            wrong.push(format!("{id}: {:?}, expected {expected:?}: {:?}", check.score, check.evidence));
        }
        assert!(a.score < 10.0 || expected.is_none(), "{id}: overall still {}", a.score);
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn an_or_with_one_osi_alternative_is_open_source() {
    let mut spec = healthy();
    spec.header = Some("LicenseRef-Commercial OR MIT");
    assert_eq!(score(&assessed(&spec), "osi-licences"), Some(10));
}

#[test]
fn debian_copyright_short_names_are_read_as_spdx() {
    let mut spec = healthy();
    spec.debian = Some("GPL-2+ or Artistic-2.0");
    let a = assessed(&spec);
    assert_eq!(score(&a, "osi-licences"), Some(10));
    let evidence = &a.checks.iter().find(|c| c.id == "osi-licences").unwrap().evidence;
    assert!(evidence[0].contains("GPL-2.0-or-later OR Artistic-2.0"), "{evidence:?}");
}

const MIT: &str = "MIT License

Copyright (c) 2026 Alice

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the \"Software\"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
";

#[test]
fn a_recognised_licence_text_states_the_licence_without_headers() {
    let mut spec = healthy();
    spec.header = None;
    spec.licence_text = MIT;
    let a = assessed(&spec);
    assert_eq!(score(&a, "osi-licences"), Some(10));
    let evidence = &a.checks.iter().find(|c| c.id == "licence-file").unwrap().evidence;
    assert!(evidence[0].starts_with("licence text(s): LICENSE (MIT, "), "{evidence:?}");
    // a text that is no licence states none
    spec.reuse = false;
    spec.licence_text = "All rights reserved.\n";
    assert_eq!(score(&assessed(&spec), "osi-licences"), Some(0));
}
