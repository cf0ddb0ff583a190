//! `credboard list`: refresh every tracked credential, then print them.

use std::collections::HashMap;

use chrono::Utc;

use crate::audit::checks::{Exposure, Inputs, run as run_checks};
use crate::audit::{Flags, Group, Thresholds, flags_of};
use crate::cli::{Format, Global, StatusFilter};
use crate::ops::blocking;

use super::filter::{self, Found, Of, Row};
use super::output::{self, Listed};
use super::refresh::refresh;
use super::{CliError, Context};

pub async fn run(
    global: &Global,
    format: Format,
    status: StatusFilter,
    filter: Option<&str>,
) -> Result<(), CliError> {
    let query = filter::parse(filter)?;
    let ctx = Context::new(global).await?;
    ctx.check_unanswered().await;
    let failures = refresh(&ctx).await;
    let snapshot = blocking(&ctx.store, |s| s.snapshot())
        .await
        .map_err(CliError::failed)?;
    let tracked = snapshot.credentials.len();
    let thresholds = Thresholds {
        expiring_soon_days: ctx.settings.thresholds.expiring_soon_days.into(),
        idle_days: ctx.settings.thresholds.idle_days.into(),
    };
    if snapshot.credentials.is_empty() {
        // The API cannot list credentials: say how the inventory learns them.
        eprintln!(
            "no credential is tracked for tenant {}: learn ids with `credboard import FILE`, \
             `credboard track APP_ID CONNECTOR_ID CREDENTIAL_ID`, or rotate one",
            ctx.store.tenant()
        );
    }
    let now = Utc::now();
    // The findings, only for a filter that asks about them: the checks `audit` runs, but not
    // CB-1.7 (it asks the Findings API).
    let found = match &query {
        Some(q) if q.uses_findings() => {
            eprintln!(
                "note: list does not ask the Findings API, so no credential has a CB-1.7 \
                 finding here; `credboard audit --filter` checks it"
            );
            let audit = run_checks(&Inputs {
                snapshot: &snapshot,
                policy: ctx.settings.audit.policy(),
                exposure: &Exposure::Unavailable("not asked by list".into()),
                mutes: &[],
                now,
                only: &[],
            });
            Found::of(&audit)
        }
        _ => Found::default(),
    };
    ctx.close().await;

    let apps: HashMap<_, _> = snapshot
        .apps
        .iter()
        .filter_map(|a| Some((a.id.clone()?, a.display_name.clone())))
        .collect();
    let connectors: HashMap<_, _> = snapshot
        .connectors
        .iter()
        .filter_map(|c| Some((c.id.clone()?, c.display_name.clone())))
        .collect();
    let mut rows: Vec<Listed> = snapshot
        .credentials
        .into_iter()
        .map(|entry| {
            let flags = flags_of(entry.last.as_ref(), entry.gone, now, thresholds);
            Listed {
                app_name: apps.get(&entry.key.app_id).cloned().flatten(),
                connector_name: connectors.get(&entry.key.connector_id).cloned().flatten(),
                ids: entry.key,
                credential: entry.last,
                flags,
            }
        })
        .filter(|row| admits(status, row.flags))
        .filter(|row| {
            query.as_ref().is_none_or(|q| {
                let r = Row::new(Of {
                    key: &row.ids,
                    credential: row.credential.as_ref(),
                    flags: row.flags,
                    app_name: row.app_name.as_deref(),
                    connector_name: row.connector_name.as_deref(),
                    checks: found.of_credential(&row.ids),
                });
                q.matches(&r, now)
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (
            &a.app_name,
            &a.connector_name,
            a.name(),
            &a.ids.credential_id,
        )
            .cmp(&(
                &b.app_name,
                &b.connector_name,
                b.name(),
                &b.ids.credential_id,
            ))
    });
    output::credentials(&rows, format, now).map_err(CliError::failed)?;
    if failures.is_empty() {
        return Ok(());
    }
    for line in failures.lines() {
        eprintln!("warning: {}", output::inert(&line));
    }
    Err(CliError::failed(failures.summary(tracked)))
}

fn admits(filter: StatusFilter, flags: Flags) -> bool {
    let group = match filter {
        StatusFilter::All => return true,
        StatusFilter::Active => Group::Active,
        StatusFilter::Revoked => Group::Revoked,
        StatusFilter::Expired => Group::Expired,
        StatusFilter::Expiring => Group::Expiring,
        StatusFilter::NeverUsed => Group::NeverUsed,
        StatusFilter::Idle => Group::Idle,
    };
    group.holds(flags)
}
