// SPDX-License-Identifier: Apache-2.0
//! `scs dco check`'s rules on real repositories that each test builds with
//! git: every rule flipped both ways, ranges, and broken repositories.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use scs_oss::{DcoOptions, RepoError, check, commits};
use std::path::Path;
use std::process::Command;

const ALICE: (&str, &str) = ("Alice Example", "alice@example.org");
const BOB: (&str, &str) = ("Bob Example", "bob@example.net");

/// A repository in a temporary directory, written with the git CLI.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Self {
        let repo = Repo { dir: tempfile::tempdir().unwrap() };
        repo.git(&["init", "-q", "-b", "main"], &[]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// An empty commit by `author`, committed by `committer`; returns its id.
    fn commit_as(&self, message: &str, author: (&str, &str), committer: (&str, &str)) -> String {
        self.git(
            &["commit", "-q", "--allow-empty", "-m", message],
            &[
                ("GIT_AUTHOR_NAME", author.0),
                ("GIT_AUTHOR_EMAIL", author.1),
                ("GIT_COMMITTER_NAME", committer.0),
                ("GIT_COMMITTER_EMAIL", committer.1),
            ],
        );
        self.git(&["rev-parse", "HEAD"], &[])
    }

    fn commit(&self, message: &str, author: (&str, &str)) -> String {
        self.commit_as(message, author, author)
    }

    /// The reasons of the failing commits of HEAD, by subject.
    fn failures(&self, options: DcoOptions) -> Vec<(String, String)> {
        let commits = commits(self.path(), None).unwrap();
        check(&commits, &options).into_iter().map(|f| (f.subject, f.reason)).collect()
    }
}

fn signed(subject: &str, by: (&str, &str)) -> String {
    format!("{subject}\n\nSigned-off-by: {} <{}>\n", by.0, by.1)
}

const DEFAULT: DcoOptions = DcoOptions { individual_remediation: false, third_party_remediation: false };

#[test]
fn a_sign_off_by_the_author_passes_and_none_fails() {
    let repo = Repo::new();
    repo.commit(&signed("signed", ALICE), ALICE);
    assert!(repo.failures(DEFAULT).is_empty());
    repo.commit("unsigned\n\nJust a message.", ALICE);
    assert_eq!(repo.failures(DEFAULT), [("unsigned".to_owned(), "The sign-off is missing.".to_owned())]);
}

#[test]
fn the_committer_may_sign_off_but_nobody_else() {
    let repo = Repo::new();
    repo.commit_as(&signed("applied by bob", BOB), ALICE, BOB);
    assert!(repo.failures(DEFAULT).is_empty());
    repo.commit(&signed("signed by bob", BOB), ALICE);
    assert_eq!(
        repo.failures(DEFAULT),
        [(
            "signed by bob".to_owned(),
            "Expected \"Alice Example <alice@example.org>\", but got \"Bob Example <bob@example.net>\".".to_owned()
        )]
    );
}

#[test]
fn the_sign_off_line_and_identity_match_case_insensitively_anywhere_in_the_message() {
    let repo = Repo::new();
    repo.commit("lower case\n\nsigned-off-by: alice example <ALICE@example.org>\n\nmore text", ALICE);
    assert!(repo.failures(DEFAULT).is_empty());
    // the name must be the author's or committer's: the address alone is not enough
    repo.commit("other name\n\nSigned-off-by: A. Example <alice@example.org>", ALICE);
    assert_eq!(repo.failures(DEFAULT).len(), 1);
}

#[test]
fn with_several_sign_offs_one_must_match() {
    let repo = Repo::new();
    repo.commit(&format!("{}Signed-off-by: {} <{}>\n", signed("both", BOB), ALICE.0, ALICE.1), ALICE);
    assert!(repo.failures(DEFAULT).is_empty());
    let carol = ("Carol", "carol@example.com");
    repo.commit(&format!("{}Signed-off-by: {} <{}>\n", signed("neither", BOB), carol.0, carol.1), ALICE);
    assert_eq!(
        repo.failures(DEFAULT),
        [(
            "neither".to_owned(),
            "Can not find \"Alice Example <alice@example.org>\", in [\"Bob Example <bob@example.net>\", \"Carol <carol@example.com>\"]."
                .to_owned()
        )]
    );
}

