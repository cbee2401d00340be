// SPDX-License-Identifier: Apache-2.0
//! SCS's open-source rules applied to local git checkouts, without network
//! and on any forge: the Developer Certificate of Origin sign-off check SCS
//! asks every repository to enforce before merging.
//!
//! As in the check crates, facts are gathered once ([`repo`]: commits read
//! with gitoxide) and the decisions are pure functions of them ([`dco`]), so
//! tests and replays need no repository.

pub mod activity;
pub mod dco;
pub mod repo;
pub mod sbom;

pub use dco::{DcoOptions, Failure, check};
pub use repo::{CommitFacts, FileFacts, Person, RepoError, TagFacts, commits, files, tags};
