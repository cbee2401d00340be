// SPDX-License-Identifier: Apache-2.0
//! Which licence a licence file holds: its text compared with the SPDX
//! licence list's texts (the `spdx` crate's detector, the askalono method:
//! normalised text, n-gram similarity), so a project's licence is known even
//! where nothing states an SPDX id.

use std::path::Path;
use std::sync::LazyLock;

/// Texts scoring below this are no licence we name.
pub const THRESHOLD: f32 = 0.9;

/// The licence list texts; loaded once (a few hundred milliseconds).
static STORE: LazyLock<Option<spdx::detection::Store>> = LazyLock::new(|| spdx::detection::Store::load_inline().ok());

/// A licence text recognised.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Detected {
    /// SPDX id of the closest licence text.
    pub id: String,
    /// Similarity, 0–1.
    pub score: f32,
}

/// The licence `text` is, when it is close enough to one on the SPDX list.
pub fn detect(text: &str) -> Option<Detected> {
    let store = STORE.as_ref()?;
    let data = spdx::detection::TextData::new(text);
    let found = store.analyze(&data);
    let (id, score) = match found.name {
        // Pixar's licence is Apache-2.0 with its own section 6 and Pixar's
        // name: Apache-2.0's text without the appendix scores closer to it
        // than to Apache-2.0's full text. A text that does not name Pixar is not Pixar's.
        "Pixar" if !text.contains("Pixar") => {
            let apache = store.get_original("Apache-2.0").map_or(0.0, |original| data.match_score(original));
            ("Apache-2.0", apache)
        }
        name => (name, found.score),
    };
    (score >= THRESHOLD).then(|| Detected { id: id.to_owned(), score })
}

/// Whether a file name is a licence file's (LICENSE, LICENCE, COPYING, any suffix).
pub fn is_licence_file(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["LICENSE", "LICENCE", "COPYING"].iter().any(|p| {
        upper == *p
            || upper.starts_with(&format!("{p}."))
            || upper.starts_with(&format!("{p}-"))
            || upper.starts_with(&format!("{p}_"))
    })
}

/// The licence files directly in `dir` with what each holds.
pub fn licence_files(dir: &Path) -> Vec<(String, Option<Detected>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<(String, Option<Detected>)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            is_licence_file(&name).then(|| {
                let detected = std::fs::read(e.path()).ok().and_then(|b| detect(&String::from_utf8_lossy(&b)));
                (name, detected)
            })
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
