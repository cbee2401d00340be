// SPDX-License-Identifier: Apache-2.0
//! `default-storage-class-check` (scs-0211): exactly one default storage
//! class, with a provisioner that creates volumes off the node (not
//! `kubernetes.io/no-provisioner` or a local-path provisioner); where the
//! cluster has a ready node, a claim on it is bound to a ReadWriteOnce
//! volume for a pod that reaches Running.
//!
//! The live part creates a PersistentVolumeClaim and a pod in `default`,
//! labelled `scs.community/check`, and deletes both whatever happens.

use crate::cluster::{Cluster, ClusterFacts, StorageClassFacts, describe};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use kube::Api;
use kube::api::{DeleteParams, PostParams};
use scs_checks::Outcome;
use std::time::{Duration, Instant};

/// Provisioners whose volumes live on the node's own disk.
pub const LOCAL_PROVISIONERS: [&str; 3] = ["kubernetes.io/no-provisioner", "rancher.io/local-path", "openebs.io/local"];

/// The label on everything the live part creates.
pub const CHECK_LABEL: &str = "scs.community/check";

/// The testcase this module decides, the only KaaS testcase that creates objects.
pub const TESTCASE: &str = "default-storage-class-check";

/// Decides from the listed classes alone; `Ok(class)` is the one default
/// class, for the live part.
pub fn decide_classes(classes: &Result<Vec<StorageClassFacts>, String>) -> Result<&StorageClassFacts, Outcome> {
    let classes = match classes {
        Ok(c) => c,
        Err(e) => return Err(Outcome::abort(format!("cannot read the storage classes: {e}"))),
    };
    let defaults: Vec<&StorageClassFacts> = classes.iter().filter(|c| c.default).collect();
    match defaults.as_slice() {
        [] => Err(Outcome::fail(vec![format!(
            "no default StorageClass ({} class(es): {}); mark one with storageclass.kubernetes.io/is-default-class: \"true\"",
            classes.len(),
            classes.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        )])),
        [one] if LOCAL_PROVISIONERS.contains(&one.provisioner.as_str()) => Err(Outcome::fail(vec![format!(
            "the default StorageClass {} uses provisioner {}: volumes on the node itself are not allowed",
            one.name, one.provisioner
        )])),
        [one] => Ok(one),
        many => Err(Outcome::fail(vec![format!(
            "{} default StorageClasses ({}): exactly one is required",
            many.len(),
            many.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        )])),
    }
}

/// Decides the testcase; runs the live part when a node is ready.
pub async fn decide(cluster: &Cluster, facts: &ClusterFacts, wait: Duration) -> Outcome {
    let class = match decide_classes(&facts.storage_classes) {
        Ok(class) => class,
        Err(outcome) => return outcome,
    };
    let first = format!("default StorageClass {} (provisioner {})", class.name, class.provisioner);
    let ready = facts.nodes.as_ref().map(|n| n.iter().filter(|n| n.ready).count()).unwrap_or(0);
    if ready == 0 {
        return Outcome::pass(vec![
            first,
            "no node is Ready: the claim-and-pod part of the check is not run".to_owned(),
        ]);
    }
    match probe(cluster, &class.name, wait).await {
        Ok(note) => Outcome::pass(vec![first, note]),
        Err(problem) => Outcome::fail(vec![problem, first]),
    }
}

