//! The command line (`:`): what a typed line means, what Tab completes it to, and the
//! suggestion for a word it does not know. Pure: the command line's state is `prompt.rs`,
//! carrying a command out is `update/command.rs`.

use super::columns::{self, ColumnSpec, SpecError};
use super::table::Column;
use super::views::column_named;

/// One command as the help overlay lists it.
pub struct Spec {
    pub name: &'static str,
    /// What follows the name, as the help shows it ("COLUMN [asc|desc]").
    pub args: &'static str,
    pub description: &'static str,
}

const fn spec(name: &'static str, args: &'static str, description: &'static str) -> Spec {
    Spec {
        name,
        args,
        description,
    }
}

/// Every command, in the order the help and the completion list them.
pub const COMMANDS: &[Spec] = &[
    spec(
        "sort",
        "COLUMN [asc|desc]",
        "sort by a column (Tab lists them)",
    ),
    spec(
        "filter",
        "EXPR",
        "filter the list, as / does (nothing after it: clear)",
    ),
    spec(
        "view",
        "NAME",
        "apply a saved view: its filter, sort and columns",
    ),
    spec(
        "columns",
        "COLUMN[:WIDTH]...",
        "the columns to show, in order (alone: the settings')",
    ),
    spec(
        "export",
        "csv|json FILE",
        "write the rows shown as `list -o csv|json` prints them",
    ),
    spec("journal", "", "open the action journal"),
    spec("errors", "", "open the error history"),
    spec(
        "import",
        "FILE",
        "learn credential ids from a file, as `credboard import`",
    ),
    spec(
        "track",
        "APP_ID CONNECTOR_ID CREDENTIAL_ID",
        "add one credential id to the inventory",
    ),
    spec(
        "untrack",
        "",
        "forget the selected credential here (not on the server)",
    ),
    spec("refresh", "", "refresh now"),
    spec("help", "", "open the help"),
    spec("quit", "", "quit"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub fn word(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }
}

/// A command line, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Sort {
        column: Column,
        /// Ascending unless `desc` was asked for, as `s` starts.
        descending: bool,
    },
    /// Empty: clear the filter.
    Filter(String),
    View(String),
    /// `None`: back to the settings' choice.
    Columns(Option<Vec<ColumnSpec>>),
    Export {
        format: ExportFormat,
        path: String,
    },
    Journal,
    Errors,
    Import(String),
    Track {
        app_id: String,
        connector_id: String,
        credential_id: String,
    },
    Untrack,
    Refresh,
    Help,
    Quit,
}

fn column_names() -> Vec<&'static str> {
    Column::ALL
        .iter()
        .map(|c| super::views::column_name(*c))
        .collect()
}

/// What a command line means, or what is wrong with it in words.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let (name, rest) = match line.split_once(char::is_whitespace) {
        Some((n, r)) => (n, r.trim()),
        None => (line, ""),
    };
    if name.is_empty() {
        return Err("type a command; Tab lists them".to_string());
    }
    let args: Vec<&str> = rest.split_whitespace().collect();
    let none = |c: Command| {
        if args.is_empty() {
            Ok(c)
        } else {
            Err(format!("`{name}` takes nothing after it"))
        }
    };
    match name.to_ascii_lowercase().as_str() {
        "sort" => parse_sort(&args),
        "filter" => Ok(Command::Filter(rest.to_string())),
        "view" => match args.as_slice() {
            [view] => Ok(Command::View(view.to_string())),
            _ => Err(usage("view")),
        },
        "columns" => match args.as_slice() {
            [] => Ok(Command::Columns(None)),
            [d] if d.eq_ignore_ascii_case("default") => Ok(Command::Columns(None)),
            _ => match columns::parse_all(&args) {
                Ok(cols) => Ok(Command::Columns(Some(cols))),
                Err(problems) => Err(match &problems[0].1 {
                    SpecError::Unknown(word) => unknown_column(word),
                    e => format!("columns: {}", e.message()),
                }),
            },
        },
        "export" => {
            let (format, path) = match rest.split_once(char::is_whitespace) {
                Some((f, p)) => (f, p.trim()),
                None => (rest, ""),
            };
            let format = match format.to_ascii_lowercase().as_str() {
                "csv" => ExportFormat::Csv,
                "json" => ExportFormat::Json,
                _ => return Err(usage("export")),
            };
            if path.is_empty() {
                return Err(usage("export"));
            }
            Ok(Command::Export {
                format,
                path: path.to_string(),
            })
        }
        "import" if !rest.is_empty() => Ok(Command::Import(rest.to_string())),
        "import" => Err(usage("import")),
        "track" => match args.as_slice() {
            [a, k, c] => Ok(Command::Track {
                app_id: a.to_string(),
                connector_id: k.to_string(),
                credential_id: c.to_string(),
            }),
            _ => Err(usage("track")),
        },
        "journal" => none(Command::Journal),
        "errors" => none(Command::Errors),
        "untrack" => none(Command::Untrack),
        "refresh" => none(Command::Refresh),
        "help" => none(Command::Help),
        "quit" | "q" => none(Command::Quit),
        _ => Err(match suggest(name, COMMANDS.iter().map(|c| c.name)) {
            Some(s) => format!("unknown command `{name}`, did you mean `{s}`?"),
            None => format!("unknown command `{name}`; Tab lists the commands"),
        }),
    }
}

