// SPDX-License-Identifier: Apache-2.0
//! The house rules, checked on the source tree: the crate graph in the
//! README equals the `Cargo.toml` files and its arrows point down; no two
//! top-level modules of a crate import each other; no source file is over
//! 600 lines without its `//!` saying why ("over 600 lines because …").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn crates() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(workspace().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The package name and its `scs-*` normal dependencies.
fn manifest(dir: &Path) -> (String, BTreeSet<String>) {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    let name = doc["package"]["name"].as_str().unwrap().to_owned();
    let deps = doc.get("dependencies").and_then(|d| d.as_table()).map_or_else(BTreeSet::new, |t| {
        t.keys().filter(|k| k.starts_with("scs-") || k.as_str() == "scs").cloned().collect()
    });
    (name, deps)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_readme_crate_graph_is_the_real_one_and_points_down() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let section = readme.split("## Crate graph").nth(1).expect("README has a Crate graph section");
    let block = section.split("```text").nth(1).unwrap().split("```").next().unwrap();
    let listed: Vec<(String, BTreeSet<String>)> = block
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (name, deps) = l.split_once("->").unwrap_or_else(|| panic!("README crate graph line {l:?}"));
            (name.trim().to_owned(), deps.split_whitespace().map(str::to_owned).collect())
        })
        .collect();
    let real: BTreeMap<String, BTreeSet<String>> = crates().iter().map(|d| manifest(d)).collect();
    let names: BTreeSet<String> = listed.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(names, real.keys().cloned().collect::<BTreeSet<_>>(), "the README lists every crate once");
    for (i, (name, deps)) in listed.iter().enumerate() {
        assert_eq!(deps, &real[name], "README crate graph: dependencies of {name}");
        let below: BTreeSet<&String> = listed[i + 1..].iter().map(|(n, _)| n).collect();
        for dep in deps {
            assert!(below.contains(dep), "{name} -> {dep} points up: list {dep} below {name}");
        }
    }
}

/// The top-level modules of a crate's `src` each references (`crate::x`,
/// and names the crate root re-exports from `x`), outside comments and
/// `#[cfg(test)]` code.
fn module_references(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let root = ["lib.rs", "main.rs"].iter().map(|f| src.join(f)).find(|p| p.is_file()).unwrap();
    let root_text = std::fs::read_to_string(&root).unwrap();
    // `pub use x::{A, B};` / `pub use x::A;` in the root: crate::A means x
    let mut reexports: BTreeMap<String, String> = BTreeMap::new();
    for line in root_text.lines().filter_map(|l| l.trim().strip_prefix("pub use ")) {
        let Some((module, names)) = line.trim_end_matches(';').split_once("::") else { continue };
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.split("::").last().unwrap().trim();
            reexports.insert(name.to_owned(), module.to_owned());
        }
    }
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut refs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let top = rel.iter().next().unwrap().to_string_lossy().trim_end_matches(".rs").to_owned();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let entry = refs.entry(top.clone()).or_default();
        for line in code.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let mut names = vec![rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap()];
                if let Some(group) = rest.strip_prefix('{') {
                    names = group
                        .split('}')
                        .next()
                        .unwrap()
                        .split(',')
                        .map(|n| n.trim().split("::").next().unwrap())
                        .collect();
                }
                for name in names {
                    let module = reexports.get(name).cloned().unwrap_or_else(|| name.to_owned());
                    if module != top && !module.is_empty() {
                        entry.insert(module);
                    }
                }
            }
        }
    }
    refs
}

#[test]
fn no_two_modules_of_a_crate_import_each_other() {
    let mut cycles = Vec::new();
    for dir in crates() {
        let refs = module_references(&dir.join("src"));
        for (a, targets) in &refs {
            for b in targets {
                if a < b && refs.get(b).is_some_and(|t| t.contains(a)) {
                    cycles.push(format!("{}: {a} <-> {b}", dir.file_name().unwrap().to_string_lossy()));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "modules that import each other:\n{}", cycles.join("\n"));
}

#[test]
fn long_source_files_say_why() {
    let mut unexplained = Vec::new();
    for dir in crates() {
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let lines = text.lines().count();
            let doc: String = text.lines().filter(|l| l.starts_with("//!")).collect::<Vec<_>>().join(" ");
            if lines > 600 && !doc.contains("over 600 lines because") {
                unexplained.push(format!("{} ({lines} lines)", file.strip_prefix(workspace()).unwrap().display()));
            }
        }
    }
    assert!(unexplained.is_empty(), "over 600 lines without a reason in //!:\n{}", unexplained.join("\n"));
}
