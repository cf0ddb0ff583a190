//! `credboard list`: refresh every tracked credential, then print them.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use tokio::sync::mpsc;

use crate::actions::{Actions, blocking};
use crate::app::rows::{Flags, Thresholds, flags_of};
use crate::app::{Effect, Fetched, WorkerMsg};
use crate::cli::{Format, Global, StatusFilter};
use crate::worker::Worker;

use super::output::{self, Listed};
use super::{CliError, Context};

pub async fn run(global: &Global, format: Format, status: StatusFilter) -> Result<(), CliError> {
    let ctx = Context::new(global).await?;
    ctx.check_unanswered().await;
    let failures = refresh(&ctx).await;
    let snapshot = blocking(&ctx.store, |s| s.snapshot())
        .await
        .map_err(CliError::failed)?;
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
    ctx.close().await;

    let now = Utc::now();
    let apps: HashMap<_, _> = snapshot
        .apps
        .iter()
        .filter_map(|a| Some((a.value.id.clone()?, a.value.display_name.clone())))
        .collect();
    let connectors: HashMap<_, _> = snapshot
        .connectors
        .iter()
        .filter_map(|c| Some((c.value.id.clone()?, c.value.display_name.clone())))
        .collect();
    let mut rows: Vec<Listed> = snapshot
        .credentials
        .into_iter()
        .map(|entry| {
            let flags = flags_of(entry.last_known.as_ref(), entry.gone, now, thresholds);
            Listed {
                app_name: apps.get(&entry.tracked.ids.app_id).cloned().flatten(),
                connector_name: connectors
                    .get(&entry.tracked.ids.connector_id)
                    .cloned()
                    .flatten(),
                ids: entry.tracked.ids,
                credential: entry.last_known,
                flags,
            }
        })
        .filter(|row| admits(status, row.flags))
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
    for f in &failures {
        eprintln!("warning: {}", output::inert(&f.to_string()));
    }
    Err(CliError::failed(format!(
        "{} calls of the refresh failed; the list shows the last known state for those",
        failures.len()
    )))
}

fn admits(filter: StatusFilter, flags: Flags) -> bool {
    match filter {
        StatusFilter::All => true,
        StatusFilter::Active => flags.is_active(),
        StatusFilter::Revoked => flags.is_dead(),
        StatusFilter::Expired => flags.contains(Flags::EXPIRED),
        StatusFilter::Expiring => flags.contains(Flags::EXPIRING),
        StatusFilter::NeverUsed => flags.contains(Flags::NEVER_USED),
        StatusFilter::Idle => flags.contains(Flags::IDLE),
    }
}

/// One refresh by the dashboard's own worker, so `list` and the dashboard fetch and store
/// alike. Returns what failed, in words.
async fn refresh(ctx: &Context) -> Vec<String> {
    let (effects, effects_rx) = mpsc::unbounded_channel();
    let (results_tx, mut results) = mpsc::unbounded_channel();
    let actions = Arc::new(Actions::new(ctx.client.clone(), ctx.store.clone(), true));
    let worker = Worker::new(
        ctx.client.clone(),
        ctx.store.clone(),
        actions,
        ctx.settings.concurrency,
        results_tx,
    );
    let task = tokio::spawn(worker.run(effects_rx));
    let _ = effects.send(Effect::Refresh { generation: 1 });
    let mut failures = Vec::new();
    while let Some(msg) = results.recv().await {
        match msg {
            WorkerMsg::Credential {
                fetched: Fetched::Failed(e),
                ..
            } => failures.push(e),
            WorkerMsg::RefreshError { error, .. } | WorkerMsg::Error(error) => failures.push(error),
            WorkerMsg::RefreshDone { .. } => break,
            _ => {}
        }
    }
    drop(effects);
    let _ = task.await;
    failures
}
