// SPDX-License-Identifier: Apache-2.0
//! `REUSE.toml` files parsed into validated annotations, with errors naming
//! the file and line; and the path globs they use (`*` within a directory,
//! `**` across directories, `\*` a literal star), translated as the REUSE
//! tool translates them.

use regex::Regex;
use std::fmt;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// How an annotation's information combines with what a file says itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precedence {
    /// The file's own information wins; the annotation fills in what is missing (default).
    Closest,
    /// Both apply.
    Aggregate,
    /// The annotation wins and the file is not read; the one closest to the root is authoritative.
    Override,
}

/// One `[[annotations]]` table.
#[derive(Clone, Debug)]
pub struct Annotation {
    /// The path globs, relative to the `REUSE.toml`'s directory.
    pub paths: Vec<String>,
    /// How it combines.
    pub precedence: Precedence,
    /// `SPDX-FileCopyrightText` values.
    pub copyright: Vec<String>,
    /// `SPDX-License-Identifier` values (valid or not: judged like in-file tags).
    pub expressions: Vec<String>,
    /// Where the table starts.
    pub line: usize,
    pattern: Regex,
}

impl Annotation {
    /// Whether `path` (relative to the `REUSE.toml`'s directory) is covered.
    pub fn matches(&self, path: &str) -> bool {
        self.pattern.is_match(path)
    }
}

/// One `REUSE.toml`.
#[derive(Clone, Debug)]
pub struct ReuseToml {
    /// Its path from the top (`REUSE.toml`, `doc/REUSE.toml`).
    pub source: String,
    /// Its directory from the top (`""` at the top).
    pub directory: String,
    /// Its annotations, in order (the last matching one applies).
    pub annotations: Vec<Annotation>,
}

impl ReuseToml {
    /// The annotation that applies to `path` (relative to this file's directory).
    pub fn annotation_of(&self, path: &str) -> Option<&Annotation> {
        self.annotations.iter().rev().find(|a| a.matches(path))
    }
}

/// A `REUSE.toml` (or `.reuse/dep5`) that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file, from the top.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

/// Parses the `REUSE.toml` at `source` (a path from the top) with contents `text`.
pub fn parse_reuse_toml(source: &str, text: &str) -> Result<ReuseToml, ConfigError> {
    let error = |offset: Option<usize>, reason: String| ConfigError {
        file: source.to_owned(),
        line: offset.map(|o| line_of(text, o)),
        reason,
    };
    let table = DeTable::parse(text).map_err(|e| error(e.span().map(|s| s.start), e.message().to_owned()))?;
    let table = table.get_ref();
    let version = field(table, "version").ok_or_else(|| error(None, "'version' is missing (version = 1)".into()))?;
    if !version.get_ref().is_integer() {
        return Err(error(
            Some(version.span().start),
            format!("'version' must be an integer (got a {})", version.get_ref().type_str()),
        ));
    }
    let mut annotations = Vec::new();
    if let Some(list) = field(table, "annotations") {
        let Some(items) = list.get_ref().as_array() else {
            return Err(error(Some(list.span().start), "'annotations' must be an array of tables".into()));
        };
        for item in items.iter() {
            let at = item.span().start;
            let Some(item_table) = item.get_ref().as_table() else {
                return Err(error(Some(at), "each of 'annotations' must be a table".into()));
            };
            let strings = |name: &str, required: bool| -> Result<Vec<String>, ConfigError> {
                match field(item_table, name) {
                    None if required => Err(error(Some(at), format!("'{name}' is missing"))),
                    None => Ok(Vec::new()),
                    Some(value) => string_or_list(value).map_err(|got| {
                        error(
                            Some(value.span().start),
                            format!("'{name}' must be a string or a list of strings (got {got})"),
                        )
                    }),
                }
            };
            let paths = strings("path", true)?;
            if paths.is_empty() {
                return Err(error(Some(at), "'path' must not be empty".into()));
            }
            let precedence = match field(item_table, "precedence") {
                None => Precedence::Closest,
                Some(value) => match value.get_ref().as_str() {
                    Some("closest") => Precedence::Closest,
                    Some("aggregate") => Precedence::Aggregate,
                    Some("override") => Precedence::Override,
                    _ => {
                        return Err(error(
                            Some(value.span().start),
                            "'precedence' must be one of closest, aggregate, override".into(),
                        ));
                    }
                },
            };
            let copyright = strings("SPDX-FileCopyrightText", false)?;
            if let Some(bad) = copyright.iter().find(|c| c.contains(['\n', '\r'])) {
                return Err(error(Some(at), format!("copyright notice {bad:?} spans lines")));
            }
            let expressions = strings("SPDX-License-Identifier", false)?;
            let pattern = paths_regex(&paths).map_err(|e| error(Some(at), format!("path globs: {e}")))?;
            annotations.push(Annotation {
                paths,
                precedence,
                copyright,
                expressions,
                line: line_of(text, at),
                pattern,
            });
        }
    }
    let directory = source.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned();
    Ok(ReuseToml { source: source.to_owned(), directory, annotations })
}

