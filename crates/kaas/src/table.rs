// SPDX-License-Identifier: Apache-2.0
//! The KaaS testcase table: every testcase of SCS-compatible KaaS that `scs`
//! decides, by its SCS id, with what it needs and how it is decided.

use crate::cluster::ClusterFacts;
use crate::data::ReleaseData;
use crate::{nodes, version_policy};
use chrono::NaiveDate;
use scs_checks::Outcome;
use scs_checks::table::{Ids, Method, Table, Testcase};

/// What a KaaS testcase needs read before it is decided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// The cluster's API server.
    pub cluster: bool,
    /// The Kubernetes release data.
    pub release_data: bool,
}

/// The facts the pure KaaS decisions read.
pub struct Facts<'a> {
    /// What was read from the cluster.
    pub cluster: &'a ClusterFacts,
    /// The release data and where it came from, or why it could not be read.
    pub release: &'a Result<(ReleaseData, String), String>,
    /// The date versions are judged on.
    pub today: NaiveDate,
}

/// A pure decision.
pub type Decide = for<'a> fn(&Facts<'a>) -> Outcome;

const CLUSTER: Needs = Needs { cluster: true, release_data: false };

fn version_policy(f: &Facts<'_>) -> Outcome {
    match f.release {
        Ok((data, source)) => version_policy::decide(&f.cluster.git_version, data, source, f.today),
        Err(e) => Outcome::abort(format!("release data: {e}")),
    }
}

fn node_distribution(f: &Facts<'_>) -> Outcome {
    nodes::decide(&f.cluster.nodes)
}

/// Every KaaS testcase `scs` decides.
pub static KAAS: Table<Needs, Decide> = Table {
    family: "KaaS",
    entries: &[
        Testcase {
            ids: Ids::Exact("version-policy-check"),
            needs: Needs { cluster: true, release_data: true },
            method: Method::FromFacts(version_policy),
        },
        Testcase {
            ids: Ids::Exact("node-distribution-check"),
            needs: CLUSTER,
            method: Method::FromFacts(node_distribution),
        },
        Testcase { ids: Ids::Exact(crate::storage::TESTCASE), needs: CLUSTER, method: Method::CreatesResources },
        Testcase { ids: Ids::Exact("cncf-k8s-conformance"), needs: Needs::NONE, method: Method::ExternalSuite },
        Testcase { ids: Ids::Exact("kaas-networking-check"), needs: Needs::NONE, method: Method::ExternalSuite },
    ],
};

impl Needs {
    /// Nothing read from the cluster (the e2e suites bring their own results).
    pub const NONE: Needs = Needs { cluster: false, release_data: false };

    /// The union of what `ids` need.
    pub fn of<'a>(ids: impl IntoIterator<Item = &'a String>) -> Needs {
        let mut all = Needs::NONE;
        for entry in ids.into_iter().filter_map(|id| KAAS.get(id)) {
            all.cluster |= entry.needs.cluster;
            all.release_data |= entry.needs.release_data;
        }
        all
    }
}
