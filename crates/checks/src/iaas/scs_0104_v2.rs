// SPDX-License-Identifier: Apache-2.0
//! scs-0104-v2 (Draft) standard images, found by their properties rather than
//! by fixed names.
//!
//! Upstream has not published testcase ids for v2 yet (standards#1276 was open
//! when our reference was taken), so the ids are ours, `scs-0104-v2-*`, and
//! live in the embedded `scs-0104-v2-preview` scope (docs/checks.md). Which
//! release is "latest" depends on the day: the checks measure against the day
//! the facts were gathered, as image recency does.

use crate::{Facts, Outcome, fact};
use chrono::{Datelike, NaiveDate};
use regex::Regex;
use scs_openstack::Image;
use std::sync::OnceLock;

/// Ubuntu LTS releases we know the codename of: (version, codename, release day).
const UBUNTU_LTS: &[(&str, &str, (i32, u32, u32))] = &[
    ("18.04", "bionic", (2018, 4, 26)),
    ("20.04", "focal", (2020, 4, 23)),
    ("22.04", "jammy", (2022, 4, 21)),
    ("24.04", "noble", (2024, 4, 25)),
    ("26.04", "resolute", (2026, 4, 23)),
];

/// Debian stable releases: (version, codename, release day).
const DEBIAN: &[(&str, &str, (i32, u32, u32))] = &[
    ("10", "buster", (2019, 7, 6)),
    ("11", "bullseye", (2021, 8, 14)),
    ("12", "bookworm", (2023, 6, 10)),
    ("13", "trixie", (2025, 8, 9)),
];

/// Where a generic image of a distribution must come from (`{}` = codename).
fn source_forms(distro: &str) -> &'static [&'static str] {
    match distro {
        "ubuntu" => &["https://cloud-images.ubuntu.com/releases/{}/", "https://cloud-images.ubuntu.com/{}/"],
        "debian" => &["https://cloud.debian.org/images/cloud/{}/", "https://cdimage.debian.org/cdimage/cloud/{}/"],
        _ => &[],
    }
}

const CAPI_SOURCES: [&str; 2] = [
    "https://nbg1.your-objectstorage.com/osism/openstack-k8s-capi-images/",
    // tolerated for compatibility
    "https://swift.services.a.regiocloud.tech/swift/v1/AUTH_b182637428444b9aa302bb8d5a5a418c/openstack-k8s-capi-images/",
];
const CAPI_DESCRIPTION: &str = "https://github.com/osism/k8s-capi-images";

/// Names of official CAPI images: either separator (the source rule), or the
/// dash scheme only (the presence rule). Matched at the start only, as
/// Python's `re.match`.
fn capi_name(dash_only: bool) -> &'static Regex {
    static EITHER: OnceLock<Regex> = OnceLock::new();
    static DASH: OnceLock<Regex> = OnceLock::new();
    let (cell, pattern) = if dash_only {
        (&DASH, r"^ubuntu-capi-image-v[0-9]\.[0-9]+(\.[0-9]+)?")
    } else {
        (&EITHER, r"^ubuntu-capi-image( |-)v[0-9]\.[0-9]+(\.[0-9]+)?")
    };
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|e| unreachable!("constant regex: {e}")))
}

/// The testcases of scs-0104-v2, in the order the preview scope lists them.
pub const TESTCASES: [&str; 7] = [
    "scs-0104-v2-source-generic",
    "scs-0104-v2-capi-properties",
    "scs-0104-v2-image-ubuntu-lts",
    "scs-0104-v2-image-ubuntu-previous-lts",
    "scs-0104-v2-image-debian-stable",
    "scs-0104-v2-image-debian-previous",
    "scs-0104-v2-image-capi",
];

/// Whether `id` is a scs-0104-v2 testcase decided here.
pub fn knows(id: &str) -> bool {
    TESTCASES.contains(&id)
}

