//! `credboard audit`: refresh (or `--offline`), run the checks, print the findings, and exit
//! 3 when an unmuted one is at or above `--fail-on` (1 when something could not be done, so a
//! pipeline never takes a tenant it could not read for a clean one).

use crate::audit::catalog::{CheckId, Severity};
use crate::audit::checks::{Inputs, run as run_checks};
use crate::audit::findings::{Audit, Finding, Subject};
use crate::cli::{AuditArgs, AuditFormat, Global};
use crate::report::{self, Freshness, Provenance};

use super::filter::{self, Found, Of, Row};
use super::gather::gather;
use super::{CliError, context, output};
use crate::audit::{Thresholds, flags_of};
use crate::query::Query;

/// The exit code of a run whose findings fail the policy.
pub const POLICY_FAILED: i32 = 3;

pub async fn run(global: &Global, args: &AuditArgs) -> Result<(), CliError> {
    let query = filter::parse(args.filter.as_deref())?;
    let fail_on = Severity::from(args.fail_on);
    let wants_exposure = args.check.is_empty() || args.check.contains(&CheckId::Exposed);
    let g = gather(global, args.offline, wants_exposure).await?;
    if let Freshness::Offline { .. } = g.provenance.freshness {
        eprintln!(
            "{}",
            g.provenance.freshness.sentence(g.provenance.generated_at)
        );
    }
    let mut audit = run_checks(&Inputs {
        snapshot: &g.snapshot,
        policy: g.provenance.policy,
        exposure: &g.exposure,
        mutes: &g.mutes,
        now: g.provenance.generated_at,
        only: &args.check,
    });
    if let Some(q) = &query {
        let settings = context::settings(global)?;
        let thresholds = Thresholds {
            expiring_soon_days: settings.thresholds.expiring_soon_days.into(),
            idle_days: settings.thresholds.idle_days.into(),
        };
        keep_matching(
            &mut audit,
            q,
            &g.snapshot,
            thresholds,
            g.provenance.generated_at,
        );
    }
    print(&g.provenance, &audit, args.output, fail_on).map_err(CliError::failed)?;
    if !g.failures.is_empty() {
        for f in &g.failures {
            eprintln!("warning: {}", output::inert(f));
        }
        return Err(CliError::failed(
            "the audit could not see everything (see the warnings); its findings are from what \
             it could see",
        ));
    }
    match audit.failing(fail_on) {
        0 => Ok(()),
        n => Err(CliError {
            code: POLICY_FAILED,
            message: format!(
                "{n} unmuted {} at {fail_on} or above (--fail-on {fail_on})",
                if n == 1 { "finding" } else { "findings" }
            ),
        }),
    }
}

/// Keeps the findings whose credential (or connector) the filter matches: the exit code
/// and the summary are then about them alone.
fn keep_matching(
    audit: &mut Audit,
    q: &Query,
    snapshot: &crate::model::Snapshot,
    t: Thresholds,
    now: chrono::DateTime<chrono::Utc>,
) {
    let found = Found::of(audit);
    let known: std::collections::HashMap<_, _> =
        snapshot.credentials.iter().map(|c| (&c.key, c)).collect();
    audit.findings.retain(|f| {
        let l = &f.labels;
        let row = match &f.subject {
            Subject::Credential(key) => {
                let stored = known.get(key);
                let last = stored.and_then(|c| c.last.as_ref());
                let gone = stored.is_some_and(|c| c.gone);
                Row::new(Of {
                    key,
                    credential: last,
                    flags: flags_of(last, gone, now, t),
                    app_name: l.app_name.as_deref(),
                    connector_name: l.connector_name.as_deref(),
                    checks: found.of_credential(key),
                })
            }
            Subject::Connector {
                app_id,
                connector_id,
            } => Row::connector(
                l.app_name.as_deref().unwrap_or(app_id),
                connector_id,
                l.connector_name.as_deref(),
                found.of_connector(app_id, connector_id),
            ),
        };
        q.matches(&row, now)
    });
}

fn print(
    p: &Provenance,
    audit: &Audit,
    format: AuditFormat,
    fail_on: Severity,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let note_unavailable = || {
        for u in &audit.unavailable {
            eprintln!(
                "note: {} not available ({})",
                u.check,
                output::inert(&u.why)
            );
        }
    };
    match format {
        AuditFormat::Table => {
            table(&mut out, audit)?;
            for u in &audit.unavailable {
                writeln!(out, "{} not available ({})", u.check, output::inert(&u.why))?;
            }
            writeln!(out, "{}", summary(audit, fail_on))
        }
        AuditFormat::Json => {
            let doc = report::json::findings(p, audit, fail_on);
            let text = serde_json::to_string_pretty(&doc)?;
            writeln!(out, "{}", output::inert_json(&text))
        }
        AuditFormat::Csv => {
            let text = report::csv::findings(audit).map_err(std::io::Error::other)?;
            out.write_all(text.as_bytes())?;
            note_unavailable();
            Ok(())
        }
        AuditFormat::Md => out.write_all(report::markdown::findings(p, audit, fail_on).as_bytes()),
        AuditFormat::Ocsf => {
            out.write_all(output::inert_json(&report::ocsf::lines(p, audit)).as_bytes())?;
            note_unavailable();
            Ok(())
        }
    }
}

/// "62 findings: 1 critical, 4 high, 20 medium, 30 low, 7 info, 3 muted; 25 fail --fail-on
/// medium".
fn summary(audit: &Audit, fail_on: Severity) -> String {
    let c = audit.counts();
    let by: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|s| format!("{} {s}", c.of(*s)))
        .collect();
    format!(
        "{} findings: {}, {} muted; {} fail --fail-on {fail_on}",
        c.unmuted() + c.muted,
        by.join(", "),
        c.muted,
        audit.failing(fail_on)
    )
}

fn mute_cell(f: &Finding) -> String {
    match &f.mute {
        Some(m) => format!("through {}: {}", m.until.format("%Y-%m-%d"), m.reason),
        None => String::new(),
    }
}

fn table(out: &mut impl std::io::Write, audit: &Audit) -> std::io::Result<()> {
    if audit.findings.is_empty() {
        return writeln!(out, "no findings");
    }
    let header = [
        "SEVERITY",
        "CHECK",
        "NAME",
        "CONNECTOR",
        "REASON",
        "MUTED",
        "ID",
    ];
    let body: Vec<Vec<String>> = audit
        .findings
        .iter()
        .map(|f| {
            let id = f
                .subject
                .credential_id()
                .unwrap_or(f.subject.connector_id());
            vec![
                f.severity.to_string(),
                f.check.to_string(),
                output::inert(f.name()),
                output::inert(
                    f.labels
                        .connector_name
                        .as_deref()
                        .unwrap_or(f.subject.connector_id()),
                ),
                output::inert(&f.reason),
                output::inert(&mute_cell(f)),
                output::inert(id),
            ]
        })
        .collect();
    output::table(out, &header, &body, &[10, 8, 32, 28, 72, 32])
}
