// SPDX-License-Identifier: Apache-2.0
//! One module per top-level command.

pub mod check;
pub mod cleanup;
pub mod data;
pub mod dco;
pub mod flavor;
pub mod health;
pub mod oss_health;
pub mod report;
pub mod reuse;
pub mod run;
pub mod sbom;
pub mod scope;
pub mod serve;
pub mod status;
