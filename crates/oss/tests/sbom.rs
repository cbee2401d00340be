// SPDX-License-Identifier: Apache-2.0
//! `scs sbom`'s reading of real lock files (this project's Cargo.lock, a
//! package-lock.json written by npm, a go.sum written by go), and its
//! documents checked by upstream validators: CycloneDX 1.6 JSON by
//! cyclonedx-python-lib's strict schema validator, SPDX 2.3 JSON by
//! spdx-tools (both installed from PyPI into a fresh virtual environment).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use scs_oss::sbom::{BomMeta, Component, Ecosystem, SbomError, components, cyclonedx, spdx};
use std::path::{Path, PathBuf};
use std::process::Command;

const META: BomMeta<'static> = BomMeta {
    subject: "test-subject",
    timestamp: "2026-12-05T12:00:00Z",
    uuid: "6f1b0d6e-0c5e-4a44-9b7e-0c3f2d1f8a11",
    tool_version: "0.1.0",
};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A package-lock.json as npm writes it, for two small packages.
fn npm_project(dir: &Path) {
    std::fs::write(dir.join("package.json"), r#"{"name": "sbom-test", "version": "1.0.0", "private": true}"#).unwrap();
    run(Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund", "email-validator@2.0.4", "is-number@7.0.0"])
        .current_dir(dir));
}

/// A go.sum as go writes it.
fn go_module(dir: &Path) {
    let cache = dir.join(".gocache");
    let go = |args: &[&str]| {
        run(Command::new("go")
            .args(args)
            .current_dir(dir)
            .env("GOMODCACHE", cache.join("mod"))
            .env("GOCACHE", cache.join("build"))
            .env("GOFLAGS", "-modcacherw"));
    };
    go(&["mod", "init", "example.org/sbomtest"]);
    go(&["get", "github.com/google/uuid@v1.6.0"]);
    std::fs::remove_dir_all(&cache).ok();
}

fn find<'a>(list: &'a [Component], ecosystem: Ecosystem, name: &str) -> &'a Component {
    list.iter()
        .find(|c| c.ecosystem == ecosystem && c.name == name)
        .unwrap_or_else(|| panic!("{name} missing from {list:#?}"))
}

#[test]
fn lock_files_of_four_ecosystems_give_documents_that_upstream_validators_accept() {
    // this project's Cargo.lock: every registry package, each with the licence its crate states
    let cargo = components(&workspace().join("Cargo.lock")).unwrap();
    let lock = std::fs::read_to_string(workspace().join("Cargo.lock")).unwrap();
    assert_eq!(cargo.len(), lock.matches("\nsource = \"registry+").count());
    let serde = find(&cargo, Ecosystem::Cargo, "serde");
    assert_eq!(serde.licence.as_deref(), Some("MIT OR Apache-2.0"));
    assert_eq!(serde.hash.as_ref().unwrap().1.len(), 64);

    let npm_dir = tempfile::tempdir().unwrap();
    npm_project(npm_dir.path());
    let npm = components(npm_dir.path()).unwrap();
    let validator = find(&npm, Ecosystem::Npm, "email-validator");
    // the lock names no licence for it: its package.json states it the legacy way (`licenses: [{type}]`)
    assert_eq!((validator.version.as_str(), validator.licence.as_deref()), ("2.0.4", Some("MIT")));
    assert_eq!(validator.hash.as_ref().unwrap().1.len(), 128, "sha512 as hex");
    assert_eq!(find(&npm, Ecosystem::Npm, "is-number").licence.as_deref(), Some("MIT"));

    let go_dir = tempfile::tempdir().unwrap();
    go_module(go_dir.path());
    let go = components(go_dir.path()).unwrap();
    assert_eq!(find(&go, Ecosystem::Go, "github.com/google/uuid").version, "v1.6.0");

    let py_dir = tempfile::tempdir().unwrap();
    std::fs::write(
        py_dir.path().join("requirements.txt"),
        "# pinned\nrequests[socks]==2.32.3 ; python_version >= \"3.8\" \\\n    --hash=sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6\nPyYAML==6.0.2  # yaml\n-r other.txt\nsix>=1.16\n",
    )
    .unwrap();
    let py = components(py_dir.path()).unwrap();
    assert_eq!(py.len(), 2, "{py:#?}");
    assert_eq!(find(&py, Ecosystem::Pypi, "requests").hash.as_ref().unwrap().1.len(), 64);

    let documents: Vec<(String, serde_json::Value)> = [("cargo", &cargo), ("npm", &npm), ("go", &go), ("pypi", &py)]
        .into_iter()
        .flat_map(|(name, list)| {
            [(format!("{name}.cdx.json"), cyclonedx(list, &META)), (format!("{name}.spdx.json"), spdx(list, &META))]
        })
        .collect();
    // controls: one flaw each, which the validators must report
    let mut documents = documents;
    let mut broken = cyclonedx(&cargo, &META);
    broken["components"][0]["hashes"][0]["alg"] = "SHA-257".into();
    documents.push(("broken.cdx.json".into(), broken));
    let mut broken = spdx(&cargo, &META);
    broken["packages"][1]["licenseDeclared"] = "MIT OR (".into();
    documents.push(("broken.spdx.json".into(), broken));
    let out = tempfile::tempdir().unwrap();
    for (file, document) in &documents {
        std::fs::write(out.path().join(file), serde_json::to_string_pretty(document).unwrap()).unwrap();
    }
    let verdicts = validate(out.path(), documents.iter().map(|(f, _)| f.as_str()));
    let flagged: std::collections::BTreeSet<&str> = verdicts
        .lines()
        .filter_map(|l| l.split(": ").next())
        .filter_map(|p| Path::new(p).file_name()?.to_str())
        .collect();
    assert_eq!(flagged, ["broken.cdx.json", "broken.spdx.json"].into(), "validators' findings:\n{verdicts}");
}

