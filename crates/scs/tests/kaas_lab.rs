// SPDX-License-Identifier: Apache-2.0
//! `scs check` of the KaaS scopes and `scs data` through the real binary:
//! console output, reports (one per kubeconfig, subject `<name>-<branch>`)
//! and exit codes, against the lab's two Kubernetes clusters (`lab/kubernetes up`).
//!
//! Without the lab these tests fail; `SCS_SKIP_LAB=1` opts out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use scs_standards::report::{AnyReport, read_reports};
use scs_testkit::lab::LabCluster;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};

fn reader() -> Option<PathBuf> {
    scs_testkit::lab::kubeconfigs().map(|(_, reader)| reader)
}

fn scs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(args)
        .env_remove("OS_CLOUD")
        .env("XDG_DATA_HOME", "/nonexistent")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Release data that says the newest lab cluster runs the newest patch of
/// its branch and the older one is three patches behind (the first of them
/// out for 106 days on 2026-11-27).
fn release_data(dir: &std::path::Path, newest: &LabCluster, older: &LabCluster) -> PathBuf {
    let bump = |version: &str, by: u32| {
        let (branch, patch) = version.trim_start_matches('v').rsplit_once('.').unwrap();
        format!("{branch}.{}", patch.parse::<u32>().unwrap() + by)
    };
    let data = serde_json::json!({
        "fetched_at": "2026-11-21T00:00:00Z",
        "branches": [
            {"branch": newest.branch, "end_of_life": "2027-10-28"},
            {"branch": "1.36", "end_of_life": "2027-06-28"},
            {"branch": older.branch, "end_of_life": "2027-02-28"}
        ],
        "releases": [
            {"version": newest.version.trim_start_matches('v'), "published_at": "2026-11-12T18:00:00Z"},
            {"version": older.version.trim_start_matches('v'), "published_at": "2026-07-15T18:00:00Z"},
            {"version": bump(&older.version, 1), "published_at": "2026-08-13T18:00:00Z"},
            {"version": bump(&older.version, 2), "published_at": "2026-10-15T18:00:00Z"}
        ],
        "critical_cves": []
    });
    let path = dir.join("kubernetes.json");
    std::fs::write(&path, data.to_string()).unwrap();
    path
}

