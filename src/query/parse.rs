//! The filter's text into terms: one pass over the bytes, each term with the span it came
//! from, so that a mistake says where it is.

use std::ops::Range;
use std::str::FromStr;

use crate::audit::Status;
use crate::audit::catalog::CheckId;

use super::{Cmp, Needle, Term, Test};

/// A field of text a word or `field:value` is found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    Name,
    App,
    Connector,
    Client,
    Id,
    /// The status word shown (only words and regexes search it; `status:` reads the flags).
    Status,
}

impl TextField {
    /// The fields a word is found in.
    pub const SEARCHED: [TextField; 6] = [
        TextField::Name,
        TextField::App,
        TextField::Connector,
        TextField::Client,
        TextField::Id,
        TextField::Status,
    ];
}

/// A field of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeField {
    LastUsed,
    Created,
    Expires,
}

/// A mistake in a filter: what, and where (a byte range of the filter).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub span: Range<usize>,
    pub message: String,
}

impl QueryError {
    fn new(span: Range<usize>, message: impl Into<String>) -> QueryError {
        QueryError {
            span,
            message: message.into(),
        }
    }

    /// The filter, then a line of `^` under the mistake, then the message: what the command
    /// line prints. Sanitised: the filter may have been pasted.
    pub fn pointer(&self, source: &str) -> String {
        let at = self.span.start.min(source.len());
        let end = self.span.end.clamp(at, source.len());
        let before = crate::text::width(&crate::text::sanitize(&source[..at]));
        let under = crate::text::width(&crate::text::sanitize(&source[at..end])).max(1);
        format!(
            "  {}\n  {}{}\n{}",
            crate::text::sanitize(source),
            " ".repeat(before),
            "^".repeat(under),
            self.message
        )
    }
}

#[derive(Clone, Copy)]
enum Field {
    Text(TextField),
    Time(TimeField),
    Status,
    Finding,
}

/// Field names as typed, the canonical name first for each field.
const FIELDS: [(&str, Field); 17] = [
    ("name", Field::Text(TextField::Name)),
    ("app", Field::Text(TextField::App)),
    ("connector", Field::Text(TextField::Connector)),
    ("conn", Field::Text(TextField::Connector)),
    ("client", Field::Text(TextField::Client)),
    ("client-id", Field::Text(TextField::Client)),
    ("client_id", Field::Text(TextField::Client)),
    ("id", Field::Text(TextField::Id)),
    ("status", Field::Status),
    ("finding", Field::Finding),
    ("lastused", Field::Time(TimeField::LastUsed)),
    ("last-used", Field::Time(TimeField::LastUsed)),
    ("last_used", Field::Time(TimeField::LastUsed)),
    ("created", Field::Time(TimeField::Created)),
    ("expires", Field::Time(TimeField::Expires)),
    ("expiry", Field::Time(TimeField::Expires)),
    ("check", Field::Finding),
];

const CANONICAL: &str =
    "name, app, connector, client, id, status, finding, lastused, created, expires";

/// The nearest of `known` to `given`, if near enough to suggest.
fn nearest<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let g = given.to_ascii_lowercase();
    let limit = if g.len() <= 4 { 1 } else { 2 };
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(&g, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

struct Parser<'a> {
    src: &'a str,
    at: usize,
}

