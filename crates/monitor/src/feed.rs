// SPDX-License-Identifier: Apache-2.0
//! The Atom feed of verdict changes: subscribe to one subject, or to all,
//! with any feed reader instead of polling pages. Written by the shared
//! Atom writer of `scs-web`.

use crate::store::VerdictChange;
use scs_web::atom::{Entry, Feed};

/// The feed of `changes` (newest first) of `subject` (all without one);
/// links point below `base` (the public URL ending in `/`, or the base path
/// when none is configured: links are then relative to the server root,
/// never built from the request's `Host`, which the client chooses). Ids are
/// URNs, so they stay the same when the public address changes. `names`
/// maps scope uuids to names.
pub fn feed(base: &str, subject: Option<&str>, changes: &[VerdictChange], names: &[(String, String)]) -> Feed {
    let entries = changes
        .iter()
        .map(|c| {
            let scope = names.iter().find(|(u, _)| *u == c.scopeuuid).map_or(c.scopeuuid.as_str(), |(_, n)| n.as_str());
            let text = match &c.old {
                Some(old) => format!("{} for {scope}: {old} → {} ({})", c.subject, c.new, c.cause),
                None => format!("{} for {scope}: {} ({})", c.subject, c.new, c.cause),
            };
            Entry {
                id: format!("urn:scs:monitor:change:{}", c.id),
                title: format!("{}: {scope} {}", c.subject, c.new),
                updated: c.changed_at.and_utc(),
                link: format!("{base}page/detail/{}/{}", encode(&c.subject), encode(&c.scopeuuid)),
                text,
                full_content: false,
            }
        })
        .collect();
    let (id, self_link, title) = match subject {
        Some(s) => (
            format!("urn:scs:monitor:changes:{}", encode(s)),
            format!("{base}feed.atom?subject={}", encode(s)),
            format!("SCS compliance: verdict changes of {s}"),
        ),
        None => (
            "urn:scs:monitor:changes".to_owned(),
            format!("{base}feed.atom"),
            "SCS compliance: verdict changes".to_owned(),
        ),
    };
    Feed {
        id,
        title,
        self_link,
        alternate: format!("{base}page/table"),
        author: "SCS compliance monitor".to_owned(),
        entries,
    }
}

/// `text` percent-encoded for a path segment or query value.
fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