#[test]
fn two_clusters_of_different_minors_in_one_run_one_report_each_and_upstream_exit_codes() {
    let Some(clusters) = scs_testkit::lab::kubernetes_clusters() else { return };
    let (newest, older) = (&clusters[0], &clusters[1]);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.yaml");
    let data = release_data(dir.path(), newest, older);
    let unreachable = dir.path().join("other.kubeconfig");
    std::fs::write(
        &unreachable,
        std::fs::read_to_string(&newest.reader).unwrap().replace("https://127.0.0.1:6443", "https://127.0.0.1:1"),
    )
    .unwrap();
    let out = scs(&[
        "check",
        "--scope",
        "scs-compatible-kaas",
        "--no-sonobuoy",
        "--kubeconfig",
        newest.reader.to_str().unwrap(),
        "--kubeconfig",
        older.reader.to_str().unwrap(),
        "--kubeconfig",
        unreachable.to_str().unwrap(),
        "--release-data",
        data.to_str().unwrap(),
        "-s",
        "lab",
        "-d",
        "2026-11-27",
        "-o",
        report.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    let (newest_subject, older_subject) = (format!("lab-{}", newest.branch), format!("lab-{}", older.branch));
    assert!(
        stdout.contains(&format!(
            "{newest_subject} SCS-compatible KaaS v1:\n- main: TENTATIVE pass (1 passed, 2 missing)"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{older_subject} SCS-compatible KaaS v1:\n- main: FAIL (0 passed, 1 failed, 2 missing)"
        )),
        "{stdout}"
    );
    let (branch, patch) = older.version.rsplit_once('.').unwrap();
    let next = format!("{branch}.{}", patch.parse::<u32>().unwrap() + 1);
    assert!(stdout.contains(&format!("! {next} (released 2026-08-13, 106 days before 2026-11-27)")), "{stdout}");
    // the unreachable cluster has no branch: its subject is the name alone
    assert!(stdout.contains("lab SCS-compatible KaaS v1:\n- main: FAIL (0 passed, 1 aborted, 2 missing)"), "{stdout}");
    assert!(stderr.contains("CRITICAL: cannot reach the cluster: API server https://127.0.0.1:1/"), "{stderr}");
    assert!(stderr.contains("WARNING: cncf-k8s-conformance: no Sonobuoy results given"), "{stderr}");
    // FAIL + its error lines + the ABORT's error line + the critical line, as upstream counts
    let code = out.status.code().unwrap();
    assert!(code > 2, "{code}");
    let reports = read_reports("report.yaml", &std::fs::read_to_string(&report).unwrap()).unwrap();
    let subjects: Vec<String> = reports
        .iter()
        .map(|r| match r {
            AnyReport::Upstream(r) => r.subject.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(subjects, [newest_subject.as_str(), older_subject.as_str(), "lab"]);

    // -C: only runs that could not complete count
    let out = scs(&[
        "check",
        "--scope",
        "scs-compatible-kaas",
        "--no-sonobuoy",
        "--kubeconfig",
        older.reader.to_str().unwrap(),
        "--release-data",
        data.to_str().unwrap(),
        "-C",
        "-d",
        "2026-11-27",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // upstream's way of passing the kubeconfig; the subject defaults to the context
    let assign = format!("kubeconfig={}", older.reader.display());
    let out = scs(&[
        "check",
        "scs-compatible-kaas",
        "-a",
        &assign,
        "-t",
        "version",
        "--format",
        "json",
        "--no-sonobuoy",
        "--release-data",
        data.to_str().unwrap(),
        "-d",
        "2026-11-27",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["subject"], format!("reader@scs-lab-{}", older.branch));
    assert_eq!(json["testcases"]["version-policy-check"]["result"], "FAIL");
}

#[test]
fn usage_errors_name_what_is_wrong() {
    let out = scs(&["check", "--scope", "scs-compatible-kaas"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("checks a Kubernetes cluster: pass --kubeconfig FILE"));
    let out =
        scs(&["check", "--scope", "scs-compatible-kaas", "--kubeconfig", "k", "--sonobuoy-results", "e2e=x.tar.gz"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("e2e is not cncf-k8s-conformance or kaas-networking-check"));
    let out = scs(&["data", "show", "--release-data", "/nonexistent.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent.json: No such file"), "{}", text(&out.stderr));
}

/// Serves `routes` (path → JSON body) over HTTP/1.1 on 127.0.0.1 until dropped.
fn serve(routes: Vec<(&'static str, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let target = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let body = routes.iter().find(|(p, _)| *p == target).map(|(_, b)| b.clone());
            let (status, body) = match body {
                Some(b) => ("200 OK", b),
                None => ("404 Not Found", "{}".to_owned()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

#[test]
fn data_refresh_reads_the_upstream_shapes_and_checks_use_the_result() {
    let Some(clusters) = scs_testkit::lab::kubernetes_clusters() else { return };
    let newest = &clusters[0];
    let (branch, patch) = newest.version.rsplit_once('.').unwrap();
    let fix = format!("{branch}.{}", patch.parse::<u32>().unwrap() + 1);
    let minor: u32 = newest.branch.rsplit_once('.').unwrap().1.parse().unwrap();
    // the shapes of GitHub's release list, endoflife.date, the kubernetes.io CVE feed and a CVE 5
    // record; the CVE is made up (2099) so that the next patch of the newest cluster fixes it
    let releases = serde_json::json!([
        {"tag_name": fix, "draft": false, "prerelease": false, "published_at": "2026-11-20T18:00:00Z"},
        {"tag_name": format!("v1.{}.0-rc.0", minor + 1), "draft": false, "prerelease": true, "published_at": "2026-11-25T18:00:00Z"},
        {"tag_name": newest.version, "draft": false, "prerelease": false, "published_at": "2026-11-12T18:00:00Z"},
        {"tag_name": format!("{branch}.99"), "draft": true, "prerelease": false, "published_at": null}
    ]);
    let cycles = serde_json::json!([
        {"cycle": newest.branch, "releaseDate": "2026-08-26", "eol": "2027-10-28", "latest": fix.trim_start_matches('v')},
        {"cycle": format!("1.{}", minor - 1), "releaseDate": "2026-04-22", "eol": "2027-06-28", "latest": "1.36.3"},
        {"cycle": format!("1.{}", minor - 2), "releaseDate": "2025-12-17", "eol": "2027-02-28", "latest": "1.35.4"}
    ]);
    let feed = serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "CVE-2099-0001", "url": "https://github.com/kubernetes/kubernetes/issues/100096"}]});
    let record = serde_json::json!({"cveMetadata": {"cveId": "CVE-2099-0001"}, "containers": {"cna": {
    "metrics": [{"cvssV3_1": {"baseScore": 8.1, "version": "3.1"}}],
    "affected": [{"product": "Kubernetes", "vendor": "Kubernetes", "versions": [
        {"version": format!("{}.0", newest.branch), "status": "affected", "lessThan": fix.trim_start_matches('v'), "versionType": "semver"}
    ]}]}}});
    let base = serve(vec![
        ("/releases?per_page=100&page=1", releases.to_string()),
        ("/releases?per_page=100&page=2", "[]".to_owned()),
        ("/eol.json", cycles.to_string()),
        ("/feed.json", feed.to_string()),
        ("/cve/CVE-2099-0001", record.to_string()),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("kubernetes.json");
    let out = scs(&[
        "data",
        "refresh",
        "-o",
        data.to_str().unwrap(),
        "--releases-url",
        &format!("{base}/releases"),
        "--end-of-life-url",
        &format!("{base}/eol.json"),
        "--cve-feed-url",
        &format!("{base}/feed.json"),
        "--cve-record-url",
        &format!("{base}/cve/"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("3 branches, 2 releases, 1 critical CVEs"), "{}", text(&out.stdout));
    let out = scs(&["data", "show", "--release-data", data.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains(&format!("{}   end of life 2027-10-28", newest.branch)),
        "{}",
        text(&out.stdout)
    );

    // the cluster's release is affected by the CVE its next patch fixes: 14 days after that the cluster fails
    let out = scs(&[
        "check",
        "--scope",
        "scs-compatible-kaas",
        "--kubeconfig",
        newest.reader.to_str().unwrap(),
        "-t",
        "version",
        "--release-data",
        data.to_str().unwrap(),
        "-d",
        "2026-12-05",
        "-V",
        "v1",
        "-v",
    ]);
    let stdout = text(&out.stdout);
    let expected = format!(
        "! CVE-2099-0001 (CVSS 8.1) affects {}; {fix} fixes it (released 2026-11-20, 15 days before 2026-12-05)",
        newest.version
    );
    assert!(stdout.contains(&expected), "{stdout}");

    // a source that fails leaves the old file alone
    let before = std::fs::read_to_string(&data).unwrap();
    let out = scs(&["data", "refresh", "-o", data.to_str().unwrap(), "--releases-url", &format!("{base}/nothing")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nothing?per_page=100&page=1: HTTP 404"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&data).unwrap(), before);
}

#[test]
fn the_runner_checks_kaas_subjects_from_an_upstream_config() {
    let Some(clusters) = scs_testkit::lab::kubernetes_clusters() else { return };
    // the newest cluster: its branch is newer than the shipped release data, whatever the date
    let newest = &clusters[0];
    let subject = format!("lab-{}", newest.branch);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            r#"[presets.kaas]
scopes = ["scs-compatible-kaas"]
subjects = ["{subject}"]
workers = 1

[scopes.scs-compatible-kaas]
spec = "./scs-compatible-kaas.yaml"

[subjects._.mapping]
os_cloud = "{{subject}}"
subject_root = "{{subject}}"
kubeconfig = "{{subject}}/kubeconfig.yaml"

[subjects."{subject}".mapping]
kubeconfig = "{}"
"#,
            newest.reader.display()
        ),
    )
    .unwrap();
    let report = dir.path().join("report.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["run", "--config", config.to_str().unwrap(), "--preset", "kaas", "-t", "version"])
        .args(["-o", report.to_str().unwrap()])
        .env("XDG_DATA_HOME", "/nonexistent")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("{subject} SCS-compatible KaaS: 0 passed, 0 failed, 1 aborted")),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let reports = read_reports("report.yaml", &std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].subject(), subject);
}

fn kubectl(admin: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    let kubectl = scs_testkit::lab::kubernetes_program("kubectl").unwrap();
    let mut child = Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(admin)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "kubectl {args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// The interrupt tests share the lab's nodes and storage classes.
static STORAGE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A Ready node and a default class that nobody provisions: the claim stays
/// Pending, the pod unscheduled (names of their own; the kaas crate's tests
/// reset the lab).
fn ready_node_and_default_class(admin: &std::path::Path) {
    kubectl(admin, &["delete", "node,storageclass", "--all"], None);
    kubectl(
        admin,
        &["apply", "-f", "-"],
        Some(
            "apiVersion: v1\nkind: Node\nmetadata: {name: interrupt-worker, annotations: {kwok.x-k8s.io/node: fake}}\n---\n\
             apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: interrupt-class\n  annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}\nprovisioner: cinder.csi.openstack.org\n",
        ),
    );
    // kwok makes the node Ready
    kubectl(admin, &["wait", "--for=condition=Ready", "node/interrupt-worker", "--timeout=20s"], None);
}

/// Sends SIGINT to `child` once the storage check's pod exists; its output after it exits.
fn interrupt_when_the_pod_exists(admin: &std::path::Path, child: std::process::Child) -> Output {
    let claims =
        || kubectl(admin, &["get", "pvc,pod", "-n", "default", "-l", "scs.community/check", "-o", "name"], None);
    let started = std::time::Instant::now();
    while !claims().contains("pod/scs-check-pod-") {
        assert!(started.elapsed().as_secs() < 20, "the check created no pod");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    child.wait_with_output().unwrap()
}

/// The pod is gone; the claim is gone or on its way (its protection finalizer
/// goes once the controller-manager sees the pod gone).
fn assert_no_claim_or_pod_left(admin: &std::path::Path) {
    let left = kubectl(
        admin,
        &[
            "get",
            "pvc,pod",
            "-n",
            "default",
            "-l",
            "scs.community/check",
            "-o",
            "jsonpath={range .items[*]}{.kind} {.metadata.deletionTimestamp}{\"\\n\"}{end}",
        ],
        None,
    );
    assert!(left.lines().all(|l| l.starts_with("PersistentVolumeClaim 2")), "{left}");
    kubectl(admin, &["delete", "node,storageclass", "--all"], None);
}

#[test]
fn an_interrupted_storage_check_removes_its_claim_and_pod() {
    let Some(reader) = reader() else { return };
    let _guard = STORAGE.lock().unwrap_or_else(|e| e.into_inner());
    let admin = reader.with_file_name("admin.kubeconfig");
    ready_node_and_default_class(&admin);
    let child = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["check", "--scope", "scs-kaas-preview", "-t", "default-storage", "--storage-wait", "60"])
        .arg("--kubeconfig")
        .arg(&admin)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = interrupt_when_the_pod_exists(&admin, child);
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("interrupted; nothing left behind"), "{}", text(&out.stderr));
    assert_no_claim_or_pod_left(&admin);
}

/// `scs run` sweeps after an interrupt as `scs check` does (it did not: the claim and pod stayed).
#[test]
fn an_interrupted_run_removes_the_storage_checks_claim_and_pod() {
    let Some(reader) = reader() else { return };
    let _guard = STORAGE.lock().unwrap_or_else(|e| e.into_inner());
    let admin = reader.with_file_name("admin.kubeconfig");
    ready_node_and_default_class(&admin);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[presets.kaas]\nscopes = [\"scs-kaas-preview\"]\nsubjects = [\"lab\"]\nworkers = 1\n\n\
             [scopes.scs-kaas-preview]\nspec = \"./scs-kaas-preview.yaml\"\n\n\
             [subjects.lab.mapping]\nkubeconfig = \"{}\"\n",
            admin.display()
        ),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["run", "--config", config.to_str().unwrap(), "--preset", "kaas", "-t", "default-storage"])
        .args(["-o", dir.path().join("report.yaml").to_str().unwrap()])
        .env("XDG_DATA_HOME", "/nonexistent")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = interrupt_when_the_pod_exists(&admin, child);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted; no report written"), "{stderr}");
    assert!(!stderr.contains("left behind"), "{stderr}");
    assert_no_claim_or_pod_left(&admin);
}