pub(super) fn parse(src: &str) -> Result<Vec<Term>, QueryError> {
    let mut p = Parser { src, at: 0 };
    let mut terms = Vec::new();
    loop {
        p.skip_space();
        if p.at >= src.len() {
            return Ok(terms);
        }
        terms.push(p.term()?);
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.at..].chars().next()
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.at += c.len_utf8();
        }
    }

    /// Up to the next space.
    fn bare(&mut self) -> Range<usize> {
        let start = self.at;
        while let Some(c) = self.peek().filter(|c| !c.is_whitespace()) {
            self.at += c.len_utf8();
        }
        start..self.at
    }

    /// A `"quoted"` or `/regex/` text from its opening `delim`; `\delim` and `\\` (for
    /// quotes) are the character itself. Returns the text and the span with delimiters.
    fn delimited(&mut self, delim: char) -> Result<(String, Range<usize>), QueryError> {
        let start = self.at;
        self.at += 1;
        let mut out = String::new();
        while let Some(c) = self.peek() {
            self.at += c.len_utf8();
            if c == delim {
                return Ok((out, start..self.at));
            }
            if c == '\\' {
                match self.peek() {
                    Some(n) if n == delim || (delim == '"' && n == '\\') => {
                        self.at += n.len_utf8();
                        out.push(n);
                        continue;
                    }
                    _ => {}
                }
            }
            out.push(c);
        }
        let what = if delim == '/' {
            "this regex has no closing `/`"
        } else {
            "this quote has no closing `\"`"
        };
        Err(QueryError::new(start..self.src.len(), what))
    }

    fn term(&mut self) -> Result<Term, QueryError> {
        let start = self.at;
        let negated = self.peek() == Some('!');
        if negated {
            self.at += 1;
            if self.peek().is_none_or(char::is_whitespace) {
                return Err(QueryError::new(
                    start..self.at,
                    "`!` needs a term right after it, e.g. `!revoked`",
                ));
            }
        }
        let test = match self.peek() {
            Some('/') => {
                let (pattern, span) = self.delimited('/')?;
                Test::Regex {
                    field: None,
                    regex: regex(&pattern, span)?,
                }
            }
            Some('"') => {
                let (text, _) = self.delimited('"')?;
                Test::Text {
                    field: None,
                    needle: Needle::new(super::lower(&text)),
                }
            }
            _ => self.field_or_word()?,
        };
        Ok(Term { negated, test })
    }

    /// `field:value`, `field>value`..., or else a word.
    fn field_or_word(&mut self) -> Result<Test, QueryError> {
        let start = self.at;
        let name_end = start
            + self.src[start..]
                .find(|c: char| !(c.is_ascii_alphabetic() || c == '-' || c == '_'))
                .unwrap_or(self.src.len() - start);
        let rest = &self.src[name_end..];
        let op_len = if rest.starts_with(">=") || rest.starts_with("<=") {
            2
        } else if rest.starts_with([':', '=', '<', '>']) {
            1
        } else {
            0
        };
        if name_end == start || op_len == 0 {
            let span = self.bare();
            return Ok(Test::Text {
                field: None,
                needle: Needle::new(super::lower(&self.src[span])),
            });
        }
        let name = &self.src[start..name_end];
        let op = &self.src[name_end..name_end + op_len];
        self.at = name_end + op_len;
        let field = match FIELDS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, f)) => *f,
            None => {
                let span = self.bare();
                let whole = &self.src[start..span.end];
                let hint = match nearest(name, FIELDS.iter().map(|(n, _)| *n)) {
                    Some(n) => format!("did you mean `{}`?", canonical(n)),
                    None => format!(
                        "the fields are {CANONICAL}; to find the text itself, quote it: \"{whole}\""
                    ),
                };
                return Err(QueryError::new(
                    start..name_end,
                    format!("unknown field `{name}`, {hint}"),
                ));
            }
        };
        let name = canonical(name);
        let value_start = self.at;
        let (value, value_span, delim) = match self.peek() {
            Some(d @ ('"' | '/')) => {
                let (v, span) = self.delimited(d)?;
                (v, span, Some(d))
            }
            _ => {
                let span = self.bare();
                (self.src[span.clone()].to_string(), span, None)
            }
        };
        if value.is_empty() && delim.is_none() {
            return Err(QueryError::new(
                start..self.at,
                format!("`{name}{op}` needs a value, e.g. {}", example(field)),
            ));
        }
        let comparing = matches!(op, "<" | ">" | "<=" | ">=");
        match field {
            Field::Time(f) => {
                if !comparing {
                    if value.eq_ignore_ascii_case("never") {
                        return Ok(Test::Time {
                            field: f,
                            cmp: Cmp::Never,
                        });
                    }
                    return Err(QueryError::new(
                        start..self.at,
                        format!(
                            "`{name}` is compared with `>` or `<`, e.g. {}, or is `{name}:never`",
                            example(field)
                        ),
                    ));
                }
                let secs = duration(&value, value_start..self.at)?;
                let inclusive = op.len() == 2;
                let cmp = if op.starts_with('>') {
                    Cmp::Over { secs, inclusive }
                } else {
                    Cmp::Under { secs, inclusive }
                };
                Ok(Test::Time { field: f, cmp })
            }
            _ if comparing => Err(QueryError::new(
                name_end..name_end + op_len,
                format!(
                    "`{name}` takes `:` (`{op}` compares times: lastused, created, expires), e.g. {}",
                    example(field)
                ),
            )),
            Field::Text(f) => Ok(match delim {
                Some('/') => Test::Regex {
                    field: Some(f),
                    regex: regex(&value, value_span)?,
                },
                _ => Test::Text {
                    field: Some(f),
                    needle: Needle::new(super::lower(&value)),
                },
            }),
            Field::Status => match Status::from_word(&value).or_else(|| status_prefix(&value)) {
                Some(s) => Ok(Test::Status(s)),
                None => {
                    let words: Vec<String> = Status::ALL.iter().map(|s| s.typed_word()).collect();
                    let hint = match nearest(&value, words.iter().map(String::as_str)) {
                        Some(w) => format!("did you mean `{w}`?"),
                        None => format!("the statuses are {}", words.join(", ")),
                    };
                    Err(QueryError::new(
                        value_span,
                        format!("unknown status `{value}`, {hint}"),
                    ))
                }
            },
            Field::Finding => CheckId::from_str(&value)
                .map(Test::Finding)
                .map_err(|e| QueryError::new(value_span, e.to_string())),
        }
    }
}

