// SPDX-License-Identifier: Apache-2.0
//! Software bills of materials from the lock files of a checkout: what a
//! build pulls in, by ecosystem, with the licence where a manifest states it.
//!
//! Read: `Cargo.lock` (licences from the crates' own `Cargo.toml` in the
//! local cargo registry, when present: the lock file names none),
//! `package-lock.json` (v1–v3; its `license` fields, else the installed
//! package's own `package.json`), pinned
//! `requirements*.txt` lines (`name==version`, with `--hash`es) and `go.sum`.
//! Written: CycloneDX 1.6 JSON and SPDX 2.3 JSON.

use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A package manager's namespace, as package URLs name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ecosystem {
    /// crates.io (`pkg:cargo`).
    Cargo,
    /// The npm registry (`pkg:npm`).
    Npm,
    /// PyPI (`pkg:pypi`).
    Pypi,
    /// Go modules (`pkg:golang`).
    Go,
}

/// One dependency.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Component {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Name as the ecosystem spells it (`@scope/name` for npm, module path for Go).
    pub name: String,
    /// Exact version.
    pub version: String,
    /// SPDX licence expression as the manifest states it, if it does.
    pub licence: Option<String>,
    /// SHA-256 or SHA-512 of the artefact, hex, where the lock file records it.
    pub hash: Option<(HashAlgorithm, String)>,
    /// The lock file it was read from, relative to the checkout.
    pub source: PathBuf,
}

/// Digest algorithms lock files record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

/// Why a lock file could not be read; each names the file and, where known, the line.
#[derive(Debug, thiserror::Error)]
#[allow(missing_docs)] // the fields are what the messages say
pub enum SbomError {
    /// The path cannot be read.
    #[error("{}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    /// A lock file does not parse.
    #[error("{}:{line}: {reason}", path.display())]
    Parse { path: PathBuf, line: usize, reason: String },
    /// No lock file the tool reads.
    #[error("{}: no Cargo.lock, package-lock.json, requirements*.txt or go.sum", path.display())]
    NothingToRead { path: PathBuf },
}

/// The components of the lock files directly in `dir` (or of `dir` itself
/// when it is a lock file), sorted and without duplicates.
pub fn components(dir: &Path) -> Result<Vec<Component>, SbomError> {
    let files: Vec<PathBuf> = if dir.is_file() {
        vec![dir.to_owned()]
    } else {
        let entries = std::fs::read_dir(dir).map_err(|e| read_error(dir, &e))?;
        let mut files: Vec<PathBuf> =
            entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| kind(p).is_some()).collect();
        files.sort();
        files
    };
    if files.is_empty() {
        return Err(SbomError::NothingToRead { path: dir.to_owned() });
    }
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| read_error(&file, &e))?;
        let relative = PathBuf::from(file.file_name().unwrap_or_default());
        let mut found = parse_lock(&file, &text)?;
        for c in &mut found {
            c.source.clone_from(&relative);
        }
        out.extend(found);
    }
    out.sort();
    out.dedup_by(|a, b| a.ecosystem == b.ecosystem && a.name == b.name && a.version == b.version);
    Ok(out)
}

/// The components of one lock file's text; its file name says the format
/// (anything else gives none). Licences are looked up beside `path`.
pub fn parse_lock(path: &Path, text: &str) -> Result<Vec<Component>, SbomError> {
    match kind(path) {
        Some(Ecosystem::Cargo) => cargo_lock(path, text),
        Some(Ecosystem::Npm) => package_lock(path, text),
        Some(Ecosystem::Pypi) => requirements(path, text),
        Some(Ecosystem::Go) => go_sum(path, text),
        None => Ok(Vec::new()),
    }
}

fn read_error(path: &Path, e: &std::io::Error) -> SbomError {
    SbomError::Read { path: path.to_owned(), reason: e.to_string() }
}

