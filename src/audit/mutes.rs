//! Mutes: an accepted finding, per credential or per connector, with a reason and a last
//! day. A muted finding is still reported, marked muted; it only stops counting against
//! `--fail-on`. A mute holds through the whole of its last day (UTC) and stops at the next
//! midnight: past its date it mutes nothing.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::catalog::CheckId;
use super::findings::Subject;

/// What a mute applies to: one credential, or every credential of a connector and the
/// connector itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MuteTarget {
    Credential(String),
    Connector(String),
}

/// Where a mute was set, so that a person can find it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MuteOrigin {
    /// The n-th `[[audit.mute]]` of the settings (from 1).
    Settings { entry: usize },
    /// `credboard audit mute`, stored in the inventory under this number.
    Inventory { id: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mute {
    pub check: CheckId,
    pub target: MuteTarget,
    pub reason: String,
    /// The last day it mutes (UTC).
    pub until: NaiveDate,
    pub origin: MuteOrigin,
}

impl Mute {
    /// The instant it stops muting: the midnight (UTC) after its last day.
    pub fn ends_at(&self) -> DateTime<Utc> {
        let next = self
            .until
            .checked_add_days(Days::new(1))
            .unwrap_or(NaiveDate::MAX);
        next.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
    }

    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        now < self.ends_at()
    }

    /// Whether it names this check and this subject (active or not).
    pub fn covers(&self, check: CheckId, subject: &Subject) -> bool {
        if self.check != check {
            return false;
        }
        match (&self.target, subject) {
            (MuteTarget::Credential(id), Subject::Credential(key)) => *id == key.credential_id,
            (MuteTarget::Connector(id), Subject::Credential(key)) => *id == key.connector_id,
            (MuteTarget::Connector(id), Subject::Connector { connector_id, .. }) => {
                id == connector_id
            }
            (MuteTarget::Credential(_), Subject::Connector { .. }) => false,
        }
    }

    /// "settings, [[audit.mute]] 2" or "inventory mute #3".
    pub fn origin_text(&self) -> String {
        match self.origin {
            MuteOrigin::Settings { entry } => format!("settings, [[audit.mute]] {entry}"),
            MuteOrigin::Inventory { id } => format!("inventory mute #{id}"),
        }
    }
}

/// The first mute in force at `now` for this check and subject.
pub fn muting<'a>(
    mutes: &'a [Mute],
    check: CheckId,
    subject: &Subject,
    now: DateTime<Utc>,
) -> Option<&'a Mute> {
    mutes
        .iter()
        .find(|m| m.is_active(now) && m.covers(check, subject))
}

/// A date as a mute's last day: `2027-01-31`.
pub fn parse_until(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date written as YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CredentialKey;
    use chrono::TimeZone;

    fn mute(target: MuteTarget) -> Mute {
        Mute {
            check: CheckId::Unused,
            target,
            reason: "break-glass".into(),
            until: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
            origin: MuteOrigin::Inventory { id: 1 },
        }
    }

    #[test]
    fn a_mute_holds_through_its_last_day_and_not_a_second_longer() {
        let m = mute(MuteTarget::Credential("c".into()));
        let last_second = Utc.with_ymd_and_hms(2027, 1, 31, 23, 59, 59).unwrap();
        assert!(m.is_active(last_second));
        assert!(!m.is_active(last_second + chrono::Duration::seconds(1)));
    }

    #[test]
    fn a_connector_mute_covers_its_credentials_a_credential_mute_only_its_own() {
        let key = CredentialKey::new("a", "k", "c");
        let own = Subject::Credential(key.clone());
        let other = Subject::Credential(CredentialKey::new("a", "k", "d"));
        let connector = Subject::Connector {
            app_id: "a".into(),
            connector_id: "k".into(),
        };
        let by_credential = mute(MuteTarget::Credential("c".into()));
        assert!(by_credential.covers(CheckId::Unused, &own));
        assert!(!by_credential.covers(CheckId::Unused, &other));
        assert!(!by_credential.covers(CheckId::Unused, &connector));
        assert!(
            !by_credential.covers(CheckId::RotationAge, &own),
            "other check"
        );
        let by_connector = mute(MuteTarget::Connector("k".into()));
        for s in [&own, &other, &connector] {
            assert!(by_connector.covers(CheckId::Unused, s));
        }
    }

    #[test]
    fn until_is_a_plain_date() {
        assert_eq!(
            parse_until("2027-01-31"),
            Ok(NaiveDate::from_ymd_opt(2027, 1, 31).unwrap())
        );
        assert!(parse_until("31/01/2027").is_err());
        assert!(parse_until("2027-02-30").is_err());
    }
}
