//! The command line while it is open: what is typed, the candidates of the last Tab, the
//! mistake of the last Enter, and the walk through the session's history (Up/Down). Its
//! transitions are plain methods, called by `update` only.

use super::command;
use super::confirm;

/// Lines kept in the session's history.
pub const HISTORY: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    pub input: String,
    /// What the last Tab could complete to, when more than one.
    pub candidates: Vec<String>,
    /// Why the last Enter did nothing, in words.
    pub error: Option<String>,
    /// Where Up has gone in the history (an index into it); `None`: the line being typed.
    browsing: Option<usize>,
    /// The line being typed when Up was first pressed, for Down to come back to.
    draft: String,
}

impl CommandLine {
    fn edited(&mut self) {
        self.candidates.clear();
        self.error = None;
        self.browsing = None;
    }

    pub fn type_char(&mut self, c: char) {
        if self.input.chars().count() < confirm::MAX_TYPED {
            self.input.push(c);
        }
        self.edited();
    }

    pub fn delete_char(&mut self) {
        self.input.pop();
        self.edited();
    }

    pub fn clear(&mut self) {
        self.input.clear();
        self.edited();
    }

    /// Tab: the line completed as far as it is certain; the candidates when it is not.
    pub fn complete(&mut self) {
        let c = command::complete(&self.input);
        self.input = c.line;
        self.error = None;
        self.browsing = None;
        self.candidates = if c.candidates.len() > 1 {
            c.candidates.into_iter().map(str::to_string).collect()
        } else {
            Vec::new()
        };
    }

    /// The worker's answer to Tab on a file path ([`command::path_argument`]): the names in
    /// the path's directory that start with what is typed after its last `/`, directories
    /// ending in `/`. One: the path completed to it; more: as far as they agree, and listed.
    pub fn complete_path(&mut self, names: Result<Vec<String>, String>) {
        let Some((stem, path)) = command::path_argument(&self.input) else {
            return;
        };
        let dir = path.rfind('/').map_or("", |i| &path[..=i]);
        let typed = &path[dir.len()..];
        self.browsing = None;
        self.candidates.clear();
        self.error = None;
        let names: Vec<String> = match names {
            Ok(n) => n.into_iter().filter(|n| n.starts_with(typed)).collect(),
            Err(why) => {
                self.error = Some(why);
                return;
            }
        };
        let completed = match names.as_slice() {
            [] => return,
            [one] => one.clone(),
            many => {
                self.candidates = many.to_vec();
                command::common_start(many)
            }
        };
        self.input = format!("{stem}{dir}{completed}");
    }

    /// Up: the line before the one shown, from `history` (oldest first).
    pub fn back(&mut self, history: &[String]) {
        let at = match self.browsing {
            None if history.is_empty() => return,
            None => {
                self.draft = self.input.clone();
                history.len() - 1
            }
            Some(i) => i.saturating_sub(1),
        };
        self.show(history, at);
    }

    /// Down: the line after the one shown, and past the newest the line being typed.
    pub fn forward(&mut self, history: &[String]) {
        match self.browsing {
            None => {}
            Some(i) if i + 1 < history.len() => self.show(history, i + 1),
            Some(_) => {
                self.input = std::mem::take(&mut self.draft);
                self.browsing = None;
            }
        }
    }

    fn show(&mut self, history: &[String], at: usize) {
        self.input = history[at].clone();
        self.browsing = Some(at);
        self.candidates.clear();
        self.error = None;
    }
}

/// Keeps a line entered in the history: not twice in a row, never one that holds a client
/// secret, the oldest dropped past [`HISTORY`]. Returns whether it was kept.
pub fn remember(history: &mut Vec<String>, line: &str) -> bool {
    let line = line.trim();
    if line.is_empty()
        || history.last().is_some_and(|l| l == line)
        || crate::api::secret::holds_client_secret(line)
    {
        return false;
    }
    history.push(line.to_string());
    if history.len() > HISTORY {
        let extra = history.len() - HISTORY;
        history.drain(..extra);
    }
    true
}

