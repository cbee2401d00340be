// SPDX-License-Identifier: Apache-2.0
//! scs-0104-v1 standard images: an image (class) named by the image spec is
//! present, and every image of it comes from the canonical source.
//!
//! The testcase ids are shared by the v4 and v5 image specs, so an id's
//! definition is taken from the newer spec (v5), else the older one.

use crate::{Facts, Outcome, fact};
use scs_standards::embedded::load_image_spec;
use scs_standards::image_spec::{ImageEntry, ImageSpec};
use std::sync::OnceLock;

/// The embedded v5 and v4 image specs, parsed once per process.
fn specs() -> &'static [ImageSpec] {
    static SPECS: OnceLock<Vec<ImageSpec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        ["scs-0104-v1-images-v5", "scs-0104-v1-images"].into_iter().filter_map(|s| load_image_spec(s).ok()).collect()
    })
}

/// The spec entry a `scs-0104-source-X` / `scs-0104-image-X` testcase is about.
pub fn definition(id: &str) -> Option<ImageEntry> {
    let key = id.strip_prefix("scs-0104-source-").or_else(|| id.strip_prefix("scs-0104-image-"))?;
    let (name, scheme): (&str, Option<&str>) = match key {
        "capi-1" => ("ubuntu-capi-image", Some("ubuntu-capi-image v")),
        "capi-2" => ("ubuntu-capi-image", Some("ubuntu-capi-image-v")),
        "ubuntu-2404" => ("Ubuntu 24.04", None),
        "ubuntu-2204" => ("Ubuntu 22.04", None),
        "ubuntu-2004" => ("Ubuntu 20.04", None),
        "debian-13" => ("Debian 13", None),
        "debian-12" => ("Debian 12", None),
        "debian-11" => ("Debian 11", None),
        "debian-10" => ("Debian 10", None),
        _ => return None,
    };
    for spec in specs() {
        let found = spec.images.iter().find(|e| {
            e.name == name && scheme.is_none_or(|s| e.name_scheme.as_deref().is_some_and(|n| n.starts_with(s)))
        });
        if let Some(entry) = found {
            return Some(entry.clone());
        }
    }
    // Debian 13 is not in either v1 spec yet; upstream's code knows its sources.
    (key == "debian-13").then(|| ImageEntry {
        name: "Debian 13".into(),
        name_scheme: None,
        source: scs_standards::image_spec::Sources::Many(vec![
            "https://cloud.debian.org/images/cloud/trixie/".into(),
            "https://cdimage.debian.org/cdimage/cloud/trixie/".into(),
        ]),
        status: scs_standards::image_spec::ImageStatus::Optional,
    })
}

fn matches(entry: &ImageEntry, name: &str) -> bool {
    match &entry.name_scheme {
        // anchored at the start only, as Python's re.match
        Some(scheme) => regex::Regex::new(&format!("^(?:{scheme})")).is_ok_and(|re| re.is_match(name)),
        None => entry.name == name,
    }
}

/// Decides a scs-0104 testcase.
pub fn decide(facts: &Facts, id: &str) -> Option<Outcome> {
    let entry = definition(id)?;
    Some(decide_entry(facts, id, &entry))
}

fn decide_entry(facts: &Facts, id: &str, entry: &ImageEntry) -> Outcome {
    let images = fact!(facts.images, "images");
    let matching: Vec<_> = images.iter().filter(|i| i.name.as_deref().is_some_and(|n| matches(entry, n))).collect();
    let what = entry.name_scheme.as_deref().map_or_else(|| format!("'{}'", entry.name), |s| format!("matching '{s}'"));
    if id.starts_with("scs-0104-image-") {
        return match matching.first() {
            Some(i) => Outcome::pass(vec![format!("{} is present", i.label())]),
            None => Outcome::fail(vec![format!("no public image {what}")]),
        };
    }
    let prefixes = entry.source.prefixes();
    let problems: Vec<String> = matching
        .iter()
        .filter_map(|i| {
            let source = i.property("image_source").unwrap_or_default();
            (!prefixes.iter().any(|p| source.starts_with(p.as_str())))
                .then(|| format!("{}: image_source '{source}' is not under {}", i.label(), prefixes.join(" or ")))
        })
        .collect();
    Outcome::from_problems(problems, format!("{} images {what} come from the canonical source", matching.len()))
}
