// SPDX-License-Identifier: Apache-2.0
//! `scs data refresh`: fetch the release data from its public sources, the
//! same ones upstream's version-policy check reads live: GitHub's release
//! list of kubernetes/kubernetes, the end-of-life table (endoflife.date),
//! and Kubernetes' official CVE feed with each CVE's record at MITRE.
//!
//! A refresh either yields complete data or fails; it never writes a
//! partial file over a good one.

use crate::data::{AffectedRange, BranchLife, Cve, Release, ReleaseData};
use crate::version::{Branch, KubeVersion};
use chrono::{DateTime, NaiveDate, Utc};
use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;
use std::time::Duration;

/// Where the data comes from; tests point these at a local server.
#[derive(Clone, Debug)]
pub struct Sources {
    /// GitHub's releases endpoint (paged with `per_page` and `page`).
    pub releases: String,
    /// endoflife.date's Kubernetes cycles.
    pub end_of_life: String,
    /// Kubernetes' official CVE feed (JSON Feed).
    pub cve_feed: String,
    /// A CVE record is `{cve_record}{id}`.
    pub cve_record: String,
}

impl Default for Sources {
    fn default() -> Self {
        Self {
            releases: "https://api.github.com/repos/kubernetes/kubernetes/releases".into(),
            end_of_life: "https://endoflife.date/api/kubernetes.json".into(),
            cve_feed: "https://kubernetes.io/docs/reference/issues-security/official-cve-feed/index.json".into(),
            cve_record: "https://cveawg.mitre.org/api/cve/".into(),
        }
    }
}

/// A refresh failed.
#[derive(Debug, thiserror::Error)]
#[error("{url}: {reason}")]
pub struct RefreshError {
    /// What was fetched.
    pub url: String,
    /// Why it failed.
    pub reason: String,
}

/// Pages of 100 releases read at most (five years of releases).
const MAX_RELEASE_PAGES: u32 = 6;