/// The history of earlier sessions, as stored, before the lines entered since the start.
/// A stored line is shown as typed, so it is made safe to draw first.
pub fn restore(history: &mut Vec<String>, stored: Vec<String>) {
    let entered = std::mem::take(history);
    let stored = stored.iter().map(|l| crate::text::sanitize(l));
    for line in stored.chain(entered) {
        remember(history, &line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> CommandLine {
        let mut c = CommandLine::default();
        for ch in s.chars() {
            c.type_char(ch);
        }
        c
    }

    #[test]
    fn up_walks_back_through_the_history_and_down_returns_to_the_draft() {
        let history = vec!["sort name".to_string(), "refresh".to_string()];
        let mut c = typed("exp");
        c.back(&history);
        assert_eq!(c.input, "refresh");
        c.back(&history);
        assert_eq!(c.input, "sort name");
        c.back(&history);
        assert_eq!(c.input, "sort name");
        c.forward(&history);
        assert_eq!(c.input, "refresh");
        c.forward(&history);
        assert_eq!(c.input, "exp");
        c.forward(&history);
        assert_eq!(c.input, "exp");
    }

    #[test]
    fn up_with_no_history_keeps_what_is_typed() {
        let mut c = typed("so");
        c.back(&[]);
        assert_eq!(c.input, "so");
    }

    #[test]
    fn tab_lists_the_candidates_only_when_it_cannot_choose() {
        let mut c = typed("e");
        c.complete();
        assert_eq!(c.candidates, vec!["export", "errors"]);
        c.type_char('x');
        assert!(c.candidates.is_empty());
        c.complete();
        assert_eq!(c.input, "export ");
        assert!(c.candidates.is_empty());
    }

    #[test]
    fn a_path_completes_to_its_one_name_or_as_far_as_the_names_agree() {
        let names = |v: &[&str]| Ok(v.iter().map(|s| s.to_string()).collect());
        let mut c = typed("export csv ~/rep");
        c.complete_path(names(&["report-2025.csv", "report-2026.csv", "reports/"]));
        assert_eq!(c.input, "export csv ~/report");
        assert_eq!(
            c.candidates,
            ["report-2025.csv", "report-2026.csv", "reports/"]
        );
        c.type_char('s');
        c.complete_path(names(&["reports/"]));
        assert_eq!(c.input, "export csv ~/reports/");
        assert!(c.candidates.is_empty());
        // Nothing matches: the line stays as typed.
        let mut c = typed("import st");
        c.complete_path(names(&[]));
        assert_eq!(c.input, "import st");
        // A directory that cannot be read says why.
        c.complete_path(Err("cannot read /root/: permission denied".into()));
        assert_eq!(
            c.error.as_deref(),
            Some("cannot read /root/: permission denied")
        );
    }

    #[test]
    fn the_history_keeps_no_repeats_in_a_row_and_is_bounded() {
        let mut h = Vec::new();
        remember(&mut h, "sort name");
        remember(&mut h, " sort name ");
        remember(&mut h, "");
        assert_eq!(h, ["sort name"]);
        for i in 0..HISTORY + 5 {
            remember(&mut h, &format!("filter {i}"));
        }
        assert_eq!(h.len(), HISTORY);
        assert_eq!(h.last().unwrap(), &format!("filter {}", HISTORY + 4));
        assert!(!remember(
            &mut h,
            "filter secret-token:eyJhbGciOiJFZERTQSIsImtpZCI6IngifQ"
        ));
        assert!(h.iter().all(|l| !l.contains("secret-token")));
    }

    #[test]
    fn the_stored_history_comes_before_the_lines_of_this_session() {
        let mut h = vec!["refresh".to_string()];
        restore(&mut h, vec!["sort name".into(), "refresh".into()]);
        // "refresh" twice in a row is kept once.
        assert_eq!(h, ["sort name", "refresh"]);
    }
}
