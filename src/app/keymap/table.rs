//! The table itself: every key the dashboard reacts to, as one row per action with its
//! default keys, its name in the settings' `[keys]`, what it does in words, and the help
//! section it is listed in. Where each action is read, and what it does there, is in
//! `focus.rs`.

/// A help section. The help overlay and the default settings file list the rows by it, in
/// this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    /// Moving in the list; also scrolls the help, journal and error windows.
    Navigation,
    /// What the list shows: filter, sort, views, detail, refresh.
    List,
    /// Revoke and rotate.
    Actions,
    Marks,
    Windows,
    /// The command line and what it reads; the copy keys; one connector; the detail pane's
    /// scrolling.
    CommandLine,
    /// In the filter, a typed confirmation and the bulk plan.
    Typing,
    /// Confirm dialogs.
    Dialog,
    /// The new secret's window.
    Secret,
    General,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Navigation => "Move",
            Context::List => "List",
            Context::Actions => "Actions",
            Context::Marks => "Marks and bulk revoke",
            Context::Windows => "Windows",
            Context::CommandLine => "Command line, copy, one connector, detail scroll",
            Context::Typing => "While typing",
            Context::Dialog => "Confirm dialogs",
            Context::Secret => "New secret window",
            Context::General => "General",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    MoveDown,
    MoveUp,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Filter,
    SortNext,
    SortReverse,
    ViewNext,
    ViewPrev,
    ToggleDetail,
    Refresh,
    Revoke,
    Rotate,
    Mark,
    MarkAll,
    ClearMarks,
    BulkRevoke,
    Journal,
    Errors,
    Help,
    Overview,
    Rotations,
    Changes,
    Discover,
    ChangeSpan,
    RevokeOld,
    Abandon,
    FilterKeep,
    FilterClear,
    DeleteChar,
    ClearInput,
    InputDown,
    InputUp,
    InputPageDown,
    InputPageUp,
    Confirm,
    Cancel,
    Submit,
    Back,
    Retry,
    Reveal,
    Copy,
    Close,
    Quit,
    Interrupt,
    Suspend,
    CommandLine,
    Complete,
    HistoryBack,
    HistoryForward,
    CopyId,
    CopyClientId,
    ConnectorScope,
    DetailDown,
    DetailUp,
    ToggleWide,
}

pub(super) struct Row {
    pub action: Action,
    pub name: &'static str,
    pub keys: &'static [&'static str],
    pub description: &'static str,
    pub context: Context,
    /// Shown in the footer, in table order.
    pub footer: bool,
    /// A safety key the settings cannot rebind, and what it always does, for the settings
    /// check's refusal ("always cancels a dialog or closes a window").
    pub fixed: Option<&'static str>,
}

const fn row(
    action: Action,
    name: &'static str,
    keys: &'static [&'static str],
    description: &'static str,
    context: Context,
) -> Row {
    Row {
        action,
        name,
        keys,
        description,
        context,
        footer: false,
        fixed: None,
    }
}

const fn in_footer(row: Row) -> Row {
    Row {
        footer: true,
        ..row
    }
}

const fn fixed(row: Row, always: &'static str) -> Row {
    Row {
        fixed: Some(always),
        ..row
    }
}

use Action as A;
use Context as C;