fn kind(path: &Path) -> Option<Ecosystem> {
    let name = path.file_name()?.to_str()?;
    match name {
        "Cargo.lock" => Some(Ecosystem::Cargo),
        "package-lock.json" => Some(Ecosystem::Npm),
        "go.sum" => Some(Ecosystem::Go),
        _ if name.starts_with("requirements") && name.ends_with(".txt") => Some(Ecosystem::Pypi),
        _ => None,
    }
}

fn component(ecosystem: Ecosystem, name: &str, version: &str) -> Component {
    Component {
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        licence: None,
        hash: None,
        source: PathBuf::new(),
    }
}

#[derive(Deserialize)]
struct CargoLock {
    #[serde(default)]
    package: Vec<CargoPackage>,
}

#[derive(Deserialize)]
struct CargoPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
}

/// Packages from a registry; the workspace's own (no `source`) are the subject, not components.
fn cargo_lock(path: &Path, text: &str) -> Result<Vec<Component>, SbomError> {
    let lock: CargoLock = toml::from_str(text).map_err(|e| SbomError::Parse {
        path: path.to_owned(),
        line: e.span().map_or(0, |s| line_of(text, s.start)),
        reason: e.message().to_owned(),
    })?;
    let registry = cargo_registry_sources();
    Ok(lock
        .package
        .into_iter()
        .filter(|p| p.source.is_some())
        .map(|p| {
            let mut c = component(Ecosystem::Cargo, &p.name, &p.version);
            c.hash = p.checksum.map(|h| (HashAlgorithm::Sha256, h));
            c.licence = registry.iter().find_map(|dir| crate_licence(&dir.join(format!("{}-{}", p.name, p.version))));
            c
        })
        .collect())
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.lines().count().max(1))
}

/// `$CARGO_HOME/registry/src/*`: where cargo unpacked the crates it downloaded.
pub fn cargo_registry_sources() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry/src")) else { return Vec::new() };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(src)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// The `package.license` of an unpacked crate.
pub fn crate_licence(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let manifest: toml::Table = toml::from_str(&text).ok()?;
    manifest.get("package")?.get("license")?.as_str().map(str::to_owned)
}

#[derive(Deserialize)]
struct PackageLock {
    #[serde(default)]
    packages: BTreeMap<String, NpmPackage>,
    #[serde(default)]
    dependencies: BTreeMap<String, NpmPackage>,
}

#[derive(Deserialize)]
struct NpmPackage {
    version: Option<String>,
    integrity: Option<String>,
    license: Option<Value>,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    dependencies: Value,
}

fn package_lock(path: &Path, text: &str) -> Result<Vec<Component>, SbomError> {
    let lock: PackageLock = serde_json::from_str(text).map_err(|e| SbomError::Parse {
        path: path.to_owned(),
        line: e.line(),
        reason: e.to_string(),
    })?;
    let mut out = Vec::new();
    if !lock.packages.is_empty() {
        // v2/v3: "node_modules/a/node_modules/@s/b" → @s/b; "" is the project itself
        for (key, p) in &lock.packages {
            let Some((_, name)) = key.rsplit_once("node_modules/") else { continue };
            let (Some(version), false) = (&p.version, p.link) else { continue };
            let mut c = npm_component(name, version, p);
            if c.licence.is_none() {
                // older packages state it only in their own package.json, which the lock does not copy
                c.licence = path.parent().and_then(|dir| installed_npm_licence(&dir.join(key)));
            }
            out.push(c);
        }
    } else {
        // v1: "dependencies", nested
        lock_v1(&lock.dependencies, &mut out);
    }
    Ok(out)
}

/// v1 lock files nest `dependencies`; serde_json's recursion limit bounds the depth.
fn lock_v1(dependencies: &BTreeMap<String, NpmPackage>, out: &mut Vec<Component>) {
    for (name, p) in dependencies {
        if let Some(version) = &p.version {
            out.push(npm_component(name, version, p));
        }
        if let Ok(children) = serde_json::from_value::<BTreeMap<String, NpmPackage>>(p.dependencies.clone()) {
            lock_v1(&children, out);
        }
    }
}

