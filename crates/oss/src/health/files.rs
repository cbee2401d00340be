// SPDX-License-Identifier: Apache-2.0
//! The checks read from HEAD's files: licences, project documents, CI and
//! workflows, lock files, binaries.

use super::{
    Check, Criterion, Facts, Risk, check, find, inconclusive, name, proportion, regex, scored, text, top_level,
};
use crate::licence::Detected;
use crate::repo::FileFacts;
use crate::reuse::{LintError, Report};
use regex::Regex;
use std::sync::LazyLock;

/// The licence texts (top-level LICENSE, LICENCE, COPYING and `LICENSES/`)
/// with the licence each is: detected once for the two checks that read them.
pub(super) fn licence_texts(facts: &Facts) -> Vec<(&FileFacts, Option<Detected>)> {
    find(facts, |p| (top_level(p) && crate::licence::is_licence_file(name(p))) || p.starts_with("LICENSES/"))
        .into_iter()
        .map(|f| (f, crate::licence::detect(&text(f))))
        .collect()
}

pub(super) fn licence_file(texts: &[(&FileFacts, Option<Detected>)]) -> Check {
    let c = check(
        "licence-file",
        Criterion::FourOpens,
        Risk::High,
        "without a licence nobody may use, change or share the code",
    );
    if texts.is_empty() {
        return scored(c, 0, "no LICENSE, LICENCE, COPYING or LICENSES/ at the top");
    }
    let names: Vec<String> = texts
        .iter()
        .map(|(f, detected)| match detected {
            Some(d) => format!("{} ({}, {:.2})", f.path, d.id, d.score),
            None => f.path.clone(),
        })
        .collect();
    scored(c, 10, format!("licence text(s): {}", names.join(", ")))
}

/// The `reuse` check: REUSE 3.3 compliance, as `reuse lint` judges it.
pub(super) fn reuse(verdict: &Result<Report, LintError>) -> Check {
    let c = check(
        "reuse",
        Criterion::FourOpens,
        Risk::Medium,
        "copyright and licence per file survive copying the file elsewhere (REUSE 3.3)",
    );
    let report = match verdict {
        Ok(report) => report,
        Err(e) => return scored(c, 0, format!("REUSE information unreadable: {e}")),
    };
    if report.files_total == 0 {
        return inconclusive(c, "no covered files");
    }
    if report.compliant {
        return scored(c, 10, format!("REUSE compliant: {} covered files", report.files_total));
    }
    let incomplete: std::collections::BTreeSet<&str> =
        report.missing_copyright_info.iter().chain(&report.missing_licensing_info).map(String::as_str).collect();
    let complete = report.files_total - incomplete.len();
    let licence_texts_wrong = !(report.missing_licenses.is_empty()
        && report.unused_licenses.is_empty()
        && report.bad_licenses.is_empty()
        && report.deprecated_licenses.is_empty()
        && report.licenses_without_extension.is_empty());
    let score = proportion(complete, report.files_total).min(9).saturating_sub(if licence_texts_wrong { 2 } else { 0 });
    let mut c = scored(
        c,
        score,
        format!("not REUSE compliant: {complete} of {} covered files state copyright and licence", report.files_total),
    );
    for (what, items) in report.problems() {
        c.evidence.push(format!("{what}: {}", preview(&items.iter().map(String::as_str).collect::<Vec<_>>())));
    }
    if !report.invalid_spdx_expressions.is_empty() {
        let files: Vec<&str> = report.invalid_spdx_expressions.keys().map(String::as_str).collect();
        c.evidence.push(format!("invalid SPDX expressions in: {}", preview(&files)));
    }
    c
}

fn preview(items: &[&str]) -> String {
    let shown: Vec<&str> = items.iter().take(5).copied().collect();
    if items.len() > shown.len() {
        format!("{} and {} more", shown.join(", "), items.len() - shown.len())
    } else {
        shown.join(", ")
    }
}