fn parse_sort(args: &[&str]) -> Result<Command, String> {
    let (column, order) = match args {
        [c] => (*c, None),
        [c, o] => (*c, Some(*o)),
        _ => return Err(usage("sort")),
    };
    let column = column_named(column).ok_or_else(|| unknown_column(column))?;
    let descending = match order.map(|o| o.to_ascii_lowercase()) {
        None => false,
        Some(o) if o == "asc" => false,
        Some(o) if o == "desc" => true,
        Some(o) => return Err(format!("sort: `{o}` is neither asc nor desc")),
    };
    Ok(Command::Sort { column, descending })
}

fn unknown_column(word: &str) -> String {
    match suggest(word, column_names().into_iter()) {
        Some(s) => format!("unknown column `{word}`, did you mean `{s}`?"),
        None => format!("unknown column `{word}`: {}", column_names().join(" ")),
    }
}

/// "usage: sort COLUMN [asc|desc]".
fn usage(name: &str) -> String {
    let args = COMMANDS
        .iter()
        .find(|c| c.name == name)
        .map_or("", |c| c.args);
    format!("usage: {name} {args}")
}

/// The nearest of `known` to `word`, when near enough to be a slip: a prefix of it, or at
/// most two edits away (one for short words).
pub fn suggest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    let limit = if w.chars().count() <= 3 { 1 } else { 2 };
    known
        .map(|k| {
            let d = if k.starts_with(&w) {
                0
            } else {
                distance(&w, k)
            };
            (d, k)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, with a swap of two neighbours counted as one edit.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// The file path being typed as the last argument of `export csv|json FILE` or `import
/// FILE`: the line before it, and the path so far (perhaps empty). `None`: Tab completes
/// words ([`complete`]). Listing a directory is I/O: the worker does it.
pub fn path_argument(line: &str) -> Option<(&str, &str)> {
    let start = line.trim_start();
    let (name, rest) = start.split_once(char::is_whitespace)?;
    let path = match name.to_ascii_lowercase().as_str() {
        "import" => rest.trim_start(),
        "export" => {
            let (format, after) = rest.trim_start().split_once(char::is_whitespace)?;
            if !["csv", "json"].contains(&format.to_ascii_lowercase().as_str()) {
                return None;
            }
            after.trim_start()
        }
        _ => return None,
    };
    Some((&line[..line.len() - path.len()], path))
}

/// The longest start every name shares (whole characters): of file names, commands or
/// columns alike.
pub fn common_start<S: AsRef<str>>(names: &[S]) -> String {
    let Some(first) = names.first().map(AsRef::as_ref) else {
        return String::new();
    };
    let mut n = first.len();
    for w in names[1..].iter().map(AsRef::as_ref) {
        n = n.min(
            first
                .char_indices()
                .zip(w.chars())
                .find(|((_, a), b)| a != b)
                .map_or(first.len().min(w.len()), |((i, _), _)| i),
        );
    }
    first[..n].to_string()
}

/// What Tab does to a line: the line completed as far as it is certain, and the candidates
/// for the word being typed (more than one: the line stops where they part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub line: String,
    pub candidates: Vec<&'static str>,
}

/// Completes the last word of `line`: a command's name, a column, asc/desc, csv/json.
pub fn complete(line: &str) -> Completion {
    let ends_in_space = line.ends_with(char::is_whitespace);
    let words: Vec<&str> = line.split_whitespace().collect();
    let (done, typing): (&[&str], &str) = if ends_in_space || words.is_empty() {
        (&words, "")
    } else {
        (&words[..words.len() - 1], words[words.len() - 1])
    };
    let options: Vec<&'static str> = match done {
        [] => COMMANDS.iter().map(|c| c.name).collect(),
        [cmd] if cmd.eq_ignore_ascii_case("sort") => column_names(),
        [cmd, _] if cmd.eq_ignore_ascii_case("sort") => vec!["asc", "desc"],
        [cmd] if cmd.eq_ignore_ascii_case("export") => vec!["csv", "json"],
        [cmd, ..] if cmd.eq_ignore_ascii_case("columns") => {
            let named = |d: &&str| columns::parse_one(d).ok().map(|s| s.column);
            let mut options: Vec<&'static str> = column_names()
                .into_iter()
                .filter(|c| !done[1..].iter().any(|d| named(d) == column_named(c)))
                .collect();
            if done.len() == 1 {
                options.push("default");
            }
            options
        }
        _ => Vec::new(),
    };
    let lower = typing.to_ascii_lowercase();
    let candidates: Vec<&'static str> = options
        .into_iter()
        .filter(|o| o.starts_with(&lower))
        .collect();
    let stem = line[..line.len() - typing.len()].to_string();
    let line = match candidates.as_slice() {
        [] => line.to_string(),
        [one] => format!("{stem}{one} "),
        // Every candidate starts with what was typed: the common prefix never shortens it.
        many => format!("{stem}{}", common_start(many)),
    };
    Completion { line, candidates }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_to_what_they_say() {
        assert_eq!(
            parse("sort lastused desc"),
            Ok(Command::Sort {
                column: Column::LastUsed,
                descending: true
            })
        );
        assert_eq!(
            parse("  sort Client  "),
            Ok(Command::Sort {
                column: Column::ClientId,
                descending: false
            })
        );
        assert_eq!(
            parse("filter app:okta  !revoked"),
            Ok(Command::Filter("app:okta  !revoked".into()))
        );
        assert_eq!(parse("filter"), Ok(Command::Filter(String::new())));
        assert_eq!(
            parse("export csv /tmp/my creds.csv"),
            Ok(Command::Export {
                format: ExportFormat::Csv,
                path: "/tmp/my creds.csv".into()
            })
        );
        assert_eq!(
            parse("track a1 c1 k1"),
            Ok(Command::Track {
                app_id: "a1".into(),
                connector_id: "c1".into(),
                credential_id: "k1".into()
            })
        );
        assert_eq!(
            parse("columns name status:12 lastused"),
            Ok(Command::Columns(Some(vec![
                ColumnSpec::of(Column::Name),
                ColumnSpec {
                    column: Column::Status,
                    width: Some(12)
                },
                ColumnSpec::of(Column::LastUsed)
            ])))
        );
        assert_eq!(parse("columns"), Ok(Command::Columns(None)));
        assert_eq!(parse("columns Default"), Ok(Command::Columns(None)));
        assert_eq!(parse("quit"), Ok(Command::Quit));
        assert_eq!(
            parse("import state.tfstate"),
            Ok(Command::Import("state.tfstate".into()))
        );
        assert_eq!(parse("view okta"), Ok(Command::View("okta".into())));
    }

    #[test]
    fn every_command_in_the_table_is_understood() {
        for c in COMMANDS {
            let err = parse(c.name).err().unwrap_or_default();
            assert!(!err.starts_with("unknown command"), "{}: {err}", c.name);
        }
    }

    #[test]
    fn an_unknown_command_gets_the_nearest_suggestion() {
        assert_eq!(
            parse("sotr name").unwrap_err(),
            "unknown command `sotr`, did you mean `sort`?"
        );
        assert_eq!(
            parse("exprot csv x").unwrap_err(),
            "unknown command `exprot`, did you mean `export`?"
        );
        assert_eq!(
            parse("jornal").unwrap_err(),
            "unknown command `jornal`, did you mean `journal`?"
        );
        assert_eq!(
            parse("frobnicate").unwrap_err(),
            "unknown command `frobnicate`; Tab lists the commands"
        );
        assert_eq!(
            parse("sort nmae").unwrap_err(),
            "unknown column `nmae`, did you mean `name`?"
        );
    }

    #[test]
    fn mistakes_in_arguments_say_the_usage() {
        assert_eq!(
            parse("export xml f").unwrap_err(),
            "usage: export csv|json FILE"
        );
        assert_eq!(
            parse("export csv").unwrap_err(),
            "usage: export csv|json FILE"
        );
        assert_eq!(
            parse("track a b").unwrap_err(),
            "usage: track APP_ID CONNECTOR_ID CREDENTIAL_ID"
        );
        assert_eq!(
            parse("sort name up").unwrap_err(),
            "sort: `up` is neither asc nor desc"
        );
        assert_eq!(
            parse("quit now").unwrap_err(),
            "`quit` takes nothing after it"
        );
        assert_eq!(
            parse("columns name name").unwrap_err(),
            "columns: `name` is named twice"
        );
        assert_eq!(
            parse("columns name app:wide").unwrap_err(),
            "columns: `app:wide`: the width `wide` is not a number of cells from 3 to 200"
        );
        assert_eq!(
            parse("columns name conector:20").unwrap_err(),
            "unknown column `conector`, did you mean `connector`?"
        );
        assert_eq!(parse("").unwrap_err(), "type a command; Tab lists them");
    }

    #[test]
    fn tab_completes_a_unique_word_and_stops_where_candidates_part() {
        let c = complete("so");
        assert_eq!((c.line.as_str(), c.candidates), ("sort ", vec!["sort"]));
        let c = complete("sort l");
        assert_eq!(c.line, "sort lastused ");
        let c = complete("sort c");
        assert_eq!(c.line, "sort c");
        assert_eq!(c.candidates, vec!["connector", "client", "created"]);
        let c = complete("sort name ");
        assert_eq!(c.candidates, vec!["asc", "desc"]);
        assert_eq!(complete("export j").line, "export json ");
        let c = complete("e");
        assert_eq!(c.line, "e");
        assert_eq!(c.candidates, vec!["export", "errors"]);
        assert_eq!(complete("").candidates.len(), COMMANDS.len());
        let c = complete("columns name:30 status ");
        assert!(!c.candidates.contains(&"name") && c.candidates.contains(&"app"));
        assert!(!c.candidates.contains(&"default"));
        assert_eq!(complete("columns d").line, "columns default ");
        let c = complete("zz");
        assert_eq!((c.line.as_str(), c.candidates.len()), ("zz", 0));
        // "impo" + Tab → "import "; the file is the worker's to complete (`path_argument`).
        assert_eq!(complete("impo").line, "import ");
        assert_eq!(complete("import fi").candidates.len(), 0);
    }

    #[test]
    fn a_path_is_the_last_argument_of_export_and_import() {
        assert_eq!(path_argument("import "), Some(("import ", "")));
        assert_eq!(path_argument("import ~/st"), Some(("import ", "~/st")));
        assert_eq!(
            path_argument("export csv /tmp/my cr"),
            Some(("export csv ", "/tmp/my cr"))
        );
        assert_eq!(
            path_argument("  EXPORT Json  a"),
            Some(("  EXPORT Json  ", "a"))
        );
        assert_eq!(path_argument("export csv "), Some(("export csv ", "")));
        // Not yet at the path: the words complete as before.
        for line in [
            "import",
            "export",
            "export cs",
            "export csv",
            "export xml f",
            "sort n",
        ] {
            assert_eq!(path_argument(line), None, "{line}");
        }
    }

    #[test]
    fn the_common_start_of_names_is_whole_characters() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            common_start(&names(&["report-a.csv", "report-b.csv"])),
            "report-"
        );
        assert_eq!(common_start(&names(&["été", "étage"])), "ét");
        assert_eq!(common_start(&names(&["ab", "abc"])), "ab");
        assert_eq!(common_start(&names(&["x"])), "x");
        assert_eq!(common_start::<String>(&[]), "");
        // Two names that part inside a character: the character is not cut.
        assert_eq!(common_start(&names(&["aé", "aè"])), "a");
    }

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("sort", "sort"), 0);
        assert_eq!(distance("sotr", "sort"), 1);
        assert_eq!(distance("srt", "sort"), 1);
        assert_eq!(distance("help", "quit"), 4);
    }
}
