// SPDX-License-Identifier: Apache-2.0
//! scs-0117-test-backup: a volume is backed up and the backup restored, as a
//! member, within upstream's waits. Any error is a FAIL (as upstream).

use super::{clean_mine, wait_for};
use crate::Outcome;
use crate::cleanup::{Sweep, sweep};
use crate::scratch::{Kind, Ledger};
use scs_openstack::Session;

/// Upstream's names.
pub const VOLUME: &str = "scs-test-volume";
const BACKUP: &str = "scs-test-volume-backup";
const RESTORED: &str = "scs-test-restored-backup";

pub(super) async fn test_backup(session: &Session, ledger: &Ledger) -> Outcome {
    // upstream first removes volumes and backups of earlier runs
    let leftovers = sweep(session, &Sweep { prefixes: vec!["scs-test-".into()], volumes_only: true }, false).await;
    let mut mine: Vec<(Kind, String)> = Vec::new();
    let result = steps(session, ledger, &mut mine).await;
    let problems = clean_mine(session, ledger, &mine).await;
    let mut evidence = Vec::new();
    if !leftovers.removed.is_empty() {
        evidence.push(format!("removed leftovers of earlier runs: {}", leftovers.removed.join(", ")));
    }
    match result {
        Ok(steps) if problems.is_empty() => {
            evidence.push(steps);
            Outcome::pass(evidence)
        }
        Ok(_) => Outcome::fail(problems),
        Err(e) => {
            evidence.insert(0, e);
            evidence.extend(problems);
            Outcome::fail(evidence)
        }
    }
}

async fn steps(session: &Session, ledger: &Ledger, mine: &mut Vec<(Kind, String)>) -> Result<String, String> {
    let started = std::time::Instant::now();
    let volume = session.create_volume(VOLUME, 1).await.map_err(|e| format!("create volume {VOLUME}: {e}"))?;
    ledger.record(Kind::Volume, &volume.id, VOLUME);
    mine.push((Kind::Volume, volume.id.clone()));
    let id = volume.id.clone();
    wait_for(&format!("volume {VOLUME}"), "available", || async { session.get_volume(&id).await.map(|v| v.status) })
        .await?;

    let backup = session.create_backup(BACKUP, &volume.id).await.map_err(|e| format!("create backup {BACKUP}: {e}"))?;
    ledger.record(Kind::Backup, &backup.id, BACKUP);
    mine.push((Kind::Backup, backup.id.clone()));
    let bid = backup.id.clone();
    wait_for(&format!("backup {BACKUP}"), "available", || async { session.get_backup(&bid).await.map(|b| b.status) })
        .await?;

    let restore = session
        .restore_backup(&backup.id, RESTORED)
        .await
        .map_err(|e| format!("restore backup {BACKUP} to {RESTORED}: {e}"))?;
    ledger.record(Kind::Volume, &restore.volume_id, RESTORED);
    mine.push((Kind::Volume, restore.volume_id.clone()));
    let rid = restore.volume_id.clone();
    wait_for(&format!("restored volume {RESTORED}"), "available", || async {
        session.get_volume(&rid).await.map(|v| v.status)
    })
    .await?;
    Ok(format!(
        "volume {VOLUME} backed up to {BACKUP} and restored to {RESTORED} in {:.1} s",
        started.elapsed().as_secs_f64()
    ))
}
