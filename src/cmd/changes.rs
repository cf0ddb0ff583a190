//! `credboard changes`: refresh, then print what the refreshes saw change per credential,
//! newest first, for a person, a daily report or a cron job that posts to chat.

use std::collections::HashMap;
use std::io;
use std::time::Duration;

use chrono::{TimeDelta, Utc};

use crate::changes::CredentialChange;
use crate::cli::{Format, Global};
use crate::ops::blocking;

use super::output::{self, csv_text, rfc3339};
use super::{CliError, Context, refresh};

/// The names a change is shown with: the credential's, its connector's and its app's, as
/// the inventory knows them now.
#[derive(Default)]
struct Names {
    credentials: HashMap<String, String>,
    connectors: HashMap<String, String>,
    apps: HashMap<String, String>,
}

impl Names {
    fn of<'a>(map: &'a HashMap<String, String>, id: &'a str) -> &'a str {
        map.get(id).map_or(id, String::as_str)
    }
}

pub async fn run(global: &Global, since: Option<Duration>, format: Format) -> Result<(), CliError> {
    let ctx = Context::new(global).await?;
    ctx.check_unanswered().await;
    let failures = refresh::refresh(&ctx).await;
    let since = since
        .map(|d| TimeDelta::from_std(d).map(|d| Utc::now() - d))
        .transpose()
        .map_err(CliError::config)?;
    let (changes, snapshot) = blocking(&ctx.store, move |s| {
        Ok::<_, crate::store::StoreError>((s.changes_since(since, None)?, s.snapshot()?))
    })
    .await
    .map_err(CliError::failed)?;
    let tenant = ctx.store.tenant().clone();
    ctx.close().await;
    let names = Names {
        credentials: snapshot
            .credentials
            .into_iter()
            .filter_map(|c| Some((c.key.credential_id, c.last?.display_name?)))
            .collect(),
        connectors: snapshot
            .connectors
            .into_iter()
            .filter_map(|c| Some((c.id?, c.display_name?)))
            .collect(),
        apps: snapshot
            .apps
            .into_iter()
            .filter_map(|a| Some((a.id?, a.display_name?)))
            .collect(),
    };
    if changes.is_empty() && format == Format::Table {
        eprintln!("no change recorded for tenant {tenant} in that time");
    } else {
        print(&changes, &names, format).map_err(CliError::failed)?;
    }
    if failures.is_empty() {
        return Ok(());
    }
    for line in failures.lines() {
        eprintln!("warning: {}", output::inert(&line));
    }
    Err(CliError::failed(
        "the refresh did not reach every credential: what changed on those since the last \
         refresh that did is not in the list",
    ))
}

fn print(changes: &[CredentialChange], names: &Names, format: Format) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    match format {
        Format::Json => output::write_json(&mut out, &changes),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "seen_at",
                "kind",
                "app_id",
                "connector_id",
                "credential_id",
                "display_name",
                "before",
                "after",
            ])?;
            for c in changes {
                let k = &c.key;
                w.write_record([
                    rfc3339(Some(c.seen_at)),
                    c.change.kind.as_str().to_string(),
                    csv_text(&k.app_id),
                    csv_text(&k.connector_id),
                    csv_text(&k.credential_id),
                    csv_text(
                        names
                            .credentials
                            .get(&k.credential_id)
                            .map_or("", String::as_str),
                    ),
                    csv_text(&value(&c.change.before)),
                    csv_text(&value(&c.change.after)),
                ])?;
            }
            w.flush()
        }
        Format::Table => {
            let header = [
                "SEEN",
                "CHANGE",
                "NAME",
                "CONNECTOR",
                "APP",
                "BEFORE",
                "AFTER",
                "ID",
            ];
            let body: Vec<Vec<String>> = changes
                .iter()
                .map(|c| {
                    let k = &c.key;
                    vec![
                        rfc3339(Some(c.seen_at)),
                        c.change.kind.word().to_string(),
                        output::inert(
                            names
                                .credentials
                                .get(&k.credential_id)
                                .map_or("—", String::as_str),
                        ),
                        output::inert(Names::of(&names.connectors, &k.connector_id)),
                        output::inert(Names::of(&names.apps, &k.app_id)),
                        output::inert(&value(&c.change.before)),
                        output::inert(&value(&c.change.after)),
                        output::inert(&k.credential_id),
                    ]
                })
                .collect();
            output::table(
                &mut out,
                &header,
                &body,
                &[usize::MAX, usize::MAX, 32, 24, 24, 32, 32],
            )
        }
    }
}
