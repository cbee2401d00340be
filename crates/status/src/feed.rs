// SPDX-License-Identifier: Apache-2.0
//! `GET /incidents.atom`: the Atom feed (RFC 4287) of incident events
//! (created, updated, resolved, re-opened, deleted, new updates), newest first.

use crate::http::{ApiError, App};
use crate::model::format_time;
use crate::page::esc;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::fmt::Write as _;

/// Entries in the feed.
const ENTRIES: i64 = 100;

/// `GET /incidents.atom`.
pub async fn atom(State(app): State<App>) -> Response {
    let events = match app.store.events(ENTRIES).await {
        Ok(e) => e,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let updated = events.first().map_or_else(|| "1970-01-01T00:00:00Z".to_owned(), |e| format_time(&e.at));
    let mut xml = String::with_capacity(512 + events.len() * 500);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(
        xml,
        "<id>urn:scs:status:incidents</id>\n<title>{} – incidents</title>\n<updated>{updated}</updated>",
        esc(&app.page.title)
    );
    let _ = writeln!(
        xml,
        "<link rel=\"self\" href=\"/incidents.atom\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"/\"/>"
    );
    let _ = writeln!(xml, "<author><name>{}</name></author>", esc(&app.page.title));
    for e in &events {
        let what = match e.kind.as_str() {
            "incident.created" => "New incident",
            "incident.resolved" => "Resolved",
            "incident.reopened" => "Re-opened",
            "incident.deleted" => "Deleted",
            "update.created" => "Update",
            _ => "Changed",
        };
        let _ = writeln!(
            xml,
            "<entry>\n<id>urn:scs:status:event:{}</id>\n<title>{}: {}</title>\n<updated>{}</updated>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"/incident/{}\"/>\n<content type=\"text\">{}</content>\n</entry>",
            e.id,
            what,
            esc(&e.title),
            format_time(&e.at),
            esc(&e.incident),
            esc(&e.payload)
        );
    }
    xml.push_str("</feed>\n");
    ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], xml).into_response()
}
