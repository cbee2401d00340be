// SPDX-License-Identifier: Apache-2.0
//! The Atom feed (RFC 4287) of verdict changes: subscribe to one subject, or
//! to all, with any feed reader instead of polling pages.

use crate::badge::escape;
use crate::store::VerdictChange;
use std::fmt::Write as _;

/// Renders `changes` (newest first) as an Atom feed at `self_url`; links
/// point below `base` (an absolute URL ending in `/`). `names` maps scope
/// uuids to names.
pub fn atom(base: &str, self_url: &str, title: &str, changes: &[VerdictChange], names: &[(String, String)]) -> String {
    let rfc3339 = |c: &VerdictChange| c.changed_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let updated = changes.first().map_or_else(|| "1970-01-01T00:00:00Z".to_owned(), rfc3339);
    let mut xml = String::with_capacity(512 + changes.len() * 600);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ =
        writeln!(xml, "<id>{}</id>\n<title>{}</title>\n<updated>{updated}</updated>", escape(self_url), escape(title));
    let _ = writeln!(xml, "<link rel=\"self\" href=\"{}\"/>", escape(self_url));
    let _ = writeln!(xml, "<link rel=\"alternate\" type=\"text/html\" href=\"{}page/table\"/>", escape(base));
    let _ = writeln!(xml, "<author><name>SCS compliance monitor</name></author>");
    for c in changes {
        let scope = names.iter().find(|(u, _)| *u == c.scopeuuid).map_or(c.scopeuuid.as_str(), |(_, n)| n.as_str());
        let link = format!("{base}page/detail/{}/{}", c.subject, c.scopeuuid);
        let summary = match &c.old {
            Some(old) => format!("{} for {scope}: {old} → {} ({})", c.subject, c.new, c.cause),
            None => format!("{} for {scope}: {} ({})", c.subject, c.new, c.cause),
        };
        let _ = writeln!(
            xml,
            "<entry>\n<id>{base}feed/change/{id}</id>\n<title>{title}</title>\n<updated>{at}</updated>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>\n<summary>{summary}</summary>\n</entry>",
            base = escape(base),
            id = c.id,
            title = escape(&format!("{}: {scope} {}", c.subject, c.new)),
            at = rfc3339(c),
            link = escape(&link),
            summary = escape(&summary),
        );
    }
    xml.push_str("</feed>\n");
    xml
}
