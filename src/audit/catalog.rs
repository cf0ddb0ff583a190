//! The checks credboard runs: each has an id, a title and a severity, and the source its
//! default follows. One table, read by the checks, `--check`, the settings and every format.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// How bad a finding is, lowest first: the order `--fail-on` compares in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A check, by what it looks for. Its id (`CB-1.1`) is what users type and files carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckId {
    /// CB-1.1: a live credential older than the rotation age.
    RotationAge,
    /// CB-1.2: a live credential last used longer ago than allowed.
    Unused,
    /// CB-1.3: a live credential never used past a grace period.
    NeverUsed,
    /// CB-1.4: older live credentials of a connector kept past the overlap window.
    Overlap,
    /// CB-1.5: a live credential without an expiry.
    NoExpiry,
    /// CB-1.6: expired but not revoked, or expiring soon.
    Expiry,
    /// CB-1.7: ConductorOne reports the credential publicly exposed.
    Exposed,
    /// CB-2.1: a live credential of a connector whose sync is in error or disabled.
    BrokenSync,
    /// CB-3.1: a connector without a tracked live credential, or a stale fetch.
    Coverage,
}

impl CheckId {
    pub const ALL: [CheckId; 9] = [
        CheckId::RotationAge,
        CheckId::Unused,
        CheckId::NeverUsed,
        CheckId::Overlap,
        CheckId::NoExpiry,
        CheckId::Expiry,
        CheckId::Exposed,
        CheckId::BrokenSync,
        CheckId::Coverage,
    ];

