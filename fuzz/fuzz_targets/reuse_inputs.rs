// SPDX-License-Identifier: Apache-2.0
//! Any bytes as the inputs REUSE reads from a repository: a file's tags,
//! `REUSE.toml`, `.reuse/dep5` (and `debian/copyright`), licence
//! expressions, and a whole tree of them judged together. Reading must not
//! panic; bad input is an error naming file and line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scs_oss::FileFacts;
use scs_oss::reuse::{config, expression, lint};
use scs_oss::tags as extract;

fuzz_target!(|data: &[u8]| {
    let tags = extract::tags(data);
    for e in &tags.expressions {
        let _ = expression::licences(e);
    }
    let text = String::from_utf8_lossy(data);
    let _ = config::parse_reuse_toml("REUSE.toml", &text);
    if let Ok(dep5) = scs_oss::dep5::parse(&text) {
        let _ = dep5.paragraph_of("src/a/b.rs");
        for p in &dep5.files {
            let _ = scs_oss::dep5::debian_to_spdx(&p.licence);
        }
    }
    // the same bytes as every kind of file of one tree
    let file = |path: &str| FileFacts { path: path.to_owned(), size: data.len() as u64, head: data.to_vec(), tags: tags.clone() };
    let _ = lint(&[file("REUSE.toml"), file("LICENSES/MIT.txt"), file("src/a.rs"), file("src/a.rs.license")]);
    let _ = lint(&[file(".reuse/dep5"), file("LICENSES/LicenseRef-x"), file("doc/x.md")]);
});
