//! ConductorOne's Findings API (early access): the credentials it reports publicly exposed.
//! `POST /api/v1/findings/search`, paged through the body (`pageSize`, `pageToken`), with the
//! stops every listing has (a token that repeats, too many pages). A tenant without the
//! feature answers 403 or 404 (or 501): [`not_offered`] tells that apart from a failure.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::json;

use super::client::Client;
use super::error::{ApiError, ErrorKind};
use super::model::{Finding, Page};
use super::retry::Replay;

/// The spec asks for small pages: each finding is large.
const PAGE_SIZE: u32 = 10;

const CALL: &str = "search the findings for exposed credentials";

impl Client {
    /// Every `credentialPubliclyExposed` finding of the tenant, whatever its state.
    pub async fn exposed_credential_findings(&self) -> Result<Vec<Finding>, ApiError> {
        let mut all = Vec::new();
        let mut seen = HashSet::new();
        let mut token = String::new();
        let mut pages = 0;
        loop {
            let body = json!({
                "findingTypes": ["FINDING_TYPE_CREDENTIAL_PUBLICLY_EXPOSED"],
                "pageSize": PAGE_SIZE,
                "pageToken": token,
            });
            let page: Page<Finding> = self
                .request(
                    CALL,
                    Method::POST,
                    "/api/v1/findings/search",
                    Some(&body),
                    Replay::Safe,
                )
                .await?;
            // A server that ignores the type filter must not make other findings count.
            all.extend(
                page.list
                    .into_iter()
                    .filter(|f| f.credential_publicly_exposed.is_some()),
            );
            pages += 1;
            match page.next_page_token {
                None => return Ok(all),
                Some(next) => {
                    if !seen.insert(next.clone()) {
                        return Err(ApiError::new(CALL, ErrorKind::RepeatedPageToken(next)));
                    }
                    if pages >= self.inner.limits.max_pages {
                        return Err(ApiError::new(CALL, ErrorKind::TooManyPages { pages }));
                    }
                    token = next;
                }
            }
        }
    }
}

/// Whether the tenant answered that it does not offer the Findings API to this client:
/// 403 (not allowed, or not enabled), 404 (no such route) or 501 (not implemented).
pub fn not_offered(e: &ApiError) -> bool {
    matches!(e.status(), Some(403 | 404 | 501))
}
