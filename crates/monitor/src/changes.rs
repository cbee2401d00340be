// SPDX-License-Identifier: Apache-2.0
//! Verdict changes: after every upload and periodically (results expire
//! without any upload), each subject's summary per scope is compared with the
//! recorded one; a difference becomes a change in the database, which the
//! Atom feed lists and the webhooks deliver (users asked for notifications:
//! standards#899).

use crate::app::App;
use crate::standing::Facts;
use crate::store::VerdictChange;
use scs_standards::Scope;
use serde_json::Value;

/// Re-evaluates `subjects` (every account and group if `None`) against every
/// scope and records what changed.
pub async fn reevaluate(app: &App, subjects: Option<&[String]>, cause: &str) -> anyhow::Result<Vec<VerdictChange>> {
    let accounts = app.store.subjects().await?;
    let mut names: Vec<String> = match subjects {
        Some(s) => s.to_vec(),
        None => accounts.iter().map(|(s, _)| s.clone()).collect(),
    };
    // a member's change may change its group's
    let groups: Vec<String> = names
        .iter()
        .filter_map(|n| accounts.iter().find(|(a, _)| a == n).and_then(|(_, g)| g.clone()))
        .map(|g| format!("group-{g}"))
        .collect();
    names.extend(groups);
    names.sort_unstable();
    names.dedup();
    let scopes: Vec<&Scope> = app.scopes.iter().collect();
    let facts = Facts::gather(&app.store, &scopes, Some(&names)).await?;
    let now = app.now();
    let mut changes = Vec::new();
    for name in &names {
        let summaries = facts.summaries(name, &scopes, now, false);
        for (scope, s) in scopes.iter().zip(&summaries) {
            let uuid = scope.uuid.clone().unwrap_or_default();
            if let Some(change) =
                app.store.record_verdict(name, &uuid, &s.passed_str, s.has_results, now, cause).await?
            {
                tracing::info!(subject = %name, scope = %scope.name, old = ?change.old, new = %change.new, "verdict changed");
                changes.push(change);
            }
        }
    }
    if !changes.is_empty() {
        app.changes_pending.notify_one();
        // the feed lists the changes
        app.snapshots.publish(app.store.db()).await;
    }
    Ok(changes)
}

/// Re-evaluates everything now and then every `every`, until the process ends.
pub async fn reevaluate_forever(app: App, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = reevaluate(&app, None, "re-evaluation").await {
            tracing::error!("re-evaluation: {e:#}");
        }
    }
}

/// The JSON a webhook receives for a change.
pub fn payload(app: &App, change: &VerdictChange) -> Value {
    let name = app.scopes.iter().find(|s| s.uuid.as_deref() == Some(&change.scopeuuid)).map(|s| s.name.clone());
    serde_json::json!({
        "id": change.id,
        "event": "verdict-change",
        "subject": change.subject,
        "scope": { "uuid": change.scopeuuid, "name": name },
        "old": change.old,
        "new": change.new,
        "changed_at": change.changed_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "cause": change.cause,
        "url": format!("{}page/detail/{}/{}", app.public_base(), change.subject, change.scopeuuid),
    })
}
