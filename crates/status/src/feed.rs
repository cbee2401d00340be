// SPDX-License-Identifier: Apache-2.0
//! `GET /incidents.atom`: the Atom feed (RFC 4287) of incident events
//! (created, updated, resolved, re-opened, deleted, new updates), newest
//! first, written by the shared Atom writer. Links are absolute under the
//! configured public URL, relative to the server root without one.

use crate::app::{ApiError, App};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use scs_web::atom::{Entry, Feed};
use scs_web::snapshot::{Read, Rendered, SHORT};

/// Entries in the feed.
const ENTRIES: i64 = 100;

/// `GET /incidents.atom`, kept until the next write.
pub async fn atom(State(app): State<App>, read: Read) -> Response {
    let answer = read.answer(&app.snapshots, app.store.clock().now(), async {
        let body = render(&app).await?;
        Ok::<_, ApiError>(Rendered {
            content_type: scs_web::atom::CONTENT_TYPE,
            body,
            cache_control: SHORT,
            valid_until: None,
        })
    });
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

async fn render(app: &App) -> Result<Vec<u8>, ApiError> {
    let events = app.store.events(ENTRIES).await?;
    let base = app.page.public_url.as_deref().map_or("", |u| u.trim_end_matches('/'));
    let entries = events
        .iter()
        .map(|e| {
            let what = match e.kind.as_str() {
                "incident.created" => "New incident",
                "incident.resolved" => "Resolved",
                "incident.reopened" => "Re-opened",
                "incident.deleted" => "Deleted",
                "update.created" => "Update",
                _ => "Changed",
            };
            Entry {
                id: format!("urn:scs:status:event:{}", e.id),
                title: format!("{what}: {}", e.title),
                updated: e.at,
                link: format!("{base}/incident/{}", e.incident),
                text: e.payload.clone(),
                full_content: true,
            }
        })
        .collect();
    let feed = Feed {
        id: "urn:scs:status:incidents".to_owned(),
        title: format!("{} – incidents", app.page.title),
        self_link: format!("{base}/incidents.atom"),
        alternate: format!("{base}/"),
        author: app.page.title.clone(),
        entries,
    };
    Ok(feed.render().into_bytes())
}
