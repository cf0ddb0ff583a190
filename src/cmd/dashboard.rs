//! `credboard` with no command: the dashboard.

use std::io::{self, IsTerminal};
use std::time::Duration;

use crate::app::views::SavedView;
use crate::app::{Options, State};
use crate::cli::{DashboardArgs, Global};
use crate::tui::runtime::{self, Stopped};
use crate::tui::terminal;
use crate::tui::ui::theme::{Palette, Theme};
use crate::worker;
use chrono::Utc;
use crossterm::event::EventStream;

use super::{CliError, Context};

pub async fn run(global: &Global, args: &DashboardArgs) -> Result<(), CliError> {
    // A mistake in --filter or --sort is a usage error, said before anything else.
    let filter = super::filter::parse(args.filter.as_deref())?;
    let sort = args
        .sort
        .as_deref()
        .map(crate::app::views::parse_sort)
        .transpose()
        .map_err(|e| CliError::config(format!("--sort: {e}")))?;
    refuse_without_a_terminal()?;
    // Everything that can fail on configuration fails here, before the terminal is touched.
    let ctx = Context::new(global).await?;
    // The log sits beside the inventory (for --demo, in its throwaway directory).
    let _log = ctx.store.path().parent().and_then(crate::logging::to_file);
    let (keymap, key_problems) = crate::app::keymap::Keymap::with_overrides(&ctx.settings.keys);
    let (palette, colour_problems) = Palette::with_overrides(&ctx.settings.colors);
    let problems = key_problems.iter().map(ToString::to_string);
    for w in problems.chain(colour_problems.iter().map(ToString::to_string)) {
        eprintln!("warning: {w}");
    }
    let options = Options {
        host: ctx.client.host().to_string(),
        profile: ctx.profile.clone(),
        read_only: ctx.read_only,
        expiring_soon_days: ctx.settings.thresholds.expiring_soon_days.into(),
        idle_days: ctx.settings.thresholds.idle_days.into(),
        recent_use_days: ctx.settings.thresholds.recent_use_days.into(),
        keymap,
        policy: ctx.settings.audit.policy(),
        mutes: ctx.settings.audit.mutes_in_force(),
        views: super::context::saved_views(&ctx.settings),
        columns: super::context::table_columns(&ctx.settings),
    };
    let mut start = match &args.view {
        None => SavedView::default(),
        Some(name) => options.views.get(name).cloned().ok_or_else(|| {
            let names: Vec<&str> = options.views.keys().map(String::as_str).collect();
            CliError::config(match names.is_empty() {
                true => {
                    format!("--view {name}: no view is saved; add `[views.{name}]` to the settings")
                }
                false => format!(
                    "--view {name}: no such view; the views are {}",
                    names.join(", ")
                ),
            })
        })?,
    };
    if let Some(q) = filter {
        start.filter = q.source().to_string();
    }
    if sort.is_some() {
        start.sort = sort;
    }
    let mut state = State::new(options, Utc::now());
    crate::app::update::views::apply(&mut state, &start);
    let (link, worker_task) = worker::spawn(
        &ctx.client,
        &ctx.store,
        ctx.read_only,
        ctx.settings.concurrency,
    );

    let console = terminal::Console::new()
        .map_err(|e| CliError::failed(format!("cannot catch the signals: {e}")))?;
    let mut tui =
        terminal::enter().map_err(|e| CliError::failed(format!("cannot use the terminal: {e}")))?;
    let result = runtime::run_with_host(
        &mut tui,
        state,
        EventStream::new(),
        link,
        runtime::RunOptions {
            refresh_every: (ctx.settings.refresh_interval > 0)
                .then(|| Duration::from_secs(ctx.settings.refresh_interval)),
            theme: Theme {
                color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
                palette,
            },
            ..Default::default()
        },
        console,
    )
    .await;
    terminal::restore();
    // Quitting is instant: requests still in flight are abandoned, not awaited.
    worker_task.abort();
    ctx.close().await;
    result
        .map(drop)
        .map_err(|e| match e.downcast_ref::<Stopped>() {
            // As the shell reports a program a signal ended.
            Some(stopped) => CliError {
                code: 128 + stopped.number,
                message: stopped.to_string(),
            },
            None => CliError::failed(format!("the dashboard stopped: {e}")),
        })
}

/// The dashboard draws on standard output and reads keys from the terminal: with either
/// redirected it would run blind (and write escape codes into a file). Refused before
/// anything is set up.
fn refuse_without_a_terminal() -> Result<(), CliError> {
    let not_a_terminal = match (io::stdin().is_terminal(), io::stdout().is_terminal()) {
        (true, true) => return Ok(()),
        (_, false) => "standard output",
        (false, true) => "standard input",
    };
    Err(CliError::config(format!(
        "the dashboard needs a terminal, and {not_a_terminal} is not one; \
         to print the credentials to a file or a pipe, use `credboard list` \
         (-o csv or -o json for scripts)"
    )))
}
