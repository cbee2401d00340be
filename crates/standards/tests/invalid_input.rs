// SPDX-License-Identifier: Apache-2.0
//! Bad scope files and reports are rejected with the file, line and key path,
//! and no input makes the loaders panic.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use proptest::prelude::*;
use scs_standards::read_reports;
use scs_standards::scope::Scope;

const GOOD: &str = "\
name: Test scope
uuid: 00000000-0000-0000-0000-000000000001
testcases:
  - id: tc-a
    lifetime: day
  - id: tc-b
modules:
  - id: mod-1
    targets:
      main: [tc-a, tc-b]
versions:
  - version: v1
    stabilized_at: 2024-01-01
    include: [mod-1]
timeline:
  - date: 2024-01-01
    versions:
      v1: effective
";

fn error_of(text: &str) -> String {
    match Scope::from_yaml("test.yaml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_good_file_loads() {
    let scope = Scope::from_yaml("test.yaml", GOOD).expect("good file");
    assert_eq!(scope.versions[0].main_target(), ["tc-a", "tc-b"]);
}

#[test]
fn unknown_key() {
    let text = GOOD.replace("    lifetime: day\n", "    lifetime: day\n    colour: red\n");
    assert_eq!(
        error_of(&text),
        "test.yaml:6:5: testcases[0].colour: unknown field `colour`, expected one of id, lifetime, section, description, url, manual"
    );
}

#[test]
fn duplicate_testcase_id() {
    let text = GOOD.replace("  - id: tc-b\n", "  - id: tc-a\n");
    assert_eq!(error_of(&text), "test.yaml:6:9: testcases[1].id: duplicate testcase id 'tc-a'");
}

#[test]
fn undefined_module() {
    let text = GOOD.replace("include: [mod-1]", "include: [mod-1, mod-2]");
    assert_eq!(error_of(&text), "test.yaml:14:22: versions[0].include[1]: module 'mod-2' is not defined");
}

#[test]
fn undefined_testcase_in_target() {
    let text = GOOD.replace("main: [tc-a, tc-b]", "main: [tc-a, tc-c]");
    assert_eq!(error_of(&text), "test.yaml:10:20: modules[0].targets.main[1]: testcase 'tc-c' is not defined");
}

#[test]
fn date_not_a_date() {
    let text = GOOD.replace("  - date: 2024-01-01", "  - date: 2024-02-30");
    assert_eq!(error_of(&text), "test.yaml:16:11: timeline[0].date: '2024-02-30' is not a date (expected YYYY-MM-DD)");
    let text = GOOD.replace("stabilized_at: 2024-01-01", "stabilized_at: soon");
    assert_eq!(
        error_of(&text),
        "test.yaml:13:20: versions[0].stabilized_at: 'soon' is not a date (expected YYYY-MM-DD)"
    );
}

#[test]
fn validity_code_unknown() {
    let text = GOOD.replace("v1: effective", "v1: mandatory");
    assert_eq!(
        error_of(&text),
        "test.yaml:18:11: timeline[0].versions.v1: unknown validity 'mandatory' (expected effective, warn, draft or deprecated)"
    );
}

#[test]
fn lifetime_unknown() {
    let text = GOOD.replace("lifetime: day", "lifetime: fortnight");
    assert_eq!(
        error_of(&text),
        "test.yaml:5:15: testcases[0].lifetime: unknown lifetime 'fortnight' (expected day, week, month, quarter or year)"
    );
}

#[test]
fn wrong_types_and_empty_files() {
    assert_eq!(error_of("name: [1, 2]\nversions: []\n"), "test.yaml:1:7: name: expected string scalar");
    assert!(error_of("").contains("test.yaml"));
    assert!(error_of("versions: 5\nname: x\n").starts_with("test.yaml:1:11: versions:"));
    assert!(error_of("\u{0}\u{1}\u{2}binary").starts_with("test.yaml"));
}

#[test]
fn group_cycles_are_rejected() {
    let text = "name: g\ntestcases: [{id: a}]\ngroups:\n  - {id: g1, include: [a, g2]}\n  - {id: g2, include: [g1]}\nversions:\n  - {version: v1, test: g1}\n";
    assert!(error_of(text).contains("includes itself"), "{}", error_of(text));
}

#[test]
fn groups_format_flattens_nested_groups() {
    let text = "name: g\ntestcases: [{id: a}, {id: b}, {id: c}]\ngroups:\n  - {id: base, include: [a, b]}\n  - {id: all, include: [base, c]}\nversions:\n  - {version: v1, test: all, attn: 1}\ntimeline: [{date: 2025-01-01, versions: {v1: effective}}]\n";
    let scope = Scope::from_yaml("g.yaml", text).expect("groups file");
    assert_eq!(scope.version("v1").map(|v| v.main_target().to_vec()), Some(vec!["a".into(), "b".into(), "c".into()]));
}

#[test]
fn reports_name_what_is_missing() {
    let err = read_reports("r.yaml", "---\nspec: {uuid: x, name: y}\nsubject: s\n").expect_err("no run");
    assert_eq!(err.to_string(), "r.yaml: document 1: missing field `checked_at`");
    let err = read_reports("r.yaml", "").expect_err("empty");
    assert_eq!(err.to_string(), "r.yaml: contains no report");
    let err = read_reports("r.yaml", "---\nfoo: 1\n").expect_err("unknown shape");
    assert!(err.to_string().contains("neither an upstream report"));
    let bad_result = "---\nspec: {uuid: x, name: y}\nchecked_at: 2025-01-01 00:00:00\nreference_date: 2025-01-01\nsubject: s\nrun:\n  uuid: u\n  invocations:\n    i: {id: i, results: {tc: 2}}\n";
    let err = read_reports("r.yaml", bad_result).expect_err("bad result");
    assert!(err.to_string().starts_with("r.yaml:9:"), "{err}");
    assert!(err.to_string().contains("result must be 1, 0 or -1, not 2"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn scope_loader_never_panics(text in "\\PC{0,200}") {
        let _ = Scope::from_yaml("fuzz.yaml", &text);
    }

    #[test]
    fn scope_loader_survives_mutations(cut in 0usize..GOOD.len(), insert in "[ :\\-\\[\\]{}a-z0-9\n]{0,8}") {
        let mut text = GOOD.to_owned();
        if text.is_char_boundary(cut) {
            text.insert_str(cut, &insert);
        }
        let _ = Scope::from_yaml("fuzz.yaml", &text);
    }

    #[test]
    fn report_reader_never_panics(text in "\\PC{0,200}") {
        let _ = read_reports("fuzz.yaml", &text);
    }
}

#[test]
fn duplicate_keys_are_rejected() {
    let text = GOOD.replace("name: Test scope\n", "name: Test scope\nname: Other\n");
    let err = error_of(&text);
    assert!(err.starts_with("test.yaml:2:"), "{err}");
}

#[test]
fn alias_bombs_are_refused_quickly() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    text.push_str("name: bomb\nversions: []\n");
    let started = std::time::Instant::now();
    assert!(Scope::from_yaml("bomb.yaml", &text).is_err());
    assert!(read_reports("bomb.yaml", &text).is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "took {:?}", started.elapsed());
}