pub(super) const ROWS: &[Row] = &[
    row(
        A::MoveDown,
        "move_down",
        &["j", "down"],
        "next row",
        C::Navigation,
    ),
    row(
        A::MoveUp,
        "move_up",
        &["k", "up"],
        "previous row",
        C::Navigation,
    ),
    row(A::Top, "top", &["g", "home"], "first row", C::Navigation),
    row(
        A::Bottom,
        "bottom",
        &["G", "end"],
        "last row",
        C::Navigation,
    ),
    row(
        A::PageDown,
        "page_down",
        &["pgdn", "ctrl-d"],
        "page down",
        C::Navigation,
    ),
    row(
        A::PageUp,
        "page_up",
        &["pgup", "ctrl-u"],
        "page up",
        C::Navigation,
    ),
    in_footer(row(A::Filter, "filter", &["/"], "filter", C::List)),
    in_footer(row(
        A::SortNext,
        "sort_next",
        &["s"],
        "sort by the next shown column",
        C::List,
    )),
    row(
        A::SortReverse,
        "sort_reverse",
        &["S"],
        "reverse sort order",
        C::List,
    ),
    in_footer(row(
        A::ViewNext,
        "view_next",
        &["tab"],
        "next status view",
        C::List,
    )),
    row(
        A::ViewPrev,
        "view_prev",
        &["shift-tab"],
        "previous status view",
        C::List,
    ),
    in_footer(row(
        A::ToggleDetail,
        "toggle_detail",
        &["enter"],
        "details",
        C::List,
    )),
    in_footer(row(A::Refresh, "refresh", &["r"], "refresh now", C::List)),
    row(
        A::ChangeSpan,
        "change_span",
        &["M"],
        "△ marks changes since the session began, or lately",
        C::List,
    ),
    in_footer(row(
        A::Revoke,
        "revoke",
        &["d"],
        "revoke the selected credential",
        C::Actions,
    )),
    in_footer(row(
        A::Rotate,
        "rotate",
        &["R"],
        "rotate: mint a new credential for the connector",
        C::Actions,
    )),
    row(
        A::Discover,
        "discover",
        &["F"],
        "discover credentials in the system log (experimental)",
        C::Actions,
    ),
    in_footer(row(
        A::Mark,
        "mark",
        &["space"],
        "mark or unmark the row",
        C::Marks,
    )),
    row(
        A::MarkAll,
        "mark_all",
        &["a"],
        "mark every visible row",
        C::Marks,
    ),
    row(
        A::ClearMarks,
        "clear_marks",
        &["A"],
        "clear all marks",
        C::Marks,
    ),
    row(
        A::BulkRevoke,
        "bulk_revoke",
        &["D"],
        "revoke the marked credentials (shows a plan first)",
        C::Marks,
    ),
    row(A::Journal, "journal", &["J"], "action journal", C::Windows),
    row(A::Errors, "errors", &["E"], "error history", C::Windows),
    in_footer(row(A::Help, "help", &["?"], "help", C::Windows)),
    row(
        A::Overview,
        "overview",
        &["o"],
        "overview: charts of ages, expiry, last use, findings",
        C::Windows,
    ),
    row(
        A::Rotations,
        "rotations",
        &["O"],
        "rotations: state and age (↻ rows await their revoke)",
        C::Windows,
    ),
    row(
        A::Changes,
        "changes",
        &["C"],
        "what changed, newest first (rows marked △)",
        C::Windows,
    ),
    row(
        A::RevokeOld,
        "revoke_old",
        &["enter"],
        "rotations: revoke a ready rotation's old credentials",
        C::Windows,
    ),
    row(
        A::Abandon,
        "abandon",
        &["X"],
        "rotations: abandon the selected one (asks first)",
        C::Windows,
    ),
    row(
        A::ToggleWide,
        "toggle_wide",
        &["w"],
        "wide mode: whole client ids",
        C::CommandLine,
    ),
    row(
        A::DetailDown,
        "detail_down",
        &["ctrl-e"],
        "scroll the detail pane down, when it does not fit",
        C::CommandLine,
    ),
    row(
        A::DetailUp,
        "detail_up",
        &["ctrl-y"],
        "scroll the detail pane up",
        C::CommandLine,
    ),
    row(
        A::ConnectorScope,
        "connector_scope",
        &["c"],
        "only this row's connector, every status; again: back",
        C::CommandLine,
    ),
    row(
        A::CommandLine,
        "command_line",
        &[":"],
        "open the command line: sort, filter, export, import, track…",
        C::CommandLine,
    ),
    row(
        A::CopyId,
        "copy_id",
        &["y"],
        "copy the selected credential's id (OSC 52)",
        C::CommandLine,
    ),
    row(
        A::CopyClientId,
        "copy_client_id",
        &["Y"],
        "copy the selected credential's client id (OSC 52)",
        C::CommandLine,
    ),
    row(
        A::Complete,
        "complete",
        &["tab"],
        "complete the word, or list what it can be",
        C::CommandLine,
    ),
    row(
        A::HistoryBack,
        "history_back",
        &["up"],
        "the line entered before (the session's history)",
        C::CommandLine,
    ),
    row(
        A::HistoryForward,
        "history_forward",
        &["down"],
        "the line entered after",
        C::CommandLine,
    ),
    row(
        A::FilterKeep,
        "filter_keep",
        &["enter"],
        "keep the filter and go back to the list",
        C::Typing,
    ),
    row(
        A::FilterClear,
        "filter_clear",
        &["esc"],
        "clear it, back to the row before (also in the list)",
        C::Typing,
    ),
    row(
        A::DeleteChar,
        "delete_char",
        &["backspace"],
        "delete the last character typed",
        C::Typing,
    ),
    row(
        A::ClearInput,
        "clear_input",
        &["ctrl-u"],
        "clear what is typed",
        C::Typing,
    ),
    row(
        A::InputDown,
        "input_down",
        &["down"],
        "next row while filtering, or scroll the bulk plan down",
        C::Typing,
    ),
    row(
        A::InputUp,
        "input_up",
        &["up"],
        "previous row while filtering, or scroll the bulk plan up",
        C::Typing,
    ),
    row(
        A::InputPageDown,
        "input_page_down",
        &["pgdn"],
        "a page down, the same way",
        C::Typing,
    ),
    row(
        A::InputPageUp,
        "input_page_up",
        &["pgup"],
        "a page up, the same way",
        C::Typing,
    ),
    row(
        A::Confirm,
        "confirm",
        &["y"],
        "confirm a y/n dialog",
        C::Dialog,
    ),
    row(
        A::Cancel,
        "cancel",
        &["n", "esc"],
        "cancel a dialog, close a window",
        C::Dialog,
    ),
    fixed(
        row(
            A::Submit,
            "submit",
            &["enter"],
            "end typed text; in a y/n dialog, cancel",
            C::Dialog,
        ),
        "always ends a typed confirmation and cancels a y/n dialog",
    ),
    fixed(
        row(
            A::Back,
            "back",
            &["esc"],
            "cancel any dialog, close any window",
            C::Dialog,
        ),
        "always cancels a dialog or closes a window",
    ),
    row(
        A::Retry,
        "retry",
        &["t"],
        "retry the failed revokes of a bulk run",
        C::Dialog,
    ),
    row(
        A::Reveal,
        "reveal",
        &["v"],
        "show or mask the secret",
        C::Secret,
    ),
    row(
        A::Copy,
        "copy",
        &["c"],
        "copy the secret to the clipboard (OSC 52)",
        C::Secret,
    ),
    row(
        A::Close,
        "close",
        &["esc", "q"],
        "close windows (the secret asks twice)",
        C::Secret,
    ),
    in_footer(row(A::Quit, "quit", &["q", "ctrl-c"], "quit", C::General)),
    fixed(
        row(
            A::Interrupt,
            "interrupt",
            &["ctrl-c"],
            "quit from anywhere; close a new secret's window",
            C::General,
        ),
        "always quits (the new secret's window closes instead)",
    ),
    fixed(
        row(
            A::Suspend,
            "suspend",
            &["ctrl-z"],
            "suspend to the shell (fg brings it back)",
            C::General,
        ),
        "always suspends to the shell, as the terminal would",
    ),
];
