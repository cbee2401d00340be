// SPDX-License-Identifier: Apache-2.0
//! Errors that point at the offending place in a YAML file.

use std::fmt;

/// Where in a file something is: line/column (1-based; 0 when unknown) and
/// the key path from the document root (`versions[2].include[0]`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Place {
    /// 1-based line, 0 if unknown.
    pub line: u64,
    /// 1-based column, 0 if unknown.
    pub column: u64,
    /// Key path from the document root.
    pub path: String,
}

impl Place {
    /// A place from a span and a path.
    pub fn new(location: serde_saphyr::Location, path: impl Into<String>) -> Self {
        Self { line: location.line(), column: location.column(), path: path.into() }
    }
}

/// A problem with an input file, reported as `file:line:column: path: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    /// The file name as given (or a label such as `<embedded>/x.yaml`).
    pub file: String,
    /// Where in the file.
    pub place: Place,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.place.line > 0 {
            write!(f, ":{}:{}", self.place.line, self.place.column)?;
        }
        if !self.place.path.is_empty() {
            write!(f, ": {}", self.place.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Deserializes one YAML document into `T`, turning any failure into a
/// [`FileError`] with line, column and key path.
pub(crate) fn from_yaml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, FileError> {
    let mut path = String::new();
    let result = serde_saphyr::with_deserializer_from_str(text, |de| {
        serde_path_to_error::deserialize(de).map_err(|e| {
            path = clean_path(&e.path().to_string());
            e.into_inner()
        })
    });
    result.map_err(|e| yaml_error(file, &e, path))
}

/// Builds a [`FileError`] from a serde-saphyr error, keeping only the first
/// line of its message (the rest is a source snippet we do not need).
pub(crate) fn yaml_error(file: &str, e: &serde_saphyr::Error, path: String) -> FileError {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // serde-saphyr prefixes "error: line L column C: "; the place is printed separately.
    let message = first
        .strip_prefix("error: ")
        .map(|rest| match rest.split_once(": ") {
            Some((prefix, msg)) if prefix.starts_with("line ") => msg,
            _ => rest,
        })
        .unwrap_or(first)
        .to_owned();
    FileError { file: file.to_owned(), place: Place { line, column, path }, message }
}

/// Removes the `.value` steps that `Spanned` wrappers add and the lone `.`
/// that stands for the root.
fn clean_path(path: &str) -> String {
    let cleaned = path.replace(".value", "");
    if cleaned == "." { String::new() } else { cleaned }
}
