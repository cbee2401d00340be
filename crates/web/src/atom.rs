// SPDX-License-Identifier: Apache-2.0
//! Atom feeds (RFC 4287), written once for every service. Every text goes
//! through [`crate::escape::markup`], so a feed stays well-formed whatever a
//! writer put in an incident or a report; ids and links are absolute, as
//! RFC 4287 requires and feed readers assume, built from the service's
//! public URL.

use crate::escape::markup;
use chrono::{DateTime, Utc};
use std::fmt::Write as _;

/// One entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// A permanent, unique IRI (`urn:…` or an absolute URL).
    pub id: String,
    /// The title.
    pub title: String,
    /// When it last changed.
    pub updated: DateTime<Utc>,
    /// Where people read it (absolute).
    pub link: String,
    /// Plain text: a summary or the full content.
    pub text: String,
    /// Whether `text` is the full content (`<content>`) or a summary.
    pub full_content: bool,
}

/// A feed; `updated` is the newest entry's time (or the epoch when empty).
#[derive(Debug, Clone)]
pub struct Feed {
    /// The feed's permanent id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its own absolute URL.
    pub self_link: String,
    /// The page it follows (absolute).
    pub alternate: String,
    /// Who publishes it.
    pub author: String,
    /// The entries, newest first.
    pub entries: Vec<Entry>,
}

fn time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Feed {
    /// The feed as an XML document.
    pub fn render(&self) -> String {
        let updated = self.entries.iter().map(|e| e.updated).max().unwrap_or(DateTime::UNIX_EPOCH);
        let mut xml = String::with_capacity(512 + self.entries.len() * 512);
        xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
        let _ = writeln!(
            xml,
            "<id>{}</id>\n<title>{}</title>\n<updated>{}</updated>",
            markup(&self.id),
            markup(&self.title),
            time(&updated)
        );
        let _ = writeln!(xml, "<link rel=\"self\" href=\"{}\"/>", markup(&self.self_link));
        let _ = writeln!(xml, "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", markup(&self.alternate));
        let _ = writeln!(xml, "<author><name>{}</name></author>", markup(&self.author));
        for e in &self.entries {
            let element = if e.full_content { "content" } else { "summary" };
            let _ = writeln!(
                xml,
                "<entry>\n<id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n\
                 <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<{element} type=\"text\">{}</{element}>\n</entry>",
                markup(&e.id),
                markup(&e.title),
                time(&e.updated),
                markup(&e.link),
                markup(&e.text),
            );
        }
        xml.push_str("</feed>\n");
        xml
    }
}

/// The content type of an Atom document (the XML prolog names the encoding).
pub const CONTENT_TYPE: &str = "application/atom+xml";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_with_hostile_text_stays_well_formed() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").map(|t| t.to_utc()).unwrap_or_default();
        let feed = Feed {
            id: "urn:scs:test".into(),
            title: "A & B".into(),
            self_link: "https://status.example/incidents.atom".into(),
            alternate: "https://status.example/".into(),
            author: "ops".into(),
            entries: vec![Entry {
                id: "urn:scs:test:1".into(),
                title: "<script>\u{1}".into(),
                updated: at,
                link: "https://status.example/incident/1?a=1&b=2".into(),
                text: "line\u{0}break".into(),
                full_content: true,
            }],
        };
        let xml = feed.render();
        assert!(xml.contains("<updated>2026-12-01T10:00:00Z</updated>"), "{xml}");
        assert!(xml.contains("<title>&lt;script&gt;\u{fffd}</title>"), "{xml}");
        assert!(xml.contains("href=\"https://status.example/incident/1?a=1&amp;b=2\""), "{xml}");
        assert!(xml.contains("<content type=\"text\">line\u{fffd}break</content>"), "{xml}");
        assert!(!xml.chars().any(|c| (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r')));
    }
}
