// SPDX-License-Identifier: Apache-2.0
//! Machine-readable output shared by all commands.

use clap::ValueEnum;
use serde::Serialize;

/// How a command prints its result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// JSON, one document.
    Json,
    /// YAML, one document.
    Yaml,
}

/// Prints `value` as JSON or YAML; returns `false` for `Format::Text`, which
/// the caller prints itself.
pub fn print_structured<T: Serialize>(format: Format, value: &T) -> anyhow::Result<bool> {
    match format {
        Format::Text => Ok(false),
        Format::Json => {
            outln!("{}", serde_json::to_string_pretty(value)?)?;
            Ok(true)
        }
        Format::Yaml => {
            out!("{}", serde_saphyr::to_string(value)?)?;
            Ok(true)
        }
    }
}
