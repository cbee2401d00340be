// SPDX-License-Identifier: Apache-2.0
//! The REUSE verdict of `scs_oss::reuse::lint` against the REUSE tool's own
//! (`reuse lint --json`, PyPI, in a fresh virtual environment): the same
//! trees, the same lists of non-compliant files and licences, the same
//! verdict. Six trees: compliant, missing headers, missing and bad licence
//! texts, `REUSE.toml` with every precedence and nested files, the
//! deprecated `.reuse/dep5`, and a clone of this repository.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const REUSE_TOOL: &str = "reuse==6.2.0";
const WHO: (&str, &str) = ("Ada", "ada@example.org");

/// The `reuse` program of a virtual environment made once per test process.
fn reuse_tool() -> &'static Path {
    static TOOL: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &TOOL
        .get_or_init(|| {
            let venv = tempfile::tempdir().unwrap();
            run(Command::new("python3").arg("-m").arg("venv").arg(venv.path()));
            run(Command::new(venv.path().join("bin/python")).args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                REUSE_TOOL,
            ]));
            let tool = venv.path().join("bin/reuse");
            (venv, tool)
        })
        .1
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository with `files` (path → bytes) committed.
fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    common::git(dir.path(), &["init", "-q"], WHO, 1_700_000_000);
    common::git(dir.path(), &["add", "-A"], WHO, 1_700_000_000);
    common::git(dir.path(), &["commit", "-q", "-m", "tree"], WHO, 1_700_000_000);
    dir
}

/// The points both tools report, as comparable values.
type Verdict = BTreeMap<String, Value>;

fn upstream(dir: &Path) -> Verdict {
    // run at the top, so that paths come out relative as ours do
    let out = Command::new(reuse_tool())
        .args(["lint", "--json"])
        .current_dir(dir)
        .env("_SUPPRESS_DEP5_WARNING", "1")
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("reuse lint: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut verdict: Verdict = json["non_compliant"].as_object().unwrap().clone().into_iter().collect();
    for key in ["used_licenses", "files_total", "compliant"] {
        verdict.insert(key.into(), json["summary"][key].clone());
    }
    let mut invalid: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in json["files"].as_array().unwrap() {
        for e in file["spdx_expressions"].as_array().unwrap() {
            if e["is_valid"] == false {
                invalid
                    .entry(file["path"].as_str().unwrap().into())
                    .or_default()
                    .push(e["value"].as_str().unwrap().into());
            }
        }
    }
    invalid.values_mut().for_each(|v| v.sort());
    verdict.insert("invalid_spdx_expressions".into(), serde_json::to_value(invalid).unwrap());
    assert_eq!(out.status.code(), Some(if json["summary"]["compliant"] == true { 0 } else { 1 }));
    verdict
}

fn ours(dir: &Path) -> Verdict {
    let report = scs_oss::reuse::lint(&scs_oss::files(dir).unwrap()).unwrap();
    let mut verdict: Verdict = serde_json::from_value(serde_json::to_value(&report).unwrap()).unwrap();
    verdict.remove("global_licensing");
    verdict.remove("licence_expressions");
    verdict.insert("read_errors".into(), Value::Array(Vec::new()));
    verdict
}

/// Both tools judge `dir` alike; returns the verdict.
fn agree(dir: &Path) -> Verdict {
    let (upstream, ours) = (upstream(dir), ours(dir));
    let differences: Vec<String> = upstream
        .keys()
        .chain(ours.keys())
        .filter(|k| ours.get(*k) != upstream.get(*k))
        .map(|k| format!("{k}:\n  scs:   {}\n  reuse: {}", show(ours.get(k)), show(upstream.get(k))))
        .collect();
    assert!(differences.is_empty(), "scs and reuse differ on {}:\n{}", dir.display(), differences.join("\n"));
    ours
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "(absent)".to_owned(), Value::to_string)
}

const MIT: &[u8] = b"MIT License\n\nPermission is hereby granted, free of charge, ...\n";
const APACHE: &[u8] = b"Apache License\nVersion 2.0, January 2004\n...\n";

