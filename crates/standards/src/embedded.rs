// SPDX-License-Identifier: Apache-2.0
//! The project's own scope and image-spec files (`standards/` at the top of
//! the repository), compiled into the binary so that `scs` works without a
//! checkout, and selectable by alias or overridden by a path.

use crate::error::FileError;
use crate::image_spec::ImageSpec;
use crate::scope::Scope;
use std::path::Path;

/// An embedded file.
#[derive(Clone, Copy, Debug)]
pub struct EmbeddedFile {
    /// The alias users type (`scs-compatible-iaas`).
    pub alias: &'static str,
    /// File name under `standards/`.
    pub path: &'static str,
    /// File content.
    pub text: &'static str,
}

/// The certificate scopes `scs` knows by alias.
pub const SCOPES: &[EmbeddedFile] = &[
    EmbeddedFile {
        alias: "scs-compatible-iaas",
        path: "scs-compatible-iaas.yaml",
        text: include_str!("../../../standards/scs-compatible-iaas.yaml"),
    },
    EmbeddedFile {
        alias: "scs-compatible-kaas",
        path: "scs-compatible-kaas.yaml",
        text: include_str!("../../../standards/scs-compatible-kaas.yaml"),
    },
    EmbeddedFile {
        alias: "scs-0104-v2-preview",
        path: "scs-0104-v2-preview.yaml",
        text: include_str!("../../../standards/scs-0104-v2-preview.yaml"),
    },
    EmbeddedFile {
        alias: "scs-kaas-preview",
        path: "scs-kaas-preview.yaml",
        text: include_str!("../../../standards/scs-kaas-preview.yaml"),
    },
];

/// The scs-0104 image specs, by the name versions use in `image_spec`.
pub const IMAGE_SPECS: &[EmbeddedFile] = &[
    EmbeddedFile {
        alias: "scs-0104-v1-images",
        path: "images/scs-0104-v1-images.yaml",
        text: include_str!("../../../standards/images/scs-0104-v1-images.yaml"),
    },
    EmbeddedFile {
        alias: "scs-0104-v1-images-v5",
        path: "images/scs-0104-v1-images-v5.yaml",
        text: include_str!("../../../standards/images/scs-0104-v1-images-v5.yaml"),
    },
];

/// Loading a scope or image spec failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Neither an alias nor a readable file.
    #[error("{name}: not a known alias ({aliases}) and not a readable file: {source}")]
    NotFound {
        /// What the user gave.
        name: String,
        /// Known aliases.
        aliases: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid scope/spec.
    #[error(transparent)]
    Invalid(#[from] FileError),
}

fn find<'a>(files: &'a [EmbeddedFile], name: &str) -> Option<&'a EmbeddedFile> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let base = base.strip_suffix(".yaml").unwrap_or(base);
    files.iter().find(|f| f.alias == name || (!Path::new(name).exists() && f.alias == base))
}

/// Loads a scope by alias, uuid or path. A path that exists wins over an
/// alias, so operators can override the embedded data.
pub fn load_scope(name: &str) -> Result<Scope, LoadError> {
    if Path::new(name).is_file() {
        let text = read(name)?;
        return Ok(Scope::from_yaml(name, &text)?);
    }
    if let Some(file) = find(SCOPES, name) {
        return Ok(Scope::from_yaml(&format!("<embedded>/{}", file.path), file.text)?);
    }
    for file in SCOPES {
        let scope = Scope::from_yaml(&format!("<embedded>/{}", file.path), file.text)?;
        if scope.uuid.as_deref() == Some(name) {
            return Ok(scope);
        }
    }
    Err(not_found(name, SCOPES, read(name).err()))
}

/// Loads an image spec by alias, URL (its file name is matched against the
/// embedded specs, as versions name them by upstream URL) or path.
pub fn load_image_spec(name: &str) -> Result<ImageSpec, LoadError> {
    if Path::new(name).is_file() {
        let text = read(name)?;
        return Ok(ImageSpec::from_yaml(name, &text)?);
    }
    match find(IMAGE_SPECS, name) {
        Some(file) => Ok(ImageSpec::from_yaml(&format!("<embedded>/{}", file.path), file.text)?),
        None => Err(not_found(name, IMAGE_SPECS, read(name).err())),
    }
}

/// Every embedded scope, loaded.
pub fn all_scopes() -> Result<Vec<Scope>, FileError> {
    SCOPES.iter().map(|f| Scope::from_yaml(&format!("<embedded>/{}", f.path), f.text)).collect()
}

fn read(path: &str) -> Result<String, LoadError> {
    std::fs::read_to_string(path)
        .map_err(|e| FileError { file: path.to_owned(), place: Default::default(), message: e.to_string() }.into())
}

fn not_found(name: &str, files: &[EmbeddedFile], err: Option<LoadError>) -> LoadError {
    let source = match err {
        Some(LoadError::NotFound { source, .. }) => source,
        Some(LoadError::Invalid(e)) => std::io::Error::other(e.message),
        None => std::io::Error::from(std::io::ErrorKind::NotFound),
    };
    LoadError::NotFound {
        name: name.to_owned(),
        aliases: files.iter().map(|f| f.alias).collect::<Vec<_>>().join(", "),
        source,
    }
}
