// SPDX-License-Identifier: Apache-2.0
//! `scs flavor`: the flavor-naming standard (scs-0100) as a tool.

use crate::output::{Format, print_structured};
use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use scs_flavor::{NamingVersion, Syntax, parse};
use serde::Serialize;
use std::io::BufRead;
use std::process::ExitCode;

/// Flavor-name commands.
#[derive(Debug, Subcommand)]
pub enum FlavorCommand {
    /// Check names against the naming standard (exit 1 if any is invalid).
    ///
    /// Without NAMEs, reads one name per line from standard input.
    Check(NamesArgs),
    /// Explain what a name promises, in prose.
    Describe(NamesArgs),
    /// Print the `scs:*` extra specs scs-0103 expects for a name (`key=value` lines).
    ExtraSpecs(NamesArgs),
    /// Convert names between the v1 and v2/v3 syntax.
    Convert {
        /// Target syntax.
        #[arg(long, value_enum)]
        to: SyntaxArg,
        #[command(flatten)]
        names: NamesArgs,
    },
    /// Print the canonical short form of names.
    Shorten(NamesArgs),
}

/// Names and output format.
#[derive(Debug, Args)]
pub struct NamesArgs {
    /// Flavor names (read from standard input when none are given).
    pub names: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// A syntax choice on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SyntaxArg {
    /// scs-0100-v1 (`SCS-2V:4:20s`).
    V1,
    /// scs-0100-v2/v3 (`SCS-2V-4-20s`).
    V2,
    /// Same as v2: v3 kept the v2 syntax.
    V3,
}

impl NamesArgs {
    /// The names from the arguments or, without any, from standard input
    /// (one per line, blank lines skipped). White space around a name is
    /// dropped in both, with a note: it is never part of a flavor name, and
    /// an argument and a line must get the same answer.
    fn resolve(&self) -> anyhow::Result<Vec<String>> {
        let trimmed = |name: &str| {
            let inner = name.trim();
            if inner.len() != name.len() && !inner.is_empty() {
                eprintln!("scs: note: {name:?} has white space around it; checked as {inner:?}");
            }
            inner.to_owned()
        };
        if !self.names.is_empty() {
            return Ok(self.names.iter().map(|n| trimmed(n)).collect());
        }
        let mut names = Vec::new();
        for line in std::io::stdin().lock().lines() {
            let line = line.context("reading names from standard input")?;
            // the line ending is not white space around the name
            let name = trimmed(line.strip_suffix('\r').unwrap_or(&line));
            if !name.is_empty() {
                names.push(name);
            }
        }
        if names.is_empty() {
            bail!("no flavor names given (as arguments or on standard input)");
        }
        Ok(names)
    }
}

#[derive(Serialize)]
struct CheckLine {
    name: String,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'static str>,
    /// Valid only in the deprecated v1 syntax: accepted with a warning.
    tolerated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    v2_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<String>,
}

#[derive(Serialize)]
struct Described {
    name: String,
    description: String,
    version: &'static str,
    parts: scs_flavor::FlavorName,
}

#[derive(Serialize)]
struct Converted {
    name: String,
    result: String,
}

#[derive(Serialize)]
struct ExtraSpecs {
    name: String,
    extra_specs: std::collections::BTreeMap<String, String>,
}

/// Runs a flavor subcommand.
pub fn run(command: FlavorCommand) -> anyhow::Result<ExitCode> {
    match command {
        FlavorCommand::Check(args) => check(&args),
        FlavorCommand::Describe(args) => {
            let mut out = Vec::new();
            for name in args.resolve()? {
                let parsed = parse(&name).with_context(|| format!("{name} is not a valid SCS flavor name"))?;
                out.push(Described {
                    description: parsed.name.describe(),
                    version: parsed.version().label(),
                    parts: parsed.name,
                    name,
                });
            }
            if !print_structured(args.format, &out)? {
                for d in &out {
                    if out.len() == 1 {
                        outln!("{}", d.description)?;
                    } else {
                        outln!("{}: {}", d.name, d.description)?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        FlavorCommand::ExtraSpecs(args) => {
            let mut out = Vec::new();
            for name in args.resolve()? {
                let parsed = parse(&name).with_context(|| format!("{name} is not a valid SCS flavor name"))?;
                out.push(ExtraSpecs { name, extra_specs: parsed.name.extra_specs().into_iter().collect() });
            }
            if !print_structured(args.format, &out)? {
                for (i, e) in out.iter().enumerate() {
                    if out.len() > 1 {
                        if i > 0 {
                            outln!()?;
                        }
                        outln!("# {}", e.name)?;
                    }
                    for (k, v) in &e.extra_specs {
                        outln!("{k}={v}")?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        FlavorCommand::Convert { to, names } => {
            let syntax = match to {
                SyntaxArg::V1 => Syntax::V1,
                SyntaxArg::V2 | SyntaxArg::V3 => Syntax::V2,
            };
            transform(&names, |n| n.render(syntax))
        }
        FlavorCommand::Shorten(args) => transform(&args, |n| n.shorten().to_string()),
    }
}

fn transform(args: &NamesArgs, f: impl Fn(&scs_flavor::FlavorName) -> String) -> anyhow::Result<ExitCode> {
    let mut out = Vec::new();
    for name in args.resolve()? {
        let parsed = parse(&name).with_context(|| format!("{name} is not a valid SCS flavor name"))?;
        out.push(Converted { result: f(&parsed.name), name });
    }
    if !print_structured(args.format, &out)? {
        for c in &out {
            outln!("{}", c.result)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(args: &NamesArgs) -> anyhow::Result<ExitCode> {
    let lines: Vec<CheckLine> = args
        .resolve()?
        .into_iter()
        .map(|name| match parse(&name) {
            Ok(p) => CheckLine {
                name,
                valid: true,
                version: Some(p.version().label()),
                tolerated: p.version() == NamingVersion::V1Tolerated,
                v2_name: (p.version() == NamingVersion::V1Tolerated).then(|| p.name.to_string()),
                error: None,
                position: None,
                component: None,
            },
            Err(e) => CheckLine {
                name,
                valid: false,
                version: None,
                tolerated: false,
                v2_name: None,
                position: Some(e.position),
                component: Some(e.component.to_string()),
                error: Some(e.to_string()),
            },
        })
        .collect();
    if !print_structured(args.format, &lines)? {
        for l in &lines {
            match (&l.error, l.version) {
                (None, _) if l.tolerated => outln!(
                    "{}: tolerated (deprecated v1 syntax; v3 name: {})",
                    l.name,
                    l.v2_name.as_deref().unwrap_or("")
                )?,
                (None, Some(version)) => outln!("{}: valid ({version})", l.name)?,
                (Some(error), _) => outln!("{}: invalid: {error}", l.name)?,
                (None, None) => outln!("{}: valid", l.name)?,
            }
        }
    }
    Ok(if lines.iter().all(|l| l.valid) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