#[test]
fn a_compliant_tree() {
    let dir = tree(&[
        ("LICENSES/MIT.txt", MIT),
        ("LICENSES/Apache-2.0.txt", APACHE),
        ("LICENSES/LicenseRef-Proprietary-Fonts.txt", b"All rights reserved.\n"),
        ("LICENSE", MIT),
        ("COPYING.GPL", b"not read\n"),
        ("src/main.rs", b"// SPDX-FileCopyrightText: 2024 Ada <ada@example.org>\n// SPDX-License-Identifier: MIT OR Apache-2.0\nfn main() {}\n"),
        ("src/style.css", b"/* SPDX-FileCopyrightText: 2023-2024 Ada */\n/* SPDX-License-Identifier: MIT */\n"),
        ("doc/index.html", b"<!-- Copyright (C) 2022 Ada -->\n<!-- SPDX-License-Identifier: Apache-2.0 -->\n<p>hi</p>\n"),
        ("tpl/page.j2", b"{# SPDX-FileCopyrightText: 2024 Ada #}\n{# SPDX-License-Identifier: MIT #}\n"),
        ("fonts/a.woff2", b"wOF2\0\0\x01\x02binary"),
        ("fonts/a.woff2.license", b"SPDX-FileCopyrightText: 2020 Font Foundry\nSPDX-License-Identifier: LicenseRef-Proprietary-Fonts\n"),
        ("empty.txt", b""),
        ("subprojects/zlib/zlib.c", b"no header in a Meson subproject\n"),
        ("report.spdx.json", b"{}\n"),
        (".gitignore", b"# SPDX-FileCopyrightText: 2024 Ada\n# SPDX-License-Identifier: MIT\ntarget/\n"),
        ("snippet.py", b"# \xc2\xa9 2024 Ada\n# SPDX-License-Identifier: MIT\n# SPDX-SnippetBegin\n# SPDX-SnippetCopyrightText: 2010 Bob\n# SPDX-License-Identifier: Apache-2.0\n# SPDX-SnippetEnd\n"),
    ]);
    std::os::unix::fs::symlink("src/main.rs", dir.path().join("link.rs")).unwrap();
    common::git(dir.path(), &["add", "-A"], WHO, 1_700_000_000);
    common::git(dir.path(), &["commit", "-q", "-m", "link"], WHO, 1_700_000_000);
    let verdict = agree(dir.path());
    assert_eq!(verdict["compliant"], true);
    assert_eq!(verdict["files_total"], 7);
}

#[test]
fn missing_headers() {
    let dir = tree(&[
        ("LICENSES/MIT.txt", MIT),
        ("a.py", b"# SPDX-FileCopyrightText: 2024 Ada\n# SPDX-License-Identifier: MIT\n"),
        ("no_header.py", b"print('hello')\n"),
        ("copyright_only.c", b"/* Copyright 2020 Bob */\nint x;\n"),
        ("licence_only.c", b"// SPDX-License-Identifier: MIT\nint y;\n"),
        ("prose.md", b"Copyrights are complicated.\nCopyright: see elsewhere\nSPDX-License-Identifier: MIT\n"),
        ("ignored.sh", b"# REUSE-IgnoreStart\n# SPDX-FileCopyrightText: 2024 Ada\n# SPDX-License-Identifier: MIT\n# REUSE-IgnoreEnd\necho\n"),
        ("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR SPDX-License-Identifier: MIT"),
        ("latin1.txt", b"\xa9 2024 J\xf6rg\nSPDX-License-Identifier: MIT\n"),
        ("invalid.js", b"// SPDX-FileCopyrightText: 2024 Ada\n// SPDX-License-Identifier: MIT AND (\n"),
        ("slash.js", b"// SPDX-FileCopyrightText: 2024 Ada\n// SPDX-License-Identifier: MIT/Apache-2.0\n"),
        ("late.txt", b"many lines\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\nat the end:\nSPDX-FileCopyrightText: Ada\nSPDX-License-Identifier: MIT\n"),
        ("empty.license", b"SPDX-License-Identifier: MIT\n"),
        ("crlf.bat", b"REM SPDX-FileCopyrightText: 2024 Ada\r\nREM SPDX-License-Identifier: MIT\r\n"),
        ("sidecar.bin", b"\0\x01\x02"),
        ("sidecar.bin.license", b"nothing useful\n"),
    ]);
    let verdict = agree(dir.path());
    assert_eq!(verdict["compliant"], false);
    assert_eq!(
        verdict["missing_copyright_info"],
        serde_json::json!(["ignored.sh", "image.png", "licence_only.c", "no_header.py", "prose.md", "sidecar.bin"])
    );
    assert_eq!(
        verdict["invalid_spdx_expressions"],
        serde_json::json!({"invalid.js": ["MIT AND ("], "slash.js": ["MIT/Apache-2.0"]})
    );
}

