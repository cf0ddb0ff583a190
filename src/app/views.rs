//! Saved views (`[views.NAME]` in the settings, `--view`, `:view NAME`): a filter, a sort and
//! columns under a name. What a view holds and how its sort is written
//! (`column[:asc|desc]`); applying one is `update::views`.

use super::columns::{self, ColumnSpec};
use super::table::{Column, Sort};

/// A view as the settings give it, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SavedView {
    /// The filter, in the filter language (empty: none).
    pub filter: String,
    /// `None`: the default sort (by status).
    pub sort: Option<Sort>,
    /// The columns, in order, with their widths (`app:20`); empty: the settings' choice
    /// (`[table] columns`).
    pub columns: Vec<ColumnSpec>,
}

/// The names a column is written with, the first its own: one entry per column.
const NAMES: [(Column, &[&str]); Column::ALL.len()] = [
    (Column::Name, &["name"]),
    (Column::App, &["app"]),
    (Column::Connector, &["connector"]),
    (
        Column::ClientId,
        &["client", "client-id", "client_id", "clientid"],
    ),
    (Column::Created, &["created"]),
    (Column::LastUsed, &["lastused", "last-used", "last_used"]),
    (Column::Expires, &["expires", "expiry"]),
    (Column::Status, &["status"]),
    (Column::Findings, &["findings", "finding"]),
];

/// The column a name (any case) names.
pub fn column_named(name: &str) -> Option<Column> {
    let n = name.trim().to_ascii_lowercase();
    NAMES
        .iter()
        .find(|(_, names)| names.contains(&n.as_str()))
        .map(|(c, _)| *c)
}

/// The name a column is written with.
pub fn column_name(column: Column) -> &'static str {
    NAMES
        .iter()
        .find(|(c, _)| *c == column)
        .map_or("status", |(_, names)| names[0])
}

pub(super) fn unknown_column(name: &str) -> String {
    let known: Vec<&str> = NAMES.iter().map(|(_, n)| n[0]).collect();
    let near = NAMES
        .iter()
        .flat_map(|(_, n)| n.iter())
        .map(|n| {
            (
                strsim::damerau_levenshtein(&name.to_ascii_lowercase(), n),
                n,
            )
        })
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| format!("did you mean `{n}`? "))
        .unwrap_or_default();
    format!(
        "no column `{name}`; {near}the columns are {}",
        known.join(", ")
    )
}

/// `lastused`, `lastused:desc`, `name:asc`.
pub fn parse_sort(text: &str) -> Result<Sort, String> {
    let (name, order) = match text.split_once(':') {
        Some((n, o)) => (n, Some(o)),
        None => (text, None),
    };
    let column = column_named(name).ok_or_else(|| unknown_column(name.trim()))?;
    let descending = match order.map(|o| o.trim().to_ascii_lowercase()).as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(format!(
                "`{other}` is not an order: write `{}:asc` or `{}:desc`",
                name.trim(),
                name.trim()
            ));
        }
    };
    Ok(Sort { column, descending })
}

/// `column:asc|desc`, as [`parse_sort`] reads it.
pub fn sort_text(sort: Sort) -> String {
    let order = if sort.descending { "desc" } else { "asc" };
    format!("{}:{order}", column_name(sort.column))
}

/// Checks a view's parts as the settings hold them. Each problem names its key (`filter`,
/// `sort`, `columns`) and what is wrong.
pub fn check(
    filter: Option<&str>,
    sort: Option<&str>,
    columns: Option<&[String]>,
) -> Result<SavedView, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let filter = filter.unwrap_or("").to_string();
    if let Err(e) = crate::query::Query::parse(&filter) {
        problems.push((
            "filter",
            format!("{} (at byte {} of the filter)", e.message, e.span.start),
        ));
    }
    let sort = match sort.map(parse_sort) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            problems.push(("sort", e));
            None
        }
    };
    let columns = match columns::parse_all(columns.unwrap_or(&[])) {
        Ok(c) => c,
        Err(wrong) => {
            problems.extend(wrong.into_iter().map(|(_, e)| ("columns", e.message())));
            Vec::new()
        }
    };
    match problems.is_empty() {
        true => Ok(SavedView {
            filter,
            sort,
            columns,
        }),
        false => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_are_a_column_and_an_order() {
        let s = parse_sort("LastUsed:desc").unwrap();
        assert_eq!((s.column, s.descending), (Column::LastUsed, true));
        assert_eq!(parse_sort("name").unwrap().column, Column::Name);
        assert!(!parse_sort("name:asc").unwrap().descending);
        assert_eq!(
            parse_sort("conector").unwrap_err(),
            "no column `conector`; did you mean `connector`? the columns are name, app, \
             connector, client, created, lastused, expires, status, findings"
        );
        assert!(parse_sort("name:up").unwrap_err().contains("`name:desc`"));
        for c in Column::ALL {
            assert_eq!(column_named(column_name(c)), Some(c));
            assert_eq!(
                parse_sort(&sort_text(Sort {
                    column: c,
                    descending: true
                }))
                .unwrap()
                .column,
                c
            );
        }
    }

    #[test]
    fn a_view_is_checked_whole() {
        let v = check(
            Some("app:okta"),
            Some("lastused:desc"),
            Some(&["name".into(), "app:20".into()]),
        )
        .unwrap();
        assert_eq!(v.filter, "app:okta");
        assert_eq!(columns::text(&v.columns), "name app:20");
        let problems = check(
            Some("conector:x"),
            Some("when"),
            Some(&["nmae".into(), "app:0".into()]),
        )
        .unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["filter", "sort", "columns", "columns"]);
        assert!(
            problems[0].1.contains("did you mean `connector`?"),
            "{problems:?}"
        );
        assert!(
            problems[2].1.contains("did you mean `name`?"),
            "{problems:?}"
        );
        assert!(problems[3].1.contains("the width `0`"), "{problems:?}");
        assert_eq!(check(None, None, None).unwrap(), SavedView::default());
    }
}