fn field<'a, 'i>(table: &'a DeTable<'i>, name: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    table.iter().find(|(k, _)| k.get_ref() == name).map(|(_, v)| v)
}

/// The strings of a string or an array of strings; else the type found.
fn string_or_list(value: &Spanned<DeValue<'_>>) -> Result<Vec<String>, String> {
    match value.get_ref() {
        DeValue::String(s) => Ok(vec![s.to_string()]),
        DeValue::Array(items) => items
            .iter()
            .map(|i| {
                i.get_ref()
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("an item that is a {}", i.get_ref().type_str()))
            })
            .collect(),
        other => Err(format!("a {}", other.type_str())),
    }
}

/// One regular expression for a list of globs.
fn paths_regex(paths: &[String]) -> Result<Regex, regex::Error> {
    let alternatives: Vec<String> = paths.iter().map(|p| format!("^(?:{})$", translate(p))).collect();
    Regex::new(&alternatives.join("|"))
}

/// A glob as a regular expression: `*` is `[^/]*`, `**` is `.*` (and eats a
/// following `/`, so `**/x` matches `x` too), a backslash escapes `*` or
/// itself.
fn translate(glob: &str) -> String {
    let mut out = String::new();
    let (mut escaping, mut globstar) = (false, false);
    let mut previous = '\0';
    for c in glob.chars() {
        match c {
            '\\' => {
                if previous == '\\' && escaping {
                    escaping = false;
                    out.push_str(r"\\");
                } else {
                    escaping = true;
                }
            }
            '*' => {
                if escaping {
                    out.push_str(r"\*");
                    escaping = false;
                } else if previous == '*' && !globstar {
                    globstar = true;
                    out.push_str(".*");
                }
            }
            '/' => {
                if !globstar {
                    if previous == '*' {
                        out.push_str("[^/]*");
                    }
                    out.push('/');
                }
                escaping = false;
            }
            c => {
                if previous == '*' && !globstar {
                    out.push_str("[^/]*");
                }
                out.push_str(&regex::escape(&c.to_string()));
                globstar = false;
                escaping = false;
            }
        }
        previous = c;
    }
    if previous == '*' && !globstar {
        out.push_str("[^/]*");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(g: &str, path: &str) -> bool {
        paths_regex(&[g.to_owned()]).unwrap().is_match(path)
    }

    #[test]
    fn globs() {
        assert!(glob("*.txt", "a.txt") && !glob("*.txt", "d/a.txt"));
        assert!(glob("**/*.txt", "d/e/a.txt") && glob("**", "x/y"));
        assert!(glob("src/**", "src/a/b.rs") && !glob("src/**", "lib/a.rs"));
        assert!(glob(r"a\*b", "a*b") && !glob(r"a\*b", "axb"));
        assert!(glob("doc/*", "doc/a") && !glob("doc/*", "doc/a/b"));
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse_reuse_toml("REUSE.toml", "version = 1\n\n[[annotations]]\npath = 3\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("REUSE.toml", Some(4)));
        let e =
            parse_reuse_toml("d/REUSE.toml", "version = 1\n[[annotations]]\npath = \"x\"\nprecedence = \"first\"\n")
                .unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(
            parse_reuse_toml("REUSE.toml", "[[annotations]]\npath = \"x\"\n").unwrap_err().reason.contains("version")
        );
        assert!(parse_reuse_toml("REUSE.toml", "version = \n").unwrap_err().line.is_some());
        let ok = parse_reuse_toml(
            "d/REUSE.toml",
            "version = 1\n[[annotations]]\npath = [\"a\", \"b/**\"]\nSPDX-License-Identifier = \"MIT\"\n",
        )
        .unwrap();
        assert_eq!(ok.directory, "d");
        assert!(ok.annotation_of("b/c/d").is_some() && ok.annotation_of("c").is_none());
    }
}
