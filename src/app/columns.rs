//! The table's column choice: which columns, in which order, and how wide, as the settings'
//! `[table] columns`, a saved view's `columns` and `:columns` write it: a column's name,
//! optionally `:WIDTH` in cells (`["name", "app:20", "lastused", "status"]`). Pure; where
//! the chosen columns go on screen is `layout.rs`.

use super::table::Column;
use super::views::{column_name, column_named};

/// The narrowest and widest a column may be made, in cells.
pub const MIN_WIDTH: u16 = 3;
pub const MAX_WIDTH: u16 = 200;

/// One chosen column; `width: None` keeps the column's own width (a share of the room
/// left, for name, app and connector).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    pub column: Column,
    pub width: Option<u16>,
}

impl ColumnSpec {
    /// The column at its own width.
    pub fn of(column: Column) -> ColumnSpec {
        ColumnSpec {
            column,
            width: None,
        }
    }
}

/// What is wrong with one word of a column choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecError {
    /// No column has this name.
    Unknown(String),
    /// The width after `:` is not a number of cells in range.
    Width { word: String, width: String },
    /// The column was already chosen.
    Twice(String),
}

impl SpecError {
    /// The problem in words, with the nearest column name for an unknown one.
    pub fn message(&self) -> String {
        match self {
            SpecError::Unknown(name) => super::views::unknown_column(name),
            SpecError::Width { word, width } => format!(
                "`{word}`: the width `{width}` is not a number of cells from {MIN_WIDTH} to \
                 {MAX_WIDTH}"
            ),
            SpecError::Twice(word) => format!("`{word}` is named twice"),
        }
    }
}

/// `app`, `app:20`.
pub fn parse_one(word: &str) -> Result<ColumnSpec, SpecError> {
    let word = word.trim();
    let (name, width) = match word.split_once(':') {
        Some((n, w)) => (n, Some(w)),
        None => (word, None),
    };
    let column = column_named(name).ok_or_else(|| SpecError::Unknown(name.trim().to_string()))?;
    let width = match width {
        None => None,
        Some(w) => match w.trim().parse::<u16>() {
            Ok(n) if (MIN_WIDTH..=MAX_WIDTH).contains(&n) => Some(n),
            _ => {
                return Err(SpecError::Width {
                    word: word.to_string(),
                    width: w.to_string(),
                });
            }
        },
    };
    Ok(ColumnSpec { column, width })
}

/// A whole choice, in its order. Every problem, each with the index of its word.
pub fn parse_all<S: AsRef<str>>(words: &[S]) -> Result<Vec<ColumnSpec>, Vec<(usize, SpecError)>> {
    let mut specs: Vec<ColumnSpec> = Vec::new();
    let mut problems = Vec::new();
    for (i, w) in words.iter().enumerate() {
        match parse_one(w.as_ref()) {
            Ok(s) if specs.iter().any(|k| k.column == s.column) => {
                problems.push((i, SpecError::Twice(w.as_ref().trim().to_string())))
            }
            Ok(s) => specs.push(s),
            Err(e) => problems.push((i, e)),
        }
    }
    match problems.is_empty() {
        true => Ok(specs),
        false => Err(problems),
    }
}

/// A choice as it is written: `name app:20 status`.
pub fn text(specs: &[ColumnSpec]) -> String {
    specs
        .iter()
        .map(|s| match s.width {
            Some(w) => format!("{}:{w}", column_name(s.column)),
            None => column_name(s.column).to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(column: Column, width: Option<u16>) -> ColumnSpec {
        ColumnSpec { column, width }
    }

    #[test]
    fn a_choice_is_names_in_order_with_optional_widths() {
        assert_eq!(
            parse_all(&["name", "App:20", " lastused ", "client-id:44"]).unwrap(),
            vec![
                spec(Column::Name, None),
                spec(Column::App, Some(20)),
                spec(Column::LastUsed, None),
                spec(Column::ClientId, Some(44)),
            ]
        );
        let specs = parse_all(&["status", "name:30"]).unwrap();
        assert_eq!(text(&specs), "status name:30");
        assert_eq!(
            parse_all(&text(&specs).split(' ').collect::<Vec<_>>()),
            Ok(specs)
        );
    }

    #[test]
    fn an_unknown_name_gets_the_nearest_one() {
        let problems = parse_all(&["name", "conector:20"]).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, 1);
        assert_eq!(
            problems[0].1.message(),
            "no column `conector`; did you mean `connector`? the columns are name, app, \
             connector, client, created, lastused, expires, status, findings"
        );
    }

    #[test]
    fn a_width_is_a_number_of_cells_in_range() {
        for bad in [
            "app:", "app:x", "app:0", "app:2", "app:201", "app:-5", "app:20.5",
        ] {
            let problems = parse_all(&[bad]).unwrap_err();
            assert!(
                matches!(problems[0].1, SpecError::Width { .. }),
                "{bad}: {problems:?}"
            );
        }
        assert_eq!(
            parse_one("app:x").unwrap_err().message(),
            "`app:x`: the width `x` is not a number of cells from 3 to 200"
        );
        assert_eq!(parse_one("app:3").unwrap().width, Some(3));
        assert_eq!(parse_one("app:200").unwrap().width, Some(200));
    }

    #[test]
    fn a_column_named_twice_is_a_problem_whatever_its_spelling() {
        let problems = parse_all(&["client", "name", "client-id:20", "nmae"]).unwrap_err();
        let at: Vec<usize> = problems.iter().map(|(i, _)| *i).collect();
        assert_eq!(at, [2, 3]);
        assert_eq!(problems[0].1.message(), "`client-id:20` is named twice");
        assert!(problems[1].1.message().contains("did you mean `name`?"));
    }
}
