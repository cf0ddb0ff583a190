//! Text of the scrollable windows (help, error history, journal), built from the state. Pure,
//! so that `update` can clamp scrolling to exactly what the drawing shows.

use super::inventory::Inventory;
use super::keymap::{Action, Context, Keymap};
use super::msg::JournalLine;
use super::state::ErrorRecord;
use crate::model::CredentialKey;
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Title(&'static str),
    Key {
        keys: String,
        /// The action's name in the settings' `[keys]`.
        name: &'static str,
        description: &'static str,
        /// Disabled in read-only mode.
        unavailable: bool,
        /// The settings cannot rebind it.
        fixed: bool,
    },
    /// A command of the command line: its usage (":sort COLUMN [asc|desc]") and what it does.
    Command {
        usage: String,
        description: &'static str,
    },
    Note(String),
    Blank,
}

/// Actions read-only mode refuses.
pub fn refused_in_read_only(a: Action) -> bool {
    matches!(
        a,
        Action::Revoke | Action::Rotate | Action::BulkRevoke | Action::RevokeOld | Action::Abandon
    )
}

/// The help, generated from the keymap table, grouped by context.
pub fn help_lines(keymap: &Keymap, read_only: bool) -> Vec<HelpLine> {
    let mut out = Vec::new();
    let mut contexts: Vec<Context> = keymap.bindings().iter().map(|b| b.context).collect();
    contexts.sort();
    contexts.dedup();
    for ctx in contexts {
        if !out.is_empty() {
            out.push(HelpLine::Blank);
        }
        out.push(HelpLine::Title(ctx.title()));
        for b in keymap.bindings().iter().filter(|b| b.context == ctx) {
            out.push(HelpLine::Key {
                keys: b.keys_label(),
                name: b.name,
                description: b.description,
                unavailable: read_only && refused_in_read_only(b.action),
                fixed: b.fixed.is_some(),
            });
        }
        if ctx == Context::Navigation {
            out.push(HelpLine::Note(
                "mouse: a click selects a row, a column title sorts, the wheel scrolls".to_string(),
            ));
        }
    }
    out.push(HelpLine::Blank);
    out.push(HelpLine::Title(
        "Commands (type : first; Tab completes, ↑/↓ the history)",
    ));
    for c in super::command::COMMANDS {
        let usage = if c.args.is_empty() {
            format!(":{}", c.name)
        } else {
            format!(":{} {}", c.name, c.args)
        };
        out.push(HelpLine::Command {
            usage,
            description: c.description,
        });
    }
    out.push(HelpLine::Blank);
    out.push(HelpLine::Note(
        "the middle column names each action for the settings' [keys], to rebind it".to_string(),
    ));
    out.push(HelpLine::Note(
        "the fixed ones are safety keys: they cannot be rebound".to_string(),
    ));
    if read_only {
        out.push(HelpLine::Blank);
        out.push(HelpLine::Note(
            "READ-ONLY: revoke and rotate are unavailable in this session".to_string(),
        ));
    }
    out
}

/// The help narrowed to the keys and commands whose keys, name or words hold `filter`
/// (case-insensitive), under their sections' titles; everything when `filter` is empty.
pub fn filter_help(lines: Vec<HelpLine>, filter: &str) -> Vec<HelpLine> {
    let f = filter.trim().to_lowercase();
    if f.is_empty() {
        return lines;
    }
    let holds = |s: &str| s.to_lowercase().contains(&f);
    let mut out = Vec::new();
    let mut title = None;
    for l in lines {
        let hit = match &l {
            HelpLine::Title(_) => {
                title = Some(l);
                continue;
            }
            HelpLine::Key {
                keys,
                name,
                description,
                ..
            } => holds(keys) || holds(name) || holds(description),
            HelpLine::Command { usage, description } => holds(usage) || holds(description),
            HelpLine::Note(_) | HelpLine::Blank => false,
        };
        if hit {
            if let Some(t) = title.take() {
                if !out.is_empty() {
                    out.push(HelpLine::Blank);
                }
                out.push(t);
            }
            out.push(l);
        }
    }
    if out.is_empty() {
        out.push(HelpLine::Note(format!(
            "no key or command matches \"{}\"",
            text::sanitize(filter)
        )));
    }
    out
}

/// The help as the window shows it now: filtered by what is typed into it.
pub fn help_shown(keymap: &Keymap, read_only: bool, filter: &str) -> Vec<HelpLine> {
    filter_help(help_lines(keymap, read_only), filter)
}

/// The error history, newest first, wrapped to `width`.
pub fn error_lines(errors: &[ErrorRecord], width: usize) -> Vec<String> {
    let mut out = Vec::new();
    if errors.is_empty() {
        out.push("No errors.".to_string());
        return out;
    }
    for (n, e) in errors.iter().rev().enumerate() {
        if n > 0 {
            out.push(String::new());
        }
        let stamp = e.at.format("%H:%M:%S").to_string();
        let indent = " ".repeat(stamp.len() + 1);
        for (i, line) in text::wrap(&e.text, width.saturating_sub(stamp.len() + 1).max(10))
            .into_iter()
            .enumerate()
        {
            if i == 0 {
                out.push(format!("{stamp} {line}"));
            } else {
                out.push(format!("{indent}{line}"));
            }
        }
    }
    out
}

