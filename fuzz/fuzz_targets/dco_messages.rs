// SPDX-License-Identifier: Apache-2.0
//! Any text as commit messages and identities for the DCO rules: deciding
//! must not panic, with and without remediation commits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scs_oss::{CommitFacts, DcoOptions, Person, check};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{0}');
    let person = |name: Option<&str>, email: Option<&str>| Person {
        name: name.unwrap_or_default().to_owned(),
        email: email.unwrap_or_default().to_owned(),
    };
    let author = person(parts.next(), parts.next());
    let committer = person(parts.next(), parts.next());
    let commits: Vec<CommitFacts> = parts
        .enumerate()
        .map(|(i, message)| CommitFacts {
            id: format!("{i:040x}"),
            parents: i % 3,
            author: author.clone(),
            committer: committer.clone(),
            message: message.to_owned(),
            time: 0,
        })
        .collect();
    for options in [DcoOptions::default(), DcoOptions { individual_remediation: true, third_party_remediation: true }] {
        let _ = check(&commits, &options);
    }
});