/// Claims a 1 GiB ReadWriteOnce volume for a pod and waits for both.
async fn probe(cluster: &Cluster, class: &str, wait: Duration) -> Result<String, String> {
    let suffix = uuid_suffix();
    let claim_name = format!("scs-check-pvc-{suffix}");
    let pod_name = format!("scs-check-pod-{suffix}");
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(cluster.client.clone(), "default");
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), "default");
    let claim: PersistentVolumeClaim = serde_json::from_value(serde_json::json!({
        "metadata": {"name": claim_name, "labels": {CHECK_LABEL: "scs-0211"}},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": class,
            "resources": {"requests": {"storage": "1Gi"}}
        }
    }))
    .map_err(|e| e.to_string())?;
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": pod_name, "labels": {CHECK_LABEL: "scs-0211"}},
        "spec": {
            "containers": [{
                "name": "pause",
                "image": "registry.k8s.io/pause:3.10",
                "volumeMounts": [{"name": "data", "mountPath": "/data"}]
            }],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim_name}}],
            "terminationGracePeriodSeconds": 0,
            "automountServiceAccountToken": false
        }
    }))
    .map_err(|e| e.to_string())?;
    claims
        .create(&PostParams::default(), &claim)
        .await
        .map_err(|e| format!("creating claim default/{claim_name}: {}", describe(&e)))?;
    let result = async {
        pods.create(&PostParams::default(), &pod)
            .await
            .map_err(|e| format!("creating pod default/{pod_name}: {}", describe(&e)))?;
        let started = Instant::now();
        loop {
            let pod = pods.get(&pod_name).await.map_err(|e| format!("reading pod {pod_name}: {}", describe(&e)))?;
            let phase = pod.status.and_then(|s| s.phase).unwrap_or_default();
            let claim =
                claims.get(&claim_name).await.map_err(|e| format!("reading claim {claim_name}: {}", describe(&e)))?;
            let bound = claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
            if phase == "Running" && bound {
                let volume = claim.spec.and_then(|s| s.volume_name).unwrap_or_default();
                let pvs: Api<PersistentVolume> = Api::all(cluster.client.clone());
                let pv = pvs.get(&volume).await.map_err(|e| format!("reading volume {volume}: {}", describe(&e)))?;
                let modes = pv.spec.and_then(|s| s.access_modes).unwrap_or_default();
                if !modes.iter().any(|m| m == "ReadWriteOnce") {
                    return Err(format!("volume {volume} of the default class has access modes {modes:?}, not ReadWriteOnce"));
                }
                return Ok(format!(
                    "claim {claim_name} bound to volume {volume} (ReadWriteOnce), pod Running after {:.1} s",
                    started.elapsed().as_secs_f64()
                ));
            }
            if started.elapsed() > wait {
                return Err(format!(
                    "after {} s the claim {claim_name} is {} and the pod {pod_name} is {}: the default class does not provide a usable volume",
                    wait.as_secs(),
                    if bound { "Bound" } else { "not Bound" },
                    if phase.is_empty() { "not scheduled" } else { phase.as_str() }
                ));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    .await;
    let mut leftovers = Vec::new();
    let now = DeleteParams { grace_period_seconds: Some(0), ..DeleteParams::default() };
    if let Err(e) = pods.delete(&pod_name, &now).await
        && !matches!(&e, kube::Error::Api(s) if s.code == 404)
    {
        leftovers.push(format!("pod default/{pod_name}: {}", describe(&e)));
    }
    if let Err(e) = claims.delete(&claim_name, &now).await
        && !matches!(&e, kube::Error::Api(s) if s.code == 404)
    {
        leftovers.push(format!("claim default/{claim_name}: {}", describe(&e)));
    }
    match (result, leftovers.is_empty()) {
        (r, true) => r,
        (Ok(note), false) => Err(format!("{note}; but could not delete {}", leftovers.join("; "))),
        (Err(e), false) => Err(format!("{e}; and could not delete {}", leftovers.join("; "))),
    }
}

/// Deletes every pod and claim the live part created in `default` (found by
/// their label): what an interrupted check leaves. Returns what could not be
/// listed or deleted, each with the reason.
pub async fn sweep(cluster: &Cluster) -> Vec<String> {
    let labelled = kube::api::ListParams::default().labels(CHECK_LABEL);
    let now = DeleteParams { grace_period_seconds: Some(0), ..DeleteParams::default() };
    let mut failed = Vec::new();
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), "default");
    match pods.list(&labelled).await {
        Err(e) => failed.push(format!("listing pods labelled {CHECK_LABEL}: {}", describe(&e))),
        Ok(list) => {
            for name in list.items.into_iter().filter_map(|p| p.metadata.name) {
                if let Err(e) = pods.delete(&name, &now).await {
                    failed.push(format!("pod default/{name}: {}", describe(&e)));
                }
            }
        }
    }
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(cluster.client.clone(), "default");
    match claims.list(&labelled).await {
        Err(e) => failed.push(format!("listing claims labelled {CHECK_LABEL}: {}", describe(&e))),
        Ok(list) => {
            // a claim already being deleted is gone as far as the check is concerned
            for claim in list.items.into_iter().filter(|c| c.metadata.deletion_timestamp.is_none()) {
                let name = claim.metadata.name.unwrap_or_default();
                if let Err(e) = claims.delete(&name, &now).await {
                    failed.push(format!("claim default/{name}: {}", describe(&e)));
                }
            }
        }
    }
    failed
}

/// What an interrupted run of `selection` leaves on the cluster of
/// `kubeconfig`, removed: the storage check's claim and pod are the only
/// objects a KaaS check creates itself (a running Sonobuoy is killed with the
/// run, and `sonobuoy delete` clears it the next time). `scs check` and
/// `scs run` both call this, so an interrupt cleans up the same way in both.
/// Returns what is left behind, each with the reason.
pub async fn sweep_after_interrupt(
    selection: &scs_standards::Selection,
    kubeconfig: &std::path::Path,
    context: Option<&str>,
) -> Vec<String> {
    if !selection.to_run.iter().any(|id| id == TESTCASE) {
        return Vec::new();
    }
    match crate::cluster::connect(kubeconfig, context, Duration::from_secs(10)).await {
        Ok(cluster) => sweep(&cluster).await,
        Err(e) => vec![format!("cannot sweep after the interrupt: {e}")],
    }
}

fn uuid_suffix() -> String {
    let mut id = scs_checks::run::uuid_v4();
    id.truncate(8);
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use scs_standards::TestResult;

    fn class(name: &str, provisioner: &str, default: bool) -> StorageClassFacts {
        StorageClassFacts { name: name.into(), provisioner: provisioner.into(), default }
    }

    #[test]
    fn exactly_one_default_with_a_real_provisioner() {
        let none = decide_classes(&Ok(vec![class("a", "cinder.csi.openstack.org", false)])).err();
        assert_eq!(none.as_ref().map(|o| o.result), Some(TestResult::Fail));
        let two = decide_classes(&Ok(vec![class("a", "x", true), class("b", "y", true)])).err();
        assert!(two.is_some_and(|o| o.evidence[0].starts_with("2 default StorageClasses (a, b)")));
        let local = decide_classes(&Ok(vec![class("a", "kubernetes.io/no-provisioner", true)])).err();
        assert!(local.is_some_and(|o| o.evidence[0].contains("volumes on the node itself")));
        let classes = Ok(vec![class("a", "cinder.csi.openstack.org", true), class("b", "y", false)]);
        let one = decide_classes(&classes);
        assert_eq!(one.ok().map(|c| c.name.as_str()), Some("a"));
    }
}
