// SPDX-License-Identifier: Apache-2.0
//! `/docs`: the OpenAPI document as a page people read, rendered on the
//! server once when the router is built. Upstream's monitor offers FastAPI's
//! Swagger UI there; that loads scripts from a CDN, which this server's
//! content security policy (no scripts, nothing from elsewhere) rules out, so
//! the page is plain HTML: every operation with its parameters, request
//! body, responses and the credentials it takes.

use crate::escape::markup;
use serde_json::Value;
use std::fmt::Write as _;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The page for `document` (an OpenAPI 3.1 document as JSON).
pub fn render(document: &Value) -> String {
    let title = document["info"]["title"].as_str().unwrap_or("API");
    let mut html = String::with_capacity(64 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} – API</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>\
         body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.4}}\
         .op{{border:1px solid #ccc;border-radius:4px;padding:.5rem 1rem;margin:1rem 0}}\
         .m{{font-weight:bold;text-transform:uppercase;display:inline-block;min-width:4.5rem}}\
         code{{background:#f4f4f4;padding:0 .2rem}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}}\
         </style></head><body><h1>{t}</h1>",
        t = markup(title)
    );
    if let Some(description) = document["info"]["description"].as_str() {
        let _ = write!(html, "<p>{}</p>", markup(description));
    }
    let _ = write!(
        html,
        "<p>Version {} · the machine-readable document: <a href=\"openapi.json\">openapi.json</a> (OpenAPI {})</p>",
        markup(document["info"]["version"].as_str().unwrap_or("")),
        markup(document["openapi"].as_str().unwrap_or("3.1"))
    );
    let Some(paths) = document["paths"].as_object() else { return html + "</body></html>" };
    html.push_str("<h2>Operations</h2><ul>");
    for (path, item) in paths {
        for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
            let _ = write!(
                html,
                "<li><a href=\"#{id}\"><code>{m} {p}</code></a></li>",
                id = anchor(method, path),
                m = method.to_ascii_uppercase(),
                p = markup(path)
            );
        }
    }
    html.push_str("</ul>");
    for (path, item) in paths {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                operation_html(&mut html, method, path, operation);
            }
        }
    }
    html.push_str("</body></html>");
    html
}

fn operation_html(html: &mut String, method: &str, path: &str, op: &Value) {
    let _ = write!(
        html,
        "<section class=\"op\" id=\"{id}\"><h3><span class=\"m\">{m}</span> <code>{p}</code></h3>",
        id = anchor(method, path),
        m = method,
        p = markup(path)
    );
    for key in ["summary", "description"] {
        if let Some(text) = op[key].as_str().filter(|t| !t.is_empty()) {
            let _ = write!(html, "<p>{}</p>", markup(text));
        }
    }
    if let Some(security) = op["security"].as_array().filter(|s| !s.is_empty()) {
        let schemes: Vec<String> =
            security.iter().filter_map(Value::as_object).flat_map(|o| o.keys().map(|k| markup(k))).collect();
        let _ = write!(html, "<p>Credentials: {}</p>", schemes.join(" or "));
    }
    if let Some(parameters) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
        html.push_str("<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Description</th></tr>");
        for p in parameters {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                markup(p["name"].as_str().unwrap_or("")),
                markup(p["in"].as_str().unwrap_or("")),
                if p["required"].as_bool().unwrap_or(false) { "yes" } else { "no" },
                markup(p["description"].as_str().unwrap_or(""))
            );
        }
        html.push_str("</table>");
    }
    if let Some(body) = op.get("requestBody") {
        let _ = write!(
            html,
            "<p>Request body ({}): {}</p>",
            content_types(&body["content"]),
            markup(body["description"].as_str().unwrap_or(""))
        );
    }
    if let Some(responses) = op["responses"].as_object() {
        html.push_str("<table><tr><th>Status</th><th>Meaning</th><th>Content</th></tr>");
        for (status, response) in responses {
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                markup(status),
                markup(response["description"].as_str().unwrap_or("")),
                content_types(&response["content"])
            );
        }
        html.push_str("</table>");
    }
    html.push_str("</section>");
}

/// The content types of a `content` map, with their schema's name where it
/// is a reference.
fn content_types(content: &Value) -> String {
    let Some(content) = content.as_object() else { return "–".to_owned() };
    let types: Vec<String> = content
        .iter()
        .map(|(media, body)| {
            let schema = body["schema"]["$ref"].as_str().and_then(|r| r.rsplit('/').next());
            match schema {
                Some(name) => format!("<code>{}</code> {}", markup(media), markup(name)),
                None => format!("<code>{}</code>", markup(media)),
            }
        })
        .collect();
    if types.is_empty() { "–".to_owned() } else { types.join(", ") }
}

/// An element id for an operation: letters, digits and `-` only.
fn anchor(method: &str, path: &str) -> String {
    let path: String = path.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("{method}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_with_their_parts_and_nothing_unescaped() {
        let doc = serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "T <x>", "version": "1"},
            "paths": {"/status": {"get": {
                "summary": "Every <subject>",
                "parameters": [{"name": "subject", "in": "query", "required": false, "description": "One"}],
                "security": [{"basic": []}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/S"}}}},
                              "406": {"description": "no JSON"}}
            }}}
        });
        let html = render(&doc);
        assert!(html.contains("<h1>T &lt;x&gt;</h1>"), "{html}");
        assert!(html.contains("<a href=\"#get-status\"><code>GET /status</code></a>"), "{html}");
        assert!(html.contains("Every &lt;subject&gt;"), "{html}");
        assert!(html.contains("<td><code>subject</code></td><td>query</td><td>no</td><td>One</td>"), "{html}");
        assert!(html.contains("<td>200</td><td>ok</td><td><code>application/json</code> S</td>"), "{html}");
        assert!(html.contains("<td>406</td><td>no JSON</td><td>–</td>"), "{html}");
        assert!(html.contains("Credentials: basic"), "{html}");
        assert!(!html.contains("<x>") && !html.contains("<subject>"), "{html}");
    }
}
