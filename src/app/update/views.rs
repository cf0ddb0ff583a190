//! Applying a saved view or a filter typed elsewhere than `/` (the command line's `:view
//! NAME` and `:filter EXPR`, `--view`, `--filter`, `--sort`): the same paths `/` and the
//! sort keys take.

use super::super::columns::ColumnSpec;
use super::super::state::State;
use super::super::table::{Column, Sort, View};
use super::super::views::{SavedView, sort_text};

/// Applies the saved view `name` of the settings: its filter (none if it has none), its
/// sort (the default if it has none), every status (Tab's view back to "all"). An unknown
/// name is refused with the nearest one.
pub fn apply_view(state: &mut State, name: &str) {
    let Some(view) = state.options.views.get(name).cloned() else {
        let names: Vec<&str> = state.options.views.keys().map(String::as_str).collect();
        let near = names
            .iter()
            .map(|n| (strsim::damerau_levenshtein(name, n), *n))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        let known = match names.is_empty() {
            true => "no view is saved: add `[views.NAME]` to the settings".to_string(),
            false => format!("the views are {}", names.join(", ")),
        };
        state.refuse(format!("no view `{name}`; {near}{known}"));
        return;
    };
    apply(state, &view);
    let filter = match view.filter.trim() {
        "" => "no filter".to_string(),
        f => format!("filter \"{f}\""),
    };
    let sort = sort_text(state.table.sort);
    let columns = match view.columns.is_empty() {
        true => String::new(),
        false => format!(", columns {}", shown_columns(state)),
    };
    state.toast(format!("view {name}: {filter}, sorted by {sort}{columns}"));
}

/// Shows the columns `:columns` chose (`None`: the settings' choice again), and says which
/// are shown.
pub fn apply_columns(state: &mut State, choice: Option<Vec<ColumnSpec>>) {
    let whose = match (&choice, &state.options.columns) {
        (Some(_), _) => "columns",
        (None, Some(_)) => "the settings' columns",
        (None, None) => "every column",
    };
    state.column_choice = choice;
    let shown = shown_columns(state);
    state.toast(format!("{whose}: {shown}"));
}

/// The columns on screen now, in words: "Name, App, Status"; the sorted one when
/// the choice leaves it out, and those the terminal has no room for.
pub fn shown_columns(state: &State) -> String {
    let how = state.columns();
    let wanted: Vec<Column> = match &how.chosen {
        Some(c) => c.iter().map(|s| s.column).collect(),
        None => Column::ALL.to_vec(),
    };
    let shown: Vec<Column> = state
        .layout()
        .columns
        .iter()
        .filter_map(|c| c.column)
        .collect();
    let titles = |cols: &[Column]| {
        cols.iter()
            .map(|c| c.title())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = titles(&shown);
    if !wanted.contains(&how.sorted) {
        out.push_str(" (added: sorted on)");
    }
    let missing: Vec<Column> = wanted.into_iter().filter(|c| !shown.contains(c)).collect();
    if !missing.is_empty() {
        out.push_str(&format!("; no room for {}", titles(&missing)));
    }
    out
}

/// Applies a view's filter, sort and columns (none: the settings' columns).
pub fn apply(state: &mut State, view: &SavedView) {
    state.column_choice = (!view.columns.is_empty()).then(|| view.columns.clone());
    let page = state.page_height();
    state.table.filter_editing = false;
    if state.table.view != View::All {
        state.table.set_view(&state.inventory, View::All, page);
    }
    state
        .table
        .set_sort(&state.inventory, view.sort.unwrap_or_default(), page);
    apply_filter(state, &view.filter);
}

/// Sets the filter as if typed into `/` and kept: applied if it parses (the cursor on the
/// first match), else the mistake is in `table.filter_error` and the filter applied stays.
pub fn apply_filter(state: &mut State, text: &str) {
    let page = state.page_height();
    state.table.now = state.now;
    if text.trim().is_empty() {
        state.table.clear_filter(&state.inventory, page);
    } else {
        state.table.begin_filter();
        state
            .table
            .set_filter(&state.inventory, text.to_string(), page);
        keep_filter(state);
    }
}

/// Closes the filter keeping what is applied; a mistake typed after it is dropped, and
/// the user told what was not applied and what is.
pub(super) fn keep_filter(state: &mut State) {
    if let Some((typed, e)) = state.table.keep_filter() {
        let kept = match state.table.filter.as_str() {
            "" => "no filter".to_string(),
            f => format!("the filter \"{f}\""),
        };
        state.refuse(format!(
            "\"{typed}\" was not applied ({}); kept {kept}",
            e.message
        ));
    }
}

/// Sorts as `:sort` or `--sort` say.
pub fn apply_sort(state: &mut State, sort: Sort) {
    let page = state.page_height();
    state.table.set_sort(&state.inventory, sort, page);
}
