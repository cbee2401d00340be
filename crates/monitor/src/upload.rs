// SPDX-License-Identifier: Apache-2.0
//! `POST /reports` as upstream: HTTP Basic, `application/x-signed-yaml` or
//! `-json`, `signature & report`, SSHSIG verification against the uploading
//! account's keys (namespace `report`), subject and delegation rules, one
//! stored result per testcase, all-or-nothing.

use crate::store::{NewReport, NewResult, Store, StoreError, StoredAccount};
use scs_standards::{AnyReport, read_reports};

/// Why an upload was refused; each maps to the HTTP status upstream uses.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// No or wrong credentials, signature or subject (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Neither x-signed-yaml nor x-signed-json (415).
    #[error("content type must be application/x-signed-yaml or application/x-signed-json, not '{0}'")]
    MediaType(String),
    /// The report cannot be read (400).
    #[error("{0}")]
    BadReport(String),
    /// The run uuid exists (409).
    #[error("{0}")]
    Duplicate(String),
    /// More results than one upload may hold (413).
    #[error(
        "the upload holds {results} results; this monitor accepts at most {limit} per upload (max_results_per_report)"
    )]
    TooManyResults {
        /// Results in the upload.
        results: usize,
        /// The setting.
        limit: usize,
    },
    /// Storage failed (500).
    #[error("{0}")]
    Store(StoreError),
    /// The account's stored keys cannot be read (500).
    #[error("the keys of account {subject} cannot be read: {message}")]
    AccountKeys {
        /// The account.
        subject: String,
        /// Why.
        message: String,
    },
}

impl From<StoreError> for UploadError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(uuid) => Self::Duplicate(format!("a report with uuid {uuid} was uploaded before")),
            other => Self::Store(other),
        }
    }
}

/// Checks HTTP Basic credentials against the stored account; the subject is the user name.
///
/// An unknown subject is checked against a stand-in hash, so the answer
/// takes as long as for a wrong password and does not tell which subjects
/// exist. The checks run on `checks`' threads, as many at once as it has
/// (argon2 takes 19 MiB per check).
pub async fn authenticate(
    store: &Store,
    checks: &crate::passwords::PasswordChecks,
    user: &str,
    password: &str,
) -> Result<StoredAccount, UploadError> {
    let account = store.account(user).await?;
    let hashes = match &account {
        Some(a) => a.api_keys.clone(),
        None => vec![stand_in_hash().to_owned()],
    };
    let ok = checks.check(hashes, password.to_owned()).await;
    match account {
        Some(account) if ok => Ok(account),
        _ => Err(UploadError::Unauthorized("unknown subject or wrong API key".into())),
    }
}

/// An argon2 hash (default parameters, as accounts' keys are made) that no
/// password is checked against successfully in practice: the work an
/// unknown subject costs.
fn stand_in_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        use argon2::password_hash::{PasswordHasher, SaltString};
        SaltString::encode_b64(b"scs-stand-in-salt")
            .ok()
            .and_then(|salt| {
                argon2::Argon2::default()
                    .hash_password(b"scs: no account has this key", &salt)
                    .ok()
                    .map(|h| h.to_string())
            })
            .unwrap_or_default()
    })
}

/// What an upload is admitted by, besides its signature and subjects.
#[derive(Debug, Clone, Copy)]
pub struct Admission {
    /// When it is stored (`uploaded_at`).
    pub now: chrono::NaiveDateTime,
    /// A report checked after this is refused (it would outrank every later one).
    pub latest: chrono::NaiveDateTime,
    /// The most results one upload may hold: one upload is one write
    /// transaction, and on SQLite every other writer (the status page too)
    /// waits for it.
    pub max_results: usize,
}

/// The default of [`Admission::max_results`]: a report of every version of
/// every SCS scope holds a few hundred results.
pub const DEFAULT_MAX_RESULTS: usize = 10_000;

