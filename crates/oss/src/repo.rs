// SPDX-License-Identifier: Apache-2.0
//! Commits of a local repository as plain facts: identities, parents, message.

use gix::revision::plumbing::Spec;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A name and e-mail address as the commit records them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The name, as written.
    pub name: String,
    /// The e-mail address, without the angle brackets.
    pub email: String,
}

/// What the sign-off rules need of one commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitFacts {
    /// Full hexadecimal object id (remediation commits name it in full).
    pub id: String,
    /// Number of parents: merges (more than one) need no sign-off.
    pub parents: usize,
    /// Who wrote the change.
    pub author: Person,
    /// Who committed it (a rebase or `git am` makes them differ).
    pub committer: Person,
    /// The message, decoded lossily where it is not UTF-8.
    pub message: String,
    /// Author time, seconds since the Unix epoch.
    #[serde(default)]
    pub time: i64,
}

/// A tag: when, and whether it carries a signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagFacts {
    /// The tag's name (`v1.0.0`).
    pub name: String,
    /// The tagger's time for annotated tags, the commit's author time for lightweight ones.
    pub time: i64,
    /// An annotated tag with an OpenPGP, SSH or X.509 signature (not verified).
    pub signed: bool,
}

/// A file of the HEAD tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    /// Path from the top, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// The file's first 4 KiB (headers, shebangs, magic numbers); the whole of
    /// licence files and of the files that configure licensing or identities
    /// (`REUSE.toml`, `.reuse/dep5`, `debian/copyright`, `.mailmap`).
    #[serde(skip)]
    pub head: Vec<u8>,
    /// The copyright and licence tags anywhere in the file (REUSE reads whole files).
    #[serde(default)]
    pub tags: crate::tags::Tags,
}

/// The last component of a `/`-separated path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Files read whole: what licence detection and REUSE's configuration need.
fn read_whole(path: &[u8]) -> bool {
    let path = String::from_utf8_lossy(path);
    let name = file_name(&path);
    crate::licence::is_licence_file(name)
        || path.starts_with("LICENSES/")
        || name == "REUSE.toml"
        || matches!(path.as_ref(), ".reuse/dep5" | "debian/copyright" | ".mailmap")
}

/// Why the commits of a repository could not be read; each names the path.
#[derive(Debug, thiserror::Error)]
#[allow(missing_docs)] // the fields are what the messages say
pub enum RepoError {
    /// The path is no repository, or one gitoxide cannot open.
    #[error("{}: not a git repository ({reason})", path.display())]
    NotARepository { path: PathBuf, reason: String },
    /// A shallow clone: its history ends at a graft.
    #[error(
        "{}: a shallow clone: its history ends at a graft, so what lies before it cannot be checked (fetch the full history: git fetch --unshallow)",
        path.display()
    )]
    Shallow { path: PathBuf },
    /// The range does not resolve, or is of a form not supported.
    #[error("{}: revision range {range:?}: {reason}", path.display())]
    Range { path: PathBuf, range: String, reason: String },
    /// An object is missing or corrupt.
    #[error("{}: reading commit {id}: {reason}", path.display())]
    Object { path: PathBuf, id: String, reason: String },
}

/// The commits of `range` in the repository at `path`, newest first.
///
/// `range` is `REV` (every commit reachable from it) or `FROM..TO` (reachable
/// from TO but not from FROM); `None` means `HEAD`. A shallow clone is refused:
/// a check over it would silently stop at the graft.
pub fn commits(path: &Path, range: Option<&str>) -> Result<Vec<CommitFacts>, RepoError> {
    let repo =
        gix::open(path).map_err(|e| RepoError::NotARepository { path: path.to_owned(), reason: e.to_string() })?;
    let shallow =
        repo.is_shallow().map_err(|e| RepoError::NotARepository { path: path.to_owned(), reason: e.to_string() })?;
    if shallow {
        return Err(RepoError::Shallow { path: path.to_owned() });
    }
    let range = range.unwrap_or("HEAD");
    let range_error = |reason: String| RepoError::Range { path: path.to_owned(), range: range.to_owned(), reason };
    let spec = repo.rev_parse(range).map_err(|e| range_error(e.to_string()))?.detach();
    let (tip, hidden) = match spec {
        Spec::Include(id) => (id, None),
        Spec::Range { from, to } => (to, Some(from)),
        other => return Err(range_error(format!("{other:?} is not supported: give REV or FROM..TO"))),
    };
    let object_error =
        |id: String, e: &dyn std::fmt::Display| RepoError::Object { path: path.to_owned(), id, reason: e.to_string() };
    let walk = repo.rev_walk([tip]).with_hidden(hidden).all().map_err(|e| object_error(tip.to_string(), &e))?;
    let mut out = Vec::new();
    for info in walk {
        let info = info.map_err(|e| object_error(tip.to_string(), &e))?;
        let id = info.id.to_string();
        let commit = repo.find_commit(info.id).map_err(|e| object_error(id.clone(), &e))?;
        let decoded = commit.decode().map_err(|e| object_error(id.clone(), &e))?;
        let author = decoded.author().map_err(|e| object_error(id.clone(), &e))?;
        let committer = decoded.committer().map_err(|e| object_error(id.clone(), &e))?;
        out.push(CommitFacts {
            parents: decoded.parents().count(),
            author: person(&author),
            committer: person(&committer),
            message: decoded.message.to_string(),
            time: author.seconds(),
            id,
        });
    }
    Ok(out)
}

