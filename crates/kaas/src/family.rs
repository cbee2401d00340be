// SPDX-License-Identifier: Apache-2.0
//! The KaaS family behind the check core's [`CheckFamily`]: one cluster per
//! run, reached with its kubeconfig; Sonobuoy's settings and the release
//! data are the family's.

use crate::run::{KaasRequest, run_until};
use scs_checks::family::{CheckFamily, Interrupt, RunMeta, TargetRun};
use scs_standards::{Scope, Selection};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

/// The KaaS family: Kubernetes clusters.
#[derive(Clone, Debug)]
pub struct Kaas {
    /// The kubeconfig context to use (default: the current one).
    pub context: Option<String>,
    /// Release data file (default: the refreshed copy if newer, else the shipped one).
    pub release_data: Option<PathBuf>,
    /// Sonobuoy results for one testcase (`Some(id)`) or both e2e testcases.
    pub sonobuoy_results: Vec<(Option<String>, PathBuf)>,
    /// SCS Sonobuoy configuration (default: the shipped one).
    pub sonobuoy_config: Option<PathBuf>,
    /// The `sonobuoy` to run for e2e testcases without results.
    pub sonobuoy_binary: Option<PathBuf>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// How long the storage check waits for its claim and pod.
    pub storage_wait: Duration,
}

impl Default for Kaas {
    fn default() -> Self {
        Self {
            context: None,
            release_data: None,
            sonobuoy_results: Vec::new(),
            sonobuoy_config: None,
            sonobuoy_binary: crate::sonobuoy_runner::find_on_path(),
            timeout: Duration::from_secs(32),
            storage_wait: Duration::from_secs(30),
        }
    }
}

impl CheckFamily for Kaas {
    type Target = PathBuf;
    type Facts = crate::cluster::ClusterFacts;

    fn testcases(&self) -> &dyn scs_checks::table::Family {
        &crate::KAAS
    }

    fn run<'a>(
        &'a self,
        scope: &'a Scope,
        selection: &'a Selection,
        kubeconfig: PathBuf,
        meta: RunMeta,
        interrupt: Interrupt<'a>,
    ) -> Pin<Box<dyn Future<Output = TargetRun<crate::cluster::ClusterFacts>> + Send + 'a>> {
        Box::pin(async move {
            let execution_mode = meta.assignment.get("execution_mode").cloned().unwrap_or_else(|| "parallel".into());
            let results_root = meta.assignment.get("subject_root").map(Into::into);
            let request = KaasRequest {
                scope,
                selection,
                kubeconfig,
                context: self.context.clone(),
                subject: meta.subject,
                argv: meta.argv,
                assignment: meta.assignment,
                sections: meta.sections,
                forced_version: meta.forced_version,
                forced_tests: meta.forced_tests,
                release_data: self.release_data.clone(),
                sonobuoy_results: self.sonobuoy_results.clone(),
                sonobuoy_config: self.sonobuoy_config.clone(),
                sonobuoy_binary: self.sonobuoy_binary.clone(),
                execution_mode,
                results_root,
                timeout: self.timeout,
                storage_wait: self.storage_wait,
            };
            let run = run_until(request, interrupt).await;
            TargetRun { subject: run.subject, check: run.check, facts: run.facts }
        })
    }
}
