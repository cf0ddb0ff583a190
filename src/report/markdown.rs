//! Markdown: `credboard audit -o md` (the findings) and `credboard report -o md` (the whole
//! report, its charts as tables with text bars). Server text is escaped so that neither
//! Markdown nor the HTML it may carry can be injected.

use std::fmt::Write;

use super::document::{Document, MuteState};
use super::escape::markdown as md;
use super::{Provenance, age, rfc3339};
use crate::audit::catalog::{CheckId, Severity};
use crate::audit::findings::{Audit, Finding};
use crate::audit::stats::Chart;

fn head(out: &mut String, title: &str, p: &Provenance) {
    let _ = writeln!(out, "# {title}: {}\n", md(&p.tenant));
    let _ = writeln!(
        out,
        "Profile {}, {}, credboard {}. Inventory: {}.\n",
        md(&p.profile),
        rfc3339(p.generated_at),
        Provenance::version(),
        md(&p.freshness.sentence(p.generated_at))
    );
}

fn name_cell(f: &Finding) -> String {
    match f.subject.credential_id() {
        Some(id) => format!("{} (`{}`)", md(f.name()), md_code(id)),
        None => format!("connector {}", md(f.name())),
    }
}

/// Text inside a code span: a backtick would end it early.
fn md_code(s: &str) -> String {
    crate::text::sanitize(s).replace('`', "'")
}

fn mute_cell(f: &Finding) -> String {
    match &f.mute {
        Some(m) => format!(
            "muted through {}: {}",
            m.until.format("%Y-%m-%d"),
            md(&m.reason)
        ),
        None => String::new(),
    }
}

/// The findings as one table, most severe first.
pub fn findings_table(audit: &Audit) -> String {
    let mut out = String::new();
    if audit.findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    out.push_str("| Severity | Check | Credential | App | Connector | Reason | Muted |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for f in &audit.findings {
        let opt = |s: &Option<String>| md(s.as_deref().unwrap_or("—"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            f.severity,
            f.check,
            name_cell(f),
            opt(&f.labels.app_name),
            opt(&f.labels.connector_name),
            md(&f.reason),
            mute_cell(f)
        );
    }
    out
}

fn unavailable(out: &mut String, audit: &Audit) {
    for u in &audit.unavailable {
        let _ = writeln!(out, "\n{} not available ({}).", u.check, md(&u.why));
    }
}

fn summary(audit: &Audit) -> String {
    let c = audit.counts();
    let by: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|s| format!("{} {s}", c.of(*s)))
        .collect();
    format!(
        "{} findings: {}; {} muted.",
        c.unmuted() + c.muted,
        by.join(", "),
        c.muted
    )
}

/// `credboard audit -o md`.
pub fn findings(p: &Provenance, audit: &Audit, fail_on: Severity) -> String {
    let mut out = String::new();
    head(&mut out, "credboard audit", p);
    let _ = writeln!(
        out,
        "{} Failing `--fail-on {fail_on}`: {}.\n",
        summary(audit),
        audit.failing(fail_on)
    );
    out.push_str(&findings_table(audit));
    unavailable(&mut out, audit);
    out
}

/// A chart as a table, each count with a bar of block characters.
fn chart(out: &mut String, chart: &Chart) {
    let _ = writeln!(out, "### {}\n", md(&chart.title));
    let max = chart
        .bars
        .iter()
        .map(|b| b.value + b.muted)
        .max()
        .unwrap_or(0)
        .max(1);
    let _ = writeln!(out, "| | {} | |\n|---|---:|---|", md(chart.counts));
    for b in &chart.bars {
        let bar = "█".repeat((b.value + b.muted) * 30 / max);
        let count = match b.muted {
            0 => b.value.to_string(),
            m => format!("{} (+{m} muted)", b.value),
        };
        let mark = if b.beyond_policy { " ⚠" } else { "" };
        let _ = writeln!(out, "| {}{mark} | {count} | {bar} |", md(&b.label));
    }
    out.push('\n');
}

