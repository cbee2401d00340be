// SPDX-License-Identifier: Apache-2.0
//! scs-0123 mandatory services: discoverable in the service catalog.

use crate::{Facts, Outcome};

/// The catalog type a `scs-0123-service-…` testcase looks for. S3 is
/// `object-store-s3`, a type outside the Service Type Authority that
/// scs-0123 v2 defines and upstream's `openstack_test.py` looks up; an entry
/// of type `s3` does not count.
pub fn service_type(id: &str) -> Option<&'static str> {
    Some(match id {
        "scs-0123-service-compute" => "compute",
        "scs-0123-service-identity" => "identity",
        "scs-0123-service-image" => "image",
        "scs-0123-service-network" => "network",
        "scs-0123-service-load-balancer" => "load-balancer",
        "scs-0123-service-placement" => "placement",
        "scs-0123-service-s3" => "object-store-s3",
        _ => return None,
    })
}

/// The catalog lists `service_type`.
pub fn service(facts: &Facts, service_type: &str) -> Outcome {
    let types = facts.service_types();
    if types.contains(service_type) {
        Outcome::pass(vec![format!("catalog lists {service_type}")])
    } else {
        Outcome::fail(vec![format!(
            "catalog has no {service_type} service (it lists: {})",
            types.into_iter().collect::<Vec<_>>().join(", ")
        )])
    }
}

/// scs-0123-storage-apis: block storage as `volume`, `volumev3` or `block-storage`.
pub fn storage_apis(facts: &Facts) -> Outcome {
    let types = facts.service_types();
    match ["volume", "volumev3", "block-storage"].into_iter().find(|t| types.contains(t)) {
        Some(t) => Outcome::pass(vec![format!("catalog lists {t}")]),
        None => Outcome::fail(vec!["catalog has no block storage (volume, volumev3 or block-storage)".into()]),
    }
}
