// SPDX-License-Identifier: Apache-2.0
//! The copyright notices and licence expressions a file states about itself
//! (REUSE's tags),
//! read as the REUSE tool reads them: anywhere in the file (not only its
//! head), one tag per line, comment markers around the tag removed, text
//! between `REUSE-IgnoreStart` and `REUSE-IgnoreEnd` skipped, binary files not
//! read at all.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// What one file (or its `.license` sidecar) says in its own text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags {
    /// Copyright notices (`SPDX-FileCopyrightText:`, `Copyright`, `©`, snippets'), as written.
    pub copyright: BTreeSet<String>,
    /// The values of `SPDX-License-Identifier:` tags, valid or not.
    pub expressions: BTreeSet<String>,
}

impl Tags {
    /// Whether the file states anything at all.
    pub fn is_empty(&self) -> bool {
        self.copyright.is_empty() && self.expressions.is_empty()
    }
}

/// Closers of the comment styles REUSE knows (`*/`, `-->`, `#}`, …) and the
/// ends of tags written inside strings or attributes: what may follow a tag's
/// value on its line without being part of it.
const END: &str = r#"\s*(?:#\}|'/|\*#|\*\)|\*/|--%>|-->|--\}\}|-/|:\)|=#|\}|"\s*/*>|'\s*/*>|\]\s*::|"\s*\))*\s*$"#;
const SYMBOL_OR_C: &str = r"(?:©|\([Cc]\))";

#[allow(clippy::expect_used)] // constant patterns, covered by the tests below
fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid pattern")
}

/// What makes a line a candidate for a tag: the earliest `SPDX-…:`,
/// `Copyright` or `©` on it (searched for as literals, so that text without
/// them is skipped at memory speed).
static KEYWORD: LazyLock<Regex> = LazyLock::new(|| compile(r"SPDX-\S+:|Copyright|©"));
/// A copyright notice. `Copyright` must be followed by a space or a symbol
/// (`Copyrights`, `Copyright:` are prose, not notices).
static NOTICE: LazyLock<Regex> = LazyLock::new(|| {
    let word = format!(r"Copyright(?:\s*{SYMBOL_OR_C}|\s)");
    compile(&format!(
        r"^.*?(?:SPDX-(?:File|Snippet)CopyrightText:(?:\s*(?:{SYMBOL_OR_C}|{word}))?|{word}|©)\s*(?P<text>.*?){END}"
    ))
});
static LICENCE: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"^.*?SPDX-License-Identifier:\s*(?P<value>.*?){END}")));

const IGNORE_START: &str = "REUSE-IgnoreStart";
const IGNORE_END: &str = "REUSE-IgnoreEnd";

/// The tags of a file's bytes (empty for a binary file).
pub fn tags(bytes: &[u8]) -> Tags {
    match decode(bytes) {
        Some(text) if text.contains('\r') => tags_of_text(&text.replace("\r\n", "\n").replace('\r', "\n")),
        Some(text) => tags_of_text(&text),
        None => Tags::default(),
    }
}

/// The text of a file, or `None` for a binary one. As `file(1)` decides from
/// the first 2 KiB: control characters other than the usual whitespace, BEL,
/// BS and ESC (NUL above all) make it binary unless a UTF-16/32 byte-order
/// mark says otherwise; text that is not UTF-8 is read as ISO 8859-1 (where
/// `©` is the byte 0xA9).
fn decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    let head = bytes.get(..2048).unwrap_or(bytes);
    for (bom, little_endian, width) in
        [(&b"\xff\xfe\0\0"[..], true, 4), (b"\0\0\xfe\xff", false, 4), (b"\xff\xfe", true, 2), (b"\xfe\xff", false, 2)]
    {
        if head.starts_with(bom) {
            return Some(Cow::Owned(decode_wide(&bytes[bom.len()..], little_endian, width)));
        }
    }
    let binary = head.iter().any(|b| matches!(b, 0..=6 | 0x0b | 0x0e..=0x1a | 0x1c..=0x1f | 0x7f));
    if binary {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(Cow::Borrowed(text)),
        // a UTF-8 file with a stray byte decodes with replacements, as `errors="replace"` does
        Err(e) if e.valid_up_to() > 0 && std::str::from_utf8(head).is_ok() => Some(String::from_utf8_lossy(bytes)),
        Err(_) if head.iter().any(|b| (0x80..0xa0).contains(b)) => Some(String::from_utf8_lossy(bytes)),
        Err(_) => Some(Cow::Owned(bytes.iter().map(|b| char::from(*b)).collect())),
    }
}

