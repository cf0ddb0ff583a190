//! `[audit]` of the settings: the thresholds of the policy checks (see `audit::policy`) and
//! `[[audit.mute]]`, as written; `Settings::problems` checks them.

use serde::{Deserialize, Deserializer, Serialize};

use crate::audit::catalog::CheckId;
use crate::audit::mutes::{Mute, MuteOrigin, MuteTarget, parse_until};
use crate::audit::policy::Policy;

/// `[audit]`: the thresholds of the checks (see `audit::policy`) and `[[audit.mute]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditSettings {
    pub rotation_days: u32,
    pub unused_days: u32,
    pub never_used_grace_days: u32,
    pub overlap_days: u32,
    pub expiry_warning_days: u32,
    pub fetch_stale_hours: u32,
    #[serde(rename = "mute")]
    pub mutes: Vec<MuteSetting>,
}

/// One `[[audit.mute]]`: a check accepted for one credential or one connector, for a reason,
/// through a last day. Checked by [`Settings::problems`]; the audit reads it as a mute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MuteSetting {
    pub check: String,
    pub credential: Option<String>,
    pub connector: Option<String>,
    pub reason: String,
    /// `"2027-01-31"`, or the TOML date `2027-01-31`.
    #[serde(deserialize_with = "date_text")]
    pub until: String,
}

impl Default for AuditSettings {
    fn default() -> Self {
        let p = Policy::default();
        Self {
            rotation_days: p.rotation_days,
            unused_days: p.unused_days,
            never_used_grace_days: p.never_used_grace_days,
            overlap_days: p.overlap_days,
            expiry_warning_days: p.expiry_warning_days,
            fetch_stale_hours: p.fetch_stale_hours,
            mutes: Vec::new(),
        }
    }
}

impl AuditSettings {
    /// The thresholds in force.
    pub fn policy(&self) -> Policy {
        Policy {
            rotation_days: self.rotation_days,
            unused_days: self.unused_days,
            never_used_grace_days: self.never_used_grace_days,
            overlap_days: self.overlap_days,
            expiry_warning_days: self.expiry_warning_days,
            fetch_stale_hours: self.fetch_stale_hours,
        }
    }
}

/// A date given as text or as a TOML date, kept as its text.
fn date_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrDate {
        Text(String),
        Date(toml::value::Datetime),
    }
    Ok(match TextOrDate::deserialize(d)? {
        TextOrDate::Text(s) => s,
        TextOrDate::Date(d) => d.to_string(),
    })
}

impl MuteSetting {
    /// The mute as the audit reads it, `entry` its place among `[[audit.mute]]` (from 1);
    /// `None` when it is not one (`credboard config` names what is wrong).
    pub fn mute(&self, entry: usize) -> Option<Mute> {
        let target = match (&self.credential, &self.connector) {
            (Some(id), None) => MuteTarget::Credential(id.clone()),
            (None, Some(id)) => MuteTarget::Connector(id.clone()),
            _ => return None,
        };
        Some(Mute {
            check: self.check.parse::<CheckId>().ok()?,
            target,
            reason: self.reason.clone(),
            until: parse_until(&self.until).ok()?,
            origin: MuteOrigin::Settings { entry },
        })
    }
}

impl AuditSettings {
    /// Every `[[audit.mute]]` that is one, as the audit reads it.
    pub fn mutes_in_force(&self) -> Vec<Mute> {
        (self.mutes.iter().enumerate())
            .filter_map(|(i, m)| m.mute(i + 1))
            .collect()
    }
}
