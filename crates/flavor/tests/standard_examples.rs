// SPDX-License-Identifier: Apache-2.0
//! Every flavor name the scs-0100 v1/v2/v3 and scs-0103 texts give as an
//! example, classified as the grammar demands. The table is ours, written by
//! reading the texts; a second test checks that the texts (when present beside
//! the project) still contain every name listed here, so the table cannot
//! silently drift from its source.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use scs_flavor::{NamingVersion, Syntax, parse};

/// (name, expected, where it appears and why).
enum Expect {
    /// Valid v2/v3 name.
    V3,
    /// Valid only in the v1 syntax.
    V1,
    /// Invalid; the string is the component the error must name.
    Invalid(&'static str),
}
use Expect::*;

const EXAMPLES: &[(&str, Expect, &str)] = &[
    // scs-0100-v3 (same examples in v2 unless noted)
    ("SCS-4V-16-50", V3, "v3 typical name"),
    ("SCS-2C-4-10n", V3, "v3 CPU suffixes"),
    ("SCS-2T-4-10n", V3, "v3 CPU suffixes"),
    ("SCS-2V-4-10n", V3, "v3 CPU suffixes"),
    ("SCS-2L-4-10n", V3, "v3 CPU suffixes"),
    ("SCS-2Li-4-10n", V3, "v3 CPU suffixes"),
    ("SCS-2-4-10n", Invalid("CPU type"), "v3: CPU suffix missing"),
    ("SCS-2iT-4-10n", Invalid("CPU type"), "v3: this order is forbidden"),
    ("SCS-2C-3.5-10n", V3, "v3 memory"),
    ("SCS-2C-4u-10n", V3, "v3 memory"),
    ("SCS-2C-4o-10n", V3, "v3 memory"),
    ("SCS-2C-4uo-10n", V3, "v3 memory"),
    ("SCS-2C-4ou-10n", Invalid("RAM"), "v3: this order is forbidden"),
    ("SCS-2C-4-10s", V3, "v3 disks"),
    ("SCS-2C-4-10s_bms_z3", V3, "v3 disks"),
    ("SCS-2C-4-3x10s", V3, "v3 disks"),
    ("SCS-2C-4-3x10s_bms_z3", V3, "v3 disks"),
    ("SCS-2C-4-10", V3, "v3 disks: cloud decides type"),
    ("SCS-2C-4-10_bms_z3", V3, "v3 disks"),
    ("SCS-2C-4-n", V3, "v3 disks: cloud decides size"),
    ("SCS-2C-4-n_bms_3", Invalid("extension"), "v2/v3 list it, but a CPU brand needs a vendor letter: typo for _z3"),
    ("SCS-2C-4-", V3, "v3 disks: cloud decides type and size"),
    ("SCS-2C-4-_bms_z3", V3, "v3 disks"),
    ("SCS-2C-4-_bms_z3h_GNa-64_ib", V3, "v3 disks"),
    ("SCS-2C-4-_ib", V3, "v3 disks"),
    ("SCS-2C-4", V3, "v3 disks: boot from volume"),
    ("SCS-2C-4_bms_z3", V3, "v3 disks"),
    ("SCS-2C-4-3x10", V3, "v3 disks"),
    ("SCS-2C-4-1.5n", Invalid("disk"), "v3: disk sizes must be full GB"),
    ("SCS-1C-1.5-8s", V3, "v3 naming policy"),
    ("SCS-1T-1-5n", V3, "v3 naming policy"),
    ("SCS-1V-1-5", V3, "v3 naming policy"),
    ("SCS-2V-4-20s", V3, "v3 naming policy"),
    ("SCS-2V-4-20p", V3, "v3 naming policy"),
    ("SCS-8V-32-100", V3, "v3 naming policy"),
    ("SCS-2C-4-10n_bms", V3, "v3 hypervisor"),
    ("SCS-2C-4-10n_bms_z3h", V3, "v3 hypervisor"),
    ("SCS-2C-4-10_kvm_hwv", V3, "v3 hwv"),
    ("SCS-2C-4-10_hwv", V3, "v3 hwv"),
    ("SCS-2C-4-10_bms_hwv", V3, "v3 hwv"),
    ("SCS-2C-4-10_hwv_xen", Invalid("extension"), "v3: illegal, wrong ordering"),
    ("SCS-2C-4-10n_z", V3, "v3 CPU brand"),
    ("SCS-2C-4-10n_z3", V3, "v3 CPU brand"),
    ("SCS-2C-4-10n_z3h", V3, "v3 CPU brand"),
    ("SCS-2C-4-10n_z3hh", V3, "v3 CPU brand"),
    ("SCS-2C-4-10n_bms_z", V3, "v3 CPU brand"),
    ("SCS-2C-4-10n_bms_z3", V3, "v3 CPU brand"),
    ("SCS-2C-4-10n_bms_z3hh", V3, "v3 CPU brand"),
    ("SCS-16V-64-500s_GNa-14-6h", V3, "v3 GPU example"),
    ("SCS-8T-16-50", V3, "v3 naming advice"),
    ("SCS-8T-16-50n", V3, "v3 naming advice"),
    ("SCS-8T-16-50n_i2", V3, "v3 naming advice"),
    ("SCS-8T-16-50n_z2", V3, "v3 naming advice"),
    ("SCS-8Ti-32-50p_i1", V3, "v3 proposal examples"),
    ("SCS-1L-1u-5", V3, "v3 proposal examples"),
    ("SCS-16T-64-200s_GNa-72-24_ib", V3, "v3 proposal examples"),
    ("SCS-4C-16-2x200p_a1", V3, "v3 proposal examples"),
    ("SCS-1V-0.5", V3, "v3 proposal examples"),
    // scs-0100-v2 only
    ("SCS-2C-4-3x-", Invalid("extension"), "v2 lists it (FIXME); the grammar has no trailing '-' after a disk"),
    ("SCS-2C-4-3xs", V3, "v2 disks"),
    ("SCS-8T-16-50n_a2", V3, "v2 naming advice"),
    ("SCS-16T-64-200s_GNa-64_ib", V3, "v2 proposal examples"),
    ("SCS-1D-1.5-8s", Invalid("CPU type"), "v2 naming policy; there is no CPU type D (v3 fixed it to 1C)"),
    // scs-0100-v2 / v1 mandatory flavor tables
    ("SCS-1V-4", V3, "v2 mandatory"),
    ("SCS-1V-4-10", V3, "v2 mandatory"),
    ("SCS-2V-8", V3, "v2 mandatory"),
    ("SCS-2V-8-20", V3, "v2 mandatory"),
    ("SCS-4V-16", V3, "v2 mandatory"),
    ("SCS-8V-32", V3, "v2 mandatory"),
    ("SCS-1V-2", V3, "v2 mandatory"),
    ("SCS-1V-2-5", V3, "v2 mandatory"),
    ("SCS-2V-4", V3, "v2 mandatory"),
    ("SCS-2V-4-10", V3, "v2 mandatory"),
    ("SCS-4V-8", V3, "v2 mandatory"),
    ("SCS-4V-8-20", V3, "v2 mandatory"),
    ("SCS-8V-16", V3, "v2 mandatory"),
    ("SCS-8V-16-50", V3, "v2 mandatory"),
    ("SCS-16V-32", V3, "v2 mandatory"),
    ("SCS-16V-32-100", V3, "v2 mandatory"),
    ("SCS-1V-8", V3, "v2 mandatory"),
    ("SCS-1V-8-20", V3, "v2 mandatory"),
    ("SCS-2V-16", V3, "v2 mandatory"),
    ("SCS-2V-16-50", V3, "v2 mandatory"),
    ("SCS-4V-32", V3, "v2 mandatory"),
    ("SCS-4V-32-100", V3, "v2 mandatory"),
    ("SCS-1L-1", V3, "v2 mandatory"),
    ("SCS-1L-1-5", V3, "v2 mandatory"),
    // scs-0103-v1 tables
    ("SCS-4V-16-100s", V3, "scs-0103 mandatory"),
    ("SCS-16V-64", V3, "scs-0103 recommended"),
    ("SCS-8V-64", V3, "scs-0103 recommended"),
    ("SCS-16V-128", V3, "scs-0103 recommended"),
    // scs-0100-v1 (the v1 syntax)
    ("SCS-2C:4:10n", V1, "v1 CPU suffixes"),
    ("SCS-2T:4:10n", V1, "v1 CPU suffixes"),
    ("SCS-2V:4:10n", V1, "v1 CPU suffixes"),
    ("SCS-2L:4:10n", V1, "v1 CPU suffixes"),
    ("SCS-2Li:4:10n", V1, "v1 CPU suffixes"),
    ("SCS-2:4:10n", Invalid("CPU type"), "v1: CPU suffix missing"),
    ("SCS-2iT:4:10n", Invalid("CPU type"), "v1: this order is forbidden"),
    ("SCS-2C:3.5:10n", V1, "v1 memory"),
    ("SCS-2C:4u:10n", V1, "v1 memory"),
    ("SCS-2C:4o:10n", V1, "v1 memory"),
    ("SCS-2C:4uo:10n", V1, "v1 memory"),
    ("SCS-2C:4ou:10n", Invalid("RAM"), "v1: this order is forbidden"),
    ("SCS-2C:4:10s", V1, "v1 disks"),
    ("SCS-2C:4:10s-bms-z3", V1, "v1 disks"),
    ("SCS-2C:4:3x10s", V1, "v1 disks"),
    ("SCS-2C:4:3x10s-bms-z3", V1, "v1 disks"),
    ("SCS-2C:4:10", V1, "v1 disks"),
    ("SCS-2C:4:10-bms-z3", V1, "v1 disks"),
    ("SCS-2C:4:n", V1, "v1 disks"),
    ("SCS-2C:4:n-bms-3", Invalid("extension"), "v1 lists it; a CPU brand needs a vendor letter"),
    ("SCS-2C:4:", V1, "v1 disks"),
    ("SCS-2C:4:-bms-z3", V1, "v1 disks"),
    ("SCS-2C:4:-bms-z3h-GNa:64-ib", V1, "v1 disks"),
    ("SCS-2C:4:-ib", V1, "v1 disks"),
    ("SCS-2C:4", V1, "v1 disks"),
    ("SCS-2C:4-bms-z3", V1, "v1 disks"),
    ("SCS-2C:4:3x", V1, "v1 disks (FIXME in the text)"),
    ("SCS-2C:4:3xs", V1, "v1 disks (FIXME in the text)"),
    ("SCS-2C:4:3x10", V1, "v1 disks"),
    ("SCS-2C:4:1.5n", Invalid("disk"), "v1: disk sizes must be full GB"),
    ("SCS-2C:4:10n-bms", V1, "v1 hypervisor"),
    ("SCS-2C:4:10n-bms-z3h", V1, "v1 hypervisor"),
    ("SCS-2C:4:10-kvm-hwv", V1, "v1 hwv"),
    ("SCS-2C:4:10-hwv", V1, "v1 hwv"),
    ("SCS-2C:4:10-hwv-xen", Invalid("extension"), "v1: illegal, wrong ordering"),
    ("SCS-2C:4:10n-z", V1, "v1 CPU brand"),
    ("SCS-2C:4:10n-z3", V1, "v1 CPU brand"),
    ("SCS-2C:4:10n-z3h", V1, "v1 CPU brand"),
    ("SCS-2C:4:10n-z3hh", V1, "v1 CPU brand"),
    ("SCS-2C:4:10n-bms-z", V1, "v1 CPU brand"),
    ("SCS-2C:4:10n-bms-z3", V1, "v1 CPU brand"),
    ("SCS-2C:4:10n-bms-z3hh", V1, "v1 CPU brand"),
    ("SCS-8Ti:32:50p-i1", V1, "v1 proposal examples"),
    ("SCS-1L:1u:5", V1, "v1 proposal examples"),
    ("SCS-16T:64:200s-GNa:64-ib", V1, "v1 proposal examples"),
    ("SCS-4C:16:2x200p-a1", V1, "v1 proposal examples"),
    ("SCS-1V:0.5", V1, "v1 proposal examples"),
    ("SCS-1V:4", V1, "v1 mandatory"),
    ("SCS-1V:4:10", V1, "v1 mandatory"),
    ("SCS-1V:2", V1, "v1 mandatory"),
    ("SCS-1L:1:5", V1, "v1 mandatory"),
    ("SCS-16V:32:100", V1, "v1 mandatory"),
    ("SCS-8T:16:50n-i2", V1, "v1 naming advice"),
    ("SCS-8T:16:50n-a2", V1, "v1 naming advice"),
    ("SCS-8C:16:50", V1, "v1 naming advice"),
    ("SCS-1T:1:5n", V1, "v1 naming policy"),
    ("SCS-1Vl:1:5", Invalid("CPU type"), "v1 naming policy; 'l' is no suffix of the CPU type"),
    ("SCS-1D:1.5:8s", Invalid("CPU type"), "v1 naming policy; there is no CPU type D"),
];

#[test]
fn every_example_is_classified_as_the_grammar_demands() {
    let mut failures = Vec::new();
    for (name, expect, source) in EXAMPLES {
        let outcome = parse(name);
        match (expect, &outcome) {
            (V3, Ok(p)) if p.version() == NamingVersion::V3 => {
                let rendered = p.name.render(Syntax::V2);
                if rendered != *name {
                    failures.push(format!("{name} ({source}): renders as {rendered}"));
                }
            }
            (V1, Ok(p)) if p.version() == NamingVersion::V1Tolerated => {
                let rendered = p.name.render(Syntax::V1);
                if rendered != *name {
                    failures.push(format!("{name} ({source}): renders as {rendered}"));
                }
            }
            (Invalid(component), Err(e)) if e.component.to_string() == *component => {}
            _ => failures.push(format!("{name} ({source}): got {outcome:?}")),
        }
    }
    assert!(failures.is_empty(), "misclassified:\n{}", failures.join("\n"));
}

#[test]
fn v1_and_v2_examples_convert_into_each_other() {
    for (name, expect, _) in EXAMPLES {
        let Ok(parsed) = parse(name) else { continue };
        let other = match expect {
            V3 => parsed.name.render(Syntax::V1),
            _ => parsed.name.render(Syntax::V2),
        };
        let back = parse(&other).map(|p| p.name);
        assert_eq!(back.as_ref(), Ok(&parsed.name), "{name} -> {other}");
    }
}

/// The table must not invent names: each one occurs in the standards texts
/// (modulo the Markdown emphasis and escapes the texts use).
#[test]
fn every_listed_name_occurs_in_the_standards_texts() {
    if std::env::var_os("SCS_SKIP_UPSTREAM").is_some() {
        return;
    }
    let dir = std::env::var_os("SCS_UPSTREAM_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/scs-standards")
        })
        .join("Standards");
    let mut corpus = String::new();
    for file in [
        "scs-0100-v1-flavor-naming.md",
        "scs-0100-v2-flavor-naming.md",
        "scs-0100-v3-flavor-naming.md",
        "scs-0103-v1-standard-flavors.md",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| {
            panic!("{}: {e} (set SCS_UPSTREAM_DIR, or SCS_SKIP_UPSTREAM=1 to opt out)", dir.join(file).display())
        });
        corpus.push_str(&text.replace("**", "").replace("\\*", "").replace("\\_", "_"));
        corpus.push('\n');
    }
    for (name, _, source) in EXAMPLES {
        assert!(corpus.contains(name), "{name} ({source}) does not occur in the texts");
    }
}