fn person(signature: &gix::actor::SignatureRef<'_>) -> Person {
    Person { name: signature.name.to_string(), email: signature.email.to_string() }
}

fn open(path: &Path) -> Result<gix::Repository, RepoError> {
    gix::open(path).map_err(|e| RepoError::NotARepository { path: path.to_owned(), reason: e.to_string() })
}

/// The tags of the repository at `path`, by name.
pub fn tags(path: &Path) -> Result<Vec<TagFacts>, RepoError> {
    let repo = open(path)?;
    let object_error =
        |id: String, e: &dyn std::fmt::Display| RepoError::Object { path: path.to_owned(), id, reason: e.to_string() };
    let references = repo.references().map_err(|e| object_error("refs/tags".into(), &e))?;
    let mut out = Vec::new();
    for reference in references.tags().map_err(|e| object_error("refs/tags".into(), &e))? {
        let mut reference = reference.map_err(|e| object_error("refs/tags".into(), &e))?;
        let name = reference.name().shorten().to_string();
        // the direct target first: peeling rewrites the reference to the commit
        let target = reference.target().try_id().map(|id| id.to_owned());
        let object = reference.peel_to_id().map_err(|e| object_error(name.clone(), &e))?;
        let annotated = target.and_then(|id| repo.find_object(id).ok()).filter(|o| o.kind == gix::object::Kind::Tag);
        let (time, signed) = match annotated {
            Some(tag) => {
                let data = tag.data.clone();
                let tag = tag.into_tag();
                let time = tag.tagger().ok().flatten().map_or(0, |t| t.seconds());
                (time, signature_in(&data))
            }
            None => {
                let commit = repo.find_commit(object.detach()).map_err(|e| object_error(name.clone(), &e))?;
                (commit.time().map_or(0, |t| t.seconds), false)
            }
        };
        out.push(TagFacts { name, time, signed });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn signature_in(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    ["-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----", "-----BEGIN SIGNED MESSAGE-----"]
        .iter()
        .any(|marker| text.contains(marker))
}

/// The files (blobs, executable or not; no links, no submodules) of HEAD's
/// tree, read on every core: each file's tags are scanned in its whole text.
pub fn files(path: &Path) -> Result<Vec<FileFacts>, RepoError> {
    let repo = open(path)?;
    let object_error =
        |id: String, e: &dyn std::fmt::Display| RepoError::Object { path: path.to_owned(), id, reason: e.to_string() };
    let head = repo.head_commit().map_err(|e| object_error("HEAD".into(), &e))?;
    let tree = head.tree().map_err(|e| object_error(head.id.to_string(), &e))?;
    let entries = tree.traverse().breadthfirst.files().map_err(|e| object_error(tree.id.to_string(), &e))?;
    let entries: Vec<_> = entries.into_iter().filter(|e| e.mode.is_blob()).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(entries.len().max(1));
    // one repository handle per thread: gitoxide's handles are not shared across threads
    // (without its `parallel` feature), and opening one costs little beside reading the blobs
    let read = |chunk: &[gix::traverse::tree::recorder::Entry]| -> Result<Vec<FileFacts>, RepoError> {
        let repo = open(path)?;
        chunk
            .iter()
            .map(|entry| {
                let blob = repo.find_object(entry.oid).map_err(|e| object_error(entry.oid.to_string(), &e))?;
                // licence files whole: telling Apache-2.0 from its look-alikes needs the full text
                let whole = read_whole(entry.filepath.as_ref());
                let head = if whole { blob.data.clone() } else { blob.data.get(..4096).unwrap_or(&blob.data).to_vec() };
                let tags = crate::tags::tags(&blob.data);
                Ok(FileFacts { path: entry.filepath.to_string(), size: blob.data.len() as u64, head, tags })
            })
            .collect()
    };
    let chunk_size = entries.len().div_ceil(threads).max(1);
    let results: Vec<Result<Vec<FileFacts>, RepoError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = entries.chunks(chunk_size).map(|chunk| scope.spawn(move || read(chunk))).collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|_| Err(object_error("HEAD".into(), &"a reader thread panicked"))))
            .collect()
    });
    let mut out = Vec::with_capacity(entries.len());
    for result in results {
        out.extend(result?);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