/// One journal line as shown (newest first is the caller's order): when, what, the outcome
/// ("ok", "already gone", "failed"), which credential (app/connector/credential), who, and
/// a failure's reason last, where a long one can run on.
pub fn journal_line(l: &JournalLine) -> String {
    let outcome = text::sanitize(&l.outcome);
    let (status, reason) = match outcome.split_once(':') {
        Some((s, r)) => (s.trim().to_string(), format!("  {}", r.trim())),
        None => (outcome.clone(), String::new()),
    };
    format!(
        "{}  {:<6}  {:<12}  {}/{}/{}  {} ({}){}",
        l.at.format("%Y-%m-%d %H:%M:%S"),
        text::sanitize(&l.action),
        status,
        text::sanitize(&l.app_id),
        text::sanitize(&l.connector_id),
        text::sanitize(&l.credential_id),
        text::sanitize(&l.actor),
        text::sanitize(&l.profile),
        reason,
    )
}

/// A journal line as the window shows it: its text, whether its action failed, and which
/// entry (an index into the journal) it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalShown {
    pub text: String,
    pub failed: bool,
    pub entry: usize,
}

/// The journal as the window shows it: each entry with the names the inventory knows beside
/// its ids ("Okta / Okta prod / baton-okta [2Gf9…]"), narrowed to the entries whose text
/// holds `filter` (case-insensitive), wrapped to `width`.
pub fn journal_shown(
    lines: &[JournalLine],
    inv: &Inventory,
    filter: &str,
    width: usize,
) -> Vec<JournalShown> {
    let f = filter.trim().to_lowercase();
    let mut out = Vec::new();
    for (entry, l) in lines.iter().enumerate() {
        let key = CredentialKey::new(&l.app_id, &l.connector_id, &l.credential_id);
        let name = inv.get(&key).and_then(|e| e.display_name());
        let named = JournalLine {
            app_id: inv.app_name(&l.app_id).to_string(),
            connector_id: inv.connector_name(&l.app_id, &l.connector_id).to_string(),
            credential_id: match name {
                Some(n) => format!("{n} [{}]", l.credential_id),
                None => l.credential_id.clone(),
            },
            ..l.clone()
        };
        let whole = journal_line(&named);
        if !f.is_empty()
            && !whole.to_lowercase().contains(&f)
            && !journal_line(l).to_lowercase().contains(&f)
        {
            continue;
        }
        for (text, failed) in journal_lines(std::slice::from_ref(&named), width) {
            out.push(JournalShown {
                text,
                failed,
                entry,
            });
        }
    }
    out
}

/// The journal wrapped to `width`, continuation lines indented; each with whether it belongs
/// to a failed action.
pub fn journal_lines(lines: &[JournalLine], width: usize) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let indent = 21;
    for l in lines {
        let failed = l.outcome.starts_with("failed");
        for (i, part) in text::wrap(&journal_line(l), width.max(indent + 10))
            .into_iter()
            .enumerate()
        {
            if i == 0 {
                out.push((part, failed));
            } else {
                // Re-wrap continuation text under the indent.
                for p in text::wrap(&part, width.saturating_sub(indent).max(10)) {
                    out.push((format!("{}{p}", " ".repeat(indent)), failed));
                }
            }
        }
    }
    out
}

/// A value of a change as shown: a time in UTC to the second, or the text as it is.
fn change_value(v: Option<&str>) -> String {
    match v {
        None => "none".to_string(),
        Some(v) => match chrono::DateTime::parse_from_rfc3339(v) {
            Ok(t) => t
                .with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            Err(_) => text::sanitize(v),
        },
    }
}

/// One change as the changes window shows it: when it was seen, what changed, which
/// credential (its name and connector as the inventory knows them, and its id), and the
/// value before and after, when it has one.
pub fn change_line(
    c: &crate::changes::CredentialChange,
    inv: &super::inventory::Inventory,
) -> String {
    let value = match (&c.change.before, &c.change.after) {
        (None, None) => String::new(),
        (b, a) => format!(
            ": {} -> {}",
            change_value(b.as_deref()),
            change_value(a.as_deref())
        ),
    };
    let name = inv
        .get(&c.key)
        .and_then(|e| e.display_name().map(text::sanitize))
        .unwrap_or_else(|| "(no name)".to_string());
    format!(
        "{}  {:<14}  {} · {} ({}){}",
        c.seen_at.format("%Y-%m-%d %H:%M:%S"),
        c.change.kind.word(),
        name,
        text::sanitize(inv.connector_name(&c.key.app_id, &c.key.connector_id)),
        text::sanitize(&c.key.credential_id),
        value
    )
}

/// The change log wrapped to `width`, newest first as given, each line with the position
/// of its change.
pub fn change_lines(
    changes: &[crate::changes::CredentialChange],
    inv: &super::inventory::Inventory,
    width: usize,
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, c) in changes.iter().enumerate() {
        for (i, part) in text::wrap(&change_line(c, inv), width.max(30))
            .into_iter()
            .enumerate()
        {
            if i == 0 {
                out.push((n, part));
            } else {
                out.push((n, format!("{}{part}", " ".repeat(21))));
            }
        }
    }
    out
}
