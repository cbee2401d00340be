// SPDX-License-Identifier: Apache-2.0
//! The project's labs (`lab/openstack up`, `lab/kubernetes up`) as the
//! integration tests of every crate find them, and the one place that seeds
//! the OpenStack lab with its compliant set.
//!
//! Why seeding lives here: `cargo test` runs the test binaries one after the
//! other in an order nobody should rely on, and a lab that was just reset
//! holds no flavors and no images. Every test that needs the compliant set
//! asks for [`seeded_clouds_yaml`], so the first one to run in a process
//! seeds the lab (idempotently, `lab/seed.py apply`), whichever binary that is
//! and whatever an earlier run or an interrupted violation left behind.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The labs' state directory: `$SCS_LAB_DIR`, default `/var/lib/scs-lab`.
pub fn state_dir() -> PathBuf {
    PathBuf::from(std::env::var("SCS_LAB_DIR").unwrap_or_else(|_| "/var/lib/scs-lab".into()))
}

/// Whether `SCS_SKIP_LAB` opts out of lab tests (a quick local run; `.ci/run` never sets it).
fn skipped() -> bool {
    std::env::var_os("SCS_SKIP_LAB").is_some()
}

/// The OpenStack lab's `clouds.yaml`, or `None` when `SCS_SKIP_LAB` opts out.
/// The lab may hold anything: tests that need flavors and images use
/// [`seeded_clouds_yaml`].
///
/// # Panics
/// When the lab is expected but absent: lab tests must fail, not skip silently.
pub fn clouds_yaml() -> Option<PathBuf> {
    if skipped() {
        return None;
    }
    let clouds = state_dir().join("clouds.yaml");
    assert!(clouds.is_file(), "{} missing: run `lab/openstack up` (or SCS_SKIP_LAB=1 to opt out)", clouds.display());
    Some(clouds)
}

/// The OpenStack lab's `clouds.yaml` after its compliant set of flavors,
/// images and volume types is in place: seeded once per test process, before
/// the first caller goes on, under a file lock so that two processes never
/// seed at once.
///
/// # Panics
/// When the lab is absent (see [`clouds_yaml`]) or seeding fails; the
/// message carries `seed.py`'s stderr.
pub fn seeded_clouds_yaml() -> Option<PathBuf> {
    static SEEDED: OnceLock<()> = OnceLock::new();
    let clouds = clouds_yaml()?;
    SEEDED.get_or_init(|| seed(&clouds));
    Some(clouds)
}

/// `lab/seed.py apply` as lab-admin; it creates what is missing and corrects
/// what differs, so running it on a seeded lab changes nothing.
fn seed(clouds: &Path) {
    let dir = clouds.parent().unwrap_or(Path::new("."));
    let lock_path = dir.join("seed.lock");
    let lock = File::create(&lock_path).unwrap_or_else(|e| panic!("{}: {e}", lock_path.display()));
    lock.lock().unwrap_or_else(|e| panic!("locking {}: {e}", lock_path.display()));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/seed.py");
    let out = Command::new("/usr/bin/python3")
        .arg(&script)
        .arg("apply")
        .env("OS_CLIENT_CONFIG_FILE", clouds)
        .env("SCS_LAB_DIR", dir)
        .output()
        .unwrap_or_else(|e| panic!("starting {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "lab/seed.py apply failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Kubernetes lab's kubeconfigs `(admin, reader)` of its newest
/// cluster, or `None` when `SCS_SKIP_LAB` opts out. Its tests create the
/// objects they look at (nodes, storage classes) and delete them first, so
/// no seeding is needed.
///
/// # Panics
/// When the lab is expected but absent.
pub fn kubeconfigs() -> Option<(PathBuf, PathBuf)> {
    let newest = kubernetes_clusters()?.into_iter().next()?;
    Some((newest.admin, newest.reader))
}

/// One cluster of the Kubernetes lab (`lab/kubernetes up` runs two, each of
/// a different minor).
#[derive(Clone, Debug)]
pub struct LabCluster {
    /// What its API server reports, e.g. `v1.37.2`.
    pub version: String,
    /// `major.minor`, the part of a subject name `scs check` appends.
    pub branch: String,
    /// A kubeconfig of `system:masters`.
    pub admin: PathBuf,
    /// A kubeconfig that may get, list and watch, and change nothing.
    pub reader: PathBuf,
}

/// The Kubernetes lab's clusters, newest first, or `None` when
/// `SCS_SKIP_LAB` opts out.
///
/// # Panics
/// When the lab is expected but absent or holds fewer than two clusters.
pub fn kubernetes_clusters() -> Option<Vec<LabCluster>> {
    if skipped() {
        return None;
    }
    let dir = state_dir().join("kubernetes").join("clusters");
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}: run `lab/kubernetes up` (or SCS_SKIP_LAB=1 to opt out)", dir.display()));
    let mut clusters: Vec<LabCluster> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("reader.kubeconfig").is_file())
        .map(|e| {
            let path = e.path();
            let version = std::fs::read_to_string(path.join("version"))
                .unwrap_or_else(|err| panic!("{}/version: {err}", path.display()))
                .trim()
                .to_owned();
            LabCluster {
                branch: e.file_name().to_string_lossy().into_owned(),
                version,
                admin: path.join("admin.kubeconfig"),
                reader: path.join("reader.kubeconfig"),
            }
        })
        .collect();
    let minor = |c: &LabCluster| c.branch.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
    clusters.sort_by_key(|c| std::cmp::Reverse(minor(c)));
    assert!(clusters.len() >= 2, "{}: fewer than two clusters: run `lab/kubernetes up`", dir.display());
    Some(clusters)
}

/// A program the Kubernetes lab built (`kubectl`, `sonobuoy`, `kwok`,
/// `etcd`), or `None` when `SCS_SKIP_LAB` opts out.
///
/// # Panics
/// When the lab is expected but the program is absent.
pub fn kubernetes_program(name: &str) -> Option<PathBuf> {
    if skipped() {
        return None;
    }
    let path = state_dir().join("kubernetes").join("bin").join(name);
    assert!(path.is_file(), "{} missing: run `lab/kubernetes up` (or SCS_SKIP_LAB=1 to opt out)", path.display());
    Some(path)
}
