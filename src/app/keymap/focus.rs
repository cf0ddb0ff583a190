//! Where keys are read: for each thing that can hold the keys (the list, the filter, a
//! dialog, a window), the actions read there, in order, and the intent each one means
//! there. `input` reads keys through this table, and the settings check refuses overrides
//! against it, so what the check lets through is exactly what `input` can tell apart.

use super::super::intent::{Intent, Step, Window};
use super::table::Action;

/// What holds the keys: the new secret's window over everything, then an open dialog or
/// window, then the filter being typed, then the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Filter,
    /// The command line (`:`).
    Command,
    /// A y/n dialog: a revoke that needs no typed text, a rotate.
    Confirm,
    /// A revoke confirmed with the credential's own text.
    Typed,
    BulkPlan,
    BulkRun,
    Help,
    /// Typing into the help's or the journal's filter.
    WindowFilter,
    Errors,
    Journal,
    Overview,
    Rotations,
    Changes,
    Secret,
}

/// An action read in a focus, and what it means there.
pub struct Read {
    pub action: Action,
    pub intent: Intent,
    /// For a fixed key (see the table): what it does here, in the settings check's words
    /// ("cancels a y/n dialog").
    pub does: Option<&'static str>,
    /// Gives way to the other actions read here: a key bound to both means theirs, and is
    /// no clash. A window's scrolling yields so, to its closing: nothing is lost.
    pub yields: bool,
}

const fn read(action: Action, intent: Intent) -> Read {
    Read {
        action,
        intent,
        does: None,
        yields: false,
    }
}

const fn kept(action: Action, intent: Intent, does: &'static str) -> Read {
    Read {
        does: Some(does),
        ..read(action, intent)
    }
}

/// A scroll step that yields (read last, after what it yields to).
const fn scroll(action: Action, step: Step) -> Read {
    Read {
        yields: true,
        ..read(action, Intent::Scroll(step))
    }
}

use Action as A;
use Intent as I;

const SUSPEND: Read = kept(A::Suspend, I::Suspend, "suspends to the shell");

const LIST: &[Read] = &[
    read(A::MoveDown, I::Move(Step::Down)),
    read(A::MoveUp, I::Move(Step::Up)),
    read(A::Top, I::Move(Step::Top)),
    read(A::Bottom, I::Move(Step::Bottom)),
    read(A::PageDown, I::Move(Step::PageDown)),
    read(A::PageUp, I::Move(Step::PageUp)),
    read(A::Filter, I::EditFilter),
    read(A::SortNext, I::SortNext),
    read(A::SortReverse, I::SortReverse),
    read(A::ViewNext, I::ViewNext),
    read(A::ViewPrev, I::ViewPrev),
    read(A::ToggleDetail, I::ToggleDetail),
    read(A::Refresh, I::Refresh),
    read(A::Revoke, I::Open(Window::Revoke)),
    read(A::Rotate, I::Open(Window::Rotate)),
    read(A::Mark, I::Mark),
    read(A::MarkAll, I::MarkAll),
    read(A::ClearMarks, I::ClearMarks),
    read(A::BulkRevoke, I::Open(Window::BulkPlan)),
    read(A::Journal, I::Open(Window::Journal)),
    read(A::Errors, I::Open(Window::Errors)),
    read(A::Help, I::Open(Window::Help)),
    read(A::Overview, I::Open(Window::Overview)),
    read(A::Rotations, I::Open(Window::Rotations)),
    read(A::Changes, I::Open(Window::Changes)),
    read(A::Discover, I::Discover),
    read(A::ChangeSpan, I::ToggleChangeSpan),
    read(A::CommandLine, I::OpenCommandLine),
    read(A::CopyId, I::CopyId),
    read(A::CopyClientId, I::CopyClientId),
    read(A::ConnectorScope, I::ConnectorScope),
    read(A::ToggleWide, I::ToggleWide),
    read(A::DetailDown, I::DetailScroll { down: true }),
    read(A::DetailUp, I::DetailScroll { down: false }),
    read(A::FilterClear, I::Back),
    read(A::Quit, I::Quit),
    kept(A::Interrupt, I::Quit, "quits from anywhere"),
    SUSPEND,
];

