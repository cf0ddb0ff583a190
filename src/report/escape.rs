//! Making server text safe where it is written: a name can hold escape sequences, bidi
//! overrides and markup. Each function first makes it inert (the sanitiser every screen
//! uses), then escapes what the format would read as markup.

use crate::text::sanitize;

/// Text for HTML, in an element or a quoted attribute.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in sanitize(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for Markdown, inline or in a table cell: what Markdown reads as emphasis, code,
/// links or cell borders is backslash-escaped, and what HTML would read as a tag or an
/// entity is written as an entity (Markdown passes raw HTML through).
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in sanitize(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_controls_are_inert() {
        let hostile = "a\u{1b}[31m<img src=x onerror=alert(1)>\"'&\u{202e}";
        let h = html(hostile);
        assert!(
            !h.contains('<') && !h.contains('\u{1b}') && !h.contains('\u{202e}'),
            "{h}"
        );
        assert!(
            h.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"),
            "{h}"
        );
        let m = markdown("x | *y* [z](javascript:1) <b>");
        assert_eq!(m, "x \\| \\*y\\* \\[z\\](javascript:1) &lt;b&gt;");
    }
}
