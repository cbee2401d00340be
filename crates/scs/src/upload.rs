// SPDX-License-Identifier: Apache-2.0
//! Uploading signed reports to a compliance monitor, as upstream's runner does:
//! `POST {monitor}/reports` with body `signature & report`, content type
//! `application/x-signed-yaml` and HTTP Basic from the account's token file.

use anyhow::{Context, bail};
use std::path::Path;
use std::time::Duration;

/// Reads a token file: upstream stores `base64(subject:passphrase)` there, the
/// value of the Basic header as is.
pub fn read_token(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| format!("token file {}", path.display()))?;
    let token = text.trim();
    if token.is_empty() || token.contains(char::is_whitespace) {
        bail!("token file {}: expected one line with base64(subject:passphrase)", path.display());
    }
    Ok(token.to_owned())
}

/// Uploads a signed report; errors say what the monitor refused and why.
pub async fn upload(monitor: &str, token: &str, signature: &str, report: &[u8], json: bool) -> anyhow::Result<String> {
    let url = format!("{}/reports", monitor.trim_end_matches('/'));
    let content_type = if json { scs_signing::SIGNED_JSON } else { scs_signing::SIGNED_YAML };
    let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
    let response = client
        .post(&url)
        .header("Content-Type", content_type)
        .header("Authorization", format!("Basic {token}"))
        .body(scs_signing::signed_body(signature, report))
        .send()
        .await
        .with_context(|| format!("POST {url}"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let detail: String = body.trim().chars().take(300).collect();
    match status.as_u16() {
        200..=299 => Ok(detail),
        401 => bail!(
            "POST {url}: 401 Unauthorized: the monitor refused the token or the signature \
             (is the signing key registered for this subject, and the report's subject the account's?): {detail}"
        ),
        409 => bail!("POST {url}: 409 Conflict: a report with this run uuid was uploaded before: {detail}"),
        415 => bail!("POST {url}: 415 Unsupported Media Type: the monitor does not take {content_type}: {detail}"),
        _ => bail!("POST {url}: HTTP {status}: {detail}"),
    }
}