const FILTER: &[Read] = &[
    read(A::FilterKeep, I::Submit),
    read(A::FilterClear, I::Cancel),
    read(A::DeleteChar, I::DeleteChar),
    read(A::ClearInput, I::ClearInput),
    read(A::InputDown, I::Move(Step::Down)),
    read(A::InputUp, I::Move(Step::Up)),
    read(A::InputPageDown, I::Move(Step::PageDown)),
    read(A::InputPageUp, I::Move(Step::PageUp)),
    kept(A::Interrupt, I::Quit, "quits from the filter"),
    SUSPEND,
];

const COMMAND: &[Read] = &[
    kept(A::Submit, I::Submit, "runs the command line"),
    kept(A::Back, I::Cancel, "closes the command line"),
    read(A::DeleteChar, I::DeleteChar),
    read(A::ClearInput, I::ClearInput),
    read(A::Complete, I::Complete),
    read(A::HistoryBack, I::HistoryBack),
    read(A::HistoryForward, I::HistoryForward),
    kept(A::Interrupt, I::Quit, "quits from the command line"),
    SUSPEND,
];

const CONFIRM: &[Read] = &[
    read(A::Confirm, I::Confirm),
    read(A::Cancel, I::Cancel),
    kept(A::Submit, I::Cancel, "cancels a y/n dialog"),
    kept(A::Back, I::Cancel, "cancels a dialog"),
    kept(A::Interrupt, I::Quit, "quits from a dialog"),
    SUSPEND,
];

const TYPED: &[Read] = &[
    read(A::DeleteChar, I::DeleteChar),
    read(A::ClearInput, I::ClearInput),
    kept(A::Submit, I::Submit, "ends a typed confirmation"),
    kept(A::Back, I::Cancel, "cancels a dialog"),
    kept(A::Interrupt, I::Quit, "quits from a dialog"),
    SUSPEND,
];

const BULK_PLAN: &[Read] = &[
    read(A::DeleteChar, I::DeleteChar),
    read(A::ClearInput, I::ClearInput),
    read(A::InputDown, I::Scroll(Step::Down)),
    read(A::InputUp, I::Scroll(Step::Up)),
    read(A::InputPageDown, I::Scroll(Step::PageDown)),
    read(A::InputPageUp, I::Scroll(Step::PageUp)),
    kept(A::Submit, I::Submit, "ends a typed confirmation"),
    kept(A::Back, I::Cancel, "cancels a dialog"),
    kept(A::Interrupt, I::Quit, "quits from a dialog"),
    SUSPEND,
];

/// A window: closing it, then `$more`, then the moves as its scrolling, which yield.
macro_rules! window {
    ($($more:expr),* $(,)?) => {
        &[
            read(A::Cancel, I::Close),
            kept(A::Back, I::Close, "closes a window"),
            read(A::Close, I::Close),
            $($more,)*
            kept(A::Interrupt, I::Quit, "quits from a window"),
            SUSPEND,
            scroll(A::MoveDown, Step::Down),
            scroll(A::MoveUp, Step::Up),
            scroll(A::Top, Step::Top),
            scroll(A::Bottom, Step::Bottom),
            scroll(A::PageDown, Step::PageDown),
            scroll(A::PageUp, Step::PageUp),
        ]
    };
}

const BULK_RUN: &[Read] = window![
    read(A::Retry, I::Retry),
    kept(A::Submit, I::Close, "closes the bulk revoke window"),
    scroll(A::InputDown, Step::Down),
    scroll(A::InputUp, Step::Up),
    scroll(A::InputPageDown, Step::PageDown),
    scroll(A::InputPageUp, Step::PageUp),
];

