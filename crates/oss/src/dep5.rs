// SPDX-License-Identifier: Apache-2.0
//! Debian's machine-readable copyright format (DEP-5), read from
//! `debian/copyright` and REUSE's deprecated `.reuse/dep5`: which copyright
//! and licence apply to which files. The last `Files` paragraph whose globs
//! match a path wins, as the format says.

use std::fmt;

/// A DEP-5 file that does not parse: the line and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct Dep5Error {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong there.
    pub reason: String,
}

/// One `Files` paragraph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilesParagraph {
    /// The globs as written (`*` any characters, `/` included; `?` one).
    pub globs: Vec<String>,
    /// The copyright lines.
    pub copyright: Vec<String>,
    /// The licence's first line (an expression of short names).
    pub licence: String,
    /// Where the paragraph starts.
    pub line: usize,
    patterns: Vec<Vec<Glob>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Glob {
    Any,
    One,
    Char(char),
}

/// A parsed copyright file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dep5 {
    /// The header's `Format` URL.
    pub format: String,
    /// The header's `License`, if it states one for the whole work.
    pub header_licence: Option<String>,
    /// Every `Files` paragraph, in order.
    pub files: Vec<FilesParagraph>,
    /// The stand-alone `License` paragraphs' first lines.
    pub licence_paragraphs: Vec<String>,
}

impl fmt::Display for FilesParagraph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Files: {} (line {})", self.globs.join(" "), self.line)
    }
}

impl Dep5 {
    /// The paragraph that applies to `path` (relative, `/`-separated).
    pub fn paragraph_of(&self, path: &str) -> Option<&FilesParagraph> {
        let path: Vec<char> = path.chars().collect();
        self.files.iter().rev().find(|p| p.patterns.iter().any(|g| matches(g, &path)))
    }
}

/// Wildcard matching in O(glob × path): on a mismatch, the last `*` takes
/// one more character (no exponential backtracking on hostile globs).
fn matches(glob: &[Glob], path: &[char]) -> bool {
    let (mut g, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while p < path.len() {
        match glob.get(g) {
            Some(Glob::Any) => {
                star = Some((g, p));
                g += 1;
            }
            Some(Glob::One) => {
                g += 1;
                p += 1;
            }
            Some(Glob::Char(c)) if *c == path[p] => {
                g += 1;
                p += 1;
            }
            _ => match star {
                Some((sg, sp)) => {
                    star = Some((sg, sp + 1));
                    g = sg + 1;
                    p = sp + 1;
                }
                None => return false,
            },
        }
    }
    glob[g..].iter().all(|x| *x == Glob::Any)
}

fn compile(glob: &str, line: usize) -> Result<Vec<Glob>, Dep5Error> {
    let mut out = Vec::new();
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '*' => {
                if out.last() == Some(&Glob::Any) {
                    continue;
                }
                Glob::Any
            }
            '?' => Glob::One,
            '\\' => match chars.next() {
                Some(e @ ('\\' | '*' | '?')) => Glob::Char(e),
                Some(e) => return Err(Dep5Error { line, reason: format!("invalid escape \\{e} in glob {glob:?}") }),
                None => return Err(Dep5Error { line, reason: format!("glob {glob:?} ends in a single backslash") }),
            },
            c => Glob::Char(c),
        });
    }
    Ok(out)
}

struct Field {
    name: String,
    line: usize,
    lines: Vec<String>,
}

