//! Walking a listing page by page: `page_size`, `page_token` from the reply before, and the
//! stops a server cannot talk the client out of (a token that repeats, too many pages).

use std::collections::HashSet;

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::client::Client;
use super::error::{ApiError, ErrorKind};
use super::model::Page;
use super::retry::Replay;

/// Page size for every list call: the API's maximum, so a tenant is walked in few requests.
const PAGE_SIZE: u32 = 100;

impl Client {
    /// Every item of the listing at `path`, page by page; `on_page` sees each page as it
    /// arrives.
    pub(super) async fn list_all<T: DeserializeOwned>(
        &self,
        call: &str,
        path: &str,
        mut on_page: impl FnMut(&[T]),
    ) -> Result<Vec<T>, ApiError> {
        let mut all = Vec::new();
        let mut seen = HashSet::new();
        let mut token = String::new();
        let mut pages = 0;
        loop {
            let mut page_path = format!("{path}?page_size={PAGE_SIZE}");
            if !token.is_empty() {
                page_path.push_str("&page_token=");
                page_path.push_str(&urlencode(&token));
            }
            let page: Page<T> = self
                .request(call, Method::GET, &page_path, None, Replay::Safe)
                .await?;
            on_page(&page.list);
            all.extend(page.list);
            pages += 1;
            match page.next_page_token {
                None => return Ok(all),
                Some(next) => {
                    if !seen.insert(next.clone()) {
                        return Err(ApiError::new(call, ErrorKind::RepeatedPageToken(next)));
                    }
                    if pages >= self.inner.limits.max_pages {
                        return Err(ApiError::new(call, ErrorKind::TooManyPages { pages }));
                    }
                    token = next;
                }
            }
        }
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
