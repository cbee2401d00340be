// SPDX-License-Identifier: Apache-2.0
//! The KaaS testcases against the real Kubernetes clusters of the lab
//! (`lab/kubernetes up`: two clusters of different minors, each
//! kube-apiserver, kube-controller-manager and kube-scheduler built from the
//! `k8s.io/kubernetes` Go module, and kwok simulating nodes, pods and
//! volumes).
//!
//! Tests create Nodes (annotated for kwok, which makes them Ready), classes,
//! volumes, a ServiceAccount and kubeconfigs through the API as the lab's
//! admin and check as its read-only user. The lab's clusters belong to these
//! tests: each test starts by deleting every Node, StorageClass and
//! PersistentVolume, and tests run one at a time.
//!
//! Without the lab these tests fail; `SCS_SKIP_LAB=1` opts out for quick
//! local runs (`.ci/run` never sets it). `SCS_LAB_DIR` points at its state.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod, ServiceAccount};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use scs_checks::run::RunMeta;
use scs_kaas::run::{KaasRequest, KaasRun, Settings, run};
use scs_standards::TestResult;
use scs_standards::embedded::load_scope;
use scs_standards::selection::SelectionRequest;
use scs_testkit::lab::LabCluster;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

static LAB: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn admin(path: &Path) -> Client {
    scs_kaas::cluster::connect(path, None, Duration::from_secs(10)).await.expect("the lab's API server answers").client
}

/// Deletes every Node, StorageClass and PersistentVolume, and what the
/// storage check may have left: the distribution and storage checks look at
/// all of them.
async fn reset(client: &Client) {
    let labelled = ListParams::default().labels("scs.community/check");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    pods.delete_collection(&DeleteParams { grace_period_seconds: Some(0), ..DeleteParams::default() }, &labelled)
        .await
        .unwrap();
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), "default");
    claims.delete_collection(&DeleteParams::default(), &labelled).await.unwrap();
    let nodes: Api<Node> = Api::all(client.clone());
    nodes.delete_collection(&DeleteParams::default(), &ListParams::default()).await.unwrap();
    let classes: Api<StorageClass> = Api::all(client.clone());
    classes.delete_collection(&DeleteParams::default(), &ListParams::default()).await.unwrap();
    let volumes: Api<PersistentVolume> = Api::all(client.clone());
    volumes.delete_collection(&DeleteParams::default(), &ListParams::default()).await.unwrap();
}

/// A node kwok manages: it becomes Ready (kwok's node stages) and keeps its
/// heartbeat. Returns once the node is Ready.
async fn add_node(client: &Client, name: &str, labels: serde_json::Value) {
    let nodes: Api<Node> = Api::all(client.clone());
    let node: Node = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "labels": labels, "annotations": {"kwok.x-k8s.io/node": "fake"}}
    }))
    .unwrap();
    nodes.create(&PostParams::default(), &node).await.unwrap();
    let started = Instant::now();
    loop {
        let node = nodes.get(name).await.unwrap();
        let conditions = node.status.and_then(|s| s.conditions).unwrap_or_default();
        if conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True") {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "kwok did not make node {name} Ready: {conditions:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
        "provisioner": provisioner,
        "volumeBindingMode": "Immediate",
        "reclaimPolicy": "Retain"
    }))
    .unwrap();
    classes.create(&PostParams::default(), &sc).await.unwrap();
}

/// A volume an administrator made by hand (static provisioning), of `class`.
async fn add_volume(client: &Client, name: &str, class: &str) {
    let volumes: Api<PersistentVolume> = Api::all(client.clone());
    let pv: PersistentVolume = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "spec": {
            "capacity": {"storage": "2Gi"},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": class,
            "hostPath": {"path": format!("/tmp/{name}")}
        }
    }))
    .unwrap();
    volumes.create(&PostParams::default(), &pv).await.unwrap();
}

