//! `credboard report`: the audit as one self-contained file an auditor can file, HTML or
//! Markdown, on stdout or into a file that is replaced whole (never left half-written).

use std::io::Write;
use std::path::Path;

use crate::audit::checks::{Inputs, run as run_checks};
use crate::cli::{Global, ReportFormat};
use crate::report::document::Document;
use crate::report::{html, markdown};
use crate::since::Since;

use super::gather::gather;
use super::{CliError, output};

pub async fn run(
    global: &Global,
    format: ReportFormat,
    file: Option<&Path>,
    since: Since,
    offline: bool,
) -> Result<(), CliError> {
    let g = gather(global, offline, true).await?;
    let now = g.provenance.generated_at;
    let audit = run_checks(&Inputs {
        snapshot: &g.snapshot,
        policy: g.provenance.policy,
        exposure: &g.exposure,
        mutes: &g.mutes,
        now,
        only: &[],
    });
    let findings = audit.findings.len();
    let document = Document::new(
        g.provenance,
        &g.snapshot,
        audit,
        g.mute_lines,
        since.resolve(now),
        &g.journal,
    );
    let text = match format {
        ReportFormat::Html => html::report(&document),
        ReportFormat::Md => markdown::report(&document),
    };
    match file {
        Some(path) => {
            write_whole(path, text.as_bytes()).map_err(|e| {
                CliError::failed(format!(
                    "cannot write the report to {}: {e}",
                    path.display()
                ))
            })?;
            eprintln!(
                "wrote the report ({findings} findings) to {}",
                output::inert(&path.display().to_string())
            );
        }
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(CliError::failed)?,
    }
    if g.failures.is_empty() {
        return Ok(());
    }
    for f in &g.failures {
        eprintln!("warning: {}", output::inert(f));
    }
    Err(CliError::failed(
        "the report was written, but the audit could not see everything (see the warnings; \
         the report says so too)",
    ))
}

/// Writes a temporary file beside `path` and renames it over `path`: a reader sees the old
/// file or the new one, whole. Created as any file is (the umask decides who may read it).
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".credboard-report")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