/// The one status whose word starts with `prefix` (`rev`: revoked), so that typing
/// `status:rev…` filters before the word is whole.
fn status_prefix(prefix: &str) -> Option<Status> {
    let p = prefix.to_ascii_lowercase().replace('_', "-");
    let mut found = Status::ALL
        .into_iter()
        .filter(|s| s.typed_word().starts_with(&p));
    match (found.next(), found.next()) {
        (Some(s), None) => Some(s),
        _ => None,
    }
}

/// The canonical name of the field an accepted name names.
fn canonical(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    let field = FIELDS.iter().find(|(n, _)| *n == lower).map(|(_, f)| *f);
    match field {
        Some(Field::Text(TextField::Name)) => "name",
        Some(Field::Text(TextField::App)) => "app",
        Some(Field::Text(TextField::Connector)) => "connector",
        Some(Field::Text(TextField::Client)) => "client",
        Some(Field::Text(TextField::Id)) => "id",
        Some(Field::Text(TextField::Status)) | Some(Field::Status) => "status",
        Some(Field::Finding) => "finding",
        Some(Field::Time(TimeField::LastUsed)) => "lastused",
        Some(Field::Time(TimeField::Created)) => "created",
        Some(Field::Time(TimeField::Expires)) => "expires",
        None => "name",
    }
}

fn example(field: Field) -> &'static str {
    match field {
        Field::Text(TextField::Name) => "name:prod",
        Field::Text(TextField::App) => "app:okta",
        Field::Text(TextField::Connector) => "connector:baton-okta",
        Field::Text(TextField::Client) => "client:witty-badger",
        Field::Text(TextField::Id) => "id:2EK4",
        Field::Text(TextField::Status) | Field::Status => "status:never-used",
        Field::Finding => "finding:CB-1.2",
        Field::Time(TimeField::LastUsed) => "lastused>90d",
        Field::Time(TimeField::Created) => "created<30d",
        Field::Time(TimeField::Expires) => "expires<14d",
    }
}

/// The longest duration a comparison takes: beyond it, every time is nearer.
const MAX_DAYS: i64 = 1_000_000;

/// `90d`, `12h`, `30m`, `2w`, `1y` in seconds.
fn duration(value: &str, span: Range<usize>) -> Result<i64, QueryError> {
    let digits = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (n, unit) = value.split_at(digits);
    let bad = |why: &str| {
        QueryError::new(
            span.clone(),
            format!("`{value}` {why}: a duration is a number and a unit, m, h, d, w or y (90d)"),
        )
    };
    if n.is_empty() {
        return Err(bad("is not a duration"));
    }
    let n: i64 = n.parse().map_err(|_| bad("is too long"))?;
    let unit_secs = match unit.to_ascii_lowercase().as_str() {
        "" => return Err(bad("has no unit")),
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        "y" => 365 * 86_400,
        _ => return Err(bad("has an unknown unit")),
    };
    match n.checked_mul(unit_secs) {
        Some(s) if s <= MAX_DAYS * 86_400 => Ok(s),
        _ => Err(bad("is too long")),
    }
}

/// How big a compiled regex may grow: a filter is typed, not a program.
const REGEX_LIMIT: usize = 1 << 20;

fn regex(pattern: &str, span: Range<usize>) -> Result<regex::Regex, QueryError> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .multi_line(true)
        .size_limit(REGEX_LIMIT)
        .dfa_size_limit(REGEX_LIMIT)
        .nest_limit(64)
        .build()
        .map_err(|e| {
            let why = match &e {
                regex::Error::CompiledTooBig(_) => "this regex is too big".to_string(),
                other => {
                    let text = other.to_string();
                    let last = text
                        .lines()
                        .rev()
                        .find_map(|l| l.trim().strip_prefix("error: "))
                        .unwrap_or("not a valid regex")
                        .to_string();
                    format!("invalid regex: {last}")
                }
            };
            QueryError::new(span, why)
        })
}
