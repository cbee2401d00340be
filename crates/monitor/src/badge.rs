// SPDX-License-Identifier: Apache-2.0
//! Shields-style SVG badges: the scope on the left, the verdict and the
//! versions passed on the right, so a provider can show its standing anywhere
//! a picture goes (upstream has no badges).

use crate::status::ScopeStatus;
use scs_web::escape::markup;

/// Colours of the right half, by verdict.
fn colour(status: &ScopeStatus) -> &'static str {
    match crate::status::rank(status) {
        4 if status.validity == "warn" => "#dfb317",
        4 if status.validity == "deprecated" => "#e05d44",
        4 => "#4c1",
        3 => "#97ca00",
        2 => "#9f9f9f",
        1 => "#dfb317",
        _ => "#e05d44",
    }
}

/// The right half's text: the versions passed with upstream's suffixes, or the verdict.
fn message(status: &ScopeStatus) -> String {
    let text = if status.passed_str.is_empty() { "–" } else { status.passed_str.as_str() };
    match crate::status::rank(status) {
        0 => format!("failing{}", if text == "–" { String::new() } else { format!(" (passed {text})") }),
        1 if text == "–" => "missing results".into(),
        2 => "no results".into(),
        _ => text.to_owned(),
    }
}

/// Approximate width of `text` in Verdana 11px, as shields.io measures it.
fn width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii_uppercase() || c == 'm' || c == 'w' { 9 } else { 7 }).sum::<usize>() + 10
}

/// The SVG of a badge for a scope named `label` and one subject's status.
pub fn svg(label: &str, status: &ScopeStatus) -> String {
    let message = message(status);
    let (lw, rw) = (width(label), width(&message));
    let total = lw + rw;
    let (label, message) = (markup(label), markup(&message));
    let fill = colour(status);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{label}: {message}"><title>{label}: {message}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{rw}" height="20" fill="{fill}"/><rect width="{total}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="{lx}" y="14">{label}</text><text x="{mx}" y="14">{message}</text></g></svg>"##,
        lx = lw / 2,
        mx = lw + rw / 2,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// The fields a badge reads, from upstream's JSON shape.
    fn svg(label: &str, v: &Value) -> String {
        let status = ScopeStatus {
            result: v["result"].as_i64().and_then(|r| i8::try_from(r).ok()),
            relevant: v["relevant"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect(),
            passed_str: v["passed_str"].as_str().unwrap_or_default().to_owned(),
            validity: v["validity"].as_str().unwrap_or_default().to_owned(),
            results: v["results"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| Some((t.as_str()?.to_owned(), crate::status::ResultEntry::default())))
                .collect(),
            ..ScopeStatus::default()
        };
        super::svg(label, &status)
    }

    #[test]
    fn verdicts_have_their_colour_and_text() {
        let pass = json!({"result": 1, "relevant": ["v5.1"], "passed_str": "v5.1", "validity": "effective",
                          "results": ["t"]});
        let s = svg("SCS-compatible IaaS", &pass);
        assert!(
            s.contains("#4c1") && s.contains(">v5.1</text>") && s.contains("aria-label=\"SCS-compatible IaaS: v5.1\"")
        );
        let warn = json!({"result": 1, "relevant": ["v4"], "passed_str": "v4†", "validity": "warn", "results": ["t"]});
        assert!(svg("x", &warn).contains("#dfb317"));
        let fail =
            json!({"result": -1, "relevant": ["v5.1"], "passed_str": "", "validity": "deprecated", "results": ["t"]});
        assert!(svg("x", &fail).contains(">failing</text>"));
        let none = json!({"result": null, "relevant": [], "passed_str": ""});
        assert!(svg("x", &none).contains(">no results</text>"));
        // results all expired: upstream evaluates every version as missing, the badge says so plainly
        let expired = json!({"result": null, "relevant": ["v5.1"], "passed_str": "v5.1", "validity": "effective"});
        assert!(svg("x", &expired).contains(">no results</text>"));
        assert!(svg("<&>", &none).contains("&lt;&amp;&gt;"));
    }
}
