// SPDX-License-Identifier: Apache-2.0
//! Licence detection against what real crates state: the crate sources cargo
//! unpacked into the local registry (`$CARGO_HOME/registry/src`, filled by
//! building this workspace) each state `license` in Cargo.toml and ship
//! licence files; what the detector reads in those files must be among the
//! licences the crate states, for at least 50 crates.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use scs_oss::licence::licence_files;
use scs_oss::sbom::{cargo_registry_sources, crate_licence};
use std::path::PathBuf;

fn registry_crates() -> Vec<PathBuf> {
    let indexes = cargo_registry_sources();
    assert!(!indexes.is_empty(), "the local cargo registry is empty (build the workspace first)");
    let mut crates: Vec<PathBuf> = indexes
        .iter()
        .flat_map(|index| std::fs::read_dir(index).unwrap().filter_map(Result::ok).map(|e| e.path()))
        .collect();
    crates.sort();
    crates
}

#[test]
fn detected_licence_texts_agree_with_what_crates_state() {
    let mut agree = Vec::new();
    let mut disagree = Vec::new();
    let mut undetected = 0;
    // the first 100 crates (by name) with licence files: enough for the 50, bounded in
    // time; SCS_LICENCE_CRATES=N examines N
    let limit: usize = std::env::var("SCS_LICENCE_CRATES").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let mut examined = 0;
    for dir in registry_crates() {
        if examined == limit {
            break;
        }
        let Some(stated) = crate_licence(&dir) else { continue };
        let Ok(expression) = spdx::Expression::parse_mode(&stated, spdx::ParseMode::LAX) else { continue };
        let ids: Vec<String> = expression
            .requirements()
            .filter_map(|r| match &r.req.license {
                spdx::LicenseItem::Spdx { id, .. } => Some(id.name.to_owned()),
                spdx::LicenseItem::Other { .. } => None,
            })
            .collect();
        let files = licence_files(&dir);
        if files.is_empty() {
            continue;
        }
        examined += 1;
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        for (file, detected) in files {
            match detected {
                // a text that names no licence closely enough (a notice, a combined file) is not counted
                None => undetected += 1,
                Some(d) if ids.iter().any(|id| id == &d.id || d.id.starts_with(&format!("{id}-"))) => {
                    agree.push(format!("{name}/{file}: {} ({:.2})", d.id, d.score));
                }
                Some(d) => disagree.push(format!("{name}/{file}: detected {} ({:.2}), stated {stated}", d.id, d.score)),
            }
        }
    }
    let crates: std::collections::BTreeSet<&str> = agree.iter().filter_map(|a| a.split('/').next()).collect();
    println!(
        "{} licence files agree (in {} crates), {} disagree, {undetected} not recognised",
        agree.len(),
        crates.len(),
        disagree.len()
    );
    assert!(crates.len() >= 50, "only {} crates agree; disagreements: {disagree:#?}", crates.len());
    // every recognised text is a licence the crate states
    assert!(disagree.is_empty(), "{disagree:#?}");
    assert!(undetected * 5 < agree.len(), "{undetected} texts not recognised");
}
