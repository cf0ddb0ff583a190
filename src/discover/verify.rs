//! Checking a candidate with the Get call before anything is tracked: the server's answer,
//! not the log, decides. A 404 means the server holds no credential under those ids (a
//! mistaken guess, or one deleted since): it is not tracked.

use crate::api::{ApiError, Client, ConnectorCredential};
use crate::model::CredentialKey;

/// What the Get said about a candidate.
#[derive(Debug, Clone)]
pub enum Checked {
    /// The server holds it (live or revoked): this is its record.
    Verified(ConnectorCredential),
    /// The server answered 404.
    NotFound,
    /// No answer that settles it; the message says why.
    Failed(String),
}

/// Gets one candidate. Returns whether the call got no reply at all, for the [`Breaker`].
pub(super) async fn check(client: &Client, key: &CredentialKey) -> (Checked, bool) {
    match client
        .get_credential(&key.app_id, &key.connector_id, &key.credential_id)
        .await
    {
        Ok(Some(credential)) => (Checked::Verified(credential), false),
        Ok(None) => (Checked::NotFound, false),
        Err(e) => {
            let unanswered = ApiError::is_unanswered(&e);
            (Checked::Failed(e.to_string()), unanswered)
        }
    }
}

/// Stops verifying once a tenant stops answering: after this many calls in a row get no
/// reply, the rest would each wait out their timeouts and retries for nothing.
pub(super) const UNANSWERED_IN_A_ROW: u32 = 8;

/// Counts calls in a row that got no reply; any reply starts the count again.
#[derive(Debug, Default)]
pub(super) struct Breaker {
    in_a_row: u32,
}

impl Breaker {
    /// Records one call; `true` once the tenant is taken to have stopped answering.
    pub fn record(&mut self, unanswered: bool) -> bool {
        self.in_a_row = if unanswered { self.in_a_row + 1 } else { 0 };
        self.in_a_row >= UNANSWERED_IN_A_ROW
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_breaker_opens_after_calls_in_a_row_get_no_reply() {
        let mut b = Breaker::default();
        for _ in 0..UNANSWERED_IN_A_ROW - 1 {
            assert!(!b.record(true));
        }
        assert!(!b.record(false), "a reply starts the count again");
        for _ in 0..UNANSWERED_IN_A_ROW - 1 {
            assert!(!b.record(true));
        }
        assert!(b.record(true));
    }
}