/// `credboard report -o md`.
pub fn report(d: &Document) -> String {
    let p = &d.provenance;
    let mut out = String::new();
    head(&mut out, "credboard audit report", p);

    out.push_str("## Policy\n\n| Check | Title | Severity | Threshold |\n|---|---|---|---|\n");
    for c in CheckId::ALL {
        let severity = match c {
            CheckId::Expiry => "high (expired) / low (expiring)".to_string(),
            c => c.severity().to_string(),
        };
        let threshold = p.policy.threshold_of(c).unwrap_or_else(|| "—".into());
        let _ = writeln!(out, "| {c} | {} | {severity} | {threshold} |", c.title());
    }

    let n = &d.counts;
    let _ = writeln!(
        out,
        "\n## Counts\n\n{} apps, {} connectors, {} tracked credentials: {} live, {} revoked, {} gone, \
         {} expired, {} not yet fetched.\n\n{}",
        n.apps,
        n.connectors,
        n.tracked,
        n.live,
        n.revoked,
        n.gone,
        n.expired,
        n.not_fetched,
        summary(&d.audit)
    );

    out.push_str("\n## Charts\n\n");
    for c in [
        &d.figures.age,
        &d.figures.expiring,
        &d.figures.last_use,
        &d.figures.findings,
    ] {
        chart(&mut out, c);
    }

    out.push_str("## Findings\n\n");
    out.push_str(&findings_table(&d.audit));
    unavailable(&mut out, &d.audit);

    out.push_str("\n## Coverage\n\n");
    if d.coverage.is_empty() {
        out.push_str("Every connector has a tracked live credential.\n");
    } else {
        out.push_str(
            "Connectors without a tracked live credential: the audit cannot see what they use.\n\n",
        );
        out.push_str("| App | Connector | Why |\n|---|---|---|\n");
        for u in &d.coverage {
            let _ = writeln!(
                out,
                "| {} | {} (`{}`) | {} |",
                md(u.app_name.as_deref().unwrap_or(&u.app_id)),
                md(u.connector_name.as_deref().unwrap_or("—")),
                md_code(&u.connector_id),
                md(&u.why)
            );
        }
    }

    out.push_str("\n## Mutes\n\n");
    if d.mutes.is_empty() {
        out.push_str("No finding is muted.\n");
    } else {
        out.push_str(
            "| Check | Target | Reason | Through | Set | State |\n|---|---|---|---|---|---|\n",
        );
        for m in &d.mutes {
            let set = match &m.set {
                Some((at, profile)) => {
                    format!("{} by {}, {}", rfc3339(*at), md(profile), md(&m.origin))
                }
                None => md(&m.origin),
            };
            let state = match m.state {
                MuteState::Active => "active".to_string(),
                MuteState::Expired => "expired".to_string(),
                MuteState::Lifted(at) => format!("lifted {}", rfc3339(at)),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {set} | {state} |",
                md(&m.check),
                md(&m.target),
                md(&m.reason),
                m.until.format("%Y-%m-%d")
            );
        }
    }

    let _ = writeln!(
        out,
        "\n## Journal since {} ({})\n",
        rfc3339(d.since),
        age(d.since, p.generated_at)
    );
    if d.journal.is_empty() {
        out.push_str("Nothing was revoked or rotated in the period.\n");
    } else {
        out.push_str("| Time | Action | Credential | Connector | App | Actor | Outcome |\n|---|---|---|---|---|---|---|\n");
        for e in &d.journal {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                rfc3339(e.time),
                e.action,
                md(e.credential_id.as_deref().unwrap_or("—")),
                md(&e.connector_id),
                md(&e.app_id),
                md(e.actor_client_id.as_deref().unwrap_or("access token")),
                md(&e.outcome.to_string())
            );
        }
    }
    out
}