#[derive(Deserialize)]
struct GithubRelease {
    tag_name: String,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    prerelease: bool,
    published_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct Cycle {
    cycle: String,
    eol: serde_json::Value,
}

#[derive(Deserialize)]
struct Feed {
    items: Vec<FeedItem>,
}

#[derive(Deserialize)]
struct FeedItem {
    id: String,
}

/// Fetches everything; `warnings` gets what was skipped (unparseable CVE ranges).
pub async fn refresh(
    sources: &Sources,
    timeout: Duration,
    warnings: &mut Vec<String>,
) -> Result<ReleaseData, RefreshError> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("scs/", env!("CARGO_PKG_VERSION"), " (data refresh)"))
        .build()
        .map_err(|e| RefreshError { url: String::new(), reason: e.to_string() })?;
    let get = |url: String| {
        let client = client.clone();
        async move {
            let fail = |reason: String| RefreshError { url: url.clone(), reason };
            let mut request = client.get(&url).header("Accept", "application/json");
            // GitHub allows 60 anonymous requests an hour; a token (any scope) lifts that
            if url.starts_with("https://api.github.com/")
                && let Some(token) = std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.is_empty())
            {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.map_err(|e| fail(crate::cluster::chain(&e)))?;
            let status = response.status();
            if !status.is_success() {
                return Err(fail(format!("HTTP {status}")));
            }
            response.bytes().await.map_err(|e| fail(crate::cluster::chain(&e))).map(|b| (url, b))
        }
    };
    let mut releases = Vec::new();
    for page in 1..=MAX_RELEASE_PAGES {
        let (url, bytes) = get(format!("{}?per_page=100&page={page}", sources.releases)).await?;
        let list: Vec<GithubRelease> =
            serde_json::from_slice(&bytes).map_err(|e| RefreshError { url: url.clone(), reason: e.to_string() })?;
        if list.is_empty() {
            break;
        }
        for r in list.into_iter().filter(|r| !r.draft && !r.prerelease) {
            // tags like v1.34.2; pre-release tags (v1.35.0-rc.1) are skipped even if not flagged
            if r.tag_name.contains('-') {
                continue;
            }
            if let (Ok(version), Some(published_at)) = (r.tag_name.parse::<KubeVersion>(), r.published_at) {
                releases.push(Release { version, published_at });
            }
        }
    }
    let (url, bytes) = get(sources.end_of_life.clone()).await?;
    let cycles: Vec<Cycle> =
        serde_json::from_slice(&bytes).map_err(|e| RefreshError { url: url.clone(), reason: e.to_string() })?;
    let branches: Vec<BranchLife> = cycles
        .into_iter()
        .filter_map(|c| {
            let branch: Branch = c.cycle.parse().ok()?;
            let end_of_life: NaiveDate = c.eol.as_str()?.parse().ok()?;
            Some(BranchLife { branch, end_of_life })
        })
        .collect();
    let (url, bytes) = get(sources.cve_feed.clone()).await?;
    let feed: Feed =
        serde_json::from_slice(&bytes).map_err(|e| RefreshError { url: url.clone(), reason: e.to_string() })?;
    let records: Vec<(String, serde_json::Value)> = futures::stream::iter(feed.items)
        .map(|item| {
            let get = &get;
            async move {
                let (url, bytes) = get(format!("{}{}", sources.cve_record, item.id)).await?;
                let record = serde_json::from_slice(&bytes).map_err(|e| RefreshError { url, reason: e.to_string() })?;
                Ok::<_, RefreshError>((item.id, record))
            }
        })
        .buffer_unordered(8)
        .try_collect()
        .await?;
    let mut critical_cves = Vec::new();
    for (id, record) in records {
        if let Some(cve) = critical_cve(&id, &record, warnings) {
            critical_cves.push(cve);
        }
    }
    if branches.len() < 2 || releases.is_empty() {
        return Err(RefreshError {
            url: sources.end_of_life.clone(),
            reason: format!(
                "only {} branches and {} releases: refusing to write incomplete data",
                branches.len(),
                releases.len()
            ),
        });
    }
    Ok(ReleaseData {
        fetched_at: Utc::now(),
        sources: vec![sources.releases.clone(), sources.end_of_life.clone(), sources.cve_feed.clone()],
        branches,
        releases,
        critical_cves,
    })
}

/// A CVE record (CVE JSON 5) as a critical CVE of Kubernetes, if it is one:
/// a CVSS base score of 8 or more in any CVSS metric of the CNA, and
/// affected versions of the product Kubernetes.
pub fn critical_cve(id: &str, record: &serde_json::Value, warnings: &mut Vec<String>) -> Option<Cve> {
    let cna = record.pointer("/containers/cna")?;
    let base_score = cna
        .get("metrics")?
        .as_array()?
        .iter()
        .filter_map(|m| m.as_object())
        .flat_map(|m| m.iter())
        .filter(|(k, _)| k.to_ascii_lowercase().starts_with("cvss"))
        .filter_map(|(_, v)| v.get("baseScore")?.as_f64())
        .fold(f64::NAN, f64::max);
    if base_score.is_nan() || base_score < 8.0 {
        return None;
    }
    let mut affected = Vec::new();
    for product in cna
        .get("affected")?
        .as_array()?
        .iter()
        .filter(|p| p.get("product").and_then(|p| p.as_str()) == Some("Kubernetes"))
    {
        for v in product.get("versions").and_then(|v| v.as_array()).into_iter().flatten() {
            if v.get("status").and_then(|s| s.as_str()) != Some("affected") {
                continue;
            }
            match affected_range(v) {
                Some(range) => affected.push(range),
                None => warnings.push(format!("{id}: cannot read the affected version {v}")),
            }
        }
    }
    if affected.is_empty() {
        return None;
    }
    Some(Cve { id: id.to_owned(), base_score, affected })
}

