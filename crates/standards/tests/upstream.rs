// SPDX-License-Identifier: Apache-2.0
//! Compatibility with the upstream SCS files under `../shared/upstream`
//! (override with `SCS_UPSTREAM_DIR`; these tests fail without the files
//! unless `SCS_SKIP_UPSTREAM=1` opts out for a quick local run).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chrono::NaiveDate;
use scs_standards::embedded::{self, load_image_spec, load_scope};
use scs_standards::image_spec::ImageSpec;
use scs_standards::scope::{Scope, ScopeFormat};
use scs_standards::timeline::Validity;
use std::path::PathBuf;

fn upstream_dir() -> Option<PathBuf> {
    if std::env::var_os("SCS_SKIP_UPSTREAM").is_some() {
        return None;
    }
    let dir = std::env::var_os("SCS_UPSTREAM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/scs-standards"));
    assert!(dir.is_dir(), "{} is missing: set SCS_UPSTREAM_DIR, or SCS_SKIP_UPSTREAM=1 to opt out", dir.display());
    Some(dir)
}

fn upstream_scope(rel: &str) -> Option<Scope> {
    let path = upstream_dir()?.join("Tests").join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(Scope::from_yaml(&path.display().to_string(), &text).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn loads_the_upstream_scope_files_unchanged() {
    let Some(iaas) = upstream_scope("scs-compatible-iaas.yaml") else { return };
    assert_eq!(iaas.format, ScopeFormat::Modules);
    assert_eq!(iaas.uuid.as_deref(), Some("50393e6f-2ae1-4c5c-a62c-3b75f2abef3f"));
    let v51 = iaas.version("v5.1").expect("v5.1");
    assert_eq!(v51.main_target().len(), 54, "v5.1 main target has 54 testcases (spec §2.2)");
    assert_eq!(v51.stabilized_at, NaiveDate::from_ymd_opt(2024, 12, 19));
    assert!(iaas.testcase("key-manager-docs-check").is_some_and(|t| t.manual));

    let kaas = upstream_scope("scs-compatible-kaas.yaml").expect("kaas");
    assert_eq!(kaas.testcase("cncf-k8s-conformance").map(|t| t.lifetime.as_str()), Some("year"));
    assert_eq!(
        kaas.variables.iter().find(|v| v.name == "execution_mode").and_then(|v| v.default.as_deref()),
        Some("parallel")
    );

    let legacy = upstream_scope("testing/scs-compatible-test.yaml").expect("legacy");
    assert_eq!(legacy.format, ScopeFormat::Legacy);
    assert_eq!(legacy.versions.len(), 5);
    // v3 was stabilized 2023-06-15 and deprecated 2024-04-30
    let on = |d: &str, v: &str| legacy.standing(v, d.parse().expect("date")).validity;
    assert_eq!(on("2023-06-14", "v3"), Validity::Deprecated);
    assert_eq!(on("2023-06-15", "v3"), Validity::Effective);
    assert_eq!(on("2024-04-30", "v3"), Validity::Deprecated);
    assert_eq!(on("2020-01-01", "v5"), Validity::Draft);
    assert!(legacy.testcase("tls-configuration-check").is_some());
}

/// For every day from 2024-01-01 to 2027-12-31, our restated files and the
/// upstream ones select the same versions with the same validity and the same
/// testcases (per version: every target; and the manual ones).
#[test]
fn our_scopes_select_like_upstream_every_day() {
    let Some(_) = upstream_dir() else { return };
    for (alias, file) in
        [("scs-compatible-iaas", "scs-compatible-iaas.yaml"), ("scs-compatible-kaas", "scs-compatible-kaas.yaml")]
    {
        let ours = load_scope(alias).expect("embedded scope");
        let theirs = upstream_scope(file).expect("upstream scope");
        assert_eq!(ours.uuid, theirs.uuid);
        assert_eq!(ours.name, theirs.name);
        let mut day = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let end = NaiveDate::from_ymd_opt(2027, 12, 31).expect("date");
        let mut days = 0;
        while day <= end {
            let request = scs_standards::SelectionRequest::default();
            let a = ours.select(&request, day).expect("select ours");
            let b = theirs.select(&request, day).expect("select theirs");
            assert_eq!(a.versions, b.versions, "{alias} on {day}: versions");
            assert_eq!(sorted(&a.testcases), sorted(&b.testcases), "{alias} on {day}: testcases");
            assert_eq!(sorted(&a.manual), sorted(&b.manual), "{alias} on {day}: manual");
            for v in &a.versions {
                let (va, vb) = (ours.version(&v.name).expect("v"), theirs.version(&v.name).expect("v"));
                assert_eq!(va.targets, vb.targets, "{alias} {} on {day}: targets", v.name);
                assert_eq!(va.stabilized_at, vb.stabilized_at);
            }
            day = day.succ_opt().expect("next day");
            days += 1;
        }
        assert_eq!(days, 1461);
        // also every testcase's lifetime and section, which selection and expiry use
        for tc in &theirs.testcases {
            let mine = ours.testcase(&tc.id).unwrap_or_else(|| panic!("{alias}: missing {}", tc.id));
            assert_eq!((mine.lifetime, &mine.section, mine.manual), (tc.lifetime, &tc.section, tc.manual), "{}", tc.id);
        }
        assert_eq!(ours.testcases.len(), theirs.testcases.len(), "{alias}: testcase count");
    }
}

fn sorted(ids: &[String]) -> Vec<String> {
    let mut v = ids.to_vec();
    v.sort();
    v
}

#[test]
fn our_image_specs_equal_upstream() {
    let Some(dir) = upstream_dir() else { return };
    for name in ["scs-0104-v1-images", "scs-0104-v1-images-v5"] {
        let ours = load_image_spec(name).expect("embedded spec");
        let path = dir.join("Tests/iaas").join(format!("{name}.yaml"));
        let text = std::fs::read_to_string(&path).expect("upstream spec");
        let theirs = ImageSpec::from_yaml(&path.display().to_string(), &text).expect("parse");
        assert_eq!(ours, theirs, "{name}");
    }
    // versions name their spec by upstream URL; the file name selects ours
    let url =
        "https://raw.githubusercontent.com/SovereignCloudStack/standards/main/Tests/iaas/scs-0104-v1-images-v5.yaml";
    assert!(load_image_spec(url).is_ok());
}

#[test]
fn all_embedded_scopes_load() {
    let scopes = embedded::all_scopes().expect("embedded scopes");
    let names: Vec<&str> = scopes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["SCS-compatible IaaS", "SCS-compatible KaaS", "SCS standard images v2 (preview)", "SCS KaaS preview"]
    );
}

#[test]
fn scope_show_date_from_the_issue() {
    let iaas = load_scope("scs-compatible-iaas").expect("iaas");
    let day = NaiveDate::from_ymd_opt(2025, 3, 1).expect("date");
    assert_eq!(iaas.standing("v5.1", day).validity, Validity::Effective);
    assert_eq!(iaas.standing("v4", day).validity, Validity::Warn);
}
