//! `credboard discover` (experimental): find credential ids in the tenant's system log,
//! verify each with a Get, track what the server confirms, and say what was found: on
//! stdout as text for a person or JSON for a script; progress and warnings on stderr.

use std::path::PathBuf;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::cli::{DiscoverFormat, Global};
use crate::discover::{self, Found, Options, Progress, Report};
use crate::since::Since;

use super::{CliError, Context, output};

/// What the command line asked of a run.
pub struct Asked {
    pub since: Option<Since>,
    pub dry_run: bool,
    pub save_raw: Option<PathBuf>,
    pub max_events: u64,
}

pub async fn run(global: &Global, asked: Asked, format: DiscoverFormat) -> Result<(), CliError> {
    let ctx = Context::new(global).await?;
    ctx.check_unanswered().await;
    let now = Utc::now();
    let mut options = Options::new(now, ctx.settings.concurrency);
    if let Some(since) = asked.since {
        options.since = since.resolve(now);
        options.since_explicit = true;
    }
    options.dry_run = asked.dry_run;
    options.save_raw = asked.save_raw;
    options.max_events = asked.max_events;
    eprintln!(
        "reading the system log of tenant {} (experimental: the events' shape is not known \
         for certain; every id found is verified with a Get before it is tracked)",
        ctx.store.tenant()
    );
    let mut said_verifying = false;
    let result = discover::run(&ctx.client, &ctx.store, &options, |p| {
        if let Progress::Verifying { of, .. } = p
            && !said_verifying
        {
            said_verifying = true;
            eprintln!("verifying {of} new candidates with a Get each");
        }
    })
    .await;
    ctx.close().await;
    let report = result.map_err(CliError::failed)?;
    match format {
        DiscoverFormat::Text => print!("{}", text(&report)),
        DiscoverFormat::Json => {
            let json = serde_json::to_string_pretty(&report).map_err(CliError::failed)?;
            println!("{}", output::inert_json(&json));
        }
    }
    outcome(&report)
}

/// Exit 1 when part of the work could not be done: the log not read to where it was
/// asked, or candidates left unverified (the next run reads their events again).
fn outcome(report: &Report) -> Result<(), CliError> {
    if let Some(error) = &report.read_error {
        return Err(CliError::failed(format!(
            "the system log could not be read to its end: {error}; what was read before is \
             in the report above, and the next run goes on from there"
        )));
    }
    if let Some(first) = report.unverified.first() {
        return Err(CliError::failed(format!(
            "{} of {} new candidates could not be verified (first: credential {}: {}); they \
             were not tracked, and the next run reads their events again",
            report.unverified.len(),
            report.candidates.saturating_sub(report.already_known),
            first.ids.credential_id,
            first.error
        )));
    }
    Ok(())
}

fn when(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn text(r: &Report) -> String {
    let mut out = String::new();
    let from = if r.from_cursor {
        "where the last run stopped"
    } else {
        "--since"
    };
    out.push_str(&format!(
        "system log of tenant {}, read from {} ({from})\n",
        output::inert(&r.tenant),
        when(r.read_from)
    ));
    let mut line = |label: &str, n: usize, note: &str| {
        out.push_str(&format!("  {label:<15}{n:>7}  {note}\n"));
    };
    line("events read", r.events_read as usize, "");
    if r.events_already_read > 0 {
        line(
            "already read",
            r.events_already_read as usize,
            "sent again, read by an earlier run",
        );
    }
    line(
        "candidates",
        r.candidates,
        "credential ids the events named",
    );
    if r.rejected > 0 {
        line("skipped", r.rejected, "named with an id that is no id");
    }
    line("already known", r.already_known, "tracked before");
    line("verified", r.verified.len(), "confirmed by a Get");
    line(
        "not found",
        r.not_found.len(),
        "the server answered 404: not tracked",
    );
    if !r.unverified.is_empty() {
        line("unverified", r.unverified.len(), "no Get could settle them");
    }
    if !r.conflicts.is_empty() {
        line("conflicts", r.conflicts.len(), "tracked under other ids");
    }
    let note = if r.dry_run {
        "dry run: nothing tracked"
    } else {
        ""
    };
    line("newly tracked", r.newly_tracked, note);
    if !r.verified.is_empty() {
        out.push_str(if r.dry_run {
            "\nverified, would be tracked:\n"
        } else {
            "\nnewly tracked:\n"
        });
        for f in &r.verified {
            out.push_str(&found_line(f));
        }
    }
    for (title, list) in [("unverified", &r.unverified), ("conflicts", &r.conflicts)] {
        if !list.is_empty() {
            out.push_str(&format!("\n{title}:\n"));
            for u in list {
                out.push_str(&format!(
                    "  {} {} {}: {}\n",
                    u.ids.app_id,
                    u.ids.connector_id,
                    u.ids.credential_id,
                    output::inert(&u.error)
                ));
            }
        }
    }
    if !r.in_use_not_tracked.is_empty() {
        out.push_str(&format!(
            "\nin use, not tracked: {} client ids signed in that match no tracked credential \
             (a connector uses a credential credboard does not know{}):\n",
            r.in_use_not_tracked.len(),
            if r.tracked_without_client_id > 0 {
                format!(
                    "; {} tracked credentials could not be fetched, so their client ids are \
                     unknown and may be among these",
                    r.tracked_without_client_id
                )
            } else {
                String::new()
            }
        ));
        for c in &r.in_use_not_tracked {
            let last = match (&c.last_seen, &c.last_event) {
                (Some(t), Some(uid)) => format!(", last {} (event {uid})", when(*t)),
                (Some(t), None) => format!(", last {}", when(*t)),
                _ => String::new(),
            };
            let times = if c.events == 1 { "sign-in" } else { "sign-ins" };
            out.push_str(&format!(
                "  {}  {} {times}{last}\n",
                output::inert(&c.client_id),
                c.events
            ));
        }
    }
    out.push('\n');
    if !r.read_to_end && r.read_error.is_none() {
        out.push_str(&format!(
            "stopped after {} events (one run reads at most --max-events events, 100,000 \
             candidates and 1,000 pages); run discover again to read on\n",
            r.events_read
        ));
    }
    match &r.next_from {
        Some(c) => {
            let event = c
                .event
                .as_ref()
                .map(|e| format!(" (event {e})"))
                .unwrap_or_default();
            let dry = if r.dry_run {
                " (this dry run did not move it)"
            } else {
                ""
            };
            out.push_str(&format!(
                "the next run reads on from {}{event}{dry}\n",
                when(c.time)
            ));
        }
        None if r.dry_run => {
            out.push_str("a dry run records nothing: the next run reads these events again\n")
        }
        None => out.push_str("the next run reads from --since again (no event had a time)\n"),
    }
    if let Some(path) = &r.raw_file {
        out.push_str(&format!(
            "raw events: {} ({} values that looked like secrets taken out)\n",
            output::inert(path),
            r.raw_values_removed
        ));
    }
    out
}

fn found_line(f: &Found) -> String {
    let name = f
        .display_name
        .as_deref()
        .map(|n| format!("  {:?}", output::inert(n)))
        .unwrap_or_default();
    let revoked = if f.revoked { "  revoked" } else { "" };
    format!(
        "  {} {} {}{name}{revoked}  ({})\n",
        f.ids.app_id,
        f.ids.connector_id,
        f.ids.credential_id,
        output::inert(&f.origin)
    )
}
