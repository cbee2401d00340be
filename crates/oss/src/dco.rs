// SPDX-License-Identifier: Apache-2.0
//! The DCO sign-off check with the rules of the DCO GitHub app (the check
//! most forges' projects run before merging), restated for plain commits:
//!
//! - merge commits (more than one parent) need no sign-off, nor commits whose
//!   author is a bot (offline there is no account type: a name ending in
//!   `[bot]`, GitHub's convention for app accounts, stands for it);
//! - a sign-off is a line `Signed-off-by: NAME <EMAIL>` anywhere in the
//!   message, matched case-insensitively;
//! - the author's e-mail address (the committer's where the author has none)
//!   must be well-formed;
//! - a sign-off counts when its name is the author's or the committer's name
//!   and its address the author's or the committer's address (case-insensitive);
//!   one sign-off that does not count is reported as `Expected …, but got …`,
//!   several as `Can not find … in […]`;
//! - optionally a later commit in the range remediates an earlier one:
//!   `I, NAME <EMAIL>, hereby add my Signed-off-by to this commit: SHA` by
//!   that commit's author (individual), or `On behalf of NAME <EMAIL>, I,
//!   OTHER <EMAIL2>, hereby add my Signed-off-by to this commit: SHA` by the
//!   remediating commit's author or committer (third party).
//!
//! What the app also does with GitHub's API (organisation members with
//! verified signatures exempt) has no offline equivalent and is not done.

use crate::repo::{CommitFacts, Person};
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// Which remediation commits count (the app's `allowRemediationCommits`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DcoOptions {
    /// `I, NAME <EMAIL>, hereby add my Signed-off-by to this commit: SHA`.
    pub individual_remediation: bool,
    /// `On behalf of …, I, …, hereby add my Signed-off-by …`; implies individual.
    pub third_party_remediation: bool,
}

/// A commit without a valid sign-off, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Full object id.
    pub id: String,
    /// The commit's author.
    pub author: Person,
    /// The message's first line.
    pub subject: String,
    /// The app's wording: "The sign-off is missing.", "Expected …", "Can not find …".
    pub reason: String,
}

static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| regex(r"(?imR)^Signed-off-by: (.*) <(.*)>\s*$"));
static INDIVIDUAL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?imR)^I, (.*) <(.*)>, hereby add my Signed-off-by to this commit: (.*)\s*$"));
static THIRD_PARTY: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?imR)^On behalf of (.*) <(.*)>, I, (.*) <(.*)>, hereby add my Signed-off-by to this commit: (.*)\s*$")
});

#[allow(clippy::expect_used)] // constant patterns, covered by every test
fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid pattern")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Explicit,
    Individual,
    ThirdParty,
}

struct SignOff {
    name: String,
    email: String,
    kind: Kind,
}

/// The commits of `commits` (one range: remediations are looked up in it)
/// that lack a valid sign-off, in the order given.
pub fn check(commits: &[CommitFacts], options: &DcoOptions) -> Vec<Failure> {
    commits.iter().filter_map(|commit| failure(commit, commits, options)).collect()
}

fn failure(commit: &CommitFacts, range: &[CommitFacts], options: &DcoOptions) -> Option<Failure> {
    if commit.parents > 1 || commit.author.name.ends_with("[bot]") {
        return None;
    }
    let fail = |reason: String| {
        Some(Failure {
            id: commit.id.clone(),
            author: commit.author.clone(),
            subject: commit.message.lines().next().unwrap_or_default().to_owned(),
            reason,
        })
    };
    let sign_offs = sign_offs(commit, range, options);
    if sign_offs.is_empty() {
        return fail("The sign-off is missing.".to_owned());
    }
    let email = if commit.author.email.is_empty() { &commit.committer.email } else { &commit.author.email };
    if !valid_email(email) {
        return fail(format!("{email} is not a valid email address."));
    }
    let names = [commit.author.name.to_lowercase(), commit.committer.name.to_lowercase()];
    let emails = [commit.author.email.to_lowercase(), commit.committer.email.to_lowercase()];
    let identifies = |s: &SignOff| names.contains(&s.name.to_lowercase()) && emails.contains(&s.email.to_lowercase());
    let expected = format!("{} <{}>", commit.author.name, commit.author.email);
    if let [only] = sign_offs.as_slice() {
        // a third-party remediation was matched when it was found
        if only.kind != Kind::ThirdParty && !identifies(only) {
            return fail(format!("Expected \"{expected}\", but got \"{} <{}>\".", only.name, only.email));
        }
        return None;
    }
    if sign_offs.iter().any(|s| s.kind == Kind::ThirdParty || identifies(s)) {
        return None;
    }
    let got: Vec<String> = sign_offs.iter().map(|s| format!("\"{} <{}>\"", s.name, s.email)).collect();
    fail(format!("Can not find \"{expected}\", in [{}].", got.join(", ")))
}