const HELP: &[Read] = window![read(A::Help, I::Close), read(A::Filter, I::EditFilter)];

const WINDOW_FILTER: &[Read] = &[
    kept(A::Submit, I::Submit, "keeps the window's filter"),
    kept(A::Back, I::Cancel, "clears the window's filter"),
    read(A::DeleteChar, I::DeleteChar),
    read(A::ClearInput, I::ClearInput),
    kept(A::Interrupt, I::Quit, "quits from the help"),
    SUSPEND,
];
const ERRORS: &[Read] = window![read(A::Errors, I::Close)];
const JOURNAL: &[Read] = window![
    read(A::Journal, I::Close),
    read(A::Filter, I::EditFilter),
    kept(
        A::Submit,
        I::Submit,
        "goes to the row of the journal's top line"
    ),
];
const OVERVIEW: &[Read] = window![read(A::Overview, I::Close)];
const ROTATIONS: &[Read] = window![
    read(A::Rotations, I::Close),
    read(A::RevokeOld, I::RevokeOld),
    read(A::Abandon, I::Open(Window::Abandon)),
];
const CHANGES: &[Read] = window![
    read(A::Changes, I::Close),
    read(A::ChangeSpan, I::ToggleChangeSpan),
];

const SECRET: &[Read] = &[
    read(A::Cancel, I::Close),
    kept(A::Submit, I::Close, "closes the new secret's window"),
    read(A::Reveal, I::Reveal),
    read(A::Copy, I::Copy),
    read(A::Close, I::Close),
    kept(A::Interrupt, I::Close, "closes the new secret's window"),
    SUSPEND,
];

impl Focus {
    pub const ALL: [Focus; 15] = [
        Focus::List,
        Focus::Filter,
        Focus::Command,
        Focus::Confirm,
        Focus::Typed,
        Focus::BulkPlan,
        Focus::BulkRun,
        Focus::Help,
        Focus::WindowFilter,
        Focus::Errors,
        Focus::Journal,
        Focus::Overview,
        Focus::Rotations,
        Focus::Changes,
        Focus::Secret,
    ];

    /// The actions read here, in the order a key is looked up.
    pub fn reads(self) -> &'static [Read] {
        match self {
            Focus::List => LIST,
            Focus::Filter => FILTER,
            Focus::Command => COMMAND,
            Focus::Confirm => CONFIRM,
            Focus::Typed => TYPED,
            Focus::BulkPlan => BULK_PLAN,
            Focus::BulkRun => BULK_RUN,
            Focus::Help => HELP,
            Focus::WindowFilter => WINDOW_FILTER,
            Focus::Errors => ERRORS,
            Focus::Journal => JOURNAL,
            Focus::Overview => OVERVIEW,
            Focus::Rotations => ROTATIONS,
            Focus::Changes => CHANGES,
            Focus::Secret => SECRET,
        }
    }

    /// A character (no ctrl, no alt) is typed here, never read as a binding.
    pub fn is_typed_into(self) -> bool {
        matches!(
            self,
            Focus::Filter | Focus::Command | Focus::WindowFilter | Focus::Typed | Focus::BulkPlan
        )
    }

    /// The focus in the settings check's words: "uses q, which `close` also uses in the new
    /// secret's window".
    pub fn name(self) -> &'static str {
        match self {
            Focus::List => "the list",
            Focus::Filter => "the filter",
            Focus::Command => "the command line",
            Focus::Confirm => "a confirm dialog",
            Focus::Typed => "a typed confirmation",
            Focus::BulkPlan => "the bulk plan",
            Focus::BulkRun => "the bulk revoke window",
            Focus::Help => "the help",
            Focus::WindowFilter => "a window's filter",
            Focus::Errors => "the error history",
            Focus::Journal => "the journal",
            Focus::Overview => "the overview",
            Focus::Rotations => "the rotations window",
            Focus::Changes => "the changes window",
            Focus::Secret => "the new secret's window",
        }
    }
}