#[test]
fn missing_unused_bad_and_deprecated_licence_texts() {
    let dir = tree(&[
        ("LICENSES/MIT", MIT),
        ("LICENSES/Apache-2.0.txt", APACHE),
        ("LICENSES/Foo.txt", b"a licence nobody knows\n"),
        ("LICENSES/GPL-2.0.txt", b"GPL 2\n"),
        ("LICENSES/LicenseRef-Unknown-thing.txt", b"?\n"),
        ("LICENSES/GPL-3.0-or-later.txt", b"GPL 3\n"),
        ("LICENSES/MPL-2.0.txt.license", b"SPDX-FileCopyrightText: none\n"),
        ("a.c", b"// SPDX-FileCopyrightText: Ada\n// SPDX-License-Identifier: MIT AND LicenseRef-mine\n"),
        ("b.c", b"// SPDX-FileCopyrightText: Ada\n// SPDX-License-Identifier: GPL-2.0+ WITH Classpath-exception-2.0\n"),
        ("c.c", b"// SPDX-FileCopyrightText: Ada\n// SPDX-License-Identifier: gpl-3.0-or-later OR BSD-3-Clause\n"),
        ("d.c", b"// SPDX-FileCopyrightText: Ada\n// SPDX-License-Identifier: GPL-3.0+\n"),
    ]);
    let verdict = agree(dir.path());
    assert_eq!(verdict["bad_licenses"], serde_json::json!(["Foo", "LicenseRef-Unknown-thing"]));
    assert_eq!(verdict["deprecated_licenses"], serde_json::json!(["GPL-2.0"]));
    assert_eq!(verdict["licenses_without_extension"], serde_json::json!(["MIT"]));
    assert_eq!(
        verdict["missing_licenses"],
        serde_json::json!([
            "BSD-3-Clause",
            "Classpath-exception-2.0",
            "GPL-3.0+",
            "LicenseRef-mine",
            "gpl-3.0-or-later"
        ])
    );
}