fn day((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The Ubuntu LTS version required on `today` and the one before it.
///
/// An LTS ships in April of even years and is required from April 30 on; the
/// version follows from the calendar even where our codename table ends.
pub fn ubuntu_lts(today: NaiveDate) -> (String, String) {
    let mut year = today.year() - today.year().rem_euclid(2);
    if today < NaiveDate::from_ymd_opt(year, 4, 30).unwrap_or(NaiveDate::MIN) {
        year -= 2;
    }
    let v = |y: i32| format!("{:02}.04", y.rem_euclid(100));
    (v(year), v(year - 2))
}

/// The Debian stable version recommended on `today` (released at least a month
/// before) and the one before it.
pub fn debian_stable(today: NaiveDate) -> (String, String) {
    let due = |release: NaiveDate| release.checked_add_months(chrono::Months::new(1)).unwrap_or(NaiveDate::MAX);
    let current = DEBIAN.iter().rposition(|(_, _, d)| due(day(*d)) <= today).unwrap_or(0);
    let previous = current.saturating_sub(1);
    (DEBIAN[current].0.to_string(), DEBIAN[previous].0.to_string())
}

fn codename(distro: &str, version: &str) -> Option<&'static str> {
    let table = if distro == "ubuntu" { UBUNTU_LTS } else { DEBIAN };
    table.iter().find(|(v, _, _)| *v == version).map(|(_, c, _)| *c)
}

fn prop(image: &Image, key: &str) -> String {
    image.property(key).unwrap_or_default()
}

/// Decides a scs-0104-v2 testcase.
pub fn decide(facts: &Facts, id: &str) -> Option<Outcome> {
    let today = facts.now().date();
    Some(match id {
        "scs-0104-v2-source-generic" => source_generic(facts),
        "scs-0104-v2-capi-properties" => capi_properties(facts),
        "scs-0104-v2-image-ubuntu-lts" => present_generic(facts, "ubuntu", &ubuntu_lts(today).0, "latest LTS"),
        "scs-0104-v2-image-ubuntu-previous-lts" => {
            present_generic(facts, "ubuntu", &ubuntu_lts(today).1, "previous LTS")
        }
        "scs-0104-v2-image-debian-stable" => present_generic(facts, "debian", &debian_stable(today).0, "latest stable"),
        "scs-0104-v2-image-debian-previous" => {
            present_generic(facts, "debian", &debian_stable(today).1, "previous stable")
        }
        "scs-0104-v2-image-capi" => present_capi(facts),
        _ => return None,
    })
}

fn source_generic(facts: &Facts) -> Outcome {
    let images = fact!(facts.images, "images");
    let mut checked = 0;
    let mut problems = Vec::new();
    for image in images.iter().filter(|i| prop(i, "os_purpose") == "generic") {
        let distro = prop(image, "os_distro");
        let forms = source_forms(&distro);
        if forms.is_empty() {
            continue;
        }
        checked += 1;
        let version = prop(image, "os_version");
        let source = prop(image, "image_source");
        let ok = match codename(&distro, &version) {
            Some(code) => forms.iter().any(|f| source.starts_with(&f.replace("{}", code))),
            // a release newer than our table: any codename directory is accepted
            None => forms.iter().any(|f| {
                let base = f.trim_end_matches("{}/");
                source.strip_prefix(base).is_some_and(|rest| rest.split_once('/').is_some_and(|(c, _)| !c.is_empty()))
            }),
        };
        if !ok {
            let expected: Vec<String> = match codename(&distro, &version) {
                Some(code) => forms.iter().map(|f| f.replace("{}", code)).collect(),
                None => forms.iter().map(|f| f.replace("{}", "{codename}")).collect(),
            };
            problems.push(format!(
                "{} (os_distro {distro}, os_version '{version}'): image_source '{source}' is not under {}",
                image.label(),
                expected.join(" or ")
            ));
        }
    }
    Outcome::from_problems(problems, format!("{checked} generic Debian/Ubuntu images come from the vendor"))
}

fn capi_properties(facts: &Facts) -> Outcome {
    let images = fact!(facts.images, "images");
    let mut checked = 0;
    let mut problems = Vec::new();
    for image in images.iter().filter(|i| i.name.as_deref().is_some_and(|n| capi_name(false).is_match(n))) {
        checked += 1;
        let source = prop(image, "image_source");
        if !CAPI_SOURCES.iter().any(|p| source.starts_with(p)) {
            problems.push(format!(
                "{}: image_source '{source}' is not under {}",
                image.label(),
                CAPI_SOURCES.join(" or ")
            ));
        }
        let purpose = prop(image, "os_purpose");
        if purpose != "k8snode" {
            problems.push(format!("{}: os_purpose is '{purpose}', must be 'k8snode'", image.label()));
        }
        let description = prop(image, "image_description");
        if description.trim_end_matches('/') != CAPI_DESCRIPTION {
            problems
                .push(format!("{}: image_description is '{description}', must be '{CAPI_DESCRIPTION}'", image.label()));
        }
    }
    Outcome::from_problems(problems, format!("{checked} CAPI images carry the required properties"))
}

/// A visible image is one a user sees in the default listing.
fn visible(images: &[Image]) -> impl Iterator<Item = &Image> {
    images.iter().filter(|i| !i.os_hidden)
}

fn present_generic(facts: &Facts, distro: &str, version: &str, which: &str) -> Outcome {
    let images = fact!(facts.images, "images");
    let found = visible(images).find(|i| {
        prop(i, "os_distro") == distro && prop(i, "os_version") == version && prop(i, "os_purpose") == "generic"
    });
    match found {
        Some(i) => Outcome::pass(vec![format!("{} is {distro} {version} ({which}), os_purpose generic", i.label())]),
        None => Outcome::fail(vec![format!(
            "no visible image with os_distro={distro}, os_version={version} ({which} on {}), os_purpose=generic",
            facts.now().date()
        )]),
    }
}

fn present_capi(facts: &Facts) -> Outcome {
    let images = fact!(facts.images, "images");
    match visible(images).find(|i| i.name.as_deref().is_some_and(|n| capi_name(true).is_match(n))) {
        Some(i) => Outcome::pass(vec![format!("{} is present", i.label())]),
        None => Outcome::fail(vec!["no visible image named like 'ubuntu-capi-image-vX.Y[.Z]'".into()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn latest_ubuntu_lts_turns_over_on_april_30() {
        assert_eq!(ubuntu_lts(d("2026-04-29")), ("24.04".into(), "22.04".into()));
        assert_eq!(ubuntu_lts(d("2026-04-30")), ("26.04".into(), "24.04".into()));
        assert_eq!(ubuntu_lts(d("2027-01-01")), ("26.04".into(), "24.04".into()));
        assert_eq!(ubuntu_lts(d("2025-12-31")), ("24.04".into(), "22.04".into()));
        assert_eq!(ubuntu_lts(d("2100-05-01")), ("00.04".into(), "98.04".into()));
    }

    #[test]
    fn debian_stable_counts_after_a_month() {
        assert_eq!(debian_stable(d("2025-09-08")), ("12".into(), "11".into()));
        assert_eq!(debian_stable(d("2025-09-09")), ("13".into(), "12".into()));
        assert_eq!(debian_stable(d("2019-01-01")), ("10".into(), "10".into()));
    }

    #[test]
    fn capi_patterns_match_as_re_match() {
        assert!(capi_name(false).is_match("ubuntu-capi-image v1.33.4"));
        assert!(capi_name(false).is_match("ubuntu-capi-image-v1.33"));
        assert!(!capi_name(true).is_match("ubuntu-capi-image v1.33"));
        assert!(capi_name(true).is_match("ubuntu-capi-image-v1.33.4-extra"));
        assert!(!capi_name(false).is_match("my ubuntu-capi-image-v1.33"));
    }
}