#[test]
fn merges_and_bots_are_exempt_and_nothing_else() {
    let repo = Repo::new();
    repo.commit(&signed("base", ALICE), ALICE);
    repo.git(&["checkout", "-q", "-b", "topic"], &[]);
    repo.commit(&signed("topic", ALICE), ALICE);
    repo.git(&["checkout", "-q", "main"], &[]);
    repo.commit(&signed("main", ALICE), ALICE);
    let env = [
        ("GIT_AUTHOR_NAME", ALICE.0),
        ("GIT_AUTHOR_EMAIL", ALICE.1),
        ("GIT_COMMITTER_NAME", ALICE.0),
        ("GIT_COMMITTER_EMAIL", ALICE.1),
    ];
    repo.git(&["merge", "-q", "--no-ff", "-m", "Merge branch topic", "topic"], &env);
    repo.commit("Bump serde", ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"));
    assert!(repo.failures(DEFAULT).is_empty());
    repo.commit("Bump serde again", ("dependabot", "dependabot@example.org"));
    assert_eq!(repo.failures(DEFAULT).len(), 1);
}

#[test]
fn an_invalid_author_address_fails_even_when_signed() {
    let repo = Repo::new();
    let local = ("Local", "root@localhost");
    repo.commit(&signed("local", local), local);
    assert_eq!(
        repo.failures(DEFAULT),
        [("local".to_owned(), "root@localhost is not a valid email address.".to_owned())]
    );
}

#[test]
fn remediation_commits_count_only_where_allowed_and_by_the_right_people() {
    let individual = DcoOptions { individual_remediation: true, third_party_remediation: false };
    let third_party = DcoOptions { individual_remediation: true, third_party_remediation: true };

    let repo = Repo::new();
    let forgotten = repo.commit("forgotten", ALICE);
    repo.commit(&signed(&format!("remedy\n\n{}", alice_adds_her_sign_off(&forgotten)), ALICE), ALICE);
    assert_eq!(repo.failures(DEFAULT).len(), 1);
    assert!(repo.failures(individual).is_empty());

    // the same words by someone else remedy nothing
    let repo = Repo::new();
    let forgotten = repo.commit("forgotten", ALICE);
    repo.commit(&signed(&format!("remedy\n\n{}", alice_adds_her_sign_off(&forgotten)), BOB), BOB);
    assert_eq!(repo.failures(individual).len(), 1);

    // on behalf of Alice, by Bob
    repo.commit(&signed(&format!("third party\n\n{}", on_behalf_of_alice_by_bob(&forgotten)), BOB), BOB);
    assert_eq!(repo.failures(individual).len(), 1);
    assert!(repo.failures(third_party).is_empty());
    // … but not when Carol writes Bob's words
    let repo = Repo::new();
    let forgotten = repo.commit("forgotten", ALICE);
    let carol = ("Carol", "carol@example.com");
    repo.commit(&signed(&format!("third party\n\n{}", on_behalf_of_alice_by_bob(&forgotten)), carol), carol);
    assert_eq!(repo.failures(third_party).len(), 1);
}

fn alice_adds_her_sign_off(id: &str) -> String {
    format!("I, {} <{}>, hereby add my Signed-off-by to this commit: {id}", ALICE.0, ALICE.1)
}

fn on_behalf_of_alice_by_bob(id: &str) -> String {
    format!(
        "On behalf of {} <{}>, I, {} <{}>, hereby add my Signed-off-by to this commit: {id}",
        ALICE.0, ALICE.1, BOB.0, BOB.1
    )
}

#[test]
fn a_range_checks_only_the_commits_it_holds() {
    let repo = Repo::new();
    repo.commit("old and unsigned", ALICE);
    let base = repo.commit(&signed("base", ALICE), ALICE);
    repo.commit(&signed("new", ALICE), ALICE);
    let range = format!("{base}..HEAD");
    let in_range = commits(repo.path(), Some(&range)).unwrap();
    assert_eq!(in_range.len(), 1);
    assert!(check(&in_range, &DEFAULT).is_empty());
    let all = commits(repo.path(), None).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(check(&all, &DEFAULT).len(), 1);
    let bad = commits(repo.path(), Some("no-such-branch..HEAD")).unwrap_err();
    assert!(matches!(bad, RepoError::Range { .. }), "{bad}");
    assert!(bad.to_string().contains("no-such-branch"), "{bad}");
}

#[test]
fn broken_repositories_are_refused_naming_the_path() {
    let plain = tempfile::tempdir().unwrap();
    let e = commits(plain.path(), None).unwrap_err();
    assert!(matches!(e, RepoError::NotARepository { .. }), "{e}");
    assert!(e.to_string().starts_with(&plain.path().display().to_string()), "{e}");

    let repo = Repo::new();
    for i in 0..3 {
        repo.commit(&signed(&format!("c{i}"), ALICE), ALICE);
    }
    let shallow = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    let target = shallow.path().join("clone");
    let out = Command::new("git").args(["clone", "-q", "--depth", "1", &url]).arg(&target).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let e = commits(&target, None).unwrap_err();
    assert!(matches!(e, RepoError::Shallow { .. }), "{e}");
    assert!(e.to_string().contains(&target.display().to_string()), "{e}");

    // a commit object overwritten with garbage
    let head = repo.git(&["rev-parse", "HEAD~1"], &[]);
    let object = repo.path().join(".git/objects").join(&head[..2]).join(&head[2..]);
    let mut permissions = std::fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&object, permissions).unwrap();
    std::fs::write(&object, b"not a zlib stream").unwrap();
    let e = commits(repo.path(), None).unwrap_err();
    assert!(matches!(e, RepoError::Object { .. }), "{e}");
    assert!(e.to_string().contains(&repo.path().display().to_string()), "{e}");
}
