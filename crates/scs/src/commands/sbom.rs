// SPDX-License-Identifier: Apache-2.0
//! `scs sbom`: a software bill of materials of a checkout's lock files.

use anyhow::Context;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Where to read and what to write.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// A checkout (its Cargo.lock, package-lock.json, requirements*.txt, go.sum) or one lock file.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Document format.
    #[arg(long, value_enum, default_value_t = BomFormat::Cyclonedx)]
    pub format: BomFormat,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The subject's name in the document (default: the checkout's directory name).
    #[arg(long)]
    pub name: Option<String>,
}

/// SBOM formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum BomFormat {
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

pub fn run(args: SbomArgs) -> anyhow::Result<ExitCode> {
    let components = scs_oss::sbom::components(&args.path)?;
    let subject = match &args.name {
        Some(name) => name.clone(),
        None => {
            let absolute = std::path::absolute(&args.path).unwrap_or_else(|_| args.path.clone());
            let dir = if absolute.is_file() { absolute.parent().map(PathBuf::from) } else { Some(absolute) };
            dir.and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "checkout".into())
        }
    };
    let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let uuid = uuid::Uuid::new_v4().to_string();
    let meta = scs_oss::sbom::BomMeta {
        subject: &subject,
        timestamp: &timestamp,
        uuid: &uuid,
        tool_version: env!("CARGO_PKG_VERSION"),
    };
    let document = match args.format {
        BomFormat::Cyclonedx => scs_oss::sbom::cyclonedx(&components, &meta),
        BomFormat::Spdx => scs_oss::sbom::spdx(&components, &meta),
    };
    let text = serde_json::to_string_pretty(&document)? + "\n";
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
