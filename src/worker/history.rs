//! The command line's history in the inventory: read at start with the stored inventory,
//! each line entered written after it, in order. A line that cannot be written is an error
//! in the error history, never more.

use tokio::task::JoinHandle;

use crate::app::WorkerMsg;
use crate::app::prompt::HISTORY;
use crate::model::Failure;
use crate::ops::blocking;

use super::Worker;

impl Worker {
    pub(super) async fn send_command_history(&self) {
        let stored = blocking(&self.store, |s| s.command_history(HISTORY)).await;
        self.send(WorkerMsg::CommandHistory(
            stored.map_err(|e| Failure::from(&e)),
        ));
    }

    /// Writes `line` once the save `before` it is done.
    pub(super) async fn remember_command(self, line: String, before: Option<JoinHandle<()>>) {
        if let Some(b) = before {
            let _ = b.await;
        }
        let at = chrono::Utc::now();
        let saved = blocking(&self.store, move |s| s.remember_command(&line, at, HISTORY)).await;
        if let Err(e) = saved {
            let mut f = Failure::from(&e);
            f.message = format!(
                "the command line's history could not be saved: {}",
                f.message
            );
            self.send(WorkerMsg::Error(f));
        }
    }
}
