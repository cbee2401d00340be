// SPDX-License-Identifier: Apache-2.0
//! Where the project's OpenStack lab (`lab/openstack up`) keeps its
//! `clouds.yaml`, for the integration tests of every crate that needs it.

use std::path::PathBuf;

/// The lab's `clouds.yaml` (`$SCS_LAB_DIR`, default `/var/lib/scs-lab`), or
/// `None` when `SCS_SKIP_LAB` opts out of lab tests for a quick local run.
///
/// # Panics
/// When the lab is expected but absent: lab tests must fail, not skip silently.
pub fn clouds_yaml() -> Option<PathBuf> {
    if std::env::var_os("SCS_SKIP_LAB").is_some() {
        return None;
    }
    let dir = PathBuf::from(std::env::var("SCS_LAB_DIR").unwrap_or_else(|_| "/var/lib/scs-lab".into()));
    let clouds = dir.join("clouds.yaml");
    assert!(clouds.is_file(), "{} missing: run `lab/openstack up` (or SCS_SKIP_LAB=1 to opt out)", clouds.display());
    Some(clouds)
}