/// Verifies and stores an upload by `account`. Returns the stored run
/// uuids with their subjects.
pub async fn accept(
    store: &Store,
    account: &StoredAccount,
    content_type: &str,
    body: &[u8],
    admission: Admission,
) -> Result<Vec<(String, String)>, UploadError> {
    let Admission { now, latest, max_results } = admission;
    let json = match content_type.split(';').next().unwrap_or_default().trim() {
        "application/x-signed-yaml" => false,
        "application/x-signed-json" => true,
        other => return Err(UploadError::MediaType(other.to_owned())),
    };
    let (signature, report) = scs_signing::split_signed_body(body)
        .map_err(|_| UploadError::Unauthorized("no signature: the body must be 'signature & report'".into()))?;
    let keys = scs_signing::parse_public_keys("account keys", &account.keys.join("\n"))
        .map_err(|e| UploadError::AccountKeys { subject: account.subject.clone(), message: e.to_string() })?;
    scs_signing::verify(&keys, scs_signing::REPORT_NAMESPACE, report, signature)
        .map_err(|e| UploadError::Unauthorized(format!("signature rejected: {e}")))?;
    let text = std::str::from_utf8(report).map_err(|_| UploadError::BadReport("the report is not UTF-8".into()))?;
    // what is stored: each document as it was signed, every key kept (as JSON)
    let received = received_documents(text, json)?;
    let documents = read_reports("report", text).map_err(|e| UploadError::BadReport(e.to_string()))?;
    if documents.is_empty() {
        return Err(UploadError::BadReport("the upload holds no report".into()));
    }
    if json && documents.len() > 1 {
        return Err(UploadError::BadReport("a JSON upload holds one report".into()));
    }
    if received.len() != documents.len() {
        return Err(UploadError::BadReport(format!(
            "the upload reads as {} documents but {} reports",
            received.len(),
            documents.len()
        )));
    }
    let delegators = store.delegators(&account.subject).await?;
    let append_any = account.roles.contains(&crate::accounts::Role::AppendAny);
    let mut rows = Vec::with_capacity(documents.len());
    for (doc, data) in documents.iter().zip(received) {
        let subject = doc.subject();
        let own = subject == account.subject;
        // upstream's rule: own subject, or (append_any and the subject delegates to this account)
        let delegated = append_any && delegators.iter().any(|d| d == subject);
        if !(own || delegated) {
            return Err(UploadError::Unauthorized(format!(
                "account {} may not upload reports of subject {subject}",
                account.subject
            )));
        }
        if doc.checked_at() > latest {
            return Err(UploadError::BadReport(format!(
                "report {}: checked_at {} is in the future (the monitor accepts up to {} UTC)",
                doc.uuid(),
                doc.checked_at().format("%Y-%m-%d %H:%M:%S"),
                latest.format("%Y-%m-%d %H:%M:%S")
            )));
        }
        rows.push(new_report(doc, data));
        let results = rows.iter().map(|r| r.results.len()).sum();
        if results > max_results {
            return Err(UploadError::TooManyResults { results, limit: max_results });
        }
    }
    store.insert_reports(&rows, now).await?;
    Ok(rows.into_iter().map(|r| (r.uuid, r.subject)).collect())
}

/// The documents of an upload as JSON text, every key kept: a JSON body as
/// it came (upstream stores the body text), each YAML document converted
/// (empty documents skipped, as the report reader skips them). A body sent as
/// JSON that is not JSON is refused, though YAML would read it.
fn received_documents(text: &str, json: bool) -> Result<Vec<String>, UploadError> {
    if json {
        serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| {
            UploadError::BadReport(format!("the report sent as application/x-signed-json is not JSON: {e}"))
        })?;
        return Ok(vec![text.to_owned()]);
    }
    let documents: Vec<Option<serde_json::Value>> = serde_saphyr::from_multiple(text)
        .map_err(|e| UploadError::BadReport(format!("the report is not YAML that JSON can hold: {e}")))?;
    Ok(documents.into_iter().flatten().map(|d| d.to_string()).collect())
}

fn new_report(doc: &AnyReport, data: String) -> NewReport {
    let scope = doc.scope_uuid().to_owned();
    // old-style reports keep their version keys; new ones are version-independent ("*")
    let results = match doc {
        AnyReport::Upstream(r) if r.run.invocations.is_empty() => r
            .versions
            .iter()
            .flatten()
            .flat_map(|(v, tcs)| {
                tcs.iter()
                    .filter_map(|(tc, e)| e.result.map(|res| NewResult::uploaded(&scope, v, tc, i32::from(res.code()))))
            })
            .collect(),
        _ => doc
            .records()
            .into_iter()
            .map(|r| NewResult::uploaded(&scope, "*", &r.testcase, i32::from(r.result.code())))
            .collect(),
    };
    NewReport {
        uuid: doc.uuid().to_owned(),
        checked_at: doc.checked_at(),
        subject: doc.subject().to_owned(),
        data,
        results,
        uploaded_at: None,
    }
}