    pub fn id(self) -> &'static str {
        match self {
            CheckId::RotationAge => "CB-1.1",
            CheckId::Unused => "CB-1.2",
            CheckId::NeverUsed => "CB-1.3",
            CheckId::Overlap => "CB-1.4",
            CheckId::NoExpiry => "CB-1.5",
            CheckId::Expiry => "CB-1.6",
            CheckId::Exposed => "CB-1.7",
            CheckId::BrokenSync => "CB-2.1",
            CheckId::Coverage => "CB-3.1",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            CheckId::RotationAge => "credential not rotated within the rotation age",
            CheckId::Unused => "credential unused for too long",
            CheckId::NeverUsed => "credential never used after its grace period",
            CheckId::Overlap => "older credential kept past the overlap window",
            CheckId::NoExpiry => "credential without an expiry",
            CheckId::Expiry => "credential expired but not revoked, or expiring soon",
            CheckId::Exposed => "credential publicly exposed",
            CheckId::BrokenSync => "credential of a connector whose sync is broken",
            CheckId::Coverage => "connector or credential not covered by the inventory",
        }
    }

    /// The severity of its findings (CB-1.6 has two: high when expired, low when expiring;
    /// this is the highest).
    pub fn severity(self) -> Severity {
        match self {
            CheckId::RotationAge | CheckId::Unused | CheckId::NeverUsed | CheckId::Overlap => {
                Severity::Medium
            }
            CheckId::NoExpiry | CheckId::BrokenSync => Severity::Low,
            CheckId::Expiry => Severity::High,
            CheckId::Exposed => Severity::Critical,
            CheckId::Coverage => Severity::Info,
        }
    }

    /// What to do about a finding, in a sentence.
    pub fn remedy(self) -> &'static str {
        match self {
            CheckId::RotationAge => {
                "Rotate: mint a new credential for the connector (credboard rotate), move the \
                 connector onto it, then revoke this one."
            }
            CheckId::Unused => {
                "Revoke it if nothing needs it, or find out why its connector stopped using it."
            }
            CheckId::NeverUsed => "Revoke it: a connector that needed it would have used it.",
            CheckId::Overlap => {
                "Revoke the older credentials once the connector uses the newest one."
            }
            CheckId::NoExpiry => {
                "Prefer credentials that expire: rotate onto one with an expiry, then revoke \
                 this one."
            }
            CheckId::Expiry => {
                "Revoke an expired credential; rotate an expiring one before it expires."
            }
            CheckId::Exposed => {
                "Revoke it now, rotate the connector onto a new credential, then find how it \
                 leaked."
            }
            CheckId::BrokenSync => {
                "Fix the connector's sync (its error says why), or revoke the credential if \
                 the connector is retired."
            }
            CheckId::Coverage => {
                "Track the connector's credential (credboard import or track), or refresh the \
                 inventory."
            }
        }
    }

    /// Where the check and its default come from, as the README names it.
    pub fn source(self) -> &'static str {
        match self {
            CheckId::RotationAge => {
                "CIS AWS Foundations: access keys rotated every 90 days or less \
                 (Prowler iam_rotate_access_key_90_days)"
            }
            CheckId::Unused => {
                "CIS AWS Foundations: credentials unused for 45 days or more disabled \
                 (Prowler iam_user_accesskey_unused, max_unused_access_keys_days = 45)"
            }
            CheckId::NeverUsed => {
                "CIS AWS Foundations: no access keys set up before they are needed \
                 (Prowler iam_user_no_setup_initial_access_key); the 7-day grace is credboard's"
            }
            CheckId::Overlap => {
                "CIS AWS Foundations: one active access key per user \
                 (Prowler iam_user_two_active_access_key); the 7-day overlap for a rotation \
                 is credboard's"
            }
            CheckId::NoExpiry => {
                "CIS Microsoft Azure Foundations: an expiration date set for every Key Vault \
                 key and secret"
            }
            CheckId::Expiry => {
                "Prowler's certificate expiry checks (days_to_expire_threshold); 30 days \
                 ahead is credboard's default"
            }
            CheckId::Exposed => "ConductorOne's Findings API: credentialPubliclyExposed",
            CheckId::BrokenSync => "credboard: a connector that cannot sync is not using it",
            CheckId::Coverage => "credboard: what the inventory cannot see or has not seen lately",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A check id that names no check, with the nearest one to suggest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", unknown_message(.given, *.nearest))]
pub struct UnknownCheck {
    pub given: String,
    pub nearest: Option<CheckId>,
}

fn unknown_message(given: &str, nearest: Option<CheckId>) -> String {
    let known: Vec<&str> = CheckId::ALL.iter().map(|c| c.id()).collect();
    let hint = nearest
        .map(|c| format!("did you mean {c}? "))
        .unwrap_or_default();
    format!(
        "there is no check {given:?}; {hint}the checks are {}",
        known.join(", ")
    )
}

impl FromStr for CheckId {
    type Err = UnknownCheck;

    /// `CB-1.2`, in any case, spaces around ignored.
    fn from_str(s: &str) -> Result<CheckId, UnknownCheck> {
        let wanted = s.trim().to_ascii_uppercase();
        if let Some(c) = CheckId::ALL.into_iter().find(|c| c.id() == wanted) {
            return Ok(c);
        }
        let nearest = CheckId::ALL
            .into_iter()
            .map(|c| (strsim::levenshtein(&wanted, c.id()), c))
            .filter(|(d, _)| *d <= 2)
            .min()
            .map(|(_, c)| c);
        Err(UnknownCheck {
            given: s.to_string(),
            nearest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_back_and_a_typo_gets_the_nearest() {
        for c in CheckId::ALL {
            assert_eq!(c.id().parse::<CheckId>(), Ok(c));
        }
        assert_eq!("cb-1.2".parse::<CheckId>(), Ok(CheckId::Unused));
        let typo = "CB-1.9".parse::<CheckId>().unwrap_err();
        assert!(typo.nearest.is_some());
        assert!(typo.to_string().contains("did you mean CB-1."), "{typo}");
        let far = "rotation".parse::<CheckId>().unwrap_err();
        assert_eq!(far.nearest, None);
        assert!(far.to_string().contains("CB-3.1"), "{far}");
    }

    #[test]
    fn severities_order_as_fail_on_compares_them() {
        assert!(Severity::Info < Severity::Low && Severity::High < Severity::Critical);
        assert_eq!(CheckId::Exposed.severity(), Severity::Critical);
    }
}