/// The licence an installed package's `package.json` states: `license`
/// (a string or `{type}`), or the legacy `licenses` list (alternatives).
fn installed_npm_licence(dir: &Path) -> Option<String> {
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).ok()?).ok()?;
    if let Some(licence) = npm_licence(manifest.get("license")) {
        return Some(licence);
    }
    let types: Vec<&str> =
        manifest.get("licenses")?.as_array()?.iter().filter_map(|l| l.get("type")?.as_str()).collect();
    (!types.is_empty()).then(|| types.join(" OR "))
}

fn npm_licence(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn npm_component(name: &str, version: &str, p: &NpmPackage) -> Component {
    let mut c = component(Ecosystem::Npm, name, version);
    c.licence = npm_licence(p.license.as_ref());
    c.hash = p.integrity.as_deref().and_then(sri_hash);
    c
}

/// `sha512-BASE64` (a subresource-integrity string) as hex.
fn sri_hash(integrity: &str) -> Option<(HashAlgorithm, String)> {
    use base64::Engine as _;
    let (alg, digest) = integrity.split_whitespace().next()?.split_once('-')?;
    let alg = match alg {
        "sha512" => HashAlgorithm::Sha512,
        "sha256" => HashAlgorithm::Sha256,
        _ => return None,
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(digest).ok()?;
    Some((alg, bytes.iter().map(|b| format!("{b:02x}")).collect()))
}

/// Pinned lines (`name==version`, extras and markers allowed); others are skipped.
fn requirements(path: &Path, text: &str) -> Result<Vec<Component>, SbomError> {
    let mut out: Vec<Component> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split(" #").next().unwrap_or_default().trim().trim_end_matches('\\').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(hash) = line.strip_prefix("--hash=sha256:") {
            if let Some(last) = out.last_mut().filter(|c| c.hash.is_none()) {
                last.hash = Some((HashAlgorithm::Sha256, hash.trim().to_owned()));
            }
            continue;
        }
        if line.starts_with('-') {
            continue; // -r, -c, --index-url, …
        }
        let spec = line.split(';').next().unwrap_or_default();
        let Some((name, version)) = spec.split_once("==") else { continue };
        let name = name.split('[').next().unwrap_or_default().trim();
        let version = version.split_whitespace().next().unwrap_or_default();
        if name.is_empty() || version.is_empty() {
            return Err(SbomError::Parse { path: path.to_owned(), line: i + 1, reason: format!("{raw:?} is no pin") });
        }
        let mut c = component(Ecosystem::Pypi, name, version);
        if let Some(hash) = line.split_whitespace().find_map(|w| w.strip_prefix("--hash=sha256:")) {
            c.hash = Some((HashAlgorithm::Sha256, hash.to_owned()));
        }
        out.push(c);
    }
    Ok(out)
}

/// Modules whose content (not only `go.mod`) go.sum records.
fn go_sum(path: &Path, text: &str) -> Result<Vec<Component>, SbomError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            [_, version, _] if version.ends_with("/go.mod") => {}
            [module, version, hash] if hash.starts_with("h1:") => out.push(component(Ecosystem::Go, module, version)),
            _ => {
                return Err(SbomError::Parse {
                    path: path.to_owned(),
                    line: i + 1,
                    reason: "expected `MODULE VERSION h1:HASH`".to_owned(),
                });
            }
        }
    }
    Ok(out)
}

/// The package URL (purl spec) of a component.
pub fn purl(c: &Component) -> String {
    let encode = |s: &str| s.replace('@', "%40");
    match c.ecosystem {
        Ecosystem::Cargo => format!("pkg:cargo/{}@{}", c.name, c.version),
        Ecosystem::Npm => format!("pkg:npm/{}@{}", encode(&c.name), c.version),
        Ecosystem::Pypi => format!("pkg:pypi/{}@{}", c.name.to_lowercase().replace('_', "-"), c.version),
        Ecosystem::Go => format!("pkg:golang/{}@{}", c.name, c.version),
    }
}