/// One `versions[]` entry: `version` with `lessThan`/`lessThanOrEqual`, or
/// the spellings CNAs use besides (`1.27.x`, `1.27.0 - 1.27.4`, `<1.27.5`).
fn affected_range(v: &serde_json::Value) -> Option<AffectedRange> {
    let field = |k: &str| v.get(k).and_then(|s| s.as_str()).map(str::trim);
    let parse = |s: &str| -> Option<KubeVersion> {
        let s = s.trim().trim_start_matches(['<', '=', ' ']);
        if let Some(branch) = s.strip_suffix(".x").or_else(|| s.strip_suffix(".*")) {
            return format!("{branch}.0").parse().ok();
        }
        s.parse().ok()
    };
    let version = field("version")?;
    if let Some(below) = field("lessThan").filter(|s| *s != "*") {
        return Some(AffectedRange {
            from: parse(version).unwrap_or(KubeVersion { major: 0, minor: 0, patch: 0 }),
            below: Some(parse(below)?),
            up_to: None,
        });
    }
    if let Some(up_to) = field("lessThanOrEqual").filter(|s| *s != "*") {
        if let Some(branch) = up_to.strip_suffix(".x") {
            let b: Branch = branch.parse().ok()?;
            return Some(AffectedRange {
                from: parse(version)?,
                below: Some(KubeVersion { major: b.major, minor: b.minor + 1, patch: 0 }),
                up_to: None,
            });
        }
        return Some(AffectedRange { from: parse(version)?, below: None, up_to: Some(parse(up_to)?) });
    }
    if let Some((from, to)) = version.split_once(" - ") {
        return Some(AffectedRange { from: parse(from)?, below: None, up_to: Some(parse(to)?) });
    }
    if let Some(below) = version.strip_prefix('<') {
        return Some(AffectedRange {
            from: KubeVersion { major: 0, minor: 0, patch: 0 },
            below: Some(parse(below)?),
            up_to: None,
        });
    }
    if let Some(branch) = version.strip_suffix(".x") {
        let b: Branch = branch.parse().ok()?;
        return Some(AffectedRange {
            from: KubeVersion { major: b.major, minor: b.minor, patch: 0 },
            below: Some(KubeVersion { major: b.major, minor: b.minor + 1, patch: 0 }),
            up_to: None,
        });
    }
    Some(AffectedRange { from: parse(version)?, below: None, up_to: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cve_record_with_a_high_score_and_ranges_is_critical() {
        let record = serde_json::json!({"containers": {"cna": {
        "metrics": [{"cvssV3_1": {"baseScore": 8.8}}, {"other": {"type": "x"}}],
        "affected": [
            {"product": "Kubernetes", "versions": [
                {"version": "1.28.0", "status": "affected", "lessThanOrEqual": "1.28.0", "versionType": "semver"},
                {"version": "1.27.0", "status": "affected", "lessThan": "1.27.5", "versionType": "semver"},
                {"version": "1.26.x", "status": "affected"},
                {"version": "1.25.0 - 1.25.12", "status": "affected"},
                {"version": "1.28.1", "status": "unaffected"}
            ]},
            {"product": "ingress-nginx", "versions": [{"version": "1.0.0", "status": "affected"}]}
        ]}}});
        let mut warnings = Vec::new();
        let cve = critical_cve("CVE-2023-3676", &record, &mut warnings).unwrap_or_else(|| panic!("not critical"));
        assert_eq!(cve.base_score, 8.8);
        assert_eq!(cve.affected.len(), 4);
        let v = |s: &str| s.parse::<KubeVersion>().unwrap_or_else(|e| panic!("{e}"));
        for (version, hit) in [
            ("1.28.0", true),
            ("1.28.1", false),
            ("1.27.4", true),
            ("1.27.5", false),
            ("1.26.15", true),
            ("1.25.12", true),
            ("1.25.13", false),
        ] {
            assert_eq!(cve.affects(v(version)), hit, "{version}");
        }
        assert!(warnings.is_empty());
        let low =
            serde_json::json!({"containers": {"cna": {"metrics": [{"cvssV3_1": {"baseScore": 6.5}}], "affected": []}}});
        assert!(critical_cve("CVE-x", &low, &mut warnings).is_none());
    }
}
