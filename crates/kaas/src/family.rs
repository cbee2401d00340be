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

/// The KaaS family: Kubernetes clusters, reached as its settings say.
pub use crate::run::Settings as Kaas;

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
        subject: Option<String>,
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
                subject,
                meta,
                settings: self.clone(),
                execution_mode,
                results_root,
            };
            let run = run_until(request, interrupt).await;
            TargetRun { subject: run.subject, check: run.check, facts: run.facts }
        })
    }
}
