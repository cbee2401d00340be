// SPDX-License-Identifier: Apache-2.0
//! scs-0123-swift-s3: the object store's host also speaks S3. The probe lists
//! buckets with an access key that cannot exist and judges the S3 error code.
//!
//! Upstream accepts `InvalidAccessKeyId` and `NoSuchKey` (what Ceph RGW says).
//! OpenStack Swift's `s3api` with Keystone answers `SignatureDoesNotMatch`
//! (and, without delayed auth decision, `AccessDenied`) for the same request,
//! so by default `scs` accepts those too; `--strict-s3-probe` keeps
//! upstream's two codes (docs/checks.md).

use crate::Outcome;
use scs_openstack::Session;

const UPSTREAM_CODES: [&str; 2] = ["InvalidAccessKeyId", "NoSuchKey"];
const SWIFT_CODES: [&str; 2] = ["SignatureDoesNotMatch", "AccessDenied"];

pub(super) async fn swift_s3(session: &Session, strict: bool) -> Outcome {
    if !session.catalog.iter().any(|e| e.service_type == "object-store") {
        return Outcome::pass(vec!["no object-store service in the catalog; nothing to check".into()]);
    }
    let swift = match session.endpoint(&["object-store"]) {
        Ok(url) => url,
        Err(e) => return Outcome::abort(e.to_string()),
    };
    let origin = match url::Url::parse(&swift) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(e) => return Outcome::abort(format!("object-store endpoint {swift}: {e}")),
    };
    let answer = match session.probe_s3(&origin).await {
        Ok(a) => a,
        Err(e) => return Outcome::abort(format!("S3 probe of {origin}: {e}")),
    };
    let accepted = |code: &str| UPSTREAM_CODES.contains(&code) || (!strict && SWIFT_CODES.contains(&code));
    match answer.code.as_deref() {
        Some(code) if accepted(code) => Outcome::pass(vec![format!(
            "S3 at {} answered {code} (HTTP {}) for access key 'doesnotexist'",
            answer.url, answer.status
        )]),
        Some(code) => Outcome::fail(vec![format!(
            "S3 at {} answered {code} (HTTP {}); expected {}",
            answer.url,
            answer.status,
            if strict { UPSTREAM_CODES.join(" or ") } else { [UPSTREAM_CODES, SWIFT_CODES].concat().join(", ") }
        )]),
        None => Outcome::fail(vec![format!(
            "{} is not an S3 endpoint: HTTP {} without an S3 error document: {}",
            answer.url, answer.status, answer.body
        )]),
    }
}
