// SPDX-License-Identifier: Apache-2.0
//! scs-0116-permissions: a `member` can store, find and delete a secret in the
//! key manager. A 403 anywhere is a FAIL; other errors ABORT (as upstream).

use super::clean_mine;
use crate::Outcome;
use crate::scratch::{Kind, Ledger};
use scs_openstack::{ApiError, Session};

/// Upstream's secret name.
pub const SECRET: &str = "scs-member-role-test-secret";

fn judge(step: &str, e: &ApiError) -> Outcome {
    if e.status().is_some_and(|s| s.as_u16() == 403) {
        Outcome::fail(vec![format!("a member may not {step}: {e}")])
    } else {
        Outcome::abort(format!("{step}: {e}"))
    }
}

pub(super) async fn permissions(session: &Session, ledger: &Ledger) -> Outcome {
    if !session.catalog.iter().any(|e| e.service_type == "key-manager") {
        return Outcome::pass(vec!["no key-manager service in the catalog; nothing to check".into()]);
    }
    let mut mine = Vec::new();
    let outcome = steps(session, ledger, &mut mine).await;
    let problems = clean_mine(session, ledger, &mine).await;
    if problems.is_empty() {
        outcome
    } else {
        let mut evidence = outcome.evidence;
        evidence.extend(problems);
        Outcome::fail(evidence)
    }
}

async fn steps(session: &Session, ledger: &Ledger, mine: &mut Vec<(Kind, String)>) -> Outcome {
    // secrets of earlier runs
    match session.list_secrets(Some(SECRET)).await {
        Ok(old) => {
            for secret in old {
                if let Err(e) = session.delete_secret(secret.uuid()).await {
                    return judge(&format!("delete the old secret {}", secret.secret_ref), &e);
                }
            }
        }
        Err(e) => return judge("list secrets", &e),
    }
    let secret = match session.create_secret(SECRET, "foo").await {
        Ok(s) => s,
        Err(e) => return judge(&format!("create secret {SECRET}"), &e),
    };
    ledger.record(Kind::Secret, secret.uuid(), SECRET);
    mine.push((Kind::Secret, secret.uuid().to_owned()));
    match session.list_secrets(Some(SECRET)).await {
        Ok(found) if found.iter().any(|s| s.secret_ref == secret.secret_ref) => {}
        Ok(_) => return Outcome::fail(vec![format!("secret {} was created but is not listed", secret.secret_ref)]),
        Err(e) => return judge("list secrets", &e),
    }
    if let Err(e) = session.delete_secret(secret.uuid()).await {
        return judge(&format!("delete secret {}", secret.secret_ref), &e);
    }
    ledger.forget(&Kind::Secret, secret.uuid());
    mine.clear();
    Outcome::pass(vec![format!("as a member: stored, listed and deleted secret {SECRET} ({})", secret.secret_ref)])
}