fn decode_wide(bytes: &[u8], little_endian: bool, width: usize) -> String {
    let units = bytes.chunks_exact(width).map(|c| match (width, little_endian) {
        (2, true) => u32::from(u16::from_le_bytes([c[0], c[1]])),
        (2, false) => u32::from(u16::from_be_bytes([c[0], c[1]])),
        (_, true) => u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
        (_, false) => u32::from_be_bytes([c[0], c[1], c[2], c[3]]),
    });
    if width == 2 {
        let units: Vec<u16> = units.map(|u| u16::try_from(u).unwrap_or(0xfffd)).collect();
        String::from_utf16_lossy(&units)
    } else {
        units.map(|u| char::from_u32(u).unwrap_or('\u{fffd}')).collect()
    }
}

/// `text` without its ignore blocks; an unclosed block runs to the end.
fn without_ignored(text: &str) -> Cow<'_, str> {
    if !text.contains(IGNORE_START) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(IGNORE_START) {
        out.push_str(&rest[..start]);
        let after = &rest[start + IGNORE_START.len()..];
        match after.find(IGNORE_END) {
            Some(end) => rest = &after[end + IGNORE_END.len()..],
            None => return Cow::Owned(out),
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The tags of a text with `\n` line ends.
pub fn tags_of_text(text: &str) -> Tags {
    let text = without_ignored(text);
    let mut found = Tags::default();
    let mut from = 0;
    while let Some(keyword) = KEYWORD.find_at(&text, from) {
        // the keyword's line, and what precedes the keyword on it
        let start = text[..keyword.start()].rfind('\n').map_or(0, |i| i + 1);
        let end = text[keyword.start()..].find('\n').map_or(text.len(), |i| keyword.start() + i);
        from = end;
        // a comment's opener mirrored at the end is its closer: `/*` … `*/`
        let opener: String = text[start..keyword.start()].trim().chars().rev().collect();
        let whole = &text[start..end];
        let line = whole.strip_suffix(opener.as_str()).unwrap_or(whole);
        if NOTICE.is_match(line) {
            found.copyright.insert(line.trim().to_owned());
        } else if let Some(value) = LICENCE.captures(line).and_then(|c| c.name("value")) {
            found.expressions.insert(value.as_str().to_owned());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Tags {
        tags(text.as_bytes())
    }

    #[test]
    fn comment_styles_and_notices() {
        let t =
            one("/* SPDX-License-Identifier: MIT OR Apache-2.0 */\n<!-- SPDX-FileCopyrightText: 2024 A <a@b> -->\n");
        assert_eq!(t.expressions.iter().collect::<Vec<_>>(), ["MIT OR Apache-2.0"]);
        assert_eq!(t.copyright.len(), 1);
        assert!(!one("// Copyright 2020 Jane\n").copyright.is_empty());
        assert!(!one("# © Jane\n").copyright.is_empty());
        assert!(one("Copyrights are nice.\nCopyright: none\n").copyright.is_empty());
        assert_eq!(one("{# SPDX-License-Identifier: MIT #}\n").expressions.iter().next().unwrap(), "MIT");
    }

    #[test]
    fn ignore_blocks_binary_and_latin1() {
        let t =
            one("REUSE-IgnoreStart\nSPDX-License-Identifier: GPL-3.0\nREUSE-IgnoreEnd\nSPDX-License-Identifier: MIT\n");
        assert_eq!(t.expressions.iter().collect::<Vec<_>>(), ["MIT"]);
        assert!(one("REUSE-IgnoreStart\nSPDX-License-Identifier: MIT\n").is_empty());
        assert!(tags(b"\x89PNG\r\n\x1a\n\0\0SPDX-License-Identifier: MIT\n").is_empty());
        assert!(!tags(b"# \xa9 J\xf6rg\n").copyright.is_empty());
    }
}
