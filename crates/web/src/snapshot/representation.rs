// SPDX-License-Identifier: Apache-2.0
//! A kept answer as HTTP sends it: its bytes and precompressed variants,
//! a strong ETag, and the choice per request between a 304, a compressed
//! variant and the plain bytes (RFC 9110 content negotiation and
//! conditional requests).

use super::Rendered;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write as _;

/// Answers smaller than this are not compressed (the headers cost more).
const COMPRESS_FROM: usize = 512;

/// One kept answer.
pub(super) struct Entry {
    pub(super) generation: u64,
    pub(super) valid_until: Option<DateTime<Utc>>,
    content_type: HeaderValue,
    cache_control: HeaderValue,
    etag: HeaderValue,
    last_modified: HeaderValue,
    identity: axum::body::Bytes,
    gzip: Option<axum::body::Bytes>,
    br: Option<axum::body::Bytes>,
}

impl Entry {
    pub(super) fn size(&self) -> usize {
        self.identity.len() + self.gzip.as_ref().map_or(0, |b| b.len()) + self.br.as_ref().map_or(0, |b| b.len())
    }
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

/// The entry for `rendered`: bytes, compressed variants where they are
/// smaller, a strong ETag over the identity bytes.
pub(super) fn prepare(rendered: Rendered, generation: u64, now: DateTime<Utc>) -> Entry {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    rendered.body.hash(&mut hasher);
    rendered.content_type.hash(&mut hasher);
    let etag = format!("\"{:016x}{:08x}\"", hasher.finish(), rendered.body.len());
    let (gzip, br) = if rendered.body.len() >= COMPRESS_FROM {
        (gzip(&rendered.body), brotli(&rendered.body))
    } else {
        (None, None)
    };
    let smaller = |c: Option<Vec<u8>>| c.filter(|c| c.len() < rendered.body.len()).map(axum::body::Bytes::from);
    Entry {
        generation,
        valid_until: rendered.valid_until,
        content_type: header_value(rendered.content_type),
        cache_control: header_value(rendered.cache_control),
        etag: header_value(&etag),
        last_modified: header_value(&now.format("%a, %d %b %Y %H:%M:%S GMT").to_string()),
        gzip: smaller(gzip),
        br: smaller(br),
        identity: axum::body::Bytes::from(rendered.body),
    }
}

fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::new(6));
    encoder.write_all(body).ok()?;
    encoder.finish().ok()
}

fn brotli(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() / 4);
    let params = brotli::enc::BrotliEncoderParams { quality: 6, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut std::io::Cursor::new(body), &mut out, &params).ok()?;
    Some(out)
}

/// The codings a client accepts, by preference: `br` over `gzip` over
/// identity at equal q; `q=0` refuses one; `*` stands for the ones not named.
fn preferred(headers: &HeaderMap) -> Vec<&'static str> {
    let Some(accept) = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return Vec::new();
    };
    let mut q: HashMap<String, f32> = HashMap::new();
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let coding = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
        let weight = pieces
            .filter_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.trim().parse::<f32>().ok()))
            .next()
            .unwrap_or(1.0);
        if !coding.is_empty() {
            q.insert(coding, weight);
        }
    }
    let star = q.get("*").copied();
    let weight = |coding: &str| q.get(coding).copied().or(star).unwrap_or(0.0);
    let mut codings: Vec<(&'static str, f32)> =
        [("br", weight("br")), ("gzip", weight("gzip"))].into_iter().filter(|(_, w)| *w > 0.0).collect();
    // stable: br stays before gzip at equal weight
    codings.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    codings.into_iter().map(|(c, _)| c).collect()
}

/// Whether `If-None-Match` matches `etag` (weak comparison, as RFC 9110
/// §13.1.2 asks for this header).
fn none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(value) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    let ours = etag.to_str().unwrap_or_default();
    value.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
}

/// Whether the client's copy is current: `If-None-Match` when sent (it
/// takes precedence, RFC 9110 §13.1.3), else `If-Modified-Since` at or after
/// the answer's `Last-Modified`.
fn not_modified(headers: &HeaderMap, entry: &Entry) -> bool {
    if headers.contains_key(header::IF_NONE_MATCH) {
        return none_match(headers, &entry.etag);
    }
    let since = headers.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok());
    let ours = entry.last_modified.to_str().ok();
    match (since.and_then(http_date), ours.and_then(http_date)) {
        (Some(since), Some(ours)) => since >= ours,
        _ => false,
    }
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date(text: &str) -> Option<DateTime<Utc>> {
    chrono::NaiveDateTime::parse_from_str(text.trim(), "%a, %d %b %Y %H:%M:%S GMT").ok().map(|t| t.and_utc())
}

pub(super) fn respond(entry: &Entry, headers: &HeaderMap) -> Response {
    let mut response = if not_modified(headers, entry) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut body = (entry.identity.clone(), None);
        for coding in preferred(headers) {
            let variant = if coding == "br" { &entry.br } else { &entry.gzip };
            if let Some(bytes) = variant {
                body = (bytes.clone(), Some(coding));
                break;
            }
        }
        let mut response = body.0.into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, entry.content_type.clone());
        if let Some(coding) = body.1 {
            response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        response
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, entry.etag.clone());
    h.insert(header::LAST_MODIFIED, entry.last_modified.clone());
    h.insert(header::CACHE_CONTROL, entry.cache_control.clone());
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")));
        h
    }

    #[test]
    fn content_codings_are_negotiated_with_q_values() {
        assert_eq!(preferred(&HeaderMap::new()), Vec::<&str>::new());
        assert_eq!(preferred(&accepting("gzip, deflate, br")), ["br", "gzip"]);
        assert_eq!(preferred(&accepting("gzip;q=1.0, br;q=0.5")), ["gzip", "br"]);
        assert_eq!(preferred(&accepting("br;q=0, gzip")), ["gzip"]);
        assert_eq!(preferred(&accepting("*")), ["br", "gzip"]);
        assert_eq!(preferred(&accepting("*;q=0.1, gzip;q=0")), ["br"]);
        assert_eq!(preferred(&accepting("identity")), Vec::<&str>::new());
    }

    #[test]
    fn if_none_match_compares_weakly_and_knows_the_star() {
        let etag = HeaderValue::from_static("\"abc\"");
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_static(v));
            h
        };
        assert!(none_match(&with("\"abc\""), &etag));
        assert!(none_match(&with("\"x\", W/\"abc\""), &etag));
        assert!(none_match(&with("*"), &etag));
        assert!(!none_match(&with("\"abcd\""), &etag));
        assert!(!none_match(&HeaderMap::new(), &etag));
    }
}
