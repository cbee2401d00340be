// SPDX-License-Identifier: Apache-2.0
//! The object-store steps of an iteration, where the catalog has Swift.

use super::*;

/// A container, an object put, read back and deleted, the container
/// deleted: where the catalog has an object store.
pub(super) async fn object_store(session: &Session, ledger: &Ledger, rec: &Recorder, prefix: &str) {
    if !session.catalog.iter().any(|e| e.service_type == "object-store") {
        return;
    }
    let container = format!("{prefix}container");
    let object = "probe.json";
    let body = serde_json::json!({ "written_by": "scs health", "iteration": prefix });
    let service = "object-store";
    let made = rec
        .step("create container", service, false, async {
            session.create_container(&container).await.map_err(|e| Failure::api("create container", &e))?;
            ledger.record(Kind::Container, &container, &container);
            Ok(())
        })
        .await;
    if made.is_none() {
        return;
    }
    let steps = async {
        rec.step("put object", service, false, async {
            session.put_object(&container, object, &body).await.map_err(|e| Failure::api("put object", &e))
        })
        .await?;
        rec.step("get object", service, false, async {
            let text = session.get_object(&container, object).await.map_err(|e| Failure::api("get object", &e))?;
            let read: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Failure::other(format!("get object: not what was put: {e}")))?;
            if read == body { Ok(()) } else { Err(Failure::other(format!("get object: read {read}, put {body}"))) }
        })
        .await?;
        rec.step("delete object", service, false, async {
            session.delete_object(&container, object).await.map_err(|e| Failure::api("delete object", &e))
        })
        .await?;
        rec.step("delete container", service, false, async {
            session.delete_container(&container).await.map_err(|e| Failure::api("delete container", &e))?;
            ledger.forget(&Kind::Container, &container);
            Ok(())
        })
        .await
    };
    let _ = steps.await;
}
