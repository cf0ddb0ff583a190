//! What counts as an id, and CSV cells a spreadsheet will not run as formulas.

use crate::api::secret::refuse_misplaced_secret;

/// The longest id credboard accepts; ConductorOne's ids (KSUIDs such as
/// `2Gf9fCi5loeoDjTC0MtLnwLQ4Pn`) have 27 characters.
const MAX_ID_LEN: usize = 128;

/// `value` as a plausible id, trimmed, or why it is not one, naming it `field` ("id is
/// empty"). An id goes into URL paths and into spreadsheets: only letters, digits and
/// `- _ . ~`, not starting as a formula would. A client secret given as an id is named,
/// never quoted.
pub fn check_id<'v>(field: &str, value: &'v str) -> Result<&'v str, String> {
    let s = value.trim();
    refuse_misplaced_secret(field, s).map_err(|e| e.to_string())?;
    let length = s.chars().count();
    let odd = s
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')));
    let why = if s.is_empty() {
        "is empty".to_string()
    } else if length > MAX_ID_LEN {
        format!("is too long ({length} characters; an id has at most {MAX_ID_LEN})")
    } else if let Some(c) = s.chars().next().filter(|c| FORMULA_STARTS.contains(c)) {
        format!("starts with `{c}`, as a spreadsheet formula does")
    } else if let Some(c) = odd {
        match c {
            ' ' => "contains a space".to_string(),
            c if c.is_ascii_graphic() => {
                format!("contains `{c}` (an id has only letters, digits and - _ . ~)")
            }
            c => format!("contains the character {}", c.escape_unicode()),
        }
    } else {
        return Ok(s);
    };
    Err(format!("{field} {why}"))
}

/// What a spreadsheet reads as the start of a formula in a cell (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell of credboard's CSV output that a spreadsheet will not run: text starting as a
/// formula gets a leading `'`. A hostile display name cannot become `=HYPERLINK(...)`.
pub fn guard_csv_cell(s: String) -> String {
    if s.starts_with(FORMULA_STARTS) {
        format!("'{s}")
    } else {
        s
    }
}

/// A cell as [`guard_csv_cell`] wrote it, read back: the `'` before a formula's start goes.
pub(super) fn unguard_csv_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => s,
    }
}
