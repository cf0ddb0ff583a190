//! Text for people: the sanitiser for server strings, fitting and wrapping to a display width,
//! relative and absolute times, the shortened client id. Pure: the dashboard and the command
//! line use it alike.
//!
//! # The sanitiser
//! Everything that came from the server (names, ids, client ids, error texts) passes through
//! [`sanitize`] or [`fit`] before it is drawn. The rules, in one place:
//! - An escape sequence (ESC or an 8-bit C1 introducer: CSI, OSC, DCS, SOS, PM, APC, and the
//!   two-character escapes) becomes one `�`, whatever its length, terminated or not.
//! - Any other control character (C0, DEL, C1) becomes `�`; tab, CR and LF become a space.
//! - Bidi embeddings, overrides and isolates (U+202A–202E, U+2066–2069), the marks LRM, RLM
//!   and ALM, and the line/paragraph separators become `�`: they could reorder what is drawn.
//! - Zero-width and invisible format characters (ZWSP, ZWNJ, ZWJ, word joiner, invisible
//!   operators, BOM, soft hyphen, Mongolian vowel separator, tag characters) become `·`, so
//!   that `pr\u{200b}od` cannot pass for `prod`.
//! - Variation selectors are removed: they only choose a glyph, and make widths ambiguous.
//!
//! Widths are display widths (unicode-width), so wide CJK and emoji line up.

use chrono::{DateTime, Utc};
use unicode_truncate::UnicodeTruncateStr;
use unicode_width::UnicodeWidthStr;

/// Shown for a control character or an escape sequence.
pub const REPLACEMENT: char = '\u{FFFD}';
/// Shown for an invisible, zero-width character.
pub const INVISIBLE: char = '·';
/// Marks text cut to fit.
pub const ELLIPSIS: char = '…';

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
const ST: char = '\u{9c}';

enum Class {
    Keep,
    Space,
    Control,
    Invisible,
    Drop,
}

fn classify(c: char) -> Class {
    match c {
        '\t' | '\n' | '\r' => Class::Space,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Class::Control,
        '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{061c}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{fff9}'..='\u{fffb}' => Class::Control,
        '\u{200b}'..='\u{200d}'
        | '\u{2060}'..='\u{2064}'
        | '\u{feff}'
        | '\u{00ad}'
        | '\u{034f}'
        | '\u{180e}'
        | '\u{115f}'
        | '\u{1160}'
        | '\u{3164}'
        | '\u{ffa0}'
        | '\u{e0000}'..='\u{e007f}' => Class::Invisible,
        '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}' => Class::Drop,
        _ => Class::Keep,
    }
}

/// Iterates over the sanitised characters of a string (see the module docs).
pub struct Sanitized<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl<'a> Sanitized<'a> {
    pub fn new(s: &'a str) -> Self {
        Sanitized {
            chars: s.chars().peekable(),
        }
    }

    /// Consume a control sequence body: parameters and intermediates, then one final byte.
    fn skip_csi(&mut self) {
        while let Some(&c) = self.chars.peek() {
            self.chars.next();
            if ('\u{40}'..='\u{7e}').contains(&c) {
                return;
            }
            if !('\u{20}'..='\u{3f}').contains(&c) {
                // Not part of a CSI: the sequence ends here, inert either way.
                return;
            }
        }
    }

    /// Consume a string body (OSC, DCS, SOS, PM, APC) up to BEL, ST or ESC \.
    fn skip_string(&mut self) {
        while let Some(c) = self.chars.next() {
            match c {
                BEL | ST => return,
                ESC => {
                    if self.chars.peek() == Some(&'\\') {
                        self.chars.next();
                    }
                    return;
                }
                _ => {}
            }
        }
    }

    fn skip_escape(&mut self) {
        match self.chars.peek().copied() {
            Some('[') => {
                self.chars.next();
                self.skip_csi();
            }
            Some(']' | 'P' | 'X' | '^' | '_') => {
                self.chars.next();
                self.skip_string();
            }
            Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
                // Intermediates, then one final character.
                while let Some(&c) = self.chars.peek() {
                    self.chars.next();
                    if !('\u{20}'..='\u{2f}').contains(&c) {
                        break;
                    }
                }
            }
            Some(c) if ('\u{30}'..='\u{7e}').contains(&c) => {
                self.chars.next();
            }
            _ => {}
        }
    }
}