/// Runs cyclonedx-python-lib and spdx-tools over the files; prints one line per problem.
fn validate<'a>(dir: &Path, files: impl Iterator<Item = &'a str>) -> String {
    let venv = tempfile::tempdir().unwrap();
    run(Command::new("python3").arg("-m").arg("venv").arg(venv.path()));
    let python = venv.path().join("bin/python");
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        "cyclonedx-python-lib[json-validation]==11.*",
        "spdx-tools==0.8.*",
    ]));
    let script = r#"
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
cdx = JsonStrictValidator(SchemaVersion.V1_6)
for path in sys.argv[1:]:
    if path.endswith(".cdx.json"):
        error = cdx.validate_str(open(path).read())
        if error is not None:
            print(f"{path}: {str(error).splitlines()[0]}")
    else:
        try:
            messages = validate_full_spdx_document(parse_file(path))
        except Exception as e:
            messages = [e]
        for m in messages:
            print(f"{path}: {str(getattr(m, 'validation_message', m)).splitlines()[0]}")
"#;
    run(Command::new(&python).arg("-c").arg(script).args(files.map(|f| dir.join(f))))
}

#[test]
fn bad_lock_files_are_refused_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let e = components(&write("Cargo.lock", "version = 3\n\n[[package]]\nname = \"a\"\nversion = \n")).unwrap_err();
    assert!(e.to_string().contains("Cargo.lock:5: "), "{e}");
    let e = components(&write("package-lock.json", "{\n  \"packages\": {\n    \"node_modules/a\": [\n")).unwrap_err();
    assert!(e.to_string().contains("package-lock.json:"), "{e}");
    assert!(matches!(e, SbomError::Parse { line, .. } if line >= 3), "{e}");
    let e = components(&write("go.sum", "example.org/a v1.0.0 h1:abc=\nexample.org/b v1.0.0\n")).unwrap_err();
    assert!(e.to_string().ends_with("go.sum:2: expected `MODULE VERSION h1:HASH`"), "{e}");
    let e = components(&write("requirements.txt", "==1.0\n")).unwrap_err();
    assert!(e.to_string().contains("requirements.txt:1: "), "{e}");

    let empty = tempfile::tempdir().unwrap();
    let e = components(empty.path()).unwrap_err();
    assert!(matches!(e, SbomError::NothingToRead { .. }), "{e}");
    let e = components(&empty.path().join("missing")).unwrap_err();
    assert!(e.to_string().starts_with(&empty.path().join("missing").display().to_string()), "{e}");
}
