//! The command line's file and inventory work: export the rows shown, import ids from a
//! file, track or untrack one credential. Each ends with one `WorkerMsg::Done` in words
//! (the file and the row count; what was imported and what refused); a change to the
//! inventory sends it again, so the dashboard shows it and refreshes.

use std::path::Path;

use crate::app::command::ExportFormat;
use crate::app::{WorkId, WorkerMsg};
use crate::export::{self, Listed};
use crate::import::{check_id, parse_import};
use crate::model::{CredentialKey, Failure, FailureKind, Source};
use crate::ops::blocking;

use super::Worker;

fn failure(message: String) -> Failure {
    Failure::new(FailureKind::Store, message)
}

/// The rows written to `path` as `credboard list -o csv|json` prints them: the whole file,
/// or nothing (it is written once the text is complete).
pub fn write_export(path: &Path, format: ExportFormat, rows: &[Listed]) -> std::io::Result<()> {
    let mut text = Vec::new();
    match format {
        ExportFormat::Csv => export::credentials_csv(&mut text, rows)?,
        ExportFormat::Json => export::credentials_json(&mut text, rows)?,
    }
    std::fs::write(path, text)
}

impl Worker {
    pub(super) async fn export(
        self,
        work: WorkId,
        format: ExportFormat,
        path: String,
        rows: Vec<Listed>,
    ) {
        let n = rows.len();
        let written = tokio::task::spawn_blocking({
            let at = super::paths::expand(&path, crate::config::home_dir().as_deref());
            move || write_export(&at, format, &rows)
        })
        .await;
        let done = match written {
            Ok(Ok(())) => Ok(format!(
                "exported {n} row{} to {path} ({})",
                if n == 1 { "" } else { "s" },
                format.word()
            )),
            Ok(Err(e)) => Err(failure(format!("nothing was exported: {path}: {e}"))),
            Err(e) => Err(failure(format!("nothing was exported: {e}"))),
        };
        self.send(WorkerMsg::Done { work, said: done });
    }

    pub(super) async fn import(self, work: WorkId, path: String) {
        let done = blocking(&self.store, {
            let path = path.clone();
            move |store| {
                let at = super::paths::expand(&path, crate::config::home_dir().as_deref());
                let bytes = std::fs::read(&at).map_err(|e| format!("cannot read {path}: {e}"))?;
                let parsed = parse_import(&bytes)
                    .map_err(|e| format!("nothing was imported from {path}: {e}"))?;
                let r = store
                    .import(&parsed, Source::Import)
                    .map_err(|e| format!("nothing was imported from {path}: {e}"))?;
                let mut said = format!(
                    "{} from {path}: {} added, {} already known, {} refused",
                    r.format,
                    r.added.len(),
                    r.already_known.len(),
                    r.rejected.len()
                );
                if let Some(first) = r.rejected.first() {
                    said.push_str(&format!(" (first: {first})"));
                }
                Ok::<_, String>((said, !r.added.is_empty()))
            }
        })
        .await;
        self.stored(work, done).await;
    }

    pub(super) async fn track(self, work: WorkId, key: CredentialKey) {
        let checked = [
            ("APP_ID", &key.app_id),
            ("CONNECTOR_ID", &key.connector_id),
            ("CREDENTIAL_ID", &key.credential_id),
        ]
        .into_iter()
        .try_for_each(|(field, value)| check_id(field, value).map(|_| ()));
        if let Err(why) = checked {
            self.send(WorkerMsg::Done {
                work,
                said: Err(failure(format!("{why}; nothing was tracked"))),
            });
            return;
        }
        let done = blocking(&self.store, move |store| {
            match store.track(&key, Source::Manual) {
                Ok(true) => Ok((
                    format!("now tracking credential {}", key.credential_id),
                    true,
                )),
                Ok(false) => Ok((format!("already tracked: {}", key.credential_id), false)),
                Err(e) => Err(format!("nothing was tracked: {e}")),
            }
        })
        .await;
        self.stored(work, done).await;
    }

    pub(super) async fn untrack(self, work: WorkId, key: CredentialKey) {
        let done = blocking(&self.store, move |store| {
            match store.untrack(&key.credential_id) {
                Ok(true) => Ok((
                    format!(
                        "no longer tracking credential {} (the server was not asked)",
                        key.credential_id
                    ),
                    true,
                )),
                Ok(false) => Err(format!("credential {} is not tracked", key.credential_id)),
                Err(e) => Err(format!("nothing was untracked: {e}")),
            }
        })
        .await;
        self.stored(work, done).await;
    }

    /// Says how it went; when the inventory changed, sends it again.
    async fn stored(&self, work: WorkId, done: Result<(String, bool), String>) {
        match done {
            Ok((said, changed)) => {
                self.send(WorkerMsg::Done {
                    work,
                    said: Ok(said),
                });
                if changed {
                    self.send_inventory(super::WHOLE).await;
                }
            }
            Err(why) => self.send(WorkerMsg::Done {
                work,
                said: Err(failure(why)),
            }),
        }
    }
}
