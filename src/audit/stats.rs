//! The figures the charts draw, as plain numbers: how old the live credentials are, how many
//! expire in each of the next 12 weeks, how long since each was last used, and the findings
//! by check. Pure; the report draws them as SVG, the dashboard's overview with its widgets.
//! Bucket edges include the policy's own threshold, so a bar never straddles it.

use chrono::{DateTime, Duration, Utc};

use super::catalog::CheckId;
use super::findings::Audit;
use super::policy::Policy;
use crate::api::ConnectorCredential;
use crate::model::{KnownCredential, Snapshot};

/// One bar of a chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: usize,
    /// A second count drawn beside the first (muted findings); 0 elsewhere.
    pub muted: usize,
    /// At or past the policy's threshold: drawn as a warning.
    pub beyond_policy: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub title: String,
    /// What the bars count ("live credentials").
    pub counts: &'static str,
    pub bars: Vec<Bar>,
}

impl Chart {
    pub fn total(&self) -> usize {
        self.bars.iter().map(|b| b.value + b.muted).sum()
    }
}

/// The four charts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub age: Chart,
    pub expiring: Chart,
    pub last_use: Chart,
    pub findings: Chart,
}

/// How many weeks ahead the expiry chart looks.
pub const EXPIRY_WEEKS: i64 = 12;

fn live(c: &KnownCredential, now: DateTime<Utc>) -> Option<&ConnectorCredential> {
    let last = c.last.as_ref().filter(|_| !c.gone)?;
    let expired = last.expires_time.is_some_and(|t| t <= now);
    (last.deleted_at.is_none() && !expired).then_some(last)
}

pub fn figures(snapshot: &Snapshot, audit: &Audit, policy: Policy, now: DateTime<Utc>) -> Figures {
    let live: Vec<&ConnectorCredential> = snapshot
        .credentials
        .iter()
        .filter_map(|c| live(c, now))
        .collect();
    let ages = live
        .iter()
        .map(|c| c.created_at.map(|t| (now - t).num_days()));
    let last_use = live
        .iter()
        .map(|c| c.last_used_at.map(|t| (now - t).num_days()));
    Figures {
        age: histogram(
            format!(
                "Age of the live credentials (policy: rotate within {} days)",
                policy.rotation_days
            ),
            &[30, 60, 90, 180, 365],
            policy.rotation_days.into(),
            ages,
            "unknown",
        ),
        expiring: expiring(&live, policy, now),
        last_use: histogram(
            format!(
                "Time since last use (policy: used within {} days)",
                policy.unused_days
            ),
            &[1, 7, 30, 90],
            policy.unused_days.into(),
            last_use,
            "never used",
        ),
        findings: by_check(audit),
    }
}

/// Bars of whole days between edges (the policy's threshold among them), then one for the
/// values not known.
fn histogram(
    title: String,
    edges: &[i64],
    threshold: i64,
    values: impl Iterator<Item = Option<i64>>,
    unknown: &str,
) -> Chart {
    let mut edges: Vec<i64> = edges.iter().copied().chain([threshold]).collect();
    edges.sort_unstable();
    edges.dedup();
    let mut bars: Vec<Bar> = std::iter::once(0)
        .chain(edges.iter().copied())
        .enumerate()
        .map(|(i, low)| Bar {
            label: match edges.get(i) {
                Some(1) => "under 1 day".to_string(),
                Some(high) if high - 1 == low => format!("{low} days"),
                Some(high) => format!("{low}–{} days", high - 1),
                None => format!("{low} days or more"),
            },
            value: 0,
            muted: 0,
            beyond_policy: low >= threshold,
        })
        .collect();
    bars.push(Bar {
        label: unknown.to_string(),
        value: 0,
        muted: 0,
        beyond_policy: unknown == "never used",
    });
    let unknown_bar = bars.len() - 1;
    for v in values {
        let i = match v {
            // A time in the future (a skewed clock) counts as 0 days.
            Some(days) => edges.iter().filter(|&&e| days.max(0) >= e).count(),
            None => unknown_bar,
        };
        bars[i].value += 1;
    }
    Chart {
        title,
        counts: "live credentials",
        bars,
    }
}

fn expiring(live: &[&ConnectorCredential], policy: Policy, now: DateTime<Utc>) -> Chart {
    let warn = Duration::days(policy.expiry_warning_days.into());
    let bars = (0..EXPIRY_WEEKS)
        .map(|week| {
            let start = now + Duration::weeks(week);
            let end = start + Duration::weeks(1);
            Bar {
                label: format!("week {} (from {})", week + 1, start.format("%Y-%m-%d")),
                value: live
                    .iter()
                    .filter(|c| c.expires_time.is_some_and(|t| t > start && t <= end))
                    .count(),
                muted: 0,
                beyond_policy: start - now < warn,
            }
        })
        .collect();
    Chart {
        title: format!(
            "Live credentials expiring in each of the next {EXPIRY_WEEKS} weeks (policy: warn {} days ahead)",
            policy.expiry_warning_days
        ),
        counts: "live credentials",
        bars,
    }
}

fn by_check(audit: &Audit) -> Chart {
    let bars = CheckId::ALL
        .into_iter()
        .filter(|c| audit.ran.contains(c))
        .map(|check| {
            let (value, muted) = audit.by_check(check);
            Bar {
                label: format!("{check} {}", check.title()),
                value,
                muted,
                beyond_policy: value > 0,
            }
        })
        .collect();
    Chart {
        title: "Findings by check (muted ones apart)".into(),
        counts: "findings",
        bars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_is_an_edge_and_every_value_lands_in_one_bar() {
        let chart = histogram(
            "t".into(),
            &[30, 60],
            45,
            [
                Some(0),
                Some(44),
                Some(45),
                Some(59),
                Some(60),
                Some(900),
                Some(-3),
                None,
            ]
            .into_iter(),
            "unknown",
        );
        let shown: Vec<(&str, usize, bool)> = chart
            .bars
            .iter()
            .map(|b| (b.label.as_str(), b.value, b.beyond_policy))
            .collect();
        assert_eq!(
            shown,
            [
                ("0–29 days", 2, false),
                ("30–44 days", 1, false),
                ("45–59 days", 2, true),
                ("60 days or more", 2, true),
                ("unknown", 1, false),
            ]
        );
        assert_eq!(chart.total(), 8);
    }
}
