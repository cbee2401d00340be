// SPDX-License-Identifier: Apache-2.0
//! scs-0102 image metadata: every public or community image (hidden ones
//! included) carries meaningful values for the mandatory properties; outdated
//! images are marked and replaced; generic images are unique per distribution.

use super::Options;
use crate::{Facts, Outcome};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use scs_openstack::Image;
use std::collections::BTreeMap;

const PROPERTIES: [&str; 18] = [
    "architecture",
    "hash_algo",
    "min_disk",
    "min_ram",
    "os_version",
    "os_distro",
    "os_purpose",
    "hw_disk_bus",
    "hypervisor_type",
    "hw_rng_model",
    "image_build_date",
    "image_original_user",
    "image_source",
    "image_description",
    "replace_frequency",
    "provided_until",
    "uuid_validity",
    "hotfix_hours",
];

/// Whether `id` is a scs-0102 testcase decided here.
pub fn knows(id: &str) -> bool {
    matches!(id, "scs-0102-image-recency" | "scs-0102-os_purpose-uniqueness")
        || id.strip_prefix("scs-0102-prop-").is_some_and(|p| PROPERTIES.contains(&p))
}

/// Decides a scs-0102 testcase.
pub fn decide(facts: &Facts, id: &str, options: &Options) -> Option<Outcome> {
    let images = match &facts.images {
        Ok(images) => images,
        Err(reason) => return Some(Outcome::abort(format!("cannot read images: {reason}"))),
    };
    Some(match id {
        "scs-0102-image-recency" => recency(images, facts.now()),
        "scs-0102-os_purpose-uniqueness" => uniqueness(images),
        _ => {
            let property = id.strip_prefix("scs-0102-prop-")?;
            let mut problems = Vec::new();
            for image in images {
                if let Err(problem) = check_property(image, property, facts.now(), options) {
                    problems.push(format!("{}: {property} {problem}", image.label()));
                }
            }
            Outcome::from_problems(problems, format!("{} images have a valid {property}", images.len()))
        }
    })
}

fn one_of(value: Option<String>, allowed: &[&str], unset_ok: bool) -> Result<(), String> {
    match value {
        None if unset_ok => Ok(()),
        None => Err(format!("not set (expected one of {})", allowed.join(", "))),
        Some(v) if allowed.contains(&v.as_str()) => Ok(()),
        Some(v) => Err(format!("'{v}' is not one of {}", allowed.join(", "))),
    }
}

fn non_empty(value: Option<String>) -> Result<(), String> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(()),
        Some(_) => Err("is empty".into()),
        None => Err("not set".into()),
    }
}

/// Parses the date formats scs-0102 accepts for `image_build_date`.
pub fn parse_date(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    for format in ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(|d| d.and_time(chrono::NaiveTime::MIN))
}