#[test]
fn reuse_toml_precedences_and_nesting() {
    let dir = tree(&[
        ("LICENSES/MIT.txt", MIT),
        ("LICENSES/Apache-2.0.txt", APACHE),
        ("LICENSES/CC0-1.0.txt", b"CC0\n"),
        ("LICENSES/CC-BY-4.0.txt", b"CC BY\n"),
        (
            "REUSE.toml",
            br#"version = 1
SPDX-PackageName = "tree"

[[annotations]]
path = ["docs/**", "*.md"]
SPDX-FileCopyrightText = "2024 Ada"
SPDX-License-Identifier = "CC-BY-4.0"

[[annotations]]
path = "src/*.rs"
precedence = "closest"
SPDX-FileCopyrightText = ["2024 Ada", "2023 Bob"]
SPDX-License-Identifier = "MIT"

[[annotations]]
path = "vendor/**"
precedence = "override"
SPDX-FileCopyrightText = "Vendor Inc."
SPDX-License-Identifier = "Apache-2.0"

[[annotations]]
path = "data/**/*.json"
precedence = "aggregate"
SPDX-FileCopyrightText = "Data People"
SPDX-License-Identifier = "CC0-1.0"

[[annotations]]
path = "literal\\*star.txt"
SPDX-FileCopyrightText = "Ada"
SPDX-License-Identifier = "MIT"

[[annotations]]
path = "only-copyright/**"
SPDX-FileCopyrightText = "Ada"
"#,
        ),
        ("README.md", b"no header\n"),
        ("docs/a/b/guide.txt", b"no header\n"),
        ("src/main.rs", b"fn main() {}\n"),
        ("src/lib.rs", b"// SPDX-License-Identifier: Apache-2.0\npub fn f() {}\n"),
        ("src/deep/mod.rs", b"no header, and * does not cross directories\n"),
        ("vendor/x/y.c", b"// SPDX-FileCopyrightText: Someone Else\n// SPDX-License-Identifier: GPL-3.0-only\n"),
        ("data/set/one.json", b"{\"SPDX-License-Identifier\": \"MIT\"}\n"),
        ("data/two.json", b"{}\n"),
        ("literal*star.txt", b"x\n"),
        ("literalXstar.txt", b"x\n"),
        ("only-copyright/f.txt", b"SPDX-License-Identifier: MIT\n"),
        ("only-copyright/g.txt", b"nothing\n"),
        (
            "sub/REUSE.toml",
            br#"version = 1

[[annotations]]
path = "**"
SPDX-License-Identifier = "MIT"

[[annotations]]
path = "inner/**"
precedence = "override"
SPDX-FileCopyrightText = "Sub Owner"
SPDX-License-Identifier = "CC0-1.0"
"#,
        ),
        ("sub/x.txt", b"x\n"),
        ("sub/inner/y.txt", b"SPDX-FileCopyrightText: ignored under override\n"),
        ("sub/z.txt", b"SPDX-FileCopyrightText: Zed\n"),
    ]);
    let verdict = agree(dir.path());
    assert_eq!(
        verdict["missing_copyright_info"],
        serde_json::json!(["literalXstar.txt", "src/deep/mod.rs", "sub/x.txt"])
    );
    assert_eq!(
        verdict["missing_licensing_info"],
        serde_json::json!(["literalXstar.txt", "only-copyright/g.txt", "src/deep/mod.rs"])
    );
    // and a REUSE.toml that cannot be read is an error naming its line
    let broken = tree(&[("REUSE.toml", b"version = 1\n\n[[annotations]]\nprecedence = \"closest\"\n")]);
    let e = scs_oss::reuse::lint(&scs_oss::files(broken.path()).unwrap()).unwrap_err();
    assert_eq!(e.to_string(), "REUSE.toml:3: 'path' is missing");
}

