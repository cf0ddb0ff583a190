//! The thresholds the checks compare against, with their defaults (CIS AWS Foundations and
//! Prowler's where they have one). The settings' `[audit]` section fills them in.

use serde::Serialize;

use super::catalog::CheckId;

/// The thresholds in force. A count of days (or hours) is met once that many whole days
/// (hours) have passed: a credential created exactly 90 days ago is 90 days old, and breaks
/// a rotation age of 90.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// CB-1.1: rotate a credential within this many days of its creation.
    pub rotation_days: u32,
    /// CB-1.2: a credential last used this many days ago or more is unused.
    pub unused_days: u32,
    /// CB-1.3: a credential never used this many days after its creation.
    pub never_used_grace_days: u32,
    /// CB-1.4: how long a connector may keep older live credentials beside its newest one.
    pub overlap_days: u32,
    /// CB-1.6: warn when a credential expires within this many days.
    pub expiry_warning_days: u32,
    /// CB-3.1: a credential not fetched for this many hours is stale.
    pub fetch_stale_hours: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            rotation_days: 90,
            unused_days: 45,
            never_used_grace_days: 7,
            overlap_days: 7,
            expiry_warning_days: 30,
            fetch_stale_hours: 24,
        }
    }
}

impl Policy {
    /// The threshold of a check in words ("90 days"), for reports; `None` for the checks
    /// that have none.
    pub fn threshold_of(&self, check: CheckId) -> Option<String> {
        let days = |n: u32| {
            if n == 1 {
                "1 day".into()
            } else {
                format!("{n} days")
            }
        };
        Some(match check {
            CheckId::RotationAge => days(self.rotation_days),
            CheckId::Unused => days(self.unused_days),
            CheckId::NeverUsed => days(self.never_used_grace_days),
            CheckId::Overlap => days(self.overlap_days),
            CheckId::Expiry => days(self.expiry_warning_days),
            CheckId::Coverage => match self.fetch_stale_hours {
                1 => "1 hour".into(),
                n => format!("{n} hours"),
            },
            CheckId::NoExpiry | CheckId::Exposed | CheckId::BrokenSync => return None,
        })
    }

    /// The setting that holds a check's threshold, as `[audit]` names it.
    pub fn setting_of(check: CheckId) -> Option<&'static str> {
        Some(match check {
            CheckId::RotationAge => "rotation_days",
            CheckId::Unused => "unused_days",
            CheckId::NeverUsed => "never_used_grace_days",
            CheckId::Overlap => "overlap_days",
            CheckId::Expiry => "expiry_warning_days",
            CheckId::Coverage => "fetch_stale_hours",
            CheckId::NoExpiry | CheckId::Exposed | CheckId::BrokenSync => return None,
        })
    }
}
