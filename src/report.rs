//! The audit's findings and the auditor's report in every format credboard writes them:
//! pure functions from the audit and the inventory to text. Server text is made inert for a
//! terminal (`csv`, the table), escaped for markup (`markdown`, `html`), or kept exactly
//! and escaped by the encoder (`json`, `ocsf`).
//!
//! `json`, `csv`, `ocsf` and `markdown` write `credboard audit`'s findings; `document` holds
//! what the full report shows, `markdown` and `html` write it, `svg` draws its charts,
//! `escape` makes text safe for each.

pub mod csv;
pub mod document;
pub mod escape;
pub mod html;
pub mod json;
pub mod markdown;
pub mod ocsf;
pub mod svg;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::audit::policy::Policy;

/// How current the inventory the checks ran on is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Refreshed just before, every call answering.
    Refreshed,
    /// Refreshed, but some calls failed: those rows are their last known state.
    PartlyRefreshed { failed: String },
    /// Not refreshed (`--offline`): the inventory as stored, fetched between these times.
    Offline {
        newest: Option<DateTime<Utc>>,
        oldest: Option<DateTime<Utc>>,
    },
}

impl Freshness {
    /// "refreshed", "partly refreshed", "offline".
    pub fn word(&self) -> &'static str {
        match self {
            Freshness::Refreshed => "refreshed",
            Freshness::PartlyRefreshed { .. } => "partly refreshed",
            Freshness::Offline { .. } => "offline",
        }
    }

    /// In a sentence, with the ages said against `now`.
    pub fn sentence(&self, now: DateTime<Utc>) -> String {
        match self {
            Freshness::Refreshed => "refreshed from the tenant just before".into(),
            Freshness::PartlyRefreshed { failed } => {
                format!("partly refreshed ({failed}); those rows are their last known state")
            }
            Freshness::Offline {
                newest: Some(newest),
                oldest: Some(oldest),
            } => format!(
                "offline: the inventory as stored, last fetched {} (the oldest row {})",
                age(*newest, now),
                age(*oldest, now)
            ),
            Freshness::Offline { .. } => {
                "offline: the inventory as stored, never fetched from the tenant".into()
            }
        }
    }
}

/// "3 hours ago" in whole units, "just now" under a minute.
pub fn age(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds().max(0);
    let (n, unit) = match secs {
        s if s < 60 => return "just now".into(),
        s if s < 3600 => (s / 60, "minute"),
        s if s < 2 * 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{plural} ago")
}

/// What was audited, when and how: the head of every document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The tenant's host[:port], as the inventory is keyed.
    pub tenant: String,
    pub profile: String,
    pub generated_at: DateTime<Utc>,
    pub freshness: Freshness,
    pub policy: Policy,
}

impl Provenance {
    pub fn version() -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

/// RFC 3339 in UTC to the second.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn ages_in_whole_units() {
        let now = Utc::now();
        assert_eq!(age(now - Duration::seconds(59), now), "just now");
        assert_eq!(age(now - Duration::minutes(1), now), "1 minute ago");
        assert_eq!(age(now - Duration::hours(47), now), "47 hours ago");
        assert_eq!(age(now - Duration::days(3), now), "3 days ago");
        assert_eq!(age(now + Duration::days(3), now), "just now");
    }
}
