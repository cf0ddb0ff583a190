//! What the user asks for, as `update` takes it. `input` reads a key or a click in what is
//! open (through the keymap) and says which of these it means; `update` carries it out.

use super::table::Column;

/// A step through a list: the table's selection, or a window's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
}

/// What an intent opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Revoke,
    Rotate,
    BulkPlan,
    Journal,
    Errors,
    Help,
    Overview,
    Rotations,
    Changes,
    /// Abandon the rotation selected in the rotations window (asks first).
    Abandon,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Move the table's selection.
    Move(Step),
    /// Scroll a window, or the bulk plan's list.
    Scroll(Step),
    /// The mouse wheel over the table: the rows move, the selection stays.
    Wheel {
        down: bool,
    },
    /// A click on a row: its position among the visible rows.
    Select(usize),
    /// A click on a column's title: sort by it, or reverse the order when it is sorted on.
    SortBy(Column),
    SortNext,
    SortReverse,
    ViewNext,
    ViewPrev,
    ToggleDetail,
    Refresh,
    /// Start typing the filter.
    EditFilter,
    /// In the list: clear the filter, or with none, close the detail pane.
    Back,
    Open(Window),
    Mark,
    MarkAll,
    ClearMarks,
    /// Yes, in a y/n dialog.
    Confirm,
    /// The end of typed text: the filter is kept, a typed confirmation checked.
    Submit,
    /// Leave a dialog without acting, or the filter, clearing it.
    Cancel,
    /// Close a window; the new secret's asks twice.
    Close,
    Retry,
    Reveal,
    Copy,
    /// Any other key in the new secret's window: a first press of a close key is taken back.
    Disarm,
    Type(char),
    DeleteChar,
    ClearInput,
    Quit,
    Suspend,
    /// Run discovery from the system log.
    Discover,
    /// Change marks since the session began, or since the last refresh.
    ToggleChangeSpan,
    /// In the rotations window: revoke the old credentials of the selected ready rotation.
    RevokeOld,
    /// Open the command line (`:`).
    OpenCommandLine,
    /// On the command line: Tab.
    Complete,
    /// On the command line: the history, older and newer.
    HistoryBack,
    HistoryForward,
    /// Copy the selected credential's id, or its client id.
    CopyId,
    CopyClientId,
    /// Show only the selected row's connector, or everything again.
    ConnectorScope,
    /// Wide mode: whole client ids.
    ToggleWide,
    /// Scroll the detail pane a line.
    DetailScroll {
        down: bool,
    },
}