/// A licence as a valid SPDX expression: as stated, or with cargo's old `/`
/// for `OR`; `None` where it is no SPDX expression.
pub fn spdx_expression(licence: &str) -> Option<String> {
    if spdx::Expression::parse(licence).is_ok() {
        return Some(licence.to_owned());
    }
    let ors = licence.split('/').map(str::trim).collect::<Vec<_>>().join(" OR ");
    spdx::Expression::parse(&ors).is_ok().then_some(ors)
}

/// What the document says about itself.
pub struct BomMeta<'a> {
    /// The subject (the checkout's name).
    pub subject: &'a str,
    /// RFC 3339 UTC time of writing.
    pub timestamp: &'a str,
    /// A fresh UUID for the serial number and the SPDX namespace.
    pub uuid: &'a str,
    /// The writing tool's version.
    pub tool_version: &'a str,
}

/// CycloneDX 1.6 JSON.
pub fn cyclonedx(components: &[Component], meta: &BomMeta<'_>) -> Value {
    let list: Vec<Value> = components
        .iter()
        .map(|c| {
            let purl = purl(c);
            let mut v = json!({"type": "library", "bom-ref": purl, "name": c.name, "version": c.version, "purl": purl});
            if let Some((alg, hex)) = &c.hash {
                let alg = match alg {
                    HashAlgorithm::Sha256 => "SHA-256",
                    HashAlgorithm::Sha512 => "SHA-512",
                };
                v["hashes"] = json!([{"alg": alg, "content": hex}]);
            }
            match c.licence.as_deref().map(|l| (l, spdx_expression(l))) {
                Some((_, Some(expression))) => v["licenses"] = json!([{"expression": expression}]),
                Some((stated, None)) => v["licenses"] = json!([{"license": {"name": stated}}]),
                None => {}
            }
            v
        })
        .collect();
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", meta.uuid),
        "version": 1,
        "metadata": {
            "timestamp": meta.timestamp,
            "tools": {"components": [{"type": "application", "name": "scs", "version": meta.tool_version}]},
            "component": {"type": "application", "bom-ref": "subject", "name": meta.subject},
        },
        "components": list,
        "dependencies": [{"ref": "subject", "dependsOn": components.iter().map(purl).collect::<Vec<_>>()}],
    })
}

/// SPDX 2.3 JSON.
pub fn spdx(components: &[Component], meta: &BomMeta<'_>) -> Value {
    let id = |i: usize| format!("SPDXRef-Package-{i}");
    let mut packages = vec![json!({
        "name": meta.subject, "SPDXID": "SPDXRef-Subject", "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false, "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Subject",
    })];
    for (i, c) in components.iter().enumerate() {
        let declared = c.licence.as_deref().and_then(spdx_expression).unwrap_or_else(|| "NOASSERTION".to_owned());
        let mut p = json!({
            "name": c.name, "SPDXID": id(i), "versionInfo": c.version, "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false, "licenseConcluded": "NOASSERTION", "licenseDeclared": declared,
            "copyrightText": "NOASSERTION",
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl(c)}],
        });
        if let Some((alg, hex)) = &c.hash {
            let alg = match alg {
                HashAlgorithm::Sha256 => "SHA256",
                HashAlgorithm::Sha512 => "SHA512",
            };
            p["checksums"] = json!([{"algorithm": alg, "checksumValue": hex}]);
        }
        packages.push(p);
        relationships.push(json!({
            "spdxElementId": "SPDXRef-Subject", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": id(i),
        }));
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": meta.subject,
        "documentNamespace": format!("https://scs.community/spdxdocs/{}-{}", meta.subject.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-"), meta.uuid),
        "creationInfo": {"created": meta.timestamp, "creators": [format!("Tool: scs-{}", meta.tool_version)]},
        "packages": packages,
        "relationships": relationships,
    })
}