pub(super) fn osi_licences(
    facts: &Facts,
    texts: &[(&FileFacts, Option<Detected>)],
    reuse: &Result<Report, LintError>,
) -> Check {
    let c = check(
        "osi-licences",
        Criterion::FourOpens,
        Risk::High,
        "SCS accepts only OSI-approved licences (scs-0008: fully open source, no open core)",
    );
    // every file's licence as REUSE reads it (own tags, .license, REUSE.toml, .reuse/dep5)
    let mut expressions: Vec<String> = reuse.as_ref().map(|r| r.licence_expressions.clone()).unwrap_or_default();
    let mut notes = Vec::new();
    if let Some(debian) = facts.files.iter().find(|f| f.path == "debian/copyright") {
        match crate::dep5::parse(&text(debian)) {
            Ok(d) => expressions.extend(
                d.files
                    .iter()
                    .map(|p| p.licence.as_str())
                    .chain(d.header_licence.as_deref())
                    .map(crate::dep5::debian_to_spdx),
            ),
            Err(e) => notes.push(format!("debian/copyright not read as the machine-readable format: {e}")),
        }
    }
    expressions.extend(
        facts
            .files
            .iter()
            .filter(|f| f.path.starts_with("LICENSES/"))
            .filter_map(|f| name(&f.path).rsplit_once('.').map(|(stem, _)| stem.to_owned())),
    );
    // and what the top-level licence texts are
    expressions.extend(
        texts
            .iter()
            .filter(|(f, _)| top_level(&f.path))
            .filter_map(|(_, detected)| detected.as_ref().map(|d| d.id.clone())),
    );
    expressions.sort();
    expressions.dedup();
    if expressions.is_empty() {
        return scored(c, 0, "no licence stated (SPDX headers, LICENSES/ or a recognised licence text)");
    }
    let rejected: Vec<String> = expressions
        .iter()
        .filter(|e| {
            !spdx::Expression::parse(e).is_ok_and(|x| {
                x.evaluate(|req| matches!(req.license, spdx::LicenseItem::Spdx { id, .. } if id.is_osi_approved()))
            })
        })
        .cloned()
        .collect();
    let mut c = if rejected.is_empty() {
        scored(c, 10, format!("OSI-approved: {}", expressions.join(", ")))
    } else {
        scored(c, 0, format!("not OSI-approved (or no SPDX expression): {}", rejected.join(", ")))
    };
    c.evidence.extend(notes);
    c
}

pub(super) fn contribution_guide(facts: &Facts) -> Check {
    let c = check(
        "contribution-guide",
        Criterion::FourOpens,
        Risk::Low,
        "open development invites contributors and says how",
    );
    let guide = find(facts, |p| name(p).to_ascii_uppercase().starts_with("CONTRIBUTING"));
    let conduct = find(facts, |p| name(p).to_ascii_uppercase().starts_with("CODE_OF_CONDUCT"));
    let score = if guide.is_empty() { 0 } else { 7 } + if conduct.is_empty() { 0 } else { 3 };
    let found: Vec<&str> = guide.iter().chain(&conduct).map(|f| f.path.as_str()).collect();
    scored(c, score, if found.is_empty() { "no CONTRIBUTING or CODE_OF_CONDUCT".to_owned() } else { found.join(", ") })
}

fn is_workflow(path: &str) -> bool {
    path.starts_with(".github/workflows/") && (path.ends_with(".yml") || path.ends_with(".yaml"))
}

pub(super) fn ci(facts: &Facts) -> Check {
    let c = check("ci", Criterion::Maturity, Risk::Low, "changes are built and tested before they land");
    let found = find(facts, |p| {
        is_workflow(p)
            || [".gitlab-ci.yml", ".zuul.yaml", "Jenkinsfile", ".travis.yml", ".drone.yml", ".woodpecker.yml"]
                .contains(&p)
            || p.starts_with(".zuul.d/")
            || p.starts_with(".woodpecker/")
            || p.starts_with(".circleci/")
            || p.starts_with(".ci/")
            || p.starts_with(".forgejo/workflows/")
    });
    if found.is_empty() {
        return scored(c, 0, "no CI configuration");
    }
    scored(c, 10, format!("CI configuration: {}", preview(&found.iter().map(|f| f.path.as_str()).collect::<Vec<_>>())))
}

