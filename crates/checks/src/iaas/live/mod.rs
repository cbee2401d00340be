// SPDX-License-Identifier: Apache-2.0
//! Testcases that create resources in the cloud: each records what it creates
//! in the run's [`Ledger`] and deletes it before it returns; the run deletes
//! whatever is left when a testcase is cut short.

mod scs_0101;
mod scs_0116;
mod scs_0117;
mod scs_0123_s3;

pub use scs_0101::{ConsoleVerdict, decide as decide_entropy, parse_console};

use crate::Outcome;
use crate::iaas::Options;
use crate::scratch::{Kind, Ledger};
use scs_openstack::{ApiError, Session};

/// The testcases decided by creating resources, as the IaaS table lists them.
pub fn testcases() -> Vec<&'static str> {
    super::IAAS
        .entries
        .iter()
        .filter(|e| matches!(e.method, crate::table::Method::CreatesResources))
        .filter_map(|e| match e.ids {
            crate::table::Ids::Exact(id) => Some(id),
            crate::table::Ids::Pattern { .. } => None,
        })
        .collect()
}

/// Whether `id` is decided by creating resources.
pub fn creates(id: &str) -> bool {
    super::IAAS.creates(id)
}

/// One or more testcases running together, each outcome keyed by id.
type Job<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Vec<(String, Outcome)>> + Send + 'a>>;

/// Runs the selected live testcases concurrently; each outcome keyed by id.
pub async fn run(ids: &[String], session: &Session, ledger: &Ledger, options: &Options) -> Vec<(String, Outcome)> {
    let mut jobs: Vec<Job<'_>> = Vec::new();
    let wants = |id: &str| ids.iter().any(|i| i == id);
    // both entropy testcases share one server, as upstream's do
    let entropy: Vec<&str> =
        ["scs-0101-entropy-avail", "scs-0101-fips-test"].into_iter().filter(|id| wants(id)).collect();
    if !entropy.is_empty() {
        jobs.push(Box::pin(async move {
            let (avail, fips) = scs_0101::entropy(session, ledger).await;
            let mut out = Vec::new();
            if entropy.contains(&"scs-0101-entropy-avail") {
                out.push(("scs-0101-entropy-avail".to_owned(), avail));
            }
            if entropy.contains(&"scs-0101-fips-test") {
                out.push(("scs-0101-fips-test".to_owned(), fips));
            }
            out
        }));
    }
    if wants("scs-0116-permissions") {
        jobs.push(Box::pin(async move {
            vec![("scs-0116-permissions".to_owned(), scs_0116::permissions(session, ledger).await)]
        }));
    }
    if wants("scs-0117-test-backup") {
        jobs.push(Box::pin(async move {
            vec![("scs-0117-test-backup".to_owned(), scs_0117::test_backup(session, ledger).await)]
        }));
    }
    if wants("scs-0123-swift-s3") {
        let strict = options.strict_s3_probe;
        jobs.push(Box::pin(async move {
            vec![("scs-0123-swift-s3".to_owned(), scs_0123_s3::swift_s3(session, strict).await)]
        }));
    }
    futures::future::join_all(jobs).await.into_iter().flatten().collect()
}

/// Polls `status` until it is `target`, with upstream's waits (110 s in all);
/// the error as the testcases' evidence says it.
pub(crate) async fn wait_for<F, Fut>(what: &str, target: &str, status: F) -> Result<(), String>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<String, ApiError>>,
{
    crate::scratch::wait_until(what, target, status).await.map_err(|e| e.to_string())
}

/// Deletes what one testcase recorded; returns a line per failure.
pub(crate) async fn clean_mine(session: &Session, ledger: &Ledger, mine: &[(Kind, String)]) -> Vec<String> {
    ledger.clean(session, |c| mine.iter().any(|(k, id)| *k == c.kind && *id == c.id)).await
}
