// SPDX-License-Identifier: Apache-2.0
//! Property tests: names generated from the grammar round-trip through the
//! parser in both syntaxes, and no input makes the parser panic.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use proptest::prelude::*;
use scs_flavor::model::{
    Cpu, CpuBrand, CpuType, CpuVendor, Disk, DiskType, FlavorName, Gpu, GpuVendor, Hypervisor, Ram,
};
use scs_flavor::{Syntax, parse, parse_with};

fn cpu_type() -> impl Strategy<Value = CpuType> {
    prop_oneof![
        Just(CpuType::CrowdedCore),
        Just(CpuType::SharedCore),
        Just(CpuType::DedicatedThread),
        Just(CpuType::DedicatedCore)
    ]
}

fn disk() -> impl Strategy<Value = Option<Disk>> {
    let kind = prop_oneof![
        Just(None),
        Just(Some(DiskType::Network)),
        Just(Some(DiskType::Hdd)),
        Just(Some(DiskType::Ssd)),
        Just(Some(DiskType::Nvme))
    ];
    proptest::option::of(
        // canonical: a count of 1 is written as no count
        (proptest::option::of(2u32..16), proptest::option::of(1u32..20_000), kind)
            .prop_map(|(count, size_gb, kind)| Disk { count, size_gb, kind }),
    )
}

fn cpu_brand() -> impl Strategy<Value = Option<CpuBrand>> {
    let vendor =
        prop_oneof![Just(CpuVendor::Intel), Just(CpuVendor::Amd), Just(CpuVendor::Arm), Just(CpuVendor::RiscV)];
    proptest::option::of((vendor, any::<u8>(), any::<bool>(), 0u8..=3).prop_map(|(vendor, g, has_gen, frequency)| {
        // canonical: generation 0 is written as none
        let known = vendor.generations().len() as u8;
        let generation = (has_gen && known > 1).then(|| 1 + g % (known - 1));
        CpuBrand { vendor, generation, frequency }
    }))
}

fn gpu() -> impl Strategy<Value = Option<Gpu>> {
    let vendor = prop_oneof![Just(GpuVendor::Nvidia), Just(GpuVendor::Amd), Just(GpuVendor::Intel)];
    proptest::option::of(
        (
            any::<bool>(),
            vendor,
            any::<prop::sample::Index>(),
            any::<bool>(),
            proptest::option::of((1u32..500, 0u8..=2, proptest::option::of((1u32..512, any::<bool>())))),
        )
            .prop_map(|(passthrough, vendor, idx, has_gen, units)| {
                let generations = vendor.generations();
                let generation = has_gen.then(|| generations[idx.index(generations.len())].0.to_owned());
                let (units, units_high_frequency, vram) = match units {
                    Some((u, h, vram)) => (Some(u), h, vram),
                    None => (None, 0, None),
                };
                Gpu {
                    passthrough,
                    vendor,
                    generation,
                    units,
                    units_high_frequency,
                    vram_gib: vram.map(|v| v.0),
                    vram_high_bandwidth: vram.is_some_and(|v| v.1),
                }
            }),
    )
}

fn flavor_name() -> impl Strategy<Value = FlavorName> {
    let cpu = (1u32..512, cpu_type(), any::<bool>()).prop_map(|(count, kind, insecure)| Cpu { count, kind, insecure });
    let ram = (1u32..4096, any::<bool>(), any::<bool>()).prop_map(|(half_gib, no_ecc, oversubscribed)| Ram {
        half_gib,
        no_ecc,
        oversubscribed,
    });
    let hyp = proptest::option::of(proptest::sample::select(Hypervisor::ALL.to_vec()));
    (cpu, ram, disk(), hyp, any::<bool>(), cpu_brand(), gpu(), any::<bool>()).prop_map(
        |(cpu, ram, disk, hypervisor, hardware_virtualization, cpu_brand, gpu, infiniband)| FlavorName {
            cpu,
            ram,
            disk,
            hypervisor,
            hardware_virtualization,
            cpu_brand,
            gpu,
            infiniband,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn generated_names_round_trip_in_v2(name in flavor_name()) {
        let text = name.render(Syntax::V2);
        let parsed = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed.syntax, Syntax::V2);
        prop_assert_eq!(&parsed.name, &name);
        prop_assert_eq!(parsed.name.render(Syntax::V2), text);
        let prose = name.describe();
        prop_assert!(prose.contains(" GiB RAM"), "{}", prose);
        prop_assert!(prose.starts_with(&name.cpu.count.to_string()), "{}", prose);
    }

    #[test]
    fn generated_names_round_trip_in_v1(name in flavor_name()) {
        prop_assume!(name.hypervisor != Some(Hypervisor::CloudHypervisor));
        let text = name.render(Syntax::V1);
        let parsed = parse_with(&text, Syntax::V1).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&parsed, &name);
    }

    #[test]
    fn short_names_are_valid_and_stable(name in flavor_name()) {
        let short = name.shorten();
        let text = short.to_string();
        prop_assert_eq!(parse(&text).map(|p| p.name), Ok(short.clone()));
        prop_assert_eq!(short.shorten(), short);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,40}") {
        let _ = parse(&text);
    }

    #[test]
    fn near_miss_text_never_panics(text in "SCS-[0-9LVTCi:._\\-uonhspxGgNAIzar]{0,30}") {
        if let Ok(p) = parse(&text) {
            let _ = p.name.describe();
            let _ = p.name.extra_specs();
        }
    }
}
