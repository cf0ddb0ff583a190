//! `--save-raw DIR`: the events a run read, written as they arrive, one JSON object a line,
//! with every secret taken out first (`redact`), so that what a real tenant produces can be
//! shared and the extractor tuned to it. The file is readable by its owner only.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::redact::redact;

/// An open file of raw events.
pub struct RawEvents {
    path: PathBuf,
    file: BufWriter<File>,
    /// Values taken out of the events written so far.
    pub removed: usize,
}

impl RawEvents {
    /// Creates `dir` if needed and a new file in it named after the tenant and `now`
    /// (`systemlog-acme.conductor.one-20260801T120000Z.jsonl`); never overwrites one.
    pub fn create(dir: &Path, tenant: &str, now: DateTime<Utc>) -> io::Result<RawEvents> {
        create_private_dir(dir)?;
        let tenant: String = tenant
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let stamp = now.format("%Y%m%dT%H%M%SZ");
        let mut n = 0;
        loop {
            let suffix = if n == 0 {
                String::new()
            } else {
                format!("-{n}")
            };
            let path = dir.join(format!("systemlog-{tenant}-{stamp}{suffix}.jsonl"));
            match create_private_file(&path) {
                Ok(file) => {
                    return Ok(RawEvents {
                        path,
                        file: BufWriter::new(file),
                        removed: 0,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(e),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one event, secrets taken out.
    pub fn write(&mut self, event: &Value) -> io::Result<()> {
        let mut event = event.clone();
        self.removed += redact(&mut event);
        serde_json::to_writer(&mut self.file, &event)?;
        self.file.write_all(b"\n")
    }

    /// Removes the file: the run read nothing worth keeping (the tenant refused).
    pub fn discard(self) {
        let path = self.path.clone();
        drop(self);
        let _ = std::fs::remove_file(path);
    }

    /// Flushes and syncs the file.
    pub fn finish(mut self) -> io::Result<PathBuf> {
        self.file.flush()?;
        self.file.get_ref().sync_all()?;
        Ok(self.path)
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}
