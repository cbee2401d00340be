// SPDX-License-Identifier: Apache-2.0
//! The check core's one interface to a family of testcases: IaaS (this
//! crate) and KaaS (`scs-kaas`) are siblings behind [`CheckFamily`]. A family
//! says which testcases it decides (its table), and runs a selection against
//! one target (a cloud, a cluster) until it is done or interrupted, cleaning
//! up what it created either way. `scs check` and `scs run` both call
//! [`CheckFamily::run`]; report metadata and report building are the core's
//! ([`crate::run::build_report`]).

use crate::run::CheckRun;
use scs_standards::{Scope, Selection};
use std::future::Future;
use std::pin::Pin;

pub use crate::run::RunMeta;

/// A finished run against one target, with the facts of type `F`.
pub struct TargetRun<F> {
    /// The subject the report is for.
    pub subject: String,
    /// Outcomes, report, counters; `interrupted` and `leftovers` after an
    /// interrupt.
    pub check: CheckRun,
    /// The facts decided from, for `--record-facts` (absent if the target
    /// could not be reached).
    pub facts: Option<F>,
}

/// Resolves when a run must stop (SIGINT, SIGTERM).
pub type Interrupt<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A family of testcases as the check commands drive it.
pub trait CheckFamily: Send + Sync {
    /// What one run checks: a cloud, a cluster's kubeconfig.
    type Target: Send;
    /// What a run reads from its target, as `--record-facts` writes it.
    type Facts: serde::Serialize + Send;
    /// Its testcase table.
    fn testcases(&self) -> &dyn crate::table::Family;
    /// Runs `selection` of `scope` against `target` until done or
    /// `interrupt`; what the run created is gone when it returns. `subject`
    /// names the report's subject, or a prefix the family completes (a KaaS
    /// subject gets its Kubernetes branch); `None`: the family names it.
    fn run<'a>(
        &'a self,
        scope: &'a Scope,
        selection: &'a Selection,
        target: Self::Target,
        subject: Option<String>,
        meta: RunMeta,
        interrupt: Interrupt<'a>,
    ) -> Pin<Box<dyn Future<Output = TargetRun<Self::Facts>> + Send + 'a>>;
}

/// The IaaS family: OpenStack clouds.
#[derive(Clone, Debug, Default)]
pub struct Iaas {
    /// Where upstream code and standard text differ.
    pub options: crate::iaas::Options,
    /// Session tunables.
    pub session: scs_openstack::SessionOptions,
}

impl CheckFamily for Iaas {
    type Target = scs_openstack::CloudConfig;
    type Facts = crate::Facts;

    fn testcases(&self) -> &dyn crate::table::Family {
        &crate::iaas::IAAS
    }

    fn run<'a>(
        &'a self,
        scope: &'a Scope,
        selection: &'a Selection,
        cloud: scs_openstack::CloudConfig,
        subject: Option<String>,
        meta: RunMeta,
        interrupt: Interrupt<'a>,
    ) -> Pin<Box<dyn Future<Output = TargetRun<crate::Facts>> + Send + 'a>> {
        Box::pin(async move {
            let subject = subject.unwrap_or_else(|| cloud.name.clone());
            let mut check = crate::run::run(crate::run::CheckRequest {
                scope,
                selection,
                cloud: &cloud,
                subject: subject.clone(),
                meta,
                session: self.session.clone(),
                options: self.options.clone(),
                interrupt: Some(interrupt),
            })
            .await;
            let facts = check.facts.take();
            TargetRun { subject, check, facts }
        })
    }
}