impl Iterator for Sanitized<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        loop {
            let c = self.chars.next()?;
            match c {
                ESC => {
                    self.skip_escape();
                    return Some(REPLACEMENT);
                }
                '\u{9b}' => {
                    self.skip_csi();
                    return Some(REPLACEMENT);
                }
                '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => {
                    self.skip_string();
                    return Some(REPLACEMENT);
                }
                _ => {}
            }
            return Some(match classify(c) {
                Class::Keep => c,
                Class::Space => ' ',
                Class::Control => REPLACEMENT,
                Class::Invisible => INVISIBLE,
                Class::Drop => continue,
            });
        }
    }
}

/// The whole string, sanitised.
pub fn sanitize(s: &str) -> String {
    Sanitized::new(s).collect()
}

/// Is this character one the sanitiser would never let through?
pub fn is_unsafe(c: char) -> bool {
    c == ESC || !matches!(classify(c), Class::Keep)
}

/// Display width of an already sanitised string.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Sanitise and cut to at most `max` display columns, ending with `…` when cut. Reads only
/// as much of the input as could fit, so a 10,000-character name costs no more than a short one.
pub fn fit(s: &str, max: usize) -> String {
    if max == 0 {
        return String::new();
    }
    // Zero-width characters take no column: read a few times the width, not just the width.
    let limit = max * 8 + 16;
    let mut clean = String::new();
    let mut cut = false;
    for (taken, c) in Sanitized::new(s).enumerate() {
        if taken == limit {
            cut = true;
            break;
        }
        clean.push(c);
    }
    if !cut && width(&clean) <= max {
        return clean;
    }
    let (head, _) = clean.unicode_truncate(max - 1);
    format!("{head}{ELLIPSIS}")
}

/// Pad (or cut) a sanitised string to exactly `w` columns.
pub fn pad(s: &str, w: usize) -> String {
    let mut out = fit(s, w);
    let have = width(&out);
    for _ in have..w {
        out.push(' ');
    }
    out
}

/// Wrap a string to lines of at most `w` columns, breaking at spaces where it can and inside
/// words where it must. The input is sanitised first; existing newlines start new lines.
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut lines = Vec::new();
    for paragraph in s.split('\n') {
        let clean = sanitize(paragraph);
        let mut line = String::new();
        let mut line_w = 0;
        for word in clean.split(' ') {
            let word_w = width(word);
            if line_w > 0 && line_w + 1 + word_w <= w {
                line.push(' ');
                line.push_str(word);
                line_w += 1 + word_w;
                continue;
            }
            if line_w > 0 {
                lines.push(std::mem::take(&mut line));
            }
            // The word starts a line; cut it if it is too long. Widths are the string's, as
            // `width` measures them (a character's own width can differ: U+17D8 is 1 alone
            // and 3 in a string), and a character wider than the line is fitted like any text.
            for c in word.chars() {
                let mut next = format!("{line}{c}");
                if width(&next) > w && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    next = c.to_string();
                }
                if width(&next) > w {
                    next = fit(&next, w);
                }
                line = next;
            }
            line_w = width(&line);
        }
        lines.push(line);
    }
    lines
}

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;

/// The size of the unit [`relative`] counts `s` seconds in.
fn unit(s: i64) -> i64 {
    if s < MINUTE {
        1
    } else if s < HOUR {
        MINUTE
    } else if s < 48 * HOUR {
        HOUR
    } else if s < YEAR {
        DAY
    } else {
        YEAR
    }
}

/// The first instant after `now` at which `relative(t, …)` reads differently: until then a
/// screen showing it needs no redraw.
pub fn relative_changes_at(t: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let secs = (now - t).num_seconds();
    let s = secs.abs();
    let at = if secs == 0 {
        // "now" until a whole second has passed.
        1
    } else if secs > 0 {
        // Counting up: at the next whole unit.
        (s / unit(s) + 1) * unit(s)
    } else {
        // Counting down: once fewer whole units remain than now.
        -((s / unit(s)) * unit(s))
    };
    t + chrono::Duration::seconds(at)
}

