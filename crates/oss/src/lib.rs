// SPDX-License-Identifier: Apache-2.0
//! SCS's open-source rules applied to local git checkouts, without network
//! and on any forge: the Developer Certificate of Origin sign-off check SCS
//! asks every repository to enforce before merging, bills of materials of
//! lock files, and scs-0008's open-source health check.
//!
//! As in the check crates, facts are gathered once ([`repo`]: commits, tags
//! and files read with gitoxide; [`sbom`]: lock files) and the decisions are
//! pure functions of them ([`dco`], [`activity`], [`health`]), so tests and
//! replays need no repository.

pub mod activity;
pub mod dco;
pub mod dep5;
pub mod health;
pub mod licence;
pub mod repo;
pub mod reuse;
pub mod sbom;
pub mod tags;

pub use dco::{DcoOptions, Failure, check};
pub use repo::{CommitFacts, FileFacts, Person, RepoError, TagFacts, commits, files, tags};
