//! The command line's intents (typing, Tab, the history, Enter) and what each command does:
//! the same as the keys where a key does it (sort, filter, the windows, refresh, quit), an
//! effect for the worker where it needs the disk (export, import, track, untrack). Also the
//! copy keys, which share its plumbing (an effect and an honest toast).

use super::super::command::{self, Command};
use super::super::intent::{Intent, Window};
use super::super::inventory::EntryKind;
use super::super::msg::Effect;
use super::super::prompt::{self, CommandLine};
use super::super::state::State;
use super::super::table::Sort;
use super::list;
use crate::api::SecretString;
use crate::export::Listed;
use crate::model::CredentialKey;
use crate::text;

/// The list's intents this file carries out.
pub(super) fn on_list(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    match intent {
        Intent::OpenCommandLine => state.command = Some(CommandLine::default()),
        Intent::CopyId => copy(state, false, fx),
        Intent::CopyClientId => copy(state, true, fx),
        _ => {}
    }
}

pub(super) fn on_command(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    let Some(line) = state.command.as_mut() else {
        return;
    };
    match intent {
        Intent::Type(c) => line.type_char(c),
        Intent::DeleteChar => line.delete_char(),
        Intent::ClearInput => line.clear(),
        // A file path is completed from the disk, by the worker: its answer comes back as
        // `WorkerMsg::Paths`, applied only to the line it was asked for.
        Intent::Complete => match command::path_argument(&line.input) {
            Some((_, path)) => fx.push(Effect::ListPaths {
                line: line.input.clone(),
                path: path.to_string(),
            }),
            None => line.complete(),
        },
        Intent::HistoryBack => line.back(&state.command_history),
        Intent::HistoryForward => line.forward(&state.command_history),
        Intent::Cancel => state.command = None,
        Intent::Submit => {
            let typed = line.input.clone();
            if prompt::remember(&mut state.command_history, &typed) {
                fx.push(Effect::RememberCommand(typed.trim().to_string()));
            }
            match command::parse(&typed) {
                Ok(cmd) => {
                    state.command = None;
                    run(state, cmd, fx);
                }
                Err(why) => line.error = Some(why),
            }
        }
        _ => {}
    }
}

/// Carries out a command, through the same paths as the keys that do the same.
pub(super) fn run(state: &mut State, cmd: Command, fx: &mut Vec<Effect>) {
    match cmd {
        Command::Sort { column, descending } => {
            let page = state.page_height();
            let sort = Sort { column, descending };
            state.table.set_sort(&state.inventory, sort, page);
        }
        Command::Filter(expr) => super::views::apply_filter(state, &expr),
        Command::View(name) => super::views::apply_view(state, &name),
        Command::Columns(choice) => super::views::apply_columns(state, choice),
        Command::Journal => list::on_list(state, Intent::Open(Window::Journal), fx),
        Command::Errors => list::on_list(state, Intent::Open(Window::Errors), fx),
        Command::Help => list::on_list(state, Intent::Open(Window::Help), fx),
        Command::Refresh => list::on_list(state, Intent::Refresh, fx),
        Command::Quit => {
            state.quit = true;
            fx.push(Effect::Quit);
        }
        Command::Export { format, path } => {
            let rows = listed(state);
            let work = state.start_work(Some(format!(
                "exporting {} row{} to {}…",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                text::sanitize(&path)
            )));
            fx.push(Effect::Export {
                work,
                format,
                path,
                rows,
            });
        }
        Command::Import(path) => {
            let work = state.start_work(Some(format!("importing {}…", text::sanitize(&path))));
            fx.push(Effect::Import { work, path });
        }
        Command::Track {
            app_id,
            connector_id,
            credential_id,
        } => {
            let work = state.start_work(None);
            fx.push(Effect::Track {
                work,
                key: CredentialKey::new(app_id, connector_id, credential_id),
            })
        }
        Command::Untrack => match state.selected_entry() {
            Some(e) if e.kind == EntryKind::Credential => {
                let key = e.key.clone();
                let work = state.start_work(None);
                fx.push(Effect::Untrack { work, key });
            }
            Some(_) => state.refuse("a connector row has no credential to untrack"),
            None => state.refuse("nothing selected to untrack"),
        },
    }
}

/// The credentials shown, in the order shown, as `credboard list` prints them.
fn listed(state: &State) -> Vec<Listed> {
    let inv = &state.inventory;
    state
        .visible_entries()
        .filter(|e| e.kind == EntryKind::Credential)
        .map(|e| Listed {
            ids: e.key.clone(),
            credential: e.last.clone(),
            app_name: inv.app(&e.key.app_id).and_then(|a| a.display_name.clone()),
            connector_name: inv
                .connector(&e.key.app_id, &e.key.connector_id)
                .and_then(|c| c.display_name.clone()),
            flags: e.flags,
        })
        .collect()
}

/// `y` / `Y`: the selected credential's id or client id, through the terminal (OSC 52).
/// Nothing answers OSC 52, so the toast says it was sent, not that it arrived.
fn copy(state: &mut State, client: bool, fx: &mut Vec<Effect>) {
    let Some(e) = state.selected_entry() else {
        state.refuse("nothing selected to copy");
        return;
    };
    if e.kind == EntryKind::Connector {
        state.refuse("a connector row has no credential to copy");
        return;
    }
    let (what, value) = if client {
        ("client id", e.client_id().map(str::to_string))
    } else {
        ("credential id", Some(e.key.credential_id.clone()))
    };
    match value {
        Some(v) => {
            fx.push(Effect::Copy(SecretString::new(v)));
            state.toast(format!("{what} sent to the terminal's clipboard (OSC 52)"));
        }
        None => state.refuse(format!("no {what} is known for this credential yet")),
    }
}
