// SPDX-License-Identifier: Apache-2.0
//! Community and activity figures of a repository from its commits and tags
//! (scs-0008's "activity" and the risk of failure: too few maintainers, one
//! organisation), computed on a given day so that replays give the same answer.

use crate::repo::{CommitFacts, Person, TagFacts};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

const DAY: i64 = 86_400;

/// Mail domains of public providers and forges' no-reply addresses: they say
/// nothing about the organisation behind a contributor.
const PUBLIC_DOMAINS: [&str; 12] = [
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "posteo.de",
    "protonmail.com",
];

/// The figures, over the year (365 days) before `now` unless said otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Activity {
    /// Non-merge commits in the year.
    pub commits_last_year: usize,
    /// Non-merge commits in the last 90 days.
    pub commits_last_90_days: usize,
    /// Of the last 12 months (30-day windows back from `now`), those with a commit.
    pub active_months: usize,
    /// Distinct authors (by lower-cased address, after `.mailmap`) in the year.
    pub contributors: usize,
    /// Distinct organisations (mail domains, public providers and no-reply addresses left out).
    pub organisations: Vec<String>,
    /// The fewest authors who wrote half of the year's commits (0 without commits).
    pub bus_factor: usize,
    /// Authors with at least 5 % of the year's commits.
    pub active_maintainers: usize,
    /// Tags made in the year.
    pub tags_last_year: usize,
    /// Days since the newest tag, if there is one.
    pub days_since_last_tag: Option<i64>,
}

/// A repository's `.mailmap`: the canonical name and address of people who
/// committed under several (a new employer, a typo, a no-reply address), so
/// that they count once, and under the organisation they map to.
#[derive(Default)]
pub struct Identities(gix::mailmap::Snapshot);

impl Identities {
    /// Reads a `.mailmap` (git's format; lines it cannot read are skipped, as git does).
    pub fn from_mailmap(bytes: &[u8]) -> Self {
        Identities(gix::mailmap::Snapshot::from_bytes(bytes))
    }

    /// The canonical address of `person`, lower-cased.
    pub fn address_of(&self, person: &Person) -> String {
        let signature = gix::actor::SignatureRef {
            name: person.name.as_str().into(),
            email: person.email.as_str().into(),
            time: "",
        };
        match self.0.try_resolve_ref(signature).and_then(|r| r.email) {
            Some(email) => email.to_string().to_lowercase(),
            None => person.email.to_lowercase(),
        }
    }
}

/// The figures on `now` (seconds since the epoch), each address counted as itself.
pub fn activity(commits: &[CommitFacts], tags: &[TagFacts], now: i64) -> Activity {
    activity_with(commits, tags, now, &Identities::default())
}

/// The figures on `now`, people counted by their canonical address in `identities`.
pub fn activity_with(commits: &[CommitFacts], tags: &[TagFacts], now: i64, identities: &Identities) -> Activity {
    let year: Vec<&CommitFacts> =
        commits.iter().filter(|c| c.parents <= 1 && c.time > now - 365 * DAY && c.time <= now).collect();
    let mut per_author: BTreeMap<String, usize> = BTreeMap::new();
    for c in &year {
        *per_author.entry(identities.address_of(&c.author)).or_default() += 1;
    }
    let mut counts: Vec<usize> = per_author.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let mut covered = 0;
    let bus_factor = counts
        .iter()
        .position(|n| {
            covered += n;
            covered * 2 >= year.len()
        })
        .map_or(0, |i| i + 1);
    let organisations: BTreeSet<String> = per_author.keys().filter_map(|email| organisation(email)).collect();
    let months: BTreeSet<i64> = year.iter().map(|c| (now - c.time) / (30 * DAY)).filter(|m| *m < 12).collect();
    let newest_tag = tags.iter().map(|t| t.time).filter(|t| *t <= now).max();
    Activity {
        commits_last_year: year.len(),
        commits_last_90_days: year.iter().filter(|c| c.time > now - 90 * DAY).count(),
        active_months: months.len(),
        contributors: per_author.len(),
        organisations: organisations.into_iter().collect(),
        bus_factor,
        active_maintainers: counts.iter().filter(|n| **n * 20 >= year.len()).count(),
        tags_last_year: tags.iter().filter(|t| t.time > now - 365 * DAY && t.time <= now).count(),
        days_since_last_tag: newest_tag.map(|t| (now - t) / DAY),
    }
}

/// The organisation an address stands for: its domain, unless public or a no-reply one.
fn organisation(email: &str) -> Option<String> {
    let domain = email.rsplit_once('@')?.1.trim_end_matches('>').to_lowercase();
    let public = PUBLIC_DOMAINS.contains(&domain.as_str()) || domain.contains("noreply") || domain.contains("no-reply");
    (!public && domain.contains('.')).then_some(domain)
}