pub(super) fn tests(facts: &Facts) -> Check {
    let c = check("tests", Criterion::Maturity, Risk::Medium, "tests catch regressions");
    let found = find(facts, |p| {
        let n = name(p);
        p.split('/').any(|d| d == "tests" || d == "test" || d == "__tests__")
            || n.ends_with("_test.go")
            || (n.starts_with("test_") && n.ends_with(".py"))
            || n.contains(".test.")
            || n.contains(".spec.")
    });
    if found.is_empty() {
        return scored(c, 0, "no test files (tests/, *_test.go, test_*.py, *.test.*)");
    }
    scored(c, 10, format!("{} test files", found.len()))
}

pub(super) fn changelog(facts: &Facts) -> Check {
    let c = check("changelog", Criterion::Maturity, Risk::Low, "users learn what changed between releases");
    let found = find(facts, |p| {
        let upper = p.to_ascii_uppercase();
        ["CHANGELOG", "CHANGES", "NEWS", "RELEASE-NOTES", "RELEASENOTES", "HISTORY"]
            .iter()
            .any(|n| upper.starts_with(n))
    });
    match found.first() {
        Some(f) => scored(c, 10, f.path.clone()),
        None => scored(c, 0, "no CHANGELOG, CHANGES, NEWS or release notes"),
    }
}

static CONTACT: LazyLock<Regex> = LazyLock::new(|| regex(r"[\w.+-]+@[\w-]+\.[\w.-]+|https?://\S+"));

pub(super) fn security_policy(facts: &Facts) -> Check {
    let c =
        check("security-policy", Criterion::Security, Risk::Medium, "reporters of vulnerabilities know where to go");
    let found = find(facts, |p| {
        let dir = p.rsplit_once('/').map_or("", |(d, _)| d);
        ["", ".github", "docs"].contains(&dir) && name(p).to_ascii_uppercase().starts_with("SECURITY.")
    });
    let Some(policy) = found.first() else { return scored(c, 0, "no SECURITY.md (top, .github/ or docs/)") };
    if CONTACT.is_match(&text(policy)) {
        scored(c, 10, format!("{} names a contact", policy.path))
    } else {
        scored(c, 4, format!("{} names no e-mail address or link", policy.path))
    }
}

pub(super) fn fuzzing(facts: &Facts) -> Check {
    let c = check(
        "fuzzing",
        Criterion::Security,
        Risk::Medium,
        "fuzzing finds what hand-written tests miss in parsers of untrusted input",
    );
    let found = find(facts, |p| p.starts_with("fuzz/") || p.contains("/fuzz/") || p.starts_with(".clusterfuzzlite/"))
        .into_iter()
        .chain(facts.files.iter().filter(|f| f.path.ends_with("_test.go") && text(f).contains("func Fuzz")))
        .count();
    if found == 0 {
        return scored(c, 0, "no fuzz targets (fuzz/, .clusterfuzzlite/, Go Fuzz functions)");
    }
    scored(c, 10, format!("{found} fuzzing file(s)"))
}

pub(super) fn lock_files(facts: &Facts) -> Check {
    let c = check(
        "lock-files",
        Criterion::Security,
        Risk::Medium,
        "pinned dependency versions make builds repeatable and reviewable",
    );
    let has = |p: &str| facts.files.iter().any(|f| f.path == p);
    let dir_of = |p: &str| p.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
    let mut manifests = 0;
    let mut missing = Vec::new();
    for f in &facts.files {
        let dir = dir_of(&f.path);
        let locks: &[&str] = match name(&f.path) {
            "Cargo.toml" => &["Cargo.lock"],
            "package.json" => &["package-lock.json", "yarn.lock", "pnpm-lock.yaml", "npm-shrinkwrap.json"],
            "go.mod" => &["go.sum"],
            "pyproject.toml" => &["poetry.lock", "uv.lock", "pdm.lock", "requirements.txt"],
            _ => continue,
        };
        if f.path.contains("node_modules/") {
            continue;
        }
        manifests += 1;
        // a Cargo workspace member's lock is at the top
        let locked = locks.iter().any(|l| has(&format!("{dir}{l}")) || (*l == "Cargo.lock" && has("Cargo.lock")));
        if !locked {
            missing.push(f.path.as_str());
        }
    }
    if manifests == 0 {
        return inconclusive(c, "no Cargo.toml, package.json, go.mod or pyproject.toml");
    }
    let mut c = scored(
        c,
        proportion(manifests - missing.len(), manifests),
        format!("{} of {manifests} manifests locked", manifests - missing.len()),
    );
    if !missing.is_empty() {
        c.evidence.push(format!("without a lock file: {}", preview(&missing)));
    }
    c
}

