//! Tab on a file path of the command line (`:export csv|json FILE`, `:import FILE`): the
//! names in the path's directory that start with what is typed after its last `/`, read off
//! the disk. `~/` is the home directory, here and where export and import open the file
//! ([`expand`]).

use std::path::{Path, PathBuf};

use crate::app::WorkerMsg;

use super::Worker;

/// The most entries of one directory read for one Tab.
pub const MAX_ENTRIES: usize = 10_000;

/// `path` as the disk knows it: `~` and `~/…` under the home directory.
pub fn expand(path: &str, home: Option<&Path>) -> PathBuf {
    match home {
        Some(h) if path == "~" => h.to_path_buf(),
        Some(h) if path.starts_with("~/") => h.join(&path[2..]),
        _ => PathBuf::from(path),
    }
}

/// The names in `path`'s directory (the current one when it has no `/`) that start with
/// what follows its last `/`, sorted, directories ending in `/`. Hidden names only when
/// what is typed starts with a dot; names that are not UTF-8 cannot be typed and are left
/// out. `~` alone completes to `~/`.
pub fn candidates(path: &str, home: Option<&Path>) -> Result<Vec<String>, String> {
    if path == "~" {
        return Ok(home.map(|_| "~/".to_string()).into_iter().collect());
    }
    let (dir, typed) = match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    };
    let at = match dir {
        "" => PathBuf::from("."),
        d => expand(d, home),
    };
    let entries = std::fs::read_dir(&at).map_err(|e| {
        let shown = if dir.is_empty() { "." } else { dir };
        format!("cannot read {shown}: {e}")
    })?;
    let mut names = Vec::new();
    for entry in entries.take(MAX_ENTRIES).flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if !name.starts_with(typed) || (name.starts_with('.') && !typed.starts_with('.')) {
            continue;
        }
        // Through a symbolic link: a link to a directory is one to complete into.
        let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
        names.push(if is_dir { format!("{name}/") } else { name });
    }
    names.sort();
    Ok(names)
}

impl Worker {
    pub(super) async fn list_paths(self, line: String, path: String) {
        let home = crate::config::home_dir();
        let names = tokio::task::spawn_blocking(move || candidates(&path, home.as_deref()))
            .await
            .unwrap_or_else(|e| Err(format!("the directory could not be read: {e}")));
        self.send(WorkerMsg::Paths { line, names });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for f in [
            "report-2025.csv",
            "report-2026.csv",
            ".hidden",
            "state.tfstate",
        ] {
            std::fs::write(d.path().join(f), "x").unwrap();
        }
        std::fs::create_dir(d.path().join("reports")).unwrap();
        std::fs::create_dir(d.path().join("exports")).unwrap();
        d
    }

    #[test]
    fn the_names_that_start_as_typed_with_directories_ending_in_a_slash() {
        let d = tree();
        let root = format!("{}/", d.path().display());
        assert_eq!(
            candidates(&format!("{root}rep"), None).unwrap(),
            ["report-2025.csv", "report-2026.csv", "reports/"]
        );
        assert_eq!(
            candidates(&root, None).unwrap(),
            [
                "exports/",
                "report-2025.csv",
                "report-2026.csv",
                "reports/",
                "state.tfstate"
            ]
        );
        assert_eq!(candidates(&format!("{root}.h"), None).unwrap(), [".hidden"]);
        assert!(candidates(&format!("{root}zz"), None).unwrap().is_empty());
        let missing = candidates(&format!("{root}nowhere/x"), None).unwrap_err();
        assert!(
            missing.starts_with(&format!("cannot read {root}nowhere/: ")),
            "{missing}"
        );
    }

    #[test]
    fn a_tilde_is_the_home_directory() {
        let home = tree();
        let h = Some(home.path());
        assert_eq!(candidates("~/st", h).unwrap(), ["state.tfstate"]);
        assert_eq!(candidates("~", h).unwrap(), ["~/"]);
        assert_eq!(expand("~/x.csv", h), home.path().join("x.csv"));
        assert_eq!(expand("~", h), home.path());
        assert_eq!(expand("a/~/x", h), PathBuf::from("a/~/x"));
        assert_eq!(expand("~/x", None), PathBuf::from("~/x"));
    }
}