/// The lab's clusters, newest first.
fn clusters() -> Option<Vec<LabCluster>> {
    scs_testkit::lab::kubernetes_clusters()
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

/// Release data as `scs data refresh` writes it, saying which patch releases
/// of the lab's two branches are out: the newest cluster's release is the
/// newest of its branch, the older cluster's branch has three newer patches.
fn release_data(dir: &Path, newest: &LabCluster, older: &LabCluster, later_patch: bool) -> PathBuf {
    let path = dir.join("kubernetes.json");
    let bump = |version: &str, by: u32| {
        let (branch, patch) = version.trim_start_matches('v').rsplit_once('.').unwrap();
        format!("{branch}.{}", patch.parse::<u32>().unwrap() + by)
    };
    let mut releases = vec![
        serde_json::json!({"version": newest.version.trim_start_matches('v'), "published_at": "2026-11-12T18:00:00Z"}),
        serde_json::json!({"version": older.version.trim_start_matches('v'), "published_at": "2026-07-15T18:00:00Z"}),
        serde_json::json!({"version": bump(&older.version, 1), "published_at": "2026-08-13T18:00:00Z"}),
        serde_json::json!({"version": bump(&older.version, 2), "published_at": "2026-10-15T18:00:00Z"}),
    ];
    if later_patch {
        releases.push(serde_json::json!({"version": bump(&newest.version, 1), "published_at": "2026-11-20T18:00:00Z"}));
    }
    let branches: Vec<_> =
        [(&newest.branch, "2027-10-28"), (&older.branch, "2027-02-28"), (&"1.30".to_owned(), "2025-06-28")]
            .into_iter()
            .map(|(branch, eol)| serde_json::json!({"branch": branch, "end_of_life": eol}))
            .chain(std::iter::once(serde_json::json!({"branch": "1.36", "end_of_life": "2027-06-28"})))
            .collect();
    std::fs::write(
        &path,
        serde_json::json!({"fetched_at": "2026-11-21T00:00:00Z", "branches": branches, "releases": releases, "critical_cves": []})
            .to_string(),
    )
    .unwrap();
    path
}

#[tokio::test]
async fn a_current_patch_release_passes_the_version_policy_and_an_outdated_one_fails() {
    let Some(clusters) = clusters() else { return };
    let _lab = LAB.lock().await;
    let (newest, older) = (&clusters[0], &clusters[1]);
    let dir = tempfile::tempdir().unwrap();
    let data = release_data(dir.path(), newest, older, false);
    let check = |kubeconfig, date| Check {
        tests: Some("version-policy-check"),
        date,
        release_data: Some(data.clone()),
        ..Check::new("scs-compatible-kaas", kubeconfig)
    };

    let current = check(&newest.reader, "2026-11-27").run().await;
    assert_eq!(current.subject, format!("lab-{}", newest.branch));
    let o = outcome(&current, "version-policy-check");
    assert_eq!(o.result, TestResult::Pass, "{o:?}");
    assert_eq!(o.evidence[0], format!("{} is on a supported branch and current by the release data", newest.version));
    assert!(
        o.evidence[1].starts_with(&format!("cluster version {} (branch {})", newest.version, newest.branch)),
        "{o:?}"
    );

    let outdated = check(&older.reader, "2026-11-27").run().await;
    assert_eq!(outdated.subject, format!("lab-{}", older.branch));
    let o = outcome(&outdated, "version-policy-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    let (branch, patch) = older.version.rsplit_once('.').unwrap();
    let next = format!("{branch}.{}", patch.parse::<u32>().unwrap() + 1);
    assert_eq!(
        o.evidence[0],
        format!(
            "{next} (released 2026-08-13, 106 days before 2026-11-27) is newer than the cluster's {}; patch releases must be offered within 31 days",
            older.version
        )
    );
    // the report says the same
    let invocation = outdated.check.report.run.invocations.values().next().unwrap();
    assert_eq!(invocation.stdout, ["version-policy-check: FAIL"]);
    assert!(invocation.stderr.iter().any(|l| l.starts_with(&format!("ERROR: version-policy-check: {next} (released"))));

    // a newer patch of the newest branch: still current for 31 days, then not
    let data = release_data(dir.path(), newest, older, true);
    let within = Check { release_data: Some(data.clone()), ..check(&newest.reader, "2026-12-21") }.run().await;
    assert_eq!(outcome(&within, "version-policy-check").result, TestResult::Pass);
    let late = Check { release_data: Some(data.clone()), ..check(&newest.reader, "2026-12-22") }.run().await;
    let o = outcome(&late, "version-policy-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert!(o.evidence[0].contains("(released 2026-11-20, 32 days before 2026-12-22)"), "{o:?}");

    // a broken data file names its field
    std::fs::write(&data, r#"{"fetched_at": "yesterday", "branches": [], "releases": []}"#).unwrap();
    let broken = check(&newest.reader, "2026-11-27").run().await;
    let o = outcome(&broken, "version-policy-check");
    assert_eq!(o.result, TestResult::Abort);
    assert!(o.evidence[0].contains("kubernetes.json: fetched_at:"), "{o:?}");
}

#[tokio::test]
async fn the_shipped_release_data_judges_the_older_cluster_and_refuses_a_branch_it_does_not_know() {
    let Some(clusters) = clusters() else { return };
    let _lab = LAB.lock().await;
    let (newest, older) = (&clusters[0], &clusters[1]);
    let check =
        |kubeconfig| Check { tests: Some("version-policy-check"), ..Check::new("scs-compatible-kaas", kubeconfig) };
    // the shipped data (fetched 2026-02-10) ends at branch 1.36
    let run = check(&newest.reader).run().await;
    let o = outcome(&run, "version-policy-check");
    assert_eq!(o.result, TestResult::Abort, "{o:?}");
    assert!(
        o.evidence[0].starts_with(&format!("branch {} is newer than every branch in the release data", newest.branch)),
        "{o:?}"
    );
    assert!(o.evidence[0].contains("(shipped with scs, fetched 2026-02-10)"), "{o:?}");
    // the older branch is in it, supported until 2027-02-28, and no newer patch of it is listed
    let run = check(&older.reader).run().await;
    let o = outcome(&run, "version-policy-check");
    assert_eq!(o.result, TestResult::Pass, "{o:?}");
    assert!(o.evidence.iter().any(|e| e.starts_with("warning: the release data is 290 days old")), "{o:?}");
}

#[tokio::test]
async fn node_labels_and_control_plane_hosts_flip_node_distribution() {
    let Some(clusters) = clusters() else { return };
    let _lab = LAB.lock().await;
    let client = admin(&clusters[0].admin).await;
    reset(&client).await;
    let reader = &clusters[0].reader;
    let check = || Check { tests: Some("node-distribution-check"), ..Check::new("scs-kaas-preview", reader) };
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
    // one machine under both
    label_node(&client, "cp-2", serde_json::json!({"topology.scs.community/host-id": "host-1"})).await;
    assert_eq!(outcome(&check().run().await, "node-distribution-check").result, TestResult::Fail);
    label_node(&client, "cp-2", serde_json::json!({"topology.scs.community/host-id": "host-2"})).await;

    add_node(&client, "worker-2", serde_json::json!({"topology.kubernetes.io/zone": "b"})).await;
    let unlabeled = check().run().await;
    let o = outcome(&unlabeled, "node-distribution-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert_eq!(o.evidence[0], "node worker-2 lacks the label(s) topology.kubernetes.io/region");
    reset(&client).await;
}

#[tokio::test]
async fn zero_one_or_two_default_storage_classes_flip_the_storage_check() {
    let Some(clusters) = clusters() else { return };
    let _lab = LAB.lock().await;
    let client = admin(&clusters[0].admin).await;
    reset(&client).await;
    let reader = &clusters[0].reader;
    let check = || Check { tests: Some("default-storage-class-check"), ..Check::new("scs-kaas-preview", reader) };

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

/// Waits until the storage check's claim and pod are gone for good (the
/// controller-manager's pvc-protection controller lets a claim go once no
/// pod uses it).
async fn assert_nothing_left(client: &Client) {
    let labelled = ListParams::default().labels("scs.community/check");
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), "default");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let started = Instant::now();
    loop {
        let (left_claims, left_pods) = (claims.list(&labelled).await.unwrap(), pods.list(&labelled).await.unwrap());
        if left_claims.items.is_empty() && left_pods.items.is_empty() {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "left behind: {:?} {:?}",
            left_claims.items.iter().map(|c| &c.metadata.name).collect::<Vec<_>>(),
            left_pods.items.iter().map(|p| &p.metadata.name).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_claim_of_the_default_class_binds_and_its_pod_runs_and_a_class_that_cannot_bind_fails() {
    let Some(clusters) = clusters() else { return };
    let _lab = LAB.lock().await;
    let cluster = &clusters[0];
    let client = admin(&cluster.admin).await;
    reset(&client).await;
    add_node(&client, "worker-1", serde_json::json!({"topology.kubernetes.io/zone": "a"})).await;
    let check = |wait| Check {
        tests: Some("default-storage-class-check"),
        storage_wait: wait,
        ..Check::new("scs-kaas-preview", &cluster.admin)
    };

    // kwok's volume stages provision claims of the class kwok-volume: a dynamic provisioner
    add_class(&client, "kwok-volume", "kwok.x-k8s.io/volume", true).await;
    let run = check(30).run().await;
    let o = outcome(&run, "default-storage-class-check");
    assert_eq!(o.result, TestResult::Pass, "{o:?}");
    assert_eq!(o.evidence[0], "default StorageClass kwok-volume (provisioner kwok.x-k8s.io/volume)");
    assert!(o.evidence[1].starts_with("claim scs-check-pvc-"), "{o:?}");
    assert!(o.evidence[1].contains("bound to volume pvc-"), "{o:?}");
    assert!(o.evidence[1].contains("(ReadWriteOnce), pod Running after"), "{o:?}");
    assert_nothing_left(&client).await;

    // static provisioning: the controller-manager's binder gives the claim an administrator's volume
    let classes: Api<StorageClass> = Api::all(client.clone());
    classes.delete("kwok-volume", &DeleteParams::default()).await.unwrap();
    add_class(&client, "handmade", "example.com/nobody-provisions-this", true).await;
    add_volume(&client, "handmade-1", "handmade").await;
    let run = check(30).run().await;
    let o = outcome(&run, "default-storage-class-check");
    assert_eq!(o.result, TestResult::Pass, "{o:?}");
    assert!(o.evidence[1].contains("bound to volume handmade-1 (ReadWriteOnce), pod Running after"), "{o:?}");
    assert_nothing_left(&client).await;
    // its volume is Released now (reclaim policy Retain): nothing can bind the next claim
    let run = check(5).run().await;
    let o = outcome(&run, "default-storage-class-check");
    assert_eq!(o.result, TestResult::Fail, "{o:?}");
    assert!(o.evidence[0].starts_with("after 5 s the claim scs-check-pvc-"), "{o:?}");
    assert!(o.evidence[0].contains("is not Bound and the pod scs-check-pod-"), "{o:?}");
    assert!(o.evidence[0].contains(" is Pending: the default class does not provide a usable volume"), "{o:?}");
    assert_nothing_left(&client).await;
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
