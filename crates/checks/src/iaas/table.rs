// SPDX-License-Identifier: Apache-2.0
//! The IaaS testcase table: every testcase of SCS-compatible IaaS that `scs`
//! decides, by its SCS id, with the facts it needs and its decision.

use super::{Options, scs_0100, scs_0102, scs_0103, scs_0104, scs_0104_v2, scs_0114, scs_0115, scs_0123};
use crate::Outcome;
use crate::facts::{Facts, Needs};
use crate::table::{Ids, Method, Table, Testcase};

/// A pure decision: the facts, the testcase id, the options.
pub type Decide = fn(&Facts, &str, &Options) -> Option<Outcome>;

const FLAVORS: Needs = Needs { flavors: true, images: false, volume_types: false, default_rules: false };
const IMAGES: Needs = Needs { flavors: false, images: true, volume_types: false, default_rules: false };
const VOLUME_TYPES: Needs = Needs { flavors: false, images: false, volume_types: true, default_rules: false };
const DEFAULT_RULES: Needs = Needs { flavors: false, images: false, volume_types: false, default_rules: true };
/// The catalog and the project are always read.
const CATALOG: Needs = Needs { flavors: false, images: false, volume_types: false, default_rules: false };

const fn facts(ids: Ids, needs: Needs, decide: Decide) -> Testcase<Needs, Decide> {
    Testcase { ids, needs, method: Method::FromFacts(decide) }
}

const fn live(id: &'static str) -> Testcase<Needs, Decide> {
    Testcase { ids: Ids::Exact(id), needs: CATALOG, method: Method::CreatesResources }
}

fn scs_0104_v1(id: &str) -> bool {
    !scs_0104_v2::knows(id) && scs_0104::definition(id).is_some()
}

/// Every IaaS testcase `scs` decides.
pub static IAAS: Table<Needs, Decide> = Table {
    family: "IaaS",
    entries: &[
        facts(Ids::Exact("scs-0100-syntax-check"), FLAVORS, |f, _, _| Some(scs_0100::syntax(f))),
        facts(Ids::Exact("scs-0100-semantics-check"), FLAVORS, |f, _, _| Some(scs_0100::semantics(f))),
        live("scs-0101-entropy-avail"),
        live("scs-0101-fips-test"),
        facts(Ids::Pattern { prefix: "scs-0102-", matches: scs_0102::knows }, IMAGES, scs_0102::decide),
        facts(Ids::Pattern { prefix: "scs-0103-flavor-", matches: |_| true }, FLAVORS, |f, id, o| {
            Some(scs_0103::standard_flavor(f, id, o))
        }),
        facts(Ids::Pattern { prefix: "scs-0104-v2-", matches: scs_0104_v2::knows }, IMAGES, |f, id, _| {
            scs_0104_v2::decide(f, id)
        }),
        facts(Ids::Pattern { prefix: "scs-0104-", matches: scs_0104_v1 }, IMAGES, |f, id, _| scs_0104::decide(f, id)),
        facts(Ids::Exact("scs-0114-syntax-check"), VOLUME_TYPES, |f, _, _| Some(scs_0114::syntax(f))),
        facts(Ids::Exact("scs-0114-encrypted-type"), VOLUME_TYPES, |f, _, _| {
            Some(scs_0114::has_aspect(f, "encrypted"))
        }),
        facts(Ids::Exact("scs-0114-replicated-type"), VOLUME_TYPES, |f, _, _| {
            Some(scs_0114::has_aspect(f, "replicated"))
        }),
        facts(Ids::Exact("scs-0115-default-rules"), DEFAULT_RULES, |f, _, _| Some(scs_0115::default_rules(f))),
        facts(Ids::Exact("scs-0116-presence"), CATALOG, |f, _, _| Some(scs_0123::service(f, "key-manager"))),
        live("scs-0116-permissions"),
        live("scs-0117-test-backup"),
        facts(Ids::Exact("scs-0123-storage-apis"), CATALOG, |f, _, _| Some(scs_0123::storage_apis(f))),
        facts(
            Ids::Pattern { prefix: "scs-0123-service-", matches: |id| scs_0123::service_type(id).is_some() },
            CATALOG,
            |f, id, _| Some(scs_0123::service(f, scs_0123::service_type(id)?)),
        ),
        live("scs-0123-swift-s3"),
    ],
};