#[test]
fn dep5_is_aggregated_with_headers() {
    let dir = tree(&[
        ("LICENSES/MIT.txt", MIT),
        ("LICENSES/CC0-1.0.txt", b"CC0\n"),
        ("LICENSES/GPL-3.0-or-later.txt", b"GPL\n"),
        (
            ".reuse/dep5",
            b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
Upstream-Name: tree\nSource: https://example.org/tree\n\n\
Files: *.json\nCopyright: 2024 Data People\nLicense: CC0-1.0\n\n\
Files: img/* doc/?.txt\nCopyright: 2020 Ada\n 2021 Bob\nLicense: MIT\n\n\
Files: img/special.svg\nCopyright: Special\nLicense: GPL-3.0-or-later\n",
        ),
        ("data/x.json", b"{}\n"),
        ("img/a.svg", b"<svg/>\n"),
        ("img/special.svg", b"<svg/>\n"),
        ("img/sub/b.png", b"\x89PNG\r\n\x1a\n\0"),
        ("doc/1.txt", b"SPDX-License-Identifier: GPL-3.0-or-later\n"),
        ("doc/10.txt", b"no header\n"),
        ("src/a.c", b"// SPDX-FileCopyrightText: Ada\n// SPDX-License-Identifier: MIT\n"),
        ("src/b.c", b"int b;\n"),
    ]);
    let verdict = agree(dir.path());
    assert_eq!(verdict["missing_licensing_info"], serde_json::json!(["doc/10.txt", "src/b.c"]));
    assert_eq!(verdict["used_licenses"], serde_json::json!(["CC0-1.0", "GPL-3.0-or-later", "MIT"]));
}

#[test]
fn this_repository() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let clone = tempfile::tempdir().unwrap();
    run(Command::new("git").args(["clone", "-q", "--no-hardlinks"]).arg(&repo).arg(clone.path().join("scs")));
    let verdict = agree(&clone.path().join("scs"));
    assert!(verdict["files_total"].as_u64().unwrap() > 100);
}

/// Expressions as REUSE parses them (the `license-expression` library it
/// uses, from the same environment): valid or not, and the licences named.
#[test]
fn expressions_parse_as_license_expression_parses_them() {
    let expressions = [
        "MIT",
        "mit or apache-2.0",
        "MIT/Apache-2.0",
        "MIT AND",
        "(MIT",
        "MIT)",
        "MIT OR",
        "GPL-2.0-only WITH Classpath-exception-2.0",
        "MIT WITH",
        "WITH MIT",
        "MIT Apache-2.0",
        "LicenseRef-foo",
        "MIT+",
        "GPL-2.0+ WITH X",
        "MIT OR (Apache-2.0 AND BSD-3-Clause)",
        "MIT with foo",
        "MIT,Apache",
        "MIT and or GPL",
        "(MIT) (X)",
        "MIT WITH A WITH B",
        "(MIT WITH A) WITH B",
        "MIT WITH (A)",
        "MIT OR MIT",
        "MIT  AND  MIT",
        "DocumentRef-x:LicenseRef-y",
        "a-b.c_d",
        "MIT AND AND Apache",
        "MIT OR with",
        "Foo Bar Baz",
        "Apache 2.0",
        "MIT*",
        "GPL-2.0 or later",
        "MIT\tOR Apache",
        "ÄÖ",
        "MIT;",
        "MIT OR (GPL AND (X OR Y))",
        "X WITH Y OR Z",
        "A WITH B AND C WITH D",
        "and",
        "MIT WITH Foo AND Bar",
        "\"MIT\"",
        "MIT -->",
        "*/",
        "((MIT))",
        "(MIT OR Apache-2.0) AND (GPL-2.0-only OR GPL-3.0-only)",
        "Apache-2.0 OR MIT OR",
        "MIT OR AND Apache-2.0",
        "MIT'",
        "LicenseRef-a_b",
        "MIT OR\u{a0}Apache-2.0",
        "A OR B AND C AND",
        "A AND B OR C AND",
        "A AND B AND C OR",
        "A OR B AND C OR",
        "A OR B WITH X OR",
        "A OR B AND",
        "(A OR B) AND C AND",
        "A AND (B) AND",
        "A OR B or",
        "A OR B OR AND",
        "(A OR B OR)",
        "(A OR B) OR",
        "A WITH X OR B OR",
    ];
    let script = r#"
import json, sys
from license_expression import Licensing, ExpressionError
licensing = Licensing()
out = []
for text in json.load(sys.stdin):
    try:
        parsed = licensing.parse(text, simple=True)
        out.append(licensing.license_keys(parsed) if parsed is not None else None)
    except ExpressionError:
        out.append(None)
print(json.dumps(out))
"#;
    let python = reuse_tool().with_file_name("python");
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(child.stdin.take().unwrap(), &expressions[..]).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let upstream: Vec<Option<Vec<String>>> = serde_json::from_slice(&out.stdout).unwrap();
    let differences: Vec<String> = expressions
        .iter()
        .zip(&upstream)
        .filter_map(|(text, theirs)| {
            let ours =
                scs_oss::reuse::expression::licences(text).ok().map(|l| l.into_iter().map(str::to_owned).collect());
            (ours != *theirs).then(|| format!("{text:?}: scs {ours:?}, license-expression {theirs:?}"))
        })
        .collect();
    assert!(differences.is_empty(), "{differences:#?}");
}
