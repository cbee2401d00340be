// SPDX-License-Identifier: Apache-2.0
//! `version-policy-check` (scs-0210-v2): the cluster runs a branch upstream
//! still supports, has every patch release older than 31 days, and every
//! patch fixing a critical CVE (CVSS base score ≥ 8) within 14 days (2 days
//! recommended).
//!
//! As upstream's check, it judges the one cluster it is given (a subject is
//! one branch); whether all supported branches are offered is a matter of
//! the set of subjects.

use crate::data::ReleaseData;
use crate::version::KubeVersion;
use chrono::NaiveDate;
use scs_checks::Outcome;

/// Days after which a newer patch release must be offered.
pub const PATCH_DAYS: i64 = 31;
/// Days after which a patch fixing a critical CVE must be offered.
pub const CRITICAL_PATCH_DAYS: i64 = 14;
/// Days after which offering a patch fixing a critical CVE is recommended.
pub const CRITICAL_PATCH_RECOMMENDED_DAYS: i64 = 2;
/// Data older than this may miss releases that would make a cluster fail.
pub const STALE_DATA_DAYS: i64 = 31;

/// Decides the testcase for a cluster reporting `git_version` on `today`.
pub fn decide(git_version: &str, data: &ReleaseData, data_source: &str, today: NaiveDate) -> Outcome {
    let version: KubeVersion = match git_version.parse() {
        Ok(v) => v,
        Err(e) => return Outcome::abort(format!("the API server's /version: {e}")),
    };
    let branch = version.branch();
    let age = (today - data.fetched_at.date_naive()).num_days();
    let when = if age >= 0 {
        format!("{age} days before {today}")
    } else {
        format!("after the reference date {today}: only what was published by then counts")
    };
    let mut notes = vec![format!(
        "cluster version {version} (branch {branch}); release data {data_source}, fetched {} ({when})",
        data.fetched_at.date_naive()
    )];
    if age > STALE_DATA_DAYS {
        notes.push(format!(
            "warning: the release data is {age} days old; releases published since are not judged (run `scs data refresh`)"
        ));
    }
    let supported: Vec<_> = data.branches.iter().filter(|b| b.end_of_life > today).collect();
    if supported.len() < 2 {
        return Outcome::abort(format!(
            "the release data lists {} branch(es) supported on {today}; upstream always supports at least 2: the data is too old or broken ({data_source})",
            supported.len()
        ));
    }
    if supported.len() < 3 {
        notes.push(format!("warning: the release data lists only {} supported branches on {today}", supported.len()));
    }
    let mut problems = Vec::new();
    match data.end_of_life(branch) {
        Some(eol) if eol <= today => problems.push(format!(
            "branch {branch} reached its upstream end of life on {eol}: {version} is no longer supported"
        )),
        Some(_) => {}
        None => {
            let newest = data.branches.iter().map(|b| b.branch).max();
            if newest.is_some_and(|n| branch > n) {
                return Outcome::abort(format!(
                    "branch {branch} is newer than every branch in the release data ({data_source}, fetched {}); refresh it with `scs data refresh`",
                    data.fetched_at.date_naive()
                ));
            }
            problems.push(format!("branch {branch} is not in the end-of-life table: it is not a supported branch"));
        }
    }
    let mut newer: Vec<_> = data
        .releases
        .iter()
        .filter(|r| r.version.branch() == branch && r.version > version && r.published_at.date_naive() <= today)
        .collect();
    newer.sort_by_key(|r| r.published_at);
    // the oldest newer release decides: once it is overdue, the cluster is behind
    if let Some(release) = newer.first() {
        let days = (today - release.published_at.date_naive()).num_days();
        if days > PATCH_DAYS {
            problems.push(format!(
                "{} (released {}, {days} days before {today}) is newer than the cluster's {version}; patch releases must be offered within {PATCH_DAYS} days",
                release.version,
                release.published_at.date_naive()
            ));
        }
    }
    for cve in data.critical_cves.iter().filter(|c| c.base_score >= 8.0 && c.affects(version)) {
        // the first newer release of the branch that is not affected fixes it
        let Some(fix) = newer.iter().find(|r| !cve.affects(r.version)) else {
            notes.push(format!(
                "{} (CVSS {}) affects {version}; the data lists no fixed release of {branch}",
                cve.id, cve.base_score
            ));
            continue;
        };
        let days = (today - fix.published_at.date_naive()).num_days();
        if days > CRITICAL_PATCH_DAYS {
            problems.push(format!(
                "{} (CVSS {}) affects {version}; {} fixes it (released {}, {days} days before {today}); critical fixes must be offered within {CRITICAL_PATCH_DAYS} days",
                cve.id,
                cve.base_score,
                fix.version,
                fix.published_at.date_naive()
            ));
        } else if days > CRITICAL_PATCH_RECOMMENDED_DAYS {
            notes.push(format!(
                "warning: {} (CVSS {}) affects {version}; {} fixes it ({days} days ago); recommended within {CRITICAL_PATCH_RECOMMENDED_DAYS} days",
                cve.id, cve.base_score, fix.version
            ));
        }
    }
    crate::verdict(problems, notes, || format!("{version} is on a supported branch and current by the release data"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scs_standards::TestResult;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn shipped() -> ReleaseData {
        ReleaseData::shipped().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn an_end_of_life_branch_fails_with_the_release_it_misses() {
        let o = decide("v1.20.2", &shipped(), "shipped", date("2026-11-27"));
        assert_eq!(o.result, TestResult::Fail);
        assert!(o.evidence[0].contains("branch 1.20 reached its upstream end of life on 2022-02-28"), "{o:?}");
        assert!(o.evidence[1].starts_with("v1.20.15 (released 2022-03-16"), "{o:?}");
        assert!(o.evidence.iter().any(|e| e.contains("release data is 290 days old")), "{o:?}");
    }

    #[test]
    fn the_newest_patch_passes_and_a_missed_patch_fails_after_31_days() {
        let data = shipped();
        let o = decide("v1.34.4", &data, "shipped", date("2026-02-20"));
        assert_eq!(o.result, TestResult::Pass, "{o:?}");
        // 1.34.4 was released 2026-02-10: a 1.34.0 cluster is fine for 31 days
        assert_eq!(decide("v1.34.3", &data, "s", date("2026-03-13")).result, TestResult::Pass);
        let late = decide("v1.34.3", &data, "s", date("2026-03-14"));
        assert_eq!(late.result, TestResult::Fail);
        assert!(late.evidence[0].starts_with("v1.34.4 (released 2026-02-10, 32 days"), "{late:?}");
    }

    #[test]
    fn critical_cves_have_a_14_day_window() {
        let data = shipped();
        // 1.27.4 is affected by CVE-2023-3676/3955, fixed in 1.27.5 on 2023-08-23
        let o = decide("v1.27.4", &data, "s", date("2023-09-07"));
        assert_eq!(o.result, TestResult::Fail, "{o:?}");
        assert!(o.evidence.iter().any(|e| e.starts_with("CVE-2023-3676 (CVSS 8.8) affects v1.27.4; v1.27.5 fixes it")));
        let within = decide("v1.27.4", &data, "s", date("2023-09-06"));
        assert_eq!(within.result, TestResult::Pass, "{within:?}");
        assert!(within.evidence.iter().any(|e| e.contains("recommended within 2 days")));
    }

    #[test]
    fn a_branch_newer_than_the_data_aborts() {
        let o = decide("v1.40.0", &shipped(), "shipped", date("2026-11-27"));
        assert_eq!(o.result, TestResult::Abort);
        assert!(o.evidence[0].contains("newer than every branch"));
        assert_eq!(decide("not-a-version", &shipped(), "s", date("2026-11-27")).result, TestResult::Abort);
    }
}
