// SPDX-License-Identifier: Apache-2.0
//! Every testcase of every embedded scope that a module targets resolves to
//! exactly one entry of the testcase tables (IaaS in scs-checks, KaaS in
//! scs-kaas), or is manual: nothing is decided twice and nothing automated
//! is silently missing. A manual testcase may have one entry (scs decides
//! it when asked with `--tests`); a testcase that no module targets (upstream
//! declares `scs-0101-rngd` and others but uses them nowhere) can never be
//! selected and may have none, but never two.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn every_testcase_of_every_embedded_scope_resolves_to_one_entry_or_is_manual() {
    let mut problems = Vec::new();
    let mut resolved = 0;
    for scope in scs_standards::embedded::all_scopes().unwrap() {
        let targeted: std::collections::BTreeSet<&str> =
            scope.modules.iter().flat_map(|m| m.targets.values().flatten()).map(String::as_str).collect();
        for tc in &scope.testcases {
            let entries = scs_checks::iaas::IAAS.all(&tc.id).len() + scs_kaas::KAAS.all(&tc.id).len();
            let selectable = targeted.contains(tc.id.as_str());
            match (tc.manual, selectable, entries) {
                (_, _, n) if n > 1 => problems.push(format!("{}: {} resolves to {n} table entries", scope.name, tc.id)),
                (true, _, _) | (false, false, _) => {}
                (false, true, 1) => resolved += 1,
                (false, true, _) => problems.push(format!("{}: {} is automated but in no table", scope.name, tc.id)),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(resolved > 50, "{resolved} testcases resolved");
}

#[test]
fn a_table_entry_names_its_method() {
    let entry = scs_checks::iaas::IAAS.get("scs-0102-prop-os_distro").unwrap();
    assert_eq!((entry.ids.to_string(), entry.method.label()), ("scs-0102-*".to_owned(), "from facts"));
    assert_eq!(scs_checks::iaas::IAAS.get("scs-0117-test-backup").unwrap().method.label(), "creates resources");
    assert_eq!(scs_kaas::KAAS.get("cncf-k8s-conformance").unwrap().method.label(), "external suite");
    assert!(scs_checks::iaas::IAAS.get("scs-0102-prop-unknown").is_none());
}
