//! "In use, not tracked": the client ids seen signing in that no tracked credential has, so
//! a connector using a credential credboard does not know comes to light. A tracked
//! credential that was never fetched has no known client id, so it is fetched first (and its
//! state saved, unless in a dry run): otherwise its own client id would be named untracked.

use std::sync::Arc;

use chrono::Utc;
use futures::StreamExt as _;

use super::read::ClientSeen;
use super::report::ClientInUse;
use super::verify::{Breaker, Checked, check};
use crate::api::Client;
use crate::ops::blocking;
use crate::store::{Store, StoreError};

/// The client ids seen that match no tracked credential, and how many tracked credentials
/// still have no known client id (they could not be fetched).
pub(super) struct InUse {
    pub clients: Vec<ClientInUse>,
    pub unknown: usize,
}

/// `seen` without the client ids the inventory's credentials have, those of `also_known`
/// (verified in a dry run, not tracked) and credboard's own.
pub(super) async fn untracked_clients(
    client: &Client,
    store: &Arc<Store>,
    seen: Vec<ClientSeen>,
    also_known: Vec<String>,
    concurrency: usize,
    dry_run: bool,
) -> Result<InUse, StoreError> {
    if seen.is_empty() {
        return Ok(InUse {
            clients: Vec::new(),
            unknown: 0,
        });
    }
    let snapshot = blocking(store, |s| s.snapshot()).await?;
    let mut known: Vec<String> = also_known;
    known.extend(client.client_id().map(str::to_string));
    let mut unfetched = Vec::new();
    for c in &snapshot.credentials {
        match c.last.as_ref().and_then(|l| l.client_id.clone()) {
            Some(id) => known.push(id),
            None => unfetched.push(c.key.clone()),
        }
    }
    let mut fetched = Vec::new();
    let mut breaker = Breaker::default();
    // Owned keys: a closure over borrowed items would keep the run from being spawned.
    let unfetched_count = unfetched.len();
    let mut gets = futures::stream::iter(unfetched)
        .map(|key| async move { check(client, &key).await })
        .buffer_unordered(concurrency.max(1));
    while let Some((checked, unanswered)) = gets.next().await {
        if let Checked::Verified(credential) = checked {
            known.extend(credential.client_id.clone());
            fetched.push(credential);
        }
        if breaker.record(unanswered) {
            break;
        }
    }
    drop(gets);
    let unknown = unfetched_count - fetched.len();
    if !dry_run && !fetched.is_empty() {
        blocking(store, move |s| s.save_credentials(&fetched, Utc::now())).await?;
    }
    known.sort_unstable();
    let mut clients: Vec<ClientInUse> = seen
        .into_iter()
        .filter(|s| known.binary_search(&s.client_id).is_err())
        .map(Into::into)
        .collect();
    clients.sort_by(|a, b| a.client_id.cmp(&b.client_id));
    Ok(InUse { clients, unknown })
}
