// SPDX-License-Identifier: Apache-2.0
//! The vocabulary of SCS certification.
//!
//! A *certificate scope* lists testcases, groups them into modules and
//! versions, and says by a timeline which versions are in force when. Checks,
//! the compliance monitor and the CLI all reason in these terms, so they live
//! here, pure: this crate reads files and does no other I/O.
//!
//! - [`scope`]: scope files in all upstream shapes, validated with file/line/path errors;
//! - [`timeline`]: validity of versions on a date;
//! - [`selection`]: which versions and testcases a check runs;
//! - [`lifetime`]: when a result expires;
//! - [`verdict`], [`evaluation`]: results and the monitor's evaluation;
//! - [`report`]: upstream and scs-0003-v2 report documents;
//! - [`image_spec`]: scs-0104 image specs;
//! - [`embedded`]: the project's own scope data, by alias.

pub mod embedded;
pub mod error;
pub mod evaluation;
pub mod image_spec;
pub mod lifetime;
pub mod report;
pub mod scope;
pub mod selection;
pub mod timeline;
pub mod verdict;

pub use error::FileError;
pub use evaluation::{Evaluation, ResultRecord};
pub use lifetime::Lifetime;
pub use report::{AnyReport, Report, ReportV2, read_reports, write_reports};
pub use scope::Scope;
pub use selection::{Selection, SelectionRequest};
pub use timeline::Validity;
pub use verdict::{TestResult, Verdict};
