//! One discovery run: read the log from where the last run stopped (or `--since`), verify
//! each new candidate with a Get, track what the server confirms (in batches, so they show as
//! they are verified), move the cursor only past what was settled, and say what happened.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use futures::StreamExt as _;

use super::in_use::untracked_clients;
use super::read::{ReadEnd, ReadFailure, read_log};
use super::report::{Found, Report, Unsettled};
use super::verify::{Breaker, Checked, UNANSWERED_IN_A_ROW, check};
use super::{DiscoverError, Options, Progress, RawEvents};
use crate::api::Client;
use crate::api::systemlog::EventQuery;
use crate::model::CredentialKey;
use crate::ops::blocking;
use crate::store::{Discovered, LogCursor, Store, Tracking};

/// Verified credentials tracked in one transaction: few enough that they show soon.
const TRACK_BATCH: usize = 25;

pub async fn run(
    client: &Client,
    store: &Arc<Store>,
    options: &Options,
    mut progress: impl FnMut(Progress) + Send,
) -> Result<Report, DiscoverError> {
    let store_call = DiscoverError::Store;
    let tracked: HashMap<String, CredentialKey> = blocking(store, |s| s.tracked())
        .await
        .map_err(store_call)?
        .into_iter()
        .map(|t| (t.ids.credential_id.clone(), t.ids))
        .collect();
    let stored = blocking(store, |s| s.system_log_cursor())
        .await
        .map_err(store_call)?;
    let from_cursor = stored.clone().filter(|_| !options.since_explicit);
    let query = match &from_cursor {
        Some(c) => EventQuery {
            since: Some(c.time),
            since_event_uid: c.uid.clone(),
        },
        None => EventQuery {
            since: Some(options.since),
            since_event_uid: None,
        },
    };
    let tenant = store.tenant().as_str().to_string();
    let mut raw = match &options.save_raw {
        Some(dir) => Some(
            RawEvents::create(dir, &tenant, Utc::now())
                .map_err(|e| DiscoverError::SaveRaw(dir.clone(), e))?,
        ),
        None => None,
    };
    let read = read_log(
        client,
        query.clone(),
        from_cursor.as_ref(),
        options.max_events,
        raw.as_mut(),
        &mut progress,
    )
    .await;
    let findings = match read {
        Ok(findings) => findings,
        Err(e) => {
            if let (Some(raw), ReadFailure::Api(_)) = (raw, &e) {
                raw.discard();
            }
            return Err(match e {
                ReadFailure::Api(e) => DiscoverError::from_first_page(e, client.client_id()),
                ReadFailure::SaveRaw(io) => {
                    DiscoverError::SaveRaw(options.save_raw.clone().unwrap_or_default(), io)
                }
            });
        }
    };

    let mut report = Report {
        tenant,
        dry_run: options.dry_run,
        read_from: query.since.unwrap_or(options.since),
        from_cursor: from_cursor.is_some(),
        events_read: findings.events_read,
        events_already_read: findings.events_skipped,
        read_to_end: matches!(findings.end, ReadEnd::Complete),
        read_error: match &findings.end {
            ReadEnd::Failed(e) => Some(e.to_string()),
            _ => None,
        },
        candidates: findings.candidates.len(),
        rejected: findings.rejected,
        already_known: 0,
        verified: Vec::new(),
        newly_tracked: 0,
        not_found: Vec::new(),
        unverified: Vec::new(),
        conflicts: Vec::new(),
        in_use_not_tracked: Vec::new(),
        tracked_without_client_id: 0,
        next_from: None,
        raw_file: None,
        raw_values_removed: 0,
    };

    let (known, to_verify): (Vec<_>, Vec<_>) = findings
        .candidates
        .into_iter()
        .partition(|c| tracked.get(&c.key.credential_id) == Some(&c.key));
    report.already_known = known.len();
    // Where the log may be taken as read: not past an event whose candidate is unsettled.
    let mut hold_before: Option<Option<LogCursor>> = None;
    let total = to_verify.len();
    let mut breaker = Breaker::default();
    let mut batch: Vec<Discovered> = Vec::new();
    // Owned keys: a closure over borrowed items would keep the run from being spawned.
    let keys: Vec<CredentialKey> = to_verify.iter().map(|c| c.key.clone()).collect();
    let mut checks = futures::stream::iter(keys.into_iter().enumerate())
        .map(|(i, key)| async move { (i, check(client, &key).await) })
        .buffer_unordered(options.concurrency.max(1));
    let mut settled = vec![false; total];
    let mut done = 0;
    while let Some((i, (checked, unanswered))) = checks.next().await {
        let candidate = &to_verify[i];
        settled[i] = true;
        done += 1;
        progress(Progress::Verifying { done, of: total });
        match checked {
            Checked::Verified(credential) => {
                let origin = candidate.origin.to_string();
                report
                    .verified
                    .push(Found::new(candidate.key.clone(), origin, &credential));
                if options.dry_run {
                    progress(Progress::Found {
                        key: candidate.key.clone(),
                        credential: Box::new(credential),
                        tracked: false,
                    });
                } else {
                    batch.push(Discovered {
                        key: candidate.key.clone(),
                        origin: candidate.origin.clone(),
                        credential,
                    });
                }
            }
            Checked::NotFound => report.not_found.push(candidate.key.clone()),
            Checked::Failed(error) => {
                hold(&mut hold_before, &candidate.before);
                report.unverified.push(Unsettled {
                    ids: candidate.key.clone(),
                    error,
                });
            }
        }
        if batch.len() >= TRACK_BATCH {
            track(store, &mut batch, &mut report, &mut progress).await?;
        }
        if breaker.record(unanswered) {
            break;
        }
    }
    drop(checks);
    track(store, &mut batch, &mut report, &mut progress).await?;
    let unsettled = to_verify.iter().zip(&settled).filter(|(_, s)| !**s);
    for (candidate, _) in unsettled {
        hold(&mut hold_before, &candidate.before);
        report.unverified.push(Unsettled {
            ids: candidate.key.clone(),
            error: format!(
                "not verified: the tenant stopped answering ({UNANSWERED_IN_A_ROW} calls in a \
                 row got no reply)"
            ),
        });
    }

    let next = match hold_before {
        Some(before) => before,
        None => findings.last,
    };
    report.next_from = match (next, options.dry_run) {
        (Some(next), false) => {
            let kept = blocking(store, move |s| s.advance_system_log_cursor(&next))
                .await
                .map_err(store_call)?;
            Some(kept.into())
        }
        // A dry run records nothing, and a run that could mark no place leaves the cursor
        // where it was: the next run reads from there.
        _ => stored.map(Into::into),
    };

    let in_use = untracked_clients(
        client,
        store,
        findings.clients,
        report
            .verified
            .iter()
            .filter_map(|f| f.client_id.clone())
            .collect(),
        options.concurrency,
        options.dry_run,
    )
    .await
    .map_err(store_call)?;
    report.in_use_not_tracked = in_use.clients;
    report.tracked_without_client_id = in_use.unknown;

    // Gets finish in any order; the report lists ids in one.
    report.verified.sort_by(|a, b| a.ids.cmp(&b.ids));
    report.not_found.sort();
    report.unverified.sort_by(|a, b| a.ids.cmp(&b.ids));
    report.conflicts.sort_by(|a, b| a.ids.cmp(&b.ids));

    if let Some(raw) = raw {
        report.raw_values_removed = raw.removed;
        let path = raw
            .finish()
            .map_err(|e| DiscoverError::SaveRaw(options.save_raw.clone().unwrap_or_default(), e))?;
        report.raw_file = Some(path.display().to_string());
    }
    Ok(report)
}

