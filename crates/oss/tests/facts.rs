// SPDX-License-Identifier: Apache-2.0
//! The facts oss-health works from (tags, HEAD's files, commit times) read
//! from repositories built with git, and the activity figures computed from
//! them, each flipped by the history it is given.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::git;

use scs_oss::activity::{Identities, activity, activity_with};
use scs_oss::{commits, files, tags};
use std::process::Command;

const DAY: i64 = 86_400;
/// 2026-12-01T00:00:00Z: "now" for every figure here.
const NOW: i64 = 1_796_083_200;

/// A repository whose commits are `(author, days before NOW)`.
fn history(commits: &[((&str, &str), i64)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"], ("x", "x@example.org"), NOW);
    for (i, (who, days)) in commits.iter().enumerate() {
        git(dir.path(), &["commit", "-q", "--allow-empty", "-m", &format!("change {i}")], *who, NOW - days * DAY);
    }
    dir
}

const ALICE: (&str, &str) = ("Alice", "alice@cloud-a.example");
const BOB: (&str, &str) = ("Bob", "bob@cloud-b.example");
const CAROL: (&str, &str) = ("Carol", "carol@gmail.com");
const DAN: (&str, &str) = ("Dan", "12345+dan@users.noreply.github.com");

#[test]
fn commit_times_drive_activity_and_the_year_window() {
    let recent = history(&[(ALICE, 200), (ALICE, 100), (ALICE, 10), (ALICE, 5)]);
    let a = activity(&commits(recent.path(), None).unwrap(), &[], NOW);
    assert_eq!((a.commits_last_year, a.commits_last_90_days, a.active_months), (4, 2, 3));
    let stale = history(&[(ALICE, 900), (ALICE, 400)]);
    let a = activity(&commits(stale.path(), None).unwrap(), &[], NOW);
    assert_eq!((a.commits_last_year, a.commits_last_90_days, a.active_months, a.bus_factor), (0, 0, 0, 0));
}

#[test]
fn bus_factor_maintainers_and_organisations_follow_who_wrote_what() {
    // one author wrote most: bus factor 1, one organisation
    let one = history(&[(ALICE, 9), (ALICE, 8), (ALICE, 7), (BOB, 6), (CAROL, 5)]);
    let a = activity(&commits(one.path(), None).unwrap(), &[], NOW);
    assert_eq!((a.contributors, a.bus_factor), (3, 1));
    assert_eq!(a.organisations, ["cloud-a.example", "cloud-b.example"]);
    // spread evenly over three, two of them behind public or no-reply addresses
    let spread = history(&[(ALICE, 9), (BOB, 8), (CAROL, 7), (DAN, 6), (ALICE, 5), (BOB, 4), (CAROL, 3), (DAN, 2)]);
    let a = activity(&commits(spread.path(), None).unwrap(), &[], NOW);
    assert_eq!((a.contributors, a.bus_factor, a.active_maintainers), (4, 2, 4));
    assert_eq!(a.organisations, ["cloud-a.example", "cloud-b.example"], "gmail.com and noreply are no organisation");
}

#[test]
fn mailmap_merges_the_addresses_of_one_person() {
    // Carol commits from gmail and, since joining, from cloud-c; Dan's no-reply address is Dan at cloud-d
    let people = [(ALICE, 9), (CAROL, 8), (("Carol", "carol@cloud-c.example"), 7), (DAN, 6), (CAROL, 5), (ALICE, 4)];
    let repo = history(&people);
    let mailmap = b"# canonical identities\nCarol <carol@cloud-c.example> <carol@gmail.com>\n\
                    Dan Doe <dan@cloud-d.example> Dan <12345+dan@users.noreply.github.com>\n";
    let found = commits(repo.path(), None).unwrap();
    let plain = activity(&found, &[], NOW);
    assert_eq!((plain.contributors, plain.organisations.len()), (4, 2));
    let mapped = activity_with(&found, &[], NOW, &Identities::from_mailmap(mailmap));
    assert_eq!(mapped.contributors, 3);
    assert_eq!(mapped.organisations, ["cloud-a.example", "cloud-c.example", "cloud-d.example"]);
    // and oss-health reads the repository's own .mailmap
    std::fs::write(repo.path().join(".mailmap"), mailmap).unwrap();
    git(repo.path(), &["add", ".mailmap"], ALICE, NOW - 3 * DAY);
    git(repo.path(), &["commit", "-q", "-m", "mailmap"], ALICE, NOW - 3 * DAY);
    let assessed = scs_oss::health::assess(&scs_oss::health::gather(repo.path()).unwrap(), NOW);
    assert_eq!(assessed.activity.contributors, 3);
    assert_eq!(assessed.activity.organisations.len(), 3);
}

#[test]
fn tags_lightweight_annotated_and_signed() {
    let dir = history(&[(ALICE, 300), (ALICE, 30)]);
    let path = dir.path();
    git(path, &["tag", "v0.1", "HEAD~1"], ALICE, NOW - 300 * DAY);
    git(path, &["tag", "-a", "v0.2", "-m", "release 0.2"], ALICE, NOW - 20 * DAY);
    let key = path.join("signing-key");
    let out = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let signing_key = format!("user.signingkey={}", key.display());
    git(
        path,
        &["-c", "gpg.format=ssh", "-c", &signing_key, "tag", "-s", "v0.3", "-m", "release 0.3"],
        ALICE,
        NOW - 2 * DAY,
    );
    let found = tags(path).unwrap();
    let summary: Vec<(&str, i64, bool)> =
        found.iter().map(|t| (t.name.as_str(), (NOW - t.time) / DAY, t.signed)).collect();
    assert_eq!(summary, [("v0.1", 300, false), ("v0.2", 20, false), ("v0.3", 2, true)]);
    let a = activity(&commits(path, None).unwrap(), &found, NOW);
    assert_eq!((a.tags_last_year, a.days_since_last_tag), (3, Some(2)));
    assert_eq!(activity(&[], &[], NOW).days_since_last_tag, None);
}

#[test]
fn head_files_with_sizes_and_heads() {
    let dir = history(&[]);
    let path = dir.path();
    std::fs::create_dir_all(path.join("src")).unwrap();
    std::fs::write(path.join("src/main.rs"), "// SPDX-License-Identifier: Apache-2.0\nfn main() {}\n").unwrap();
    std::fs::write(path.join("big.bin"), vec![0x7f; 10_000]).unwrap();
    std::fs::write(path.join("untracked.txt"), "not committed").unwrap();
    git(path, &["add", "src/main.rs", "big.bin"], ALICE, NOW);
    git(path, &["commit", "-q", "-m", "files"], ALICE, NOW);
    let found = files(path).unwrap();
    let summary: Vec<(&str, u64, usize)> = found.iter().map(|f| (f.path.as_str(), f.size, f.head.len())).collect();
    assert_eq!(summary, [("big.bin", 10_000, 4096), ("src/main.rs", 52, 52)]);
    assert!(found[1].head.starts_with(b"// SPDX-License-Identifier: Apache-2.0"));
}
