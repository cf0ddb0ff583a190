//! What `audit` and `report` both look at: the inventory after a refresh (or as stored,
//! `--offline`), the mutes of the settings and of the inventory, and what the Findings API
//! says about exposed credentials. What failed on the way is said in words: the commands
//! still show what they have, and exit 1.

use chrono::{DateTime, Utc};

use crate::api::findings::not_offered;
use crate::audit::checks::Exposure;
use crate::audit::mutes::{Mute, MuteTarget};
use crate::cli::Global;
use crate::config::Settings;
use crate::model::{JournalEntry, Snapshot};
use crate::ops::blocking;
use crate::report::document::{MuteLine, MuteState};
use crate::report::{Freshness, Provenance};
use crate::store::{Store, StoredMute};

use super::context::{self, open_store};
use super::refresh::refresh;
use super::{CliError, Context, output};

pub(super) struct Gathered {
    pub provenance: Provenance,
    pub snapshot: Snapshot,
    /// The mutes that may apply: the settings', and the inventory's not lifted.
    pub mutes: Vec<Mute>,
    /// Every mute, lifted and expired ones too, for the report.
    pub mute_lines: Vec<MuteLine>,
    pub exposure: Exposure,
    /// The tenant's journal, newest first.
    pub journal: Vec<JournalEntry>,
    /// What could not be done (a refresh call, the Findings API), one line each.
    pub failures: Vec<String>,
}

/// What the inventory holds for the tenant, read in one go.
struct Stored {
    snapshot: Snapshot,
    mutes: Vec<StoredMute>,
    journal: Vec<JournalEntry>,
}

fn read(store: &Store) -> Result<Stored, CliError> {
    Ok(Stored {
        snapshot: store.snapshot().map_err(CliError::failed)?,
        mutes: store.mutes().map_err(CliError::failed)?,
        journal: store.journal().map_err(CliError::failed)?,
    })
}

/// `wants_exposure`: whether CB-1.7 runs (the Findings API is asked only then).
pub(super) async fn gather(
    global: &Global,
    offline: bool,
    wants_exposure: bool,
) -> Result<Gathered, CliError> {
    if offline {
        let settings = context::settings(global)?;
        let (store, _tmp) = open_store(global)?;
        let stored = read(&store)?;
        let freshness = offline_freshness(&stored.snapshot);
        let exposure = Exposure::Unavailable("--offline does not ask the Findings API".into());
        return Ok(assemble(
            &settings,
            &store,
            stored,
            exposure,
            freshness,
            Vec::new(),
        ));
    }
    let ctx = Context::new(global).await?;
    ctx.check_unanswered().await;
    let refreshed = refresh(&ctx).await;
    for line in refreshed.lines() {
        eprintln!("warning: {}", output::inert(&line));
    }
    let mut failures = Vec::new();
    let exposure = if wants_exposure {
        exposure(&ctx, &mut failures).await
    } else {
        Exposure::Unavailable("not asked for".into())
    };
    let stored = blocking(&ctx.store, read).await?;
    let freshness = if refreshed.is_empty() {
        Freshness::Refreshed
    } else {
        let summary = refreshed.summary(stored.snapshot.credentials.len());
        failures.push(format!("the refresh was partial: {summary}"));
        Freshness::PartlyRefreshed { failed: summary }
    };
    let gathered = assemble(
        &ctx.settings,
        &ctx.store,
        stored,
        exposure,
        freshness,
        failures,
    );
    ctx.close().await;
    Ok(gathered)
}

fn assemble(
    settings: &Settings,
    store: &Store,
    stored: Stored,
    exposure: Exposure,
    freshness: Freshness,
    failures: Vec<String>,
) -> Gathered {
    let now = Utc::now();
    if stored.snapshot.credentials.is_empty() {
        // The API cannot list credentials: say how the inventory learns them.
        eprintln!(
            "no credential is tracked for tenant {}: learn ids with `credboard import FILE`, \
             `credboard track APP_ID CONNECTOR_ID CREDENTIAL_ID`, or rotate one",
            store.tenant()
        );
    }
    let (mutes, mute_lines) = mutes(settings, &stored.mutes, now);
    Gathered {
        provenance: Provenance {
            tenant: store.tenant().to_string(),
            profile: store.profile().unwrap_or_default().to_string(),
            generated_at: now,
            freshness,
            policy: settings.audit.policy(),
        },
        snapshot: stored.snapshot,
        mutes,
        mute_lines,
        exposure,
        journal: stored.journal,
        failures,
    }
}

/// Asks the Findings API. A tenant that does not offer it is "not available", not a failure.
async fn exposure(ctx: &Context, failures: &mut Vec<String>) -> Exposure {
    match ctx.client.exposed_credential_findings().await {
        Ok(found) => Exposure::reported(found),
        Err(e) if not_offered(&e) => Exposure::not_offered(&e.kind),
        Err(e) => {
            failures.push(format!("CB-1.7 could not be checked: {e}"));
            Exposure::Unavailable(format!("the Findings API could not be asked: {e}"))
        }
    }
}

/// How old the stored inventory is: the newest and the oldest fetch of a credential.
fn offline_freshness(snapshot: &Snapshot) -> Freshness {
    let fetched = || snapshot.credentials.iter().filter_map(|c| c.fetched_at);
    Freshness::Offline {
        newest: fetched().max(),
        oldest: fetched().min(),
    }
}

fn target_text(target: &MuteTarget) -> String {
    match target {
        MuteTarget::Credential(id) => format!("credential {id}"),
        MuteTarget::Connector(id) => format!("connector {id}"),
    }
}

fn state(mute: &Mute, lifted: Option<DateTime<Utc>>, now: DateTime<Utc>) -> MuteState {
    match lifted {
        Some(at) => MuteState::Lifted(at),
        None if mute.is_active(now) => MuteState::Active,
        None => MuteState::Expired,
    }
}

/// Every mute, the settings' and the inventory's, as the report and `audit mutes` list it.
pub(super) fn mute_lines(
    settings: &Settings,
    stored: &[StoredMute],
    now: DateTime<Utc>,
) -> Vec<MuteLine> {
    mutes(settings, stored, now).1
}

/// The settings' mutes (already checked when the settings loaded) and the inventory's: the
/// ones that may apply, and every one as the report lists it.
fn mutes(
    settings: &Settings,
    stored: &[StoredMute],
    now: DateTime<Utc>,
) -> (Vec<Mute>, Vec<MuteLine>) {
    let mut apply = Vec::new();
    let mut lines = Vec::new();
    for mute in settings.audit.mutes_in_force() {
        lines.push(line(&mute, None, None, now));
        apply.push(mute);
    }
    for s in stored {
        let Some(mute) = s.mute() else {
            eprintln!(
                "warning: inventory mute #{} names check {}, which this credboard does not know; it mutes nothing",
                s.id,
                output::inert(&s.mute.check_id)
            );
            continue;
        };
        lines.push(line(
            &mute,
            Some((s.muted_at, s.profile.clone())),
            s.lifted_at,
            now,
        ));
        if s.lifted_at.is_none() {
            apply.push(mute);
        }
    }
    (apply, lines)
}

fn line(
    mute: &Mute,
    set: Option<(DateTime<Utc>, String)>,
    lifted: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> MuteLine {
    MuteLine {
        check: mute.check.id().to_string(),
        target: target_text(&mute.target),
        reason: mute.reason.clone(),
        until: mute.until,
        origin: mute.origin_text(),
        set,
        state: state(mute, lifted, now),
    }
}
