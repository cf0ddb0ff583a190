//! `credboard config`: check the settings file, naming every problem with its line, or
//! print the default file.

use crate::cli::Global;
use crate::config::Settings;

use super::context::checked_settings;
use super::{CliError, shown};

pub fn run(global: &Global, print_default: bool) -> Result<(), CliError> {
    if print_default {
        print!("{}", Settings::default_file_text());
        Ok(())
    } else {
        check(global)
    }
}

/// Every problem of the settings file with its line (exit 2), or that it is valid, with how
/// many warnings were printed above.
fn check(global: &Global) -> Result<(), CliError> {
    let path = global.config.clone().or_else(Settings::default_path);
    let exists = path.as_ref().is_some_and(|p| p.exists());
    let (_, warnings) = checked_settings(global)?;
    for w in &warnings {
        eprintln!("warning: {}", shown(w));
    }
    let verdict = match (&path, exists) {
        (Some(p), true) => format!("the settings in {} are valid", p.display()),
        (Some(p), false) => format!(
            "there is no settings file at {}: the defaults apply",
            p.display()
        ),
        (None, _) => "there is no settings directory: the defaults apply".to_string(),
    };
    let warned = match warnings.len() {
        0 => String::new(),
        1 => ", with the warning above".to_string(),
        n => format!(", with the {n} warnings above"),
    };
    eprintln!(
        "{}{warned}; `credboard config --print-default` shows every setting",
        shown(&verdict)
    );
    Ok(())
}