/// Parses a copyright file in the machine-readable format.
pub fn parse(text: &str) -> Result<Dep5, Dep5Error> {
    let mut paragraphs: Vec<(usize, Vec<Field>)> = Vec::new();
    let mut current: Vec<Field> = Vec::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push((start, std::mem::take(&mut current)));
            }
            continue;
        }
        if raw.starts_with('#') {
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            let Some(field) = current.last_mut() else {
                return Err(Dep5Error { line, reason: "a continuation line without a field before it".into() });
            };
            let value = raw.trim();
            field.lines.push(if value == "." { String::new() } else { value.to_owned() });
            continue;
        }
        let Some((name, value)) = raw.split_once(':') else {
            return Err(Dep5Error {
                line,
                reason: format!("{raw:?} is neither `Field: value` nor a continuation line"),
            });
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(Dep5Error { line, reason: format!("{name:?} is no field name") });
        }
        if current.is_empty() {
            start = line;
        }
        if current.iter().any(|f| f.name.eq_ignore_ascii_case(name)) {
            return Err(Dep5Error { line, reason: format!("field {name} twice in one paragraph") });
        }
        let value = value.trim();
        current.push(Field { name: name.to_owned(), line, lines: vec![value.to_owned()] });
    }
    if !current.is_empty() {
        paragraphs.push((start, current));
    }
    let mut paragraphs = paragraphs.into_iter();
    let Some((header_line, header)) = paragraphs.next() else {
        return Err(Dep5Error { line: 1, reason: "no paragraphs".into() });
    };
    let get = |fields: &[Field], name: &str| fields.iter().position(|f| f.name.eq_ignore_ascii_case(name));
    let Some(format) = get(&header, "Format") else {
        return Err(Dep5Error {
            line: header_line,
            reason: "the first paragraph has no Format field: not a machine-readable copyright file".into(),
        });
    };
    let mut out = Dep5 {
        format: header[format].lines.join(" ").trim().to_owned(),
        header_licence: get(&header, "License").map(|i| header[i].lines[0].clone()),
        files: Vec::new(),
        licence_paragraphs: Vec::new(),
    };
    for (line, fields) in paragraphs {
        let licence = get(&fields, "License").map(|i| fields[i].lines[0].clone());
        match get(&fields, "Files") {
            Some(files) => {
                let missing: Vec<&str> =
                    ["Copyright", "License"].into_iter().filter(|n| get(&fields, n).is_none()).collect();
                if !missing.is_empty() {
                    return Err(Dep5Error {
                        line,
                        reason: format!("Files paragraph without {}", missing.join(" and ")),
                    });
                }
                let globs: Vec<String> =
                    fields[files].lines.iter().flat_map(|l| l.split_whitespace()).map(str::to_owned).collect();
                let at = fields[files].line;
                let patterns = globs.iter().map(|g| compile(g, at)).collect::<Result<_, _>>()?;
                let copyright = get(&fields, "Copyright")
                    .map(|i| fields[i].lines.iter().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect())
                    .unwrap_or_default();
                out.files.push(FilesParagraph {
                    globs,
                    copyright,
                    licence: licence.unwrap_or_default(),
                    line,
                    patterns,
                });
            }
            None => match licence {
                Some(l) => out.licence_paragraphs.push(l),
                None => {
                    return Err(Dep5Error { line, reason: "a paragraph with neither Files nor License".into() });
                }
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
Upstream-Name: x\n\nFiles: *\nCopyright: 2020 A\n 2021 B\nLicense: MIT\n\n\
Files: doc/*.png img/?.svg\nCopyright: C\nLicense: CC-BY-4.0\n\nLicense: MIT\n Permission ...\n .\n more\n";

    #[test]
    fn last_matching_paragraph_wins() {
        let d = parse(EXAMPLE).unwrap();
        assert_eq!(d.paragraph_of("src/a.rs").unwrap().licence, "MIT");
        assert_eq!(d.paragraph_of("src/a.rs").unwrap().copyright, ["2020 A", "2021 B"]);
        assert_eq!(d.paragraph_of("doc/x/y.png").unwrap().licence, "CC-BY-4.0");
        assert_eq!(d.paragraph_of("img/a.svg").unwrap().licence, "CC-BY-4.0");
        assert_eq!(d.paragraph_of("img/ab.svg").unwrap().licence, "MIT");
        assert_eq!(d.licence_paragraphs, ["MIT"]);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse("Upstream-Name: x\n").unwrap_err().line, 1);
        assert_eq!(parse("Format: x\n\nFiles: *\nLicense: MIT\n").unwrap_err().line, 3);
        assert_eq!(parse("Format: x\n\nFiles: a\\b\nCopyright: c\nLicense: MIT\n").unwrap_err().line, 3);
        assert_eq!(parse("Format: x\nnonsense\n").unwrap_err().line, 2);
    }
}

/// Debian's short licence names (DEP-5 §7.2) whose SPDX id differs.
const DEBIAN_NAMES: [(&str, &str); 24] = [
    ("Expat", "MIT"),
    ("BSD-2-clause", "BSD-2-Clause"),
    ("BSD-3-clause", "BSD-3-Clause"),
    ("BSD-4-clause", "BSD-4-Clause"),
    ("GPL-1", "GPL-1.0-only"),
    ("GPL-1+", "GPL-1.0-or-later"),
    ("GPL-2", "GPL-2.0-only"),
    ("GPL-2+", "GPL-2.0-or-later"),
    ("GPL-3", "GPL-3.0-only"),
    ("GPL-3+", "GPL-3.0-or-later"),
    ("LGPL-2", "LGPL-2.0-only"),
    ("LGPL-2+", "LGPL-2.0-or-later"),
    ("LGPL-2.1", "LGPL-2.1-only"),
    ("LGPL-2.1+", "LGPL-2.1-or-later"),
    ("LGPL-3", "LGPL-3.0-only"),
    ("LGPL-3+", "LGPL-3.0-or-later"),
    ("AGPL-3", "AGPL-3.0-only"),
    ("AGPL-3+", "AGPL-3.0-or-later"),
    ("GFDL-1.2", "GFDL-1.2-only"),
    ("GFDL-1.2+", "GFDL-1.2-or-later"),
    ("GFDL-1.3", "GFDL-1.3-only"),
    ("GFDL-1.3+", "GFDL-1.3-or-later"),
    ("Perl", "(Artistic-1.0-Perl OR GPL-1.0-or-later)"),
    ("Apache-2", "Apache-2.0"),
];

/// A `License` synopsis of `debian/copyright` as an SPDX expression:
/// Debian's short names mapped to SPDX ids, `or`/`and` (and a `,` before
/// them) as operators, `with … exception` clauses dropped (an exception only
/// grants more).
pub fn debian_to_spdx(synopsis: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut words = synopsis.split_whitespace().map(|w| w.trim_end_matches(',')).filter(|w| !w.is_empty());
    while let Some(word) = words.next() {
        match word.to_ascii_lowercase().as_str() {
            "or" => out.push("OR".into()),
            "and" => out.push("AND".into()),
            "with" => {
                // up to and including the word "exception"
                for w in words.by_ref() {
                    if w.eq_ignore_ascii_case("exception") {
                        break;
                    }
                }
            }
            _ => out.push(
                DEBIAN_NAMES.iter().find(|(d, _)| d.eq_ignore_ascii_case(word)).map_or(word, |(_, s)| s).to_owned(),
            ),
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod debian_tests {
    #[test]
    fn short_names_become_spdx() {
        assert_eq!(super::debian_to_spdx("GPL-2+ or Artistic-2.0"), "GPL-2.0-or-later OR Artistic-2.0");
        assert_eq!(super::debian_to_spdx("Expat, and BSD-3-clause"), "MIT AND BSD-3-Clause");
        assert_eq!(super::debian_to_spdx("GPL-2+ with OpenSSL exception"), "GPL-2.0-or-later");
    }
}
