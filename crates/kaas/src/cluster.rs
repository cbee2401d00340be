// SPDX-License-Identifier: Apache-2.0
//! Connecting to a cluster from a kubeconfig and reading, once, what the
//! read-only testcases decide from: the version, the nodes and the storage
//! classes. Each fact is kept with its own error, so a forbidden list ABORTs
//! the testcases that need it and no others.

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::ListParams;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Api, Client, Config};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A cluster could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The kubeconfig is missing or invalid.
    #[error("kubeconfig {path}: {reason}")]
    Kubeconfig {
        /// The file.
        path: PathBuf,
        /// Why it is unusable.
        reason: String,
    },
    /// The API server did not answer `/version`.
    #[error("API server {server}: {reason}")]
    Unreachable {
        /// Its URL from the kubeconfig.
        server: String,
        /// Why.
        reason: String,
    },
}

/// A connected cluster.
#[derive(Clone)]
pub struct Cluster {
    /// The client.
    pub client: Client,
    /// API server URL.
    pub server: String,
    /// `gitVersion` from `/version`.
    pub git_version: String,
    /// The kubeconfig's context used.
    pub context: Option<String>,
}

/// Connects with the kubeconfig's current context (or `context`) and asks
/// the API server for its version, so an unreachable server or rejected
/// credentials are known before any testcase runs.
pub async fn connect(path: &Path, context: Option<&str>, timeout: Duration) -> Result<Cluster, ConnectError> {
    let bad = |reason: String| ConnectError::Kubeconfig { path: path.to_owned(), reason };
    // the build links two rustls providers (reqwest brings aws-lc-rs), so kube's
    // client needs the process default named; an already installed one is kept
    let _ = rustls::crypto::ring::default_provider().install_default();
    let kubeconfig = Kubeconfig::read_from(path).map_err(|e| bad(chain(&e)))?;
    let options = KubeConfigOptions { context: context.map(str::to_owned), ..KubeConfigOptions::default() };
    let chosen = options.context.clone().or_else(|| kubeconfig.current_context.clone());
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &options).await.map_err(|e| bad(chain(&e)))?;
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout);
    config.write_timeout = Some(timeout);
    let server = config.cluster_url.to_string();
    let client = Client::try_from(config).map_err(|e| bad(chain(&e)))?;
    let info = client
        .apiserver_version()
        .await
        .map_err(|e| ConnectError::Unreachable { server: server.clone(), reason: describe(&e) })?;
    Ok(Cluster { client, server, git_version: info.git_version, context: chosen })
}

/// An error with its causes, as one line.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let line = s.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = s.source();
    }
    text
}

/// A kube error as a reason a person can act on: the API's own message for
/// refusals (401, 403), the transport's cause for everything else.
pub(crate) fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(status) => {
            let what = match status.code {
                401 => "unauthorized (the kubeconfig's credentials were rejected)",
                403 => "forbidden",
                _ => "refused",
            };
            format!("{what}: HTTP {} {}: {}", status.code, status.reason, status.message)
        }
        other => chain(other),
    }
}

/// A node as the distribution check sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeFacts {
    /// Name.
    pub name: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Whether its `Ready` condition is `True` (a kubelet reports it).
    pub ready: bool,
}

/// A storage class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageClassFacts {
    /// Name.
    pub name: String,
    /// Provisioner.
    pub provisioner: String,
    /// Marked as the default class.
    pub default: bool,
}

/// What the read-only KaaS testcases decide from; recorded with
/// `--record-facts` for bug reports and offline tests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterFacts {
    /// API server URL.
    pub server: String,
    /// `gitVersion` of `/version`.
    pub git_version: String,
    /// The nodes, or why they could not be listed.
    pub nodes: Result<Vec<NodeFacts>, String>,
    /// The storage classes, or why they could not be listed.
    pub storage_classes: Result<Vec<StorageClassFacts>, String>,
}

/// Annotations that mark the default storage class (the beta one is still honoured by Kubernetes).
pub const DEFAULT_CLASS_ANNOTATIONS: [&str; 2] =
    ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];

/// Reads nodes and storage classes concurrently.
pub async fn gather(cluster: &Cluster) -> ClusterFacts {
    let nodes = async {
        let api: Api<Node> = Api::all(cluster.client.clone());
        let list = api.list(&ListParams::default()).await.map_err(|e| format!("listing nodes: {}", describe(&e)))?;
        Ok(list
            .items
            .into_iter()
            .map(|n| NodeFacts {
                name: n.metadata.name.unwrap_or_default(),
                labels: n.metadata.labels.unwrap_or_default(),
                ready: n
                    .status
                    .and_then(|s| s.conditions)
                    .unwrap_or_default()
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "True"),
            })
            .collect())
    };
    let classes = async {
        let api: Api<StorageClass> = Api::all(cluster.client.clone());
        let list =
            api.list(&ListParams::default()).await.map_err(|e| format!("listing storage classes: {}", describe(&e)))?;
        Ok(list
            .items
            .into_iter()
            .map(|sc| {
                let annotations = sc.metadata.annotations.unwrap_or_default();
                StorageClassFacts {
                    name: sc.metadata.name.unwrap_or_default(),
                    provisioner: sc.provisioner,
                    default: DEFAULT_CLASS_ANNOTATIONS
                        .iter()
                        .any(|a| annotations.get(*a).is_some_and(|v| v.eq_ignore_ascii_case("true"))),
                }
            })
            .collect())
    };
    let (nodes, storage_classes) = tokio::join!(nodes, classes);
    ClusterFacts { server: cluster.server.clone(), git_version: cluster.git_version.clone(), nodes, storage_classes }
}
