// SPDX-License-Identifier: Apache-2.0
//! Running Sonobuoy when it is installed and no results were given, the way
//! upstream's handler does: clear an old run, run the e2e plugin and wait,
//! retrieve the results tarball, and delete the run again whatever happened,
//! so the cluster is left as it was found.

use crate::sonobuoy::Suite;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::process::Command;

/// Finds `sonobuoy` on `PATH`.
pub fn find_on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("sonobuoy")).find(|candidate| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(candidate).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Upstream's `execution_mode`: parallel e2e, serial, or a dry run.
pub fn run_args(suite: Suite, execution_mode: &str) -> Vec<String> {
    let mut args = vec!["run".to_owned(), "--wait".to_owned()];
    match suite {
        Suite::Conformance => args.push("--mode=certified-conformance".into()),
        Suite::Networking => args.extend(["--e2e-focus".into(), "NetworkPolicy".into()]),
    }
    args.extend(["--plugin-env".into(), "e2e.E2E_EXTRA_ARGS=--ginkgo.flake-attempts=2".into()]);
    match execution_mode {
        "parallel" => args.push("--e2e-parallel=true".into()),
        "dry" => args.extend(["--plugin-env".into(), "e2e.E2E_DRYRUN=true".into()]),
        _ => {}
    }
    args
}

/// Where upstream keeps a suite's results under the subject's directory.
pub fn results_dir(root: &Path, suite: Suite) -> PathBuf {
    root.join(match suite {
        Suite::Conformance => "sono-results-e2e",
        Suite::Networking => "sono-results-0219",
    })
}

async fn sonobuoy(binary: &Path, kubeconfig: &Path, args: &[String]) -> Result<String, String> {
    let shown = format!("sonobuoy {}", args.join(" "));
    let output = Command::new(binary)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| format!("{shown}: cannot start {}: {e}", binary.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        return Err(format!("{shown}: {} ({last})", output.status));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs one suite and returns the retrieved tarball.
pub async fn run_suite(
    binary: &Path,
    kubeconfig: &Path,
    suite: Suite,
    execution_mode: &str,
    root: &Path,
) -> Result<PathBuf, String> {
    let dir = results_dir(root, suite);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let delete = ["delete".to_owned(), "--wait".to_owned()];
    sonobuoy(binary, kubeconfig, &delete).await?;
    let result = async {
        sonobuoy(binary, kubeconfig, &run_args(suite, execution_mode)).await?;
        let printed = sonobuoy(binary, kubeconfig, &["retrieve".to_owned(), dir.display().to_string()]).await?;
        // retrieve prints the tarball's path
        let tarball = printed.lines().rev().map(str::trim).find(|l| !l.is_empty()).map(PathBuf::from);
        match tarball {
            Some(t) if t.is_file() => Ok(t),
            Some(t) if dir.join(&t).is_file() => Ok(dir.join(t)),
            _ => Err(format!("sonobuoy retrieve {} printed no results file", dir.display())),
        }
    }
    .await;
    let cleaned = sonobuoy(binary, kubeconfig, &delete).await;
    match (result, cleaned) {
        (Ok(tarball), Ok(_)) => Ok(tarball),
        (Ok(_), Err(e)) => Err(format!("the results were retrieved, but the run was not deleted: {e}")),
        (Err(e), Ok(_)) => Err(e),
        (Err(e), Err(c)) => Err(format!("{e}; and the run was not deleted: {c}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_arguments_per_suite_and_mode() {
        assert_eq!(
            run_args(Suite::Conformance, "parallel").join(" "),
            "run --wait --mode=certified-conformance --plugin-env e2e.E2E_EXTRA_ARGS=--ginkgo.flake-attempts=2 --e2e-parallel=true"
        );
        assert_eq!(
            run_args(Suite::Networking, "dry").join(" "),
            "run --wait --e2e-focus NetworkPolicy --plugin-env e2e.E2E_EXTRA_ARGS=--ginkgo.flake-attempts=2 --plugin-env e2e.E2E_DRYRUN=true"
        );
        assert!(!run_args(Suite::Conformance, "serial").iter().any(|a| a.contains("parallel")));
    }
}