fn created_at(image: &Image) -> Option<NaiveDateTime> {
    image.created_at.as_deref().and_then(|c| {
        NaiveDateTime::parse_from_str(c.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S").ok().or_else(|| parse_date(c))
    })
}

fn check_property(image: &Image, property: &str, now: NaiveDateTime, options: &Options) -> Result<(), String> {
    let prop = |k: &str| image.property(k);
    match property {
        "architecture" => one_of(prop("architecture"), &["x86_64", "aarch64", "risc-v"], false),
        "hash_algo" => one_of(prop("os_hash_algo"), &["sha256", "sha512"], false),
        "min_disk" => match image.min_disk {
            None | Some(0) => Err("is 0 or unset".into()),
            Some(gib) => match image.size {
                Some(size) if gib.saturating_mul(1 << 30) < size => {
                    Err(format!("of {gib} GiB is smaller than the image ({size} bytes)"))
                }
                _ => Ok(()),
            },
        },
        "min_ram" => match image.min_ram {
            None | Some(0) => Err("is 0 or unset".into()),
            Some(_) => Ok(()),
        },
        "os_version" | "os_distro" | "image_original_user" | "image_description" | "provided_until" => {
            non_empty(prop(property))
        }
        "os_purpose" => one_of(
            prop("os_purpose"),
            &["generic", "oldgeneric", "minimal", "k8snode", "gpu", "network", "custom"],
            false,
        ),
        // upstream's code tolerates unset; the text makes it mandatory
        "hw_disk_bus" => one_of(prop("hw_disk_bus"), &["virtio", "scsi"], !options.follow_text),
        "hypervisor_type" => one_of(prop("hypervisor_type"), &["qemu", "kvm", "xen", "hyper-v", "esxi"], true),
        "hw_rng_model" => one_of(prop("hw_rng_model"), &["virtio"], true),
        "image_build_date" => {
            let Some(text) = prop("image_build_date") else { return Err("not set".into()) };
            let Some(built) = parse_date(&text) else { return Err(format!("'{text}' is not a date")) };
            if built > now {
                return Err(format!("build date {text} lies in the future"));
            }
            match created_at(image) {
                Some(created) if built > created => Err(format!(
                    "build date {text} is after the upload ({})",
                    image.created_at.as_deref().unwrap_or("")
                )),
                _ => Ok(()),
            }
        }
        "image_source" => match prop("image_source") {
            None => Err("not set".into()),
            Some(s) if s == "private" => Ok(()),
            // scheme://host as Python's urlparse sees it (the WHATWG parser would repair "ftp:x")
            Some(s) => match url::Url::parse(&s) {
                Ok(u)
                    if matches!(u.scheme(), "http" | "https" | "ftp" | "ftps")
                        && s.get(u.scheme().len()..).is_some_and(|rest| rest.starts_with("://"))
                        && u.host().is_some() =>
                {
                    Ok(())
                }
                _ => Err(format!("'{s}' is neither 'private' nor an http(s)/ftp(s) URL")),
            },
        },
        "replace_frequency" => one_of(
            prop("replace_frequency"),
            &["never", "critical_bug", "yearly", "quarterly", "monthly", "weekly", "daily"],
            false,
        ),
        "uuid_validity" => match prop("uuid_validity") {
            None => Ok(()),
            Some(v) if matches!(v.as_str(), "none" | "notice" | "forever") => Ok(()),
            Some(v)
                if v.strip_prefix("last-").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
            {
                Ok(())
            }
            Some(v) if parse_date(&v).is_some() => Ok(()),
            Some(v) => Err(format!("'{v}' is not none, notice, forever, last-N or a date")),
        },
        "hotfix_hours" => match prop("hotfix_hours") {
            None => Ok(()),
            Some(v) if v.is_empty() || v.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
            Some(v) => Err(format!("'{v}' is not a number of hours")),
        },
        other => Err(format!("unknown property check {other}")),
    }
}

/// How long an image may go without replacement (deliberately rounded up).
fn period(frequency: &str) -> Option<Duration> {
    Some(match frequency {
        "yearly" => Duration::days(365),
        "quarterly" => Duration::days(92),
        "monthly" => Duration::days(31),
        "weekly" => Duration::hours(7 * 25),
        "daily" => Duration::hours(25),
        _ => return None,
    })
}

fn is_outdated(image: &Image, now: NaiveDateTime) -> bool {
    let Some(period) = image.property("replace_frequency").as_deref().and_then(period) else { return false };
    let built = image.property("image_build_date").as_deref().and_then(parse_date).or_else(|| created_at(image));
    let Some(built) = built else { return false };
    // outdated after 1.1 periods
    now > built + period + period / 10
}

fn is_marked(name: &str) -> bool {
    let last = name.rsplit(' ').next().unwrap_or(name);
    matches!(last, "old" | "prev")
        || NaiveDate::parse_from_str(last, "%Y-%m-%d").is_ok()
        || NaiveDate::parse_from_str(last, "%Y%m%d").is_ok()
}

/// scs-0102-image-recency.
fn recency(images: &[Image], now: NaiveDateTime) -> Outcome {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for image in images.iter().filter(|i| is_outdated(i, now)) {
        let Some(until) = image.property("provided_until") else {
            return Outcome::abort(format!("{}: outdated and provided_until is not set", image.label()));
        };
        if matches!(until.as_str(), "none" | "notice") {
            continue;
        }
        let Some(until_date) = parse_date(&until) else {
            problems.push(format!("{}: outdated and provided_until '{until}' is not a date", image.label()));
            continue;
        };
        if until_date < now {
            continue;
        }
        let name = image.name.clone().unwrap_or_default();
        if !(image.os_hidden || is_marked(&name)) {
            notes.push(format!(
                "{}: outdated and not marked (hide it, or rename it with ' old', ' prev' or a date)",
                image.label()
            ));
        }
        let base = name.rsplit_once(' ').map_or("", |(b, _)| b);
        let replaced = images.iter().any(|other| other.name.as_deref() == Some(base) && !is_outdated(other, now));
        if !replaced {
            problems.push(format!("{}: outdated and no current image named '{base}' replaces it", image.label()));
        }
    }
    if problems.is_empty() {
        notes.insert(0, format!("{} images checked against their replace_frequency", images.len()));
        Outcome::pass(notes)
    } else {
        Outcome::fail(problems)
    }
}

/// scs-0102-os_purpose-uniqueness.
fn uniqueness(images: &[Image]) -> Outcome {
    let mut groups: BTreeMap<(String, String, String), Vec<&Image>> = BTreeMap::new();
    for image in images {
        if image.visibility != "public" || image.os_hidden || image.property("os_purpose").as_deref() != Some("generic")
        {
            continue;
        }
        let (Some(distro), Some(version)) = (image.property("os_distro"), image.property("os_version")) else {
            continue;
        };
        let arch = image.property("architecture").unwrap_or_default();
        groups.entry((arch, distro, version)).or_default().push(image);
    }
    let problems: Vec<String> = groups
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|((arch, distro, version), v)| {
            let names: Vec<String> = v.iter().map(|i| i.label()).collect();
            format!("{} visible generic images for {distro} {version} ({arch}): {}", v.len(), names.join(", "))
        })
        .collect();
    Outcome::from_problems(problems, format!("{} generic image groups are unique", groups.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_accepted_format() {
        for d in ["2025-01-31T10:00:00Z", "2025-01-31 10:00:00", "2025-01-31 10:00", "2025-01-31"] {
            assert!(parse_date(d).is_some(), "{d}");
        }
        assert!(parse_date("31.01.2025").is_none());
    }

    #[test]
    fn markers() {
        assert!(is_marked("Ubuntu 24.04 old"));
        assert!(is_marked("Ubuntu 24.04 20250101"));
        assert!(is_marked("Ubuntu 24.04 2025-01-01"));
        assert!(!is_marked("Ubuntu 24.04"));
    }
}
