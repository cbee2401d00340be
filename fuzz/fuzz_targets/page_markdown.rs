// SPDX-License-Identifier: Apache-2.0
//! Any text from a report or an account, escaped into a page's Markdown
//! table cell, list item and heading: the HTML must hold it as text, never as
//! markup (no element or link besides the page's own).
#![no_main]

use libfuzzer_sys::fuzz_target;
use scs_monitor::pages::{markdown_to_html, md_escape};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let v = md_escape(text);
    // the shapes the templates use: heading, table cell, list item after bold text
    let markdown = format!("# {v}: x\n\n| a | b |\n|---|---|\n| {v} | [ok](/x) |\n\n- **{v}**: {v}\n");
    let html = markdown_to_html(&markdown);
    assert_eq!(html.matches("<a ").count(), 1, "{html}");
    // at most the template's own bold (`****` of an empty value is no bold)
    assert!(html.matches("<strong>").count() <= 1, "{html}");
    for tag in ["<script", "<img", "<iframe", "<em>", "<code>", "<del>", "<h2", "<ol", "<ul><li><ul"] {
        assert!(!html.contains(tag), "{tag} in {html}");
    }
    assert_eq!(html.matches("<tr>").count(), 2, "the cell spilled: {html}");
});
