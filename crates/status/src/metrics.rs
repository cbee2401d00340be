// SPDX-License-Identifier: Apache-2.0
//! The status page's gauges for `/metrics`: incidents open by worst severity
//! and components affected now. Request counts and latencies come from the
//! shared layer of `scs-web`.

use crate::app::App;
use crate::store::StoreError;
use scs_web::metrics::{Exposition, Kind};
use std::collections::BTreeMap;

/// The status page's gauges.
pub async fn render(app: &App) -> Result<Exposition, StoreError> {
    let (open, affected) = app.store.open_counts().await?;
    let severities = app.store.severities().await?;
    let mut by_name: BTreeMap<String, i64> = BTreeMap::new();
    for s in &severities {
        by_name.insert(s.display_name.clone(), 0);
    }
    for (worst, n) in open {
        let name = if worst < 0 {
            "none".to_owned()
        } else {
            crate::model::severity_of(&severities, worst)
                .map_or_else(|| "unknown".to_owned(), |s| s.display_name.clone())
        };
        *by_name.entry(name).or_default() += n;
    }
    let mut out = Exposition::new();
    out.family("scs_status_incidents_open", Kind::Gauge, "Active incidents by the severity of their worst impact.");
    for (name, n) in by_name {
        out.sample("scs_status_incidents_open", &[("severity", &name)], n);
    }
    out.family("scs_status_components_affected", Kind::Gauge, "Components with an active impact.");
    out.sample("scs_status_components_affected", &[], affected);
    out.family(
        "scs_status_audit_refusals_dropped_total",
        Kind::Counter,
        "Refused anonymous writes not recorded in the audit log (over the per-minute limit).",
    );
    out.sample("scs_status_audit_refusals_dropped_total", &[], app.audit.dropped());
    Ok(out)
}
