// SPDX-License-Identifier: Apache-2.0
//! The Atom feed of verdict changes: subscribe to one subject, or to all,
//! with any feed reader instead of polling pages. Written by the shared
//! Atom writer of `scs-web`.

use crate::store::VerdictChange;
use scs_web::atom::{Entry, Feed};

/// The feed of `changes` (newest first) of `subject` (all without one);
/// links point below `base` (an absolute URL ending in `/`). `names` maps
/// scope uuids to names.
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
                id: format!("{base}feed/change/{}", c.id),
                title: format!("{}: {scope} {}", c.subject, c.new),
                updated: c.changed_at.and_utc(),
                link: format!("{base}page/detail/{}/{}", c.subject, c.scopeuuid),
                text,
                full_content: false,
            }
        })
        .collect();
    let (self_link, title) = match subject {
        Some(s) => (format!("{base}feed.atom?subject={s}"), format!("SCS compliance: verdict changes of {s}")),
        None => (format!("{base}feed.atom"), "SCS compliance: verdict changes".to_owned()),
    };
    Feed {
        id: self_link.clone(),
        title,
        self_link,
        alternate: format!("{base}page/table"),
        author: "SCS compliance monitor".to_owned(),
        entries,
    }
}
