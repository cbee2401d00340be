// SPDX-License-Identifier: Apache-2.0
//! The checks read from the history: sign-offs, review, tags, activity and
//! the lock-in risk.

use super::{Check, Criterion, Facts, Risk, check, find, inconclusive, name, proportion, regex, scored};
use crate::activity::Activity;
use crate::dco::{DcoOptions, check as dco_check};
use crate::repo::{CommitFacts, TagFacts};
use regex::Regex;
use std::sync::LazyLock;

fn last_year(facts: &Facts, now: i64) -> Vec<CommitFacts> {
    facts.commits.iter().filter(|c| c.time > now - 365 * 86_400 && c.time <= now).cloned().collect()
}

pub(super) fn dco(facts: &Facts, now: i64) -> Check {
    let c = check(
        "dco",
        Criterion::FourOpens,
        Risk::Medium,
        "a sign-off certifies the right to contribute (Developer Certificate of Origin)",
    );
    let year = last_year(facts, now);
    let judged = year.iter().filter(|c| c.parents <= 1 && !c.author.name.ends_with("[bot]")).count();
    if judged == 0 {
        return inconclusive(c, "no commits in the last year");
    }
    let failing = dco_check(&year, &DcoOptions::default()).len();
    scored(
        c,
        proportion(judged - failing, judged),
        format!("{} of {judged} commits of the last year signed off", judged - failing),
    )
}

static REVIEW_TRAILER: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^(?i:Reviewed-by|Acked-by|Reviewed-on|Approved-by):"));

pub(super) fn review(facts: &Facts, now: i64) -> Check {
    let c = check("review", Criterion::Maturity, Risk::High, "a second pair of eyes on every change");
    let year = last_year(facts, now);
    let changes: Vec<&CommitFacts> = year.iter().filter(|c| c.parents <= 1).collect();
    if changes.is_empty() {
        return inconclusive(c, "no commits in the last year");
    }
    let merges = year.len() - changes.len();
    let trailers = changes.iter().filter(|c| REVIEW_TRAILER.is_match(&c.message)).count();
    // a merge commit stands for a reviewed branch (pull or merge request)
    let reviewed = (trailers + merges).min(changes.len());
    let codeowners = !find(facts, |p| name(p) == "CODEOWNERS").is_empty();
    let mut c = scored(
        c,
        proportion(reviewed, changes.len()),
        format!("{trailers} review trailer(s) and {merges} merge(s) for {} changes of the last year", changes.len()),
    );
    if codeowners {
        c.evidence.push("CODEOWNERS names reviewers".into());
        c.score = c.score.map(|s| (s + 2).min(10));
    }
    c
}

pub(super) fn signed_tags(facts: &Facts) -> Check {
    let c = check("signed-tags", Criterion::Maturity, Risk::High, "a signed release tag proves who released it");
    let mut recent: Vec<&TagFacts> = facts.tags.iter().collect();
    recent.sort_by_key(|t| std::cmp::Reverse(t.time));
    recent.truncate(5);
    if recent.is_empty() {
        return inconclusive(c, "no tags");
    }
    let signed = recent.iter().filter(|t| t.signed).count();
    scored(c, proportion(signed, recent.len()), format!("{signed} of the {} newest tags signed", recent.len()))
}

pub(super) fn maintained(figures: &Activity) -> Check {
    let c = check("maintained", Criterion::Activity, Risk::High, "an unmaintained project fixes nothing");
    let n = figures.commits_last_90_days;
    scored(
        c,
        u8::try_from((n * 10 / 12).min(10)).unwrap_or(10),
        format!("{n} commit(s) in the last 90 days, {} active month(s) of 12", figures.active_months),
    )
}

pub(super) fn releases(figures: &Activity) -> Check {
    let c = check("releases", Criterion::Activity, Risk::Low, "users need releases, not only a branch");
    let score = match figures.tags_last_year {
        0 => 0,
        1 => 5,
        _ => 10,
    };
    scored(c, score, format!("{} tag(s) in the last year", figures.tags_last_year))
}

pub(super) fn bus_factor(figures: &Activity) -> Check {
    let c =
        check("bus-factor", Criterion::Risk, Risk::High, "a project that one person carries fails with that person");
    let score = match figures.bus_factor {
        0 => 0,
        1 => 2,
        2 => 6,
        _ => 10,
    };
    scored(
        c,
        score,
        format!(
            "{} author(s) wrote half the commits of the last year; {} active maintainer(s)",
            figures.bus_factor, figures.active_maintainers
        ),
    )
}

pub(super) fn organisations(figures: &Activity) -> Check {
    let c = check(
        "organisations",
        Criterion::Risk,
        Risk::Low,
        "contributors from several organisations outlast one company's priorities",
    );
    let n = figures.organisations.len();
    let evidence = if n == 0 {
        "no organisation recognisable from mail domains".to_owned()
    } else {
        figures.organisations.join(", ")
    };
    scored(c, proportion(n.min(3), 3), evidence)
}
