// SPDX-License-Identifier: Apache-2.0
//! Text into markup, one place for it: HTML and XML element content and
//! attribute values. C0 control characters other than tab, line feed and
//! carriage return cannot appear in XML 1.0 at all (not even as character
//! references) and are parse errors in HTML; they become U+FFFD, so a
//! control character in an incident text or a report uuid cannot make a
//! feed unreadable or a page malformed.

/// Escapes for element content and for attribute values in either quote
/// style, in HTML and in XML (SVG, Atom, JUnit).
pub fn markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() && (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push('\u{fffd}');
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_and_controls_are_neutralised() {
        assert_eq!(markup(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(markup("a\u{1}b\u{1b}c\td\ne"), "a\u{fffd}b\u{fffd}c\td\ne");
        assert_eq!(markup("grüße → ok"), "grüße → ok");
    }
}
