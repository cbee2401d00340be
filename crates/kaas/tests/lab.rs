// SPDX-License-Identifier: Apache-2.0
//! The KaaS testcases against the real Kubernetes API server of the lab
//! (`lab/kubernetes up`: etcd and kube-apiserver v1.20.2 on 127.0.0.1).
//!
//! Tests create Nodes, StorageClasses, a ServiceAccount and kubeconfigs
//! through the API as the lab's admin and check as its read-only user. The
//! lab cluster belongs to these tests: each test starts by deleting every
//! Node and StorageClass, and tests run one at a time.
//!
//! Without the lab these tests fail; `SCS_SKIP_LAB=1` opts out for quick
//! local runs (`.ci/run` never sets it). `SCS_LAB_DIR` points at its state.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use k8s_openapi::api::core::v1::{Node, PersistentVolumeClaim, Pod, ServiceAccount};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use scs_checks::run::RunMeta;
use scs_kaas::run::{KaasRequest, KaasRun, Settings, run};
use scs_standards::TestResult;
use scs_standards::embedded::load_scope;
use scs_standards::selection::SelectionRequest;
use std::path::{Path, PathBuf};
use std::time::Duration;

static LAB: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn admin(path: &Path) -> Client {
    scs_kaas::cluster::connect(path, None, Duration::from_secs(10)).await.expect("the lab's API server answers").client
}

/// Deletes every Node and StorageClass: the distribution and storage checks look at all of them.
async fn reset(client: &Client) {
    let nodes: Api<Node> = Api::all(client.clone());
    nodes.delete_collection(&DeleteParams::default(), &ListParams::default()).await.unwrap();
    let classes: Api<StorageClass> = Api::all(client.clone());
    classes.delete_collection(&DeleteParams::default(), &ListParams::default()).await.unwrap();
    // claims the storage check deleted stay Terminating without the lab's (absent)
    // pvc-protection controller: drop their finalizer so they go
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), "default");
    for claim in claims.list(&ListParams::default().labels("scs.community/check")).await.unwrap() {
        let name = claim.metadata.name.unwrap_or_default();
        let patch = Patch::Merge(serde_json::json!({"metadata": {"finalizers": null}}));
        claims.patch(&name, &PatchParams::default(), &patch).await.unwrap();
    }
}

async fn add_node(client: &Client, name: &str, labels: serde_json::Value) {
    let nodes: Api<Node> = Api::all(client.clone());
    let node: Node = serde_json::from_value(serde_json::json!({"metadata": {"name": name, "labels": labels}})).unwrap();
    nodes.create(&PostParams::default(), &node).await.unwrap();
}

async fn label_node(client: &Client, name: &str, labels: serde_json::Value) {
    let nodes: Api<Node> = Api::all(client.clone());
    nodes
        .patch(name, &PatchParams::default(), &Patch::Merge(serde_json::json!({"metadata": {"labels": labels}})))
        .await
        .unwrap();
}

async fn add_class(client: &Client, name: &str, provisioner: &str, default: bool) {
    let classes: Api<StorageClass> = Api::all(client.clone());
    let annotations = if default {
        serde_json::json!({"storageclass.kubernetes.io/is-default-class": "true"})
    } else {
        serde_json::json!({})
    };
    let sc: StorageClass = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "annotations": annotations},
        "provisioner": provisioner
    }))
    .unwrap();
    classes.create(&PostParams::default(), &sc).await.unwrap();
}

struct Check<'a> {
    scope: &'a str,
    kubeconfig: &'a Path,
    date: &'a str,
    tests: Option<&'a str>,
    release_data: Option<PathBuf>,
    sonobuoy: Vec<(Option<String>, PathBuf)>,
    storage_wait: u64,
}

impl<'a> Check<'a> {
    fn new(scope: &'a str, kubeconfig: &'a Path) -> Self {
        Self {
            scope,
            kubeconfig,
            date: "2026-11-27",
            tests: None,
            release_data: None,
            sonobuoy: Vec::new(),
            storage_wait: 30,
        }
    }

    async fn run(self) -> KaasRun {
        let scope = load_scope(self.scope).unwrap();
        let version = if self.scope == "scs-compatible-kaas" { "v1" } else { "preview" };
        let selection = scope
            .select(
                &SelectionRequest {
                    date: Some(self.date.parse().unwrap()),
                    version: Some(version.into()),
                    sections: None,
                    tests: self.tests.map(str::to_owned),
                },
                self.date.parse().unwrap(),
            )
            .unwrap();
        run(KaasRequest {
            scope: &scope,
            selection: &selection,
            kubeconfig: self.kubeconfig.to_owned(),
            subject: Some("lab".into()),
            meta: RunMeta {
                argv: vec!["test".into()],
                forced_version: Some(version.into()),
                forced_tests: self.tests.map(str::to_owned),
                ..RunMeta::default()
            },
            settings: Settings {
                context: None,
                release_data: self.release_data,
                sonobuoy_results: self.sonobuoy,
                sonobuoy_config: None,
                sonobuoy_binary: None,
                timeout: Duration::from_secs(10),
                storage_wait: Duration::from_secs(self.storage_wait),
            },
            execution_mode: "parallel".into(),
            results_root: None,
        })
        .await
    }
}

