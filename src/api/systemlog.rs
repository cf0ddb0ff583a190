//! The tenant's system log: `POST /api/v1/systemlog/events`, OCSF events page by page,
//! oldest first. Each event is free-form JSON (the spec says only "an array of JSON OCSF
//! events"), so it is handed on as a `serde_json::Value` for the caller to read.
//!
//! Bounded like every listing: each reply by the client's size cap, the walk by its page cap
//! (past it the pager stops and says so, so the caller can go on from where it stopped next
//! time), and a page token that repeats ends the walk with an error instead of a loop.

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use super::client::Client;
use super::error::{ApiError, ErrorKind};
use super::model::Page;
use super::retry::Replay;

/// Events per page: the API's largest page.
const PAGE_SIZE: u32 = 100;

/// What part of the log to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// Events at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Events after this one. How the server combines it with `since` is *unconfirmed*:
    /// readers must cope with getting this event (or others at its time) again.
    pub since_event_uid: Option<String>,
}

/// Where a walk through the log stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagerState {
    /// More pages may follow.
    Reading,
    /// The last page named no next page: the log was read to its end.
    Done,
    /// The page cap was reached while the log named a next page.
    Capped,
}

/// Walks the system log page by page, ascending. Each [`next_page`](Self::next_page) sends
/// one request.
#[derive(Debug)]
pub struct EventPager {
    query: EventQuery,
    token: String,
    seen: HashSet<String>,
    pages: u32,
    max_pages: u32,
    state: PagerState,
}

const CALL: &str = "read the system log";

impl EventPager {
    pub fn new(client: &Client, query: EventQuery) -> Self {
        Self {
            query,
            token: String::new(),
            seen: HashSet::new(),
            pages: 0,
            max_pages: client.inner.limits.max_pages,
            state: PagerState::Reading,
        }
    }

    pub fn state(&self) -> PagerState {
        self.state
    }

    /// How many pages have been read.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// The next page's events, or `None` once the walk is over (see [`state`](Self::state)).
    pub async fn next_page(&mut self, client: &Client) -> Result<Option<Vec<Value>>, ApiError> {
        if self.state != PagerState::Reading {
            return Ok(None);
        }
        let body = self.body();
        let page: Page<Value> = client
            .request(
                CALL,
                Method::POST,
                "/api/v1/systemlog/events",
                Some(&body),
                // Reading changes nothing: safe to send again.
                Replay::Safe,
            )
            .await?;
        self.pages += 1;
        match page.next_page_token {
            None => self.state = PagerState::Done,
            Some(next) => {
                if !self.seen.insert(next.clone()) {
                    self.state = PagerState::Done;
                    return Err(ApiError::new(CALL, ErrorKind::RepeatedPageToken(next)));
                }
                if self.pages >= self.max_pages {
                    self.state = PagerState::Capped;
                }
                self.token = next;
            }
        }
        Ok(Some(page.list))
    }

    fn body(&self) -> Value {
        let mut body = json!({
            "pageSize": PAGE_SIZE,
            "sortDirection": "SORT_DIRECTION_ASC",
        });
        if let Some(since) = self.query.since {
            body["since"] = since.to_rfc3339_opts(SecondsFormat::AutoSi, true).into();
        }
        if let Some(uid) = &self.query.since_event_uid {
            body["sinceEventUid"] = uid.as_str().into();
        }
        if !self.token.is_empty() {
            body["pageToken"] = self.token.as_str().into();
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ClientOptions;

    fn client() -> Client {
        Client::new(ClientOptions {
            access_token: Some(crate::api::SecretString::new("t")),
            endpoint: Some("127.0.0.1:9".into()),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn the_request_names_only_what_is_set() {
        let c = client();
        let mut pager = EventPager::new(&c, EventQuery::default());
        assert_eq!(
            pager.body(),
            json!({"pageSize": 100, "sortDirection": "SORT_DIRECTION_ASC"})
        );
        pager.query = EventQuery {
            since: Some("2026-05-01T10:00:00.250Z".parse().unwrap()),
            since_event_uid: Some("ev-1".into()),
        };
        pager.token = "next".into();
        assert_eq!(
            pager.body(),
            json!({
                "pageSize": 100,
                "sortDirection": "SORT_DIRECTION_ASC",
                "since": "2026-05-01T10:00:00.250Z",
                "sinceEventUid": "ev-1",
                "pageToken": "next",
            })
        );
    }
}