/// Keeps the cursor at or before `before`: the earliest hold wins.
fn hold(hold_before: &mut Option<Option<LogCursor>>, before: &Option<LogCursor>) {
    *hold_before = Some(match hold_before.take() {
        None => before.clone(),
        Some(held) => held.min(before.clone()),
    });
}

/// Tracks the batch in one transaction and says which were tracked.
async fn track(
    store: &Arc<Store>,
    batch: &mut Vec<Discovered>,
    report: &mut Report,
    progress: &mut (impl FnMut(Progress) + Send),
) -> Result<(), DiscoverError> {
    if batch.is_empty() {
        return Ok(());
    }
    let found = std::mem::take(batch);
    let (found, outcomes) = blocking(store, move |s| {
        let outcomes = s.track_discovered(&found, Utc::now());
        (found, outcomes)
    })
    .await;
    for (d, outcome) in found
        .into_iter()
        .zip(outcomes.map_err(DiscoverError::Store)?)
    {
        match outcome {
            Tracking::New => {
                report.newly_tracked += 1;
                progress(Progress::Found {
                    key: d.key,
                    credential: Box::new(d.credential),
                    tracked: true,
                });
            }
            Tracking::AlreadyTracked => {
                // Another process tracked it meanwhile.
                report.verified.retain(|f| f.ids != d.key);
                report.already_known += 1;
            }
            Tracking::TrackedElsewhere(error) => {
                report.verified.retain(|f| f.ids != d.key);
                report.conflicts.push(Unsettled { ids: d.key, error });
            }
        }
    }
    Ok(())
}