fn outcome<'r>(run: &'r KaasRun, id: &str) -> &'r scs_checks::Outcome {
    run.check.outcomes.get(id).unwrap_or_else(|| panic!("{id} not decided: {:?}", run.check.outcomes))
}

#[tokio::test]
async fn the_lab_cluster_fails_the_version_policy_by_the_shipped_data_naming_the_release() {
    let Some((_, reader)) = scs_testkit::lab::kubeconfigs() else { return };
    let _lab = LAB.lock().await;
    let run = Check { tests: Some("version-policy-check"), ..Check::new("scs-compatible-kaas", &reader) }.run().await;
    assert_eq!(run.subject, "lab-1.20");
    let o = outcome(&run, "version-policy-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert!(o.evidence.iter().any(|e| e.starts_with("branch 1.20 reached its upstream end of life on 2022-02-28")));
    assert!(o.evidence.iter().any(|e| e.starts_with("v1.20.15 (released 2022-03-16,")), "{o:?}");
    assert!(o.evidence.iter().any(|e| e.contains("release data shipped with scs, fetched 2026-02-10")));
    // the report says the same
    let invocation = run.check.report.run.invocations.values().next().unwrap();
    assert_eq!(invocation.stdout, ["version-policy-check: FAIL"]);
    assert!(invocation.stderr.iter().any(|l| l.starts_with("ERROR: version-policy-check: v1.20.15 (released")));
    assert_eq!(run.check.report.subject, "lab-1.20");
}

#[tokio::test]
async fn with_a_pinned_date_and_data_the_same_cluster_passes_until_a_patch_is_31_days_old() {
    let Some((_, reader)) = scs_testkit::lab::kubeconfigs() else { return };
    let _lab = LAB.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("kubernetes.json");
    std::fs::write(
        &data,
        serde_json::json!({
            "fetched_at": "2021-01-31T00:00:00Z",
            "branches": [
                {"branch": "1.20", "end_of_life": "2022-02-28"},
                {"branch": "1.19", "end_of_life": "2021-10-28"},
                {"branch": "1.18", "end_of_life": "2021-06-18"}
            ],
            "releases": [
                {"version": "1.20.2", "published_at": "2021-01-13T18:00:00Z"},
                {"version": "1.20.3", "published_at": "2021-02-17T18:00:00Z"}
            ],
            "critical_cves": []
        })
        .to_string(),
    )
    .unwrap();
    let check = |date| Check {
        tests: Some("version-policy-check"),
        date,
        release_data: Some(data.clone()),
        ..Check::new("scs-compatible-kaas", &reader)
    };
    let current = check("2021-02-01").run().await;
    let o = outcome(&current, "version-policy-check");
    assert_eq!(o.result, TestResult::Pass, "{o:?}");
    assert!(o.evidence[0].starts_with("v1.20.2 is on a supported branch and current"), "{o:?}");
    // v1.20.3 is out but younger than 31 days: still a pass
    assert_eq!(outcome(&check("2021-03-20").run().await, "version-policy-check").result, TestResult::Pass);
    let late = check("2021-03-21").run().await;
    let o = outcome(&late, "version-policy-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert!(o.evidence[0].starts_with("v1.20.3 (released 2021-02-17, 32 days before 2021-03-21)"), "{o:?}");
    // a broken data file names its field
    std::fs::write(&data, r#"{"fetched_at": "yesterday", "branches": [], "releases": []}"#).unwrap();
    let broken = check("2021-02-01").run().await;
    let o = outcome(&broken, "version-policy-check");
    assert_eq!(o.result, TestResult::Abort);
    assert!(o.evidence[0].contains("kubernetes.json: fetched_at:"), "{o:?}");
}

#[tokio::test]
async fn node_labels_and_control_plane_hosts_flip_node_distribution() {
    let Some((admin_config, reader)) = scs_testkit::lab::kubeconfigs() else { return };
    let _lab = LAB.lock().await;
    let client = admin(&admin_config).await;
    reset(&client).await;
    let check = || Check { tests: Some("node-distribution-check"), ..Check::new("scs-kaas-preview", &reader) };
    let zone = |z: &str| serde_json::json!({"topology.kubernetes.io/zone": z, "topology.kubernetes.io/region": "r1"});
    let cp = |z: &str| serde_json::json!({"topology.kubernetes.io/zone": z, "topology.kubernetes.io/region": "r1", "node-role.kubernetes.io/control-plane": ""});

    let none = check().run().await;
    assert_eq!(outcome(&none, "node-distribution-check").result, TestResult::Abort);

    add_node(&client, "cp-1", cp("a")).await;
    add_node(&client, "worker-1", zone("a")).await;
    let one = check().run().await;
    let o = outcome(&one, "node-distribution-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert!(o.evidence[0].starts_with("one control-plane node (cp-1)"), "{o:?}");

    add_node(&client, "cp-2", cp("a")).await;
    let same_zone = check().run().await;
    let o = outcome(&same_zone, "node-distribution-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert!(o.evidence[0].contains("(cp-1, cp-2) are in one zone (a)"), "{o:?}");

    label_node(&client, "cp-2", serde_json::json!({"topology.kubernetes.io/zone": "b"})).await;
    let apart = check().run().await;
    let o = outcome(&apart, "node-distribution-check");
    assert_eq!(o.result, TestResult::Pass, "{o:?}");
    assert!(o.evidence.iter().any(|e| e == "2 control-plane nodes in 2 zones"), "{o:?}");

    // same zone again, but SCS's host label shows two machines
    label_node(&client, "cp-2", serde_json::json!({"topology.kubernetes.io/zone": "a"})).await;
    label_node(&client, "cp-1", serde_json::json!({"topology.scs.community/host-id": "host-1"})).await;
    label_node(&client, "cp-2", serde_json::json!({"topology.scs.community/host-id": "host-2"})).await;
    assert_eq!(outcome(&check().run().await, "node-distribution-check").result, TestResult::Pass);

    add_node(&client, "worker-2", serde_json::json!({"topology.kubernetes.io/zone": "b"})).await;
    let unlabeled = check().run().await;
    let o = outcome(&unlabeled, "node-distribution-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert_eq!(o.evidence[0], "node worker-2 lacks the label(s) topology.kubernetes.io/region");
    reset(&client).await;
}

#[tokio::test]
async fn zero_one_or_two_default_storage_classes_flip_the_storage_check() {
    let Some((admin_config, reader)) = scs_testkit::lab::kubeconfigs() else { return };
    let _lab = LAB.lock().await;
    let client = admin(&admin_config).await;
    reset(&client).await;
    let check = || Check { tests: Some("default-storage-class-check"), ..Check::new("scs-kaas-preview", &reader) };

    add_class(&client, "standard", "cinder.csi.openstack.org", false).await;
    let zero = check().run().await;
    let o = outcome(&zero, "default-storage-class-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert!(o.evidence[0].starts_with("no default StorageClass (1 class(es): standard)"), "{o:?}");

    add_class(&client, "fast", "cinder.csi.openstack.org", true).await;
    let one = check().run().await;
    let o = outcome(&one, "default-storage-class-check");
    assert_eq!(o.result, TestResult::Pass, "{o:?}");
    assert_eq!(o.evidence[0], "default StorageClass fast (provisioner cinder.csi.openstack.org)");
    assert!(o.evidence[1].starts_with("no node is Ready"), "{o:?}");

    add_class(&client, "local", "kubernetes.io/no-provisioner", true).await;
    let two = check().run().await;
    let o = outcome(&two, "default-storage-class-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert!(o.evidence[0].starts_with("2 default StorageClasses (fast, local)"), "{o:?}");

    let classes: Api<StorageClass> = Api::all(client.clone());
    classes.delete("fast", &DeleteParams::default()).await.unwrap();
    let local = check().run().await;
    let o = outcome(&local, "default-storage-class-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert!(o.evidence[0].contains("uses provisioner kubernetes.io/no-provisioner"), "{o:?}");
    reset(&client).await;
}

#[tokio::test]
async fn with_a_ready_node_the_claim_is_tried_and_removed_again() {
    let Some((admin_config, _)) = scs_testkit::lab::kubeconfigs() else { return };
    let _lab = LAB.lock().await;
    let client = admin(&admin_config).await;
    reset(&client).await;
    // what a cluster's controllers would have made: the default service account
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), "default");
    if accounts.get_opt("default").await.unwrap().is_none() {
        let sa: ServiceAccount = serde_json::from_value(serde_json::json!({"metadata": {"name": "default"}})).unwrap();
        accounts.create(&PostParams::default(), &sa).await.unwrap();
    }
    add_node(&client, "worker-1", serde_json::json!({})).await;
    let nodes: Api<Node> = Api::all(client.clone());
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    nodes
        .patch_status(
            "worker-1",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"status": {"conditions": [
                {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "set by the test",
                 "lastHeartbeatTime": now, "lastTransitionTime": now}
            ]}})),
        )
        .await
        .unwrap();
    add_class(&client, "fast", "cinder.csi.openstack.org", true).await;
    // no provisioner and no kubelet run in the lab: the claim stays Pending, the pod unscheduled
    let run = Check {
        tests: Some("default-storage-class-check"),
        storage_wait: 3,
        ..Check::new("scs-kaas-preview", &admin_config)
    }
    .run()
    .await;
    let o = outcome(&run, "default-storage-class-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert!(o.evidence[0].starts_with("after 3 s the claim scs-check-pvc-"), "{o:?}");
    assert!(o.evidence[0].contains("is not Bound and the pod scs-check-pod-"), "{o:?}");
    // nothing left behind
    let labelled = ListParams::default().labels("scs.community/check");
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), "default");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let left_claims = claims.list(&labelled).await.unwrap();
    // a claim with the pvc-protection finalizer may linger as terminating; it must be marked for deletion
    assert!(left_claims.items.iter().all(|c| c.metadata.deletion_timestamp.is_some()), "{:?}", left_claims.items);
    assert!(pods.list(&labelled).await.unwrap().items.is_empty());
    reset(&client).await;
}

#[tokio::test]
async fn an_unreachable_server_a_bad_kubeconfig_and_a_forbidden_list_abort_with_the_reason() {
    let Some((admin_config, reader)) = scs_testkit::lab::kubeconfigs() else { return };
    let _lab = LAB.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&reader).unwrap();

    let unreachable = dir.path().join("unreachable.kubeconfig");
    std::fs::write(&unreachable, text.replace("https://127.0.0.1:6443", "https://127.0.0.1:1")).unwrap();
    let run = Check::new("scs-kaas-preview", &unreachable).run().await;
    let o = outcome(&run, "node-distribution-check");
    assert_eq!(o.result, TestResult::Abort);
    assert!(o.evidence[0].starts_with("no cluster: API server https://127.0.0.1:1/:"), "{o:?}");
    assert!(o.evidence[0].to_lowercase().contains("connection refused"), "{o:?}");
    assert!(run.check.critical[0].starts_with("cannot reach the cluster"));
    assert_eq!(outcome(&run, "default-storage-class-check").result, TestResult::Abort);

    let garbage = dir.path().join("garbage.kubeconfig");
    std::fs::write(&garbage, "clusters: [this is not\n").unwrap();
    let run = Check::new("scs-kaas-preview", &garbage).run().await;
    let o = outcome(&run, "node-distribution-check");
    assert_eq!(o.result, TestResult::Abort);
    assert!(o.evidence[0].starts_with(&format!("no cluster: kubeconfig {}:", garbage.display())), "{o:?}");

    let wrong_token = dir.path().join("wrong-token.kubeconfig");
    let token_line = text.lines().find(|l| l.trim_start().starts_with("token:")).unwrap();
    std::fs::write(&wrong_token, text.replace(token_line, "    token: not-a-token")).unwrap();
    let run = Check::new("scs-kaas-preview", &wrong_token).run().await;
    let o = outcome(&run, "node-distribution-check");
    assert!(o.evidence[0].contains("unauthorized"), "{o:?}");

    // a service account may read /version but list nothing
    let client = admin(&admin_config).await;
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), "default");
    if accounts.get_opt("scs-test-nobody").await.unwrap().is_none() {
        let sa: ServiceAccount =
            serde_json::from_value(serde_json::json!({"metadata": {"name": "scs-test-nobody"}})).unwrap();
        accounts.create(&PostParams::default(), &sa).await.unwrap();
    }
    let request: k8s_openapi::api::authentication::v1::TokenRequest = serde_json::from_value(
        serde_json::json!({"spec": {"audiences": ["https://kubernetes.default.svc"], "expirationSeconds": 600}}),
    )
    .unwrap();
    let token: k8s_openapi::api::authentication::v1::TokenRequest =
        accounts.create_subresource("token", "scs-test-nobody", &PostParams::default(), &request).await.unwrap();
    let nobody = dir.path().join("nobody.kubeconfig");
    let token = token.status.unwrap().token;
    std::fs::write(&nobody, text.replace(token_line, &format!("    token: {token}"))).unwrap();
    let run = Check::new("scs-kaas-preview", &nobody).run().await;
    assert!(run.check.critical.is_empty(), "{:?}", run.check.critical);
    let o = outcome(&run, "node-distribution-check");
    assert_eq!(o.result, TestResult::Abort);
    assert!(o.evidence[0].starts_with("cannot read the nodes: listing nodes: forbidden: HTTP 403"), "{o:?}");
    assert!(o.evidence[0].contains("system:serviceaccount:default:scs-test-nobody"), "{o:?}");
    let o = outcome(&run, "default-storage-class-check");
    assert_eq!(o.result, TestResult::Abort);
    assert!(o.evidence[0].contains("listing storage classes: forbidden"), "{o:?}");
}