static USES: LazyLock<Regex> = LazyLock::new(|| regex(r#"^\s*-?\s*uses:\s*["']?([^\s"'#]+)"#));
static PINNED: LazyLock<Regex> = LazyLock::new(|| regex(r"@[0-9a-f]{40}$"));

pub(super) fn pinned_actions(facts: &Facts) -> Check {
    let c = check(
        "pinned-actions",
        Criterion::Security,
        Risk::Medium,
        "a tag of an action can be moved; a commit hash cannot",
    );
    let uses: Vec<String> = find(facts, is_workflow)
        .iter()
        .flat_map(|f| USES.captures_iter(&text(f)).map(|m| m[1].to_owned()).collect::<Vec<_>>())
        .filter(|u| !u.starts_with("./") && !u.starts_with("docker://"))
        .collect();
    if uses.is_empty() {
        return inconclusive(c, "no actions used");
    }
    let unpinned: Vec<&str> = uses.iter().filter(|u| !PINNED.is_match(u)).map(String::as_str).collect();
    let mut c = scored(
        c,
        proportion(uses.len() - unpinned.len(), uses.len()),
        format!("{} of {} actions pinned by commit hash", uses.len() - unpinned.len(), uses.len()),
    );
    if !unpinned.is_empty() {
        c.evidence.push(format!("by tag or branch: {}", preview(&unpinned)));
    }
    c
}

pub(super) fn binary_artifacts(facts: &Facts) -> Check {
    let c = check("binary-artifacts", Criterion::Security, Risk::High, "committed executables cannot be reviewed");
    let binaries: Vec<&str> = facts
        .files
        .iter()
        .filter(|f| {
            let ext = name(&f.path).rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
            matches!(
                ext.as_deref(),
                Some("exe" | "dll" | "so" | "dylib" | "class" | "jar" | "pyc" | "pyo" | "o" | "a" | "war")
            ) || f.head.starts_with(b"\x7fELF")
                || f.head.starts_with(b"MZ")
                || f.head.starts_with(&[0xca, 0xfe, 0xba, 0xbe])
        })
        .map(|f| f.path.as_str())
        .collect();
    let c = scored(
        c,
        10u8.saturating_sub(u8::try_from(binaries.len()).unwrap_or(10)),
        format!("{} binary artefact(s)", binaries.len()),
    );
    if binaries.is_empty() { c } else { Check { evidence: vec![c.evidence[0].clone(), preview(&binaries)], ..c } }
}

static UNTRUSTED_IN_RUN: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\$\{\{\s*github\.(event\.(issue|pull_request|comment|review|review_comment|discussion|head_commit|commits)[\w.\[\]*]*\.(title|body|message|name|email|label|ref)|head_ref)\s*\}\}",
    )
});

pub(super) fn dangerous_workflow(facts: &Facts) -> Check {
    let c = check(
        "dangerous-workflow",
        Criterion::Security,
        Risk::Critical,
        "untrusted pull requests must not run with the repository's secrets",
    );
    let workflows = find(facts, is_workflow);
    if workflows.is_empty() {
        return inconclusive(c, "no workflows");
    }
    let mut findings = Vec::new();
    for w in &workflows {
        let body = text(w);
        if body.contains("pull_request_target") && body.contains("github.event.pull_request.head") {
            findings.push(format!("{}: pull_request_target checks out the pull request's code", w.path));
        }
        if UNTRUSTED_IN_RUN.is_match(&body) {
            findings.push(format!("{}: untrusted event text expanded into the workflow (script injection)", w.path));
        }
    }
    if findings.is_empty() {
        return scored(c, 10, format!("{} workflow(s) without dangerous patterns", workflows.len()));
    }
    Check { score: Some(0), evidence: findings, ..c }
}