/// "12s ago", "3d ago", "in 6d", "now". Days up to a year, then years.
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds();
    let future = secs < 0;
    let s = secs.unsigned_abs();
    let amount = if s < 1 {
        return "now".to_string();
    } else if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m", s / 60)
    } else if s < 48 * 3600 {
        format!("{}h", s / 3600)
    } else if s < 365 * 86400 {
        format!("{}d", s / 86400)
    } else {
        format!("{}y", s / (365 * 86400))
    };
    if future {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// Whole days between `t` and `now` (positive in the past), for reasons like "created 214
/// days ago".
pub fn days_between(t: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - t).num_days()
}

/// The first instant after `now` at which `days_between(t, …)` answers differently.
pub fn days_change_at(t: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let n = days_between(t, now);
    let next = if now >= t || n == 0 { n + 1 } else { n };
    t + chrono::Duration::days(next)
}

/// "3 days", "1 day".
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// An absolute time as drawn in the detail pane.
pub fn absolute(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The client id as the table shows it: the part before '@', with an ellipsis when something
/// was cut. The caller fits the result to its column.
pub fn short_client_id(client_id: &str) -> String {
    match client_id.split_once('@') {
        Some((head, _)) if !head.is_empty() => format!("{head}{ELLIPSIS}"),
        _ => client_id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn relative_times_say_when_they_next_change() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let ms = chrono::Duration::milliseconds;
        // Every offset, past and future, at uneven sub-second points: the text stays the
        // same until the instant given, and differs just after it.
        let offsets = [
            0, 1, 2, 59, 60, 61, 119, 3599, 3600, 3601, 7199, 172_799, 172_800, 172_801, 259_199,
            31_535_999, 31_536_000, 63_072_001,
        ];
        for &s in &offsets {
            for sign in [1, -1] {
                for frac in [0, 1, 499, 999] {
                    let now = t + chrono::Duration::seconds(sign * s) + ms(sign * frac);
                    let text = relative(t, now);
                    let next = relative_changes_at(t, now);
                    assert!(next >= now, "{s} {sign} {frac}");
                    let mut probe = now;
                    while probe < next {
                        assert_eq!(relative(t, probe), text, "{s} {sign} {frac} {probe}");
                        probe += (next - now) / 7 + ms(1);
                        probe = probe.min(next);
                        if probe == next {
                            break;
                        }
                    }
                    assert_ne!(relative(t, next + ms(1)), text, "{s} {sign} {frac}");
                    let days = days_between(t, now);
                    let next = days_change_at(t, now);
                    assert!(next >= now);
                    assert_eq!(days_between(t, next - ms(1)), days, "{s} {sign} {frac}");
                    assert_ne!(days_between(t, next + ms(1)), days, "{s} {sign} {frac}");
                }
            }
        }
    }

    fn assert_inert(s: &str) {
        for c in s.chars() {
            assert!(!c.is_control() && !is_unsafe(c), "{c:?} left in {s:?}");
        }
    }

    #[test]
    fn escape_sequences_become_one_replacement() {
        assert_eq!(sanitize("a\x1b[31mred\x1b[0m"), "a�red�");
        assert_eq!(
            sanitize("x\x1b]8;;http://evil\x07link\x1b]8;;\x1b\\y"),
            "x�link�y"
        );
        assert_eq!(sanitize("\x1b]0;title\x1b\\ok"), "�ok");
        assert_eq!(sanitize("\u{9b}2Jz"), "�z");
        assert_eq!(sanitize("\x1bPqdata\x1b\\after"), "�after");
        assert_eq!(sanitize("\x1b(Bx"), "�x");
        assert_eq!(sanitize("\x1bcx"), "�x");
        // Unterminated: the rest is swallowed, inert.
        assert_eq!(sanitize("a\x1b]0;never ends"), "a�");
        assert_eq!(sanitize("end\x1b"), "end�");
    }

    #[test]
    fn controls_bidi_and_invisibles() {
        assert_eq!(sanitize("a\u{0}b\u{7}c\u{7f}d\u{85}e"), "a�b�c�d�e");
        assert_eq!(sanitize("tab\tnew\nline\r"), "tab new line ");
        assert_eq!(sanitize("abc\u{202e}fed\u{2066}x\u{2069}"), "abc�fed�x�");
        assert_eq!(sanitize("pr\u{200b}od\u{feff}"), "pr·od·");
        assert_eq!(sanitize("\u{2764}\u{fe0f}"), "\u{2764}");
        assert_eq!(sanitize("tag\u{e0041}"), "tag·");
        assert_inert(&sanitize("\x1b[1m\u{9b}\u{202a}\u{200d}\u{0}\u{1f}\u{9f}x"));
    }

    #[test]
    fn fit_counts_display_width() {
        assert_eq!(fit("hello", 10), "hello");
        assert_eq!(fit("hello world", 5), "hell…");
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(width(&fit("日本語テキスト", 6)), 5);
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("ab", 1), "…");
        let long = "x".repeat(10_000);
        assert_eq!(fit(&long, 20).chars().count(), 20);
        assert_eq!(width(&pad("日本", 5)), 5);
        assert_eq!(width(&pad("🙂🙂🙂", 5)), 5);
        assert_inert(&fit("\x1b[31mred", 5));
    }

    #[test]
    fn wrap_breaks_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\nb", 10), vec!["a", "b"]);
        for line in wrap(&"word ".repeat(100), 13) {
            assert!(width(&line) <= 13);
        }
    }

    #[test]
    fn wrapped_lines_fit_by_the_width_the_screen_uses() {
        // U+17D8 is one column alone and three in a string: a line is measured as a string.
        for w in [2, 3, 4] {
            for s in ["\u{17D8}", "a\u{17D8}b\u{17D8}", "\u{17D8}\u{17D8}\u{17D8}"] {
                for line in wrap(s, w) {
                    assert!(width(&line) <= w, "{line:?} at {w}");
                }
            }
        }
        assert_eq!(wrap("\u{17D8}", 3), vec!["\u{17D8}"]);
    }

    #[test]
    fn relative_times() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let ago = |s: i64| relative(now - chrono::Duration::seconds(s), now);
        assert_eq!(ago(0), "now");
        assert_eq!(ago(12), "12s ago");
        assert_eq!(ago(5 * 60), "5m ago");
        assert_eq!(ago(3 * 3600), "3h ago");
        assert_eq!(ago(3 * 86400), "3d ago");
        assert_eq!(ago(400 * 86400), "1y ago");
        assert_eq!(ago(-6 * 86400), "in 6d");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Whatever comes in, nothing unsafe goes out, and fitted text fits.
        #[test]
        fn anything_in_inert_out(
            s in "(\\PC|\\p{Cc}|\x1b\\[[0-9;]*[A-Za-z]|\x1b\\][^\x07]*\x07|[\u{202a}-\u{202e}\u{2066}-\u{2069}\u{200b}-\u{200d}\u{feff}\u{85}\u{9b}\u{9d}])*",
            max in 0usize..60,
        ) {
            let clean = sanitize(&s);
            for c in clean.chars() {
                proptest::prop_assert!(!c.is_control() && !is_unsafe(c), "{:?} in {:?}", c, clean);
            }
            let f = fit(&s, max);
            proptest::prop_assert!(width(&f) <= max, "{:?} is wider than {}", f, max);
            for c in f.chars() {
                proptest::prop_assert!(!c.is_control() && !is_unsafe(c));
            }
            for line in wrap(&s, max.max(1)) {
                for c in line.chars() {
                    proptest::prop_assert!(!c.is_control() && !is_unsafe(c));
                }
            }
        }
    }

    #[test]
    fn client_ids_shorten_before_the_at() {
        assert_eq!(
            short_client_id("abc123@tenant.conductor.one/pcc"),
            "abc123…"
        );
        assert_eq!(short_client_id("plain"), "plain");
        assert_eq!(short_client_id("@x"), "@x");
    }
}