/// The explicit sign-offs of `commit`, then the remediations of it found in `range`.
fn sign_offs(commit: &CommitFacts, range: &[CommitFacts], options: &DcoOptions) -> Vec<SignOff> {
    let mut found: Vec<SignOff> = SIGN_OFF
        .captures_iter(&commit.message)
        .map(|c| SignOff { name: c[1].to_owned(), email: c[2].to_owned(), kind: Kind::Explicit })
        .collect();
    if !(options.individual_remediation || options.third_party_remediation) {
        return found;
    }
    let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
    let is = |p: &Person, name: &str, email: &str| same(&p.name, name) && same(&p.email, email);
    for other in range {
        for c in INDIVIDUAL.captures_iter(&other.message) {
            // the remediating commit is by the remediated commit's author, who names themself
            if c[3] == commit.id
                && is(&commit.author, &other.author.name, &other.author.email)
                && is(&commit.author, &c[1], &c[2])
            {
                found.push(SignOff { name: c[1].to_owned(), email: c[2].to_owned(), kind: Kind::Individual });
            }
        }
        if options.third_party_remediation {
            for c in THIRD_PARTY.captures_iter(&other.message) {
                if c[5] == commit.id
                    && is(&commit.author, &c[1], &c[2])
                    && (is(&other.author, &c[3], &c[4]) || is(&other.committer, &c[3], &c[4]))
                {
                    found.push(SignOff { name: c[1].to_owned(), email: c[2].to_owned(), kind: Kind::ThirdParty });
                }
            }
        }
    }
    found
}

/// The address rule of the `email-validator` package the app uses: a
/// dot-atom local part of at most 64 characters, `@`, a domain of labels of at
/// most 63 characters whose last is alphabetic-first and two characters or
/// more, 254 characters in all.
pub fn valid_email(email: &str) -> bool {
    static SHAPE: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"^[-!#$%&'*+/0-9=?A-Z^_a-z{|}~](\.?[-!#$%&'*+/0-9=?A-Z^_a-z`{|}~])*@[a-zA-Z0-9](-*\.?[a-zA-Z0-9])*\.[a-zA-Z](-?[a-zA-Z0-9])+$",
        )
    });
    if email.is_empty() || email.chars().count() > 254 || !SHAPE.is_match(email) {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else { return false };
    local.chars().count() <= 64 && domain.split('.').all(|label| label.chars().count() <= 63)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: &str, message: &str) -> CommitFacts {
        let alice = Person { name: "Alice".into(), email: "alice@example.org".into() };
        CommitFacts {
            id: id.into(),
            parents: 1,
            author: alice.clone(),
            committer: alice,
            message: message.into(),
            time: 0,
        }
    }

    /// Messages written on Windows end lines with CR LF; the app's JavaScript
    /// patterns end a line before either, and so must ours.
    #[test]
    fn crlf_line_ends_do_not_hide_sign_offs_or_remediated_ids() {
        let id = "0123456789abcdef0123456789abcdef01234567";
        let remedy =
            format!("fix\r\n\r\nI, Alice <alice@example.org>, hereby add my Signed-off-by to this commit: {id}\r\n");
        let commits = [
            commit(id, "forgot\r\n"),
            commit(
                "1111111111111111111111111111111111111111",
                &(remedy + "Signed-off-by: Alice <alice@example.org>\r\n"),
            ),
        ];
        let individual = DcoOptions { individual_remediation: true, third_party_remediation: false };
        assert!(check(&commits, &individual).is_empty());
        assert_eq!(check(&commits, &DcoOptions::default()).len(), 1);
    }
}
