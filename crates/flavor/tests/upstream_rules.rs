// SPDX-License-Identifier: Apache-2.0
//! The flavor-naming rules where `scs` and upstream's tooling
//! (`Tests/iaas/scs_0100_flavor_naming/flavor_names.py` and
//! `flavor-add-extra-specs.py` in SovereignCloudStack/standards, read for
//! this, not copied) must give the same answers (issue 18, points 9–14).
//! Each rule is stated here in our words with the upstream behaviour it
//! follows.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use scs_flavor::parse;

fn error(name: &str) -> String {
    match parse(name) {
        Ok(p) => panic!("{name} parsed as {}", p.name),
        Err(e) => e.to_string(),
    }
}

fn canonical(name: &str) -> String {
    parse(name).unwrap_or_else(|e| panic!("{name}: {e}")).name.to_string()
}

/// Point 9: upstream's GPU compute units and VRAM are optional *positive*
/// integers, as the vCPU count is: zero is not a GPU size.
#[test]
fn zero_gpu_units_or_vram_are_refused() {
    for name in ["SCS-2V-4_GNa-0", "SCS-2V-4_GNa-64-0", "SCS-2V-4_gA3-0h"] {
        let e = error(name);
        assert!(e.contains("at least 1"), "{name}: {e}");
    }
    assert_eq!(canonical("SCS-2V-4_GNa-1-1"), "SCS-2V-4_GNa-1-1");
}

/// Point 10: upstream renders a CPU generation of 0 as nothing (`_i0` is
/// `_i`; the v3 text recommends leaving the 0 out) and a disk count of 1 as
/// nothing (`1x10` is `10`), in full and short names alike.
#[test]
fn canonical_names_drop_generation_zero_and_a_single_disk_count() {
    assert_eq!(canonical("SCS-2V-4-10s_i0"), "SCS-2V-4-10s_i");
    assert_eq!(canonical("SCS-2V-4-1x10s"), "SCS-2V-4-10s");
    assert_eq!(canonical("SCS-2V-4-1x10s_a0h"), "SCS-2V-4-10s_ah");
    assert_eq!(canonical("SCS-2V-4-2x10s_z3"), "SCS-2V-4-2x10s_z3", "other counts and generations stay");
    let short = parse("SCS-2V-4-1x10s_a0h").unwrap().name.shorten().to_string();
    assert_eq!(short, "SCS-2V-4-10s_a");
}

/// Point 11: AMD and Intel GPU generations come from tables as Nvidia's do
/// (AMD: GCN 0.4, 0.5; CDNA 1–4; RDNA 1.1, 2.1, 3.1, 3.5, 4.1, 5.1; Intel:
/// 0.9, 0.95, 1–4), and compute units carry at most `hh`.
#[test]
fn gpu_generations_follow_the_tables_and_units_take_at_most_hh() {
    for valid in ["SCS-2V-4_GA3", "SCS-2V-4_gA3.5-32", "SCS-2V-4_GA0.4", "SCS-2V-4_GI0.95", "SCS-2V-4_gI4-8hh"] {
        parse(valid).unwrap_or_else(|e| panic!("{valid}: {e}"));
    }
    for (invalid, said) in [
        ("SCS-2V-4_GA5", "unknown AMD GPU generation '5'"),
        ("SCS-2V-4_GI12.7", "unknown Intel GPU generation '12.7'"),
        ("SCS-2V-4_gA2.2", "unknown AMD GPU generation '2.2'"),
        ("SCS-2V-4_GNa-64hhh", "at most 'hh'"),
    ] {
        let e = error(invalid);
        assert!(e.contains(said), "{invalid}: {e}");
    }
}

/// Point 12: the text sets no upper bound on numbers; `scs` keeps them in
/// 32 bits and says so, instead of a misleading rule (RAM "must be a
/// multiple of 0.5 GiB").
#[test]
fn numbers_beyond_the_limit_say_it_is_a_limit() {
    for (name, said) in [
        ("SCS-4294967296V-4", "4294967296"),
        ("SCS-2V-4294967296", "4294967296"),
        ("SCS-2V-4-4294967296s", "4294967296"),
        ("SCS-2V-4_GNa-4294967296", "4294967296"),
    ] {
        let e = error(name);
        assert!(e.contains(said) && e.contains("limit"), "{name}: {e}");
        assert!(!e.contains("multiple of 0.5"), "{name}: {e}");
    }
}

/// Point 13: upstream derives, for a name, the v1 and v2 spellings of the
/// name and of its short form, without repeats, longest first (v1 before v2
/// at equal length), as `scs:name-v1`, `-v2`, …; and `scs:diskN-type` for
/// each of the M disks of `Mx`.
#[test]
fn extra_specs_carry_every_name_variant_and_each_disk() {
    let specs = parse("SCS-2V-4-2x10s_kvm_z3").unwrap().name.extra_specs();
    let get = |key: &str| specs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    assert_eq!(get("scs:name-v1").as_deref(), Some("SCS-2V:4:2x10s-kvm-z3"));
    assert_eq!(get("scs:name-v2").as_deref(), Some("SCS-2V-4-2x10s_kvm_z3"));
    assert_eq!(get("scs:name-v3").as_deref(), Some("SCS-2V:4:2x10s"));
    assert_eq!(get("scs:name-v4").as_deref(), Some("SCS-2V-4-2x10s"));
    assert_eq!(get("scs:name-v5"), None);
    assert_eq!(get("scs:disk0-type").as_deref(), Some("ssd"));
    assert_eq!(get("scs:disk1-type").as_deref(), Some("ssd"));
    assert_eq!(get("scs:disk2-type"), None);
    // a name that is its own short form: the two spellings only
    let plain = parse("SCS-2V-4-20s").unwrap().name.extra_specs();
    let keys: Vec<&str> = plain.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["scs:cpu-type", "scs:disk0-type", "scs:name-v1", "scs:name-v2"]);
}
