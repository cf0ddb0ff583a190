//! `credboard report -o html`: one self-contained page an auditor can file. Inline CSS and
//! inline SVG only, and a Content-Security-Policy that allows nothing else: no script runs,
//! nothing is fetched, even if a browser were shown markup. Every text from the server is
//! escaped; the page prints well.

use std::fmt::Write;

use super::document::{Document, MuteState};
use super::escape::html as h;
use super::{Provenance, age, rfc3339, svg};
use crate::audit::catalog::{CheckId, Severity};
use crate::audit::findings::Finding;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d1d1f;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem}dl.meta dt{font-weight:600}dl.meta dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f5f7}tr.muted td{color:#6b6f76;background:#fafafa}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;word-break:break-all}
.sev{font-weight:600;white-space:nowrap}.sev-critical{color:#8e1b10}.sev-high{color:#c0392b}.sev-medium{color:#b9770e}.sev-low{color:#1f618d}.sev-info{color:#566573}
.badges span{display:inline-block;margin-right:1rem}.note{background:#fff8e1;border-left:4px solid #f0b429;padding:.4rem .8rem}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}svg.chart{max-width:100%;height:auto}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr,figure{break-inside:avoid}}
";

/// A symbol beside the word, so severity never rests on colour alone.
fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "‼",
        Severity::High => "▲",
        Severity::Medium => "●",
        Severity::Low => "▽",
        Severity::Info => "○",
    }
}

fn severity_cell(s: Severity) -> String {
    format!(
        r#"<span class="sev sev-{s}">{} {s}</span>"#,
        severity_mark(s)
    )
}

fn finding_row(out: &mut String, f: &Finding) {
    let class = if f.mute.is_some() {
        "finding muted"
    } else {
        "finding"
    };
    let opt = |s: &Option<String>| h(s.as_deref().unwrap_or("—"));
    let subject = match f.subject.credential_id() {
        Some(id) => format!("{}<br><code>{}</code>", h(f.name()), h(id)),
        None => format!(
            "connector {}<br><code>{}</code>",
            h(f.name()),
            h(f.subject.connector_id())
        ),
    };
    let mute = match &f.mute {
        Some(m) => format!(
            "muted through {}: {} <small>({})</small>",
            m.until.format("%Y-%m-%d"),
            h(&m.reason),
            h(&m.origin_text())
        ),
        None => String::new(),
    };
    let _ = write!(
        out,
        r#"<tr class="{class}" data-check="{check}"><td>{sev}</td><td>{check}</td><td>{subject}</td><td>{app}</td><td>{connector}</td><td>{reason}</td><td>{mute}</td></tr>"#,
        check = f.check,
        sev = severity_cell(f.severity),
        app = opt(&f.labels.app_name),
        connector = opt(&f.labels.connector_name),
        reason = h(&f.reason),
    );
    out.push('\n');
}

pub fn report(d: &Document) -> String {
    let p = &d.provenance;
    let now = p.generated_at;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="credboard {version}">
<title>credboard audit report: {tenant}</title>
<style>{STYLE}</style></head>
<body>
<header><h1>Audit report: <span id="tenant">{tenant}</span></h1>
<dl class="meta"><dt>Tenant</dt><dd>{tenant}</dd><dt>Profile</dt><dd id="profile">{profile}</dd><dt>Generated</dt><dd id="generated">{generated}</dd><dt>credboard</dt><dd id="version">{version}</dd><dt>Inventory</dt><dd id="freshness">{freshness}</dd></dl></header>
"#,
        version = Provenance::version(),
        tenant = h(&p.tenant),
        profile = h(&p.profile),
        generated = rfc3339(now),
        freshness = h(&p.freshness.sentence(now)),
    );

    // Summary.
    let c = d.audit.counts();
    out.push_str(r#"<section id="summary"><h2>Summary</h2><p class="badges">"#);
    for s in Severity::ALL.iter().rev() {
        let _ = write!(
            out,
            "<span>{} <b>{}</b></span>",
            severity_cell(*s),
            c.of(*s)
        );
    }
    let _ = write!(out, "<span>muted <b>{}</b></span></p>", c.muted);
    let n = &d.counts;
    let _ = writeln!(
        out,
        "<p id=\"counts\">{} apps, {} connectors, {} tracked credentials: {} live, {} revoked, {} gone, {} expired, {} not yet fetched.</p>",
        n.apps, n.connectors, n.tracked, n.live, n.revoked, n.gone, n.expired, n.not_fetched
    );
    for u in &d.audit.unavailable {
        let _ = writeln!(
            out,
            r#"<p class="note unavailable">{} not available ({}).</p>"#,
            u.check,
            h(&u.why)
        );
    }
    out.push_str("</section>\n");

    // Policy.
    out.push_str(r#"<section id="policy"><h2>Policy in force</h2><table><thead><tr><th>Check</th><th>Finding when</th><th>Severity</th><th>Threshold</th><th>Source</th></tr></thead><tbody>"#);
    for check in CheckId::ALL {
        let severity = match check {
            CheckId::Expiry => format!(
                "{} expired, {} expiring",
                severity_cell(Severity::High),
                severity_cell(Severity::Low)
            ),
            c => severity_cell(c.severity()),
        };
        let _ = write!(
            out,
            "<tr><td>{check}</td><td>{}</td><td>{severity}</td><td>{}</td><td>{}</td></tr>",
            h(check.title()),
            h(&p.policy.threshold_of(check).unwrap_or_else(|| "—".into())),
            h(check.source())
        );
    }
    out.push_str("</tbody></table></section>\n");

    // Charts.
    out.push_str(r#"<section id="charts"><h2>Charts</h2>"#);
    for chart in [
        &d.figures.age,
        &d.figures.expiring,
        &d.figures.last_use,
        &d.figures.findings,
    ] {
        let _ = write!(
            out,
            "<figure><figcaption>{}</figcaption>{}</figure>",
            h(&chart.title),
            svg::bar_chart(chart)
        );
    }
    out.push_str("</section>\n");

    // Findings.
    let _ = write!(
        out,
        r#"<section id="findings"><h2>Findings ({})</h2>"#,
        d.audit.findings.len()
    );
    if d.audit.findings.is_empty() {
        out.push_str("<p>No findings.</p>");
    } else {
        out.push_str("<table><thead><tr><th>Severity</th><th>Check</th><th>Credential</th><th>App</th><th>Connector</th><th>Reason</th><th>Muted</th></tr></thead><tbody>\n");
        for f in &d.audit.findings {
            finding_row(&mut out, f);
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");

    // Coverage.
    out.push_str(r#"<section id="coverage"><h2>Coverage</h2>"#);
    if d.coverage.is_empty() {
        out.push_str("<p>Every connector has a tracked live credential.</p>");
    } else {
        out.push_str("<p>Connectors without a tracked live credential: the audit cannot see what they use.</p><table><thead><tr><th>App</th><th>Connector</th><th>Why</th></tr></thead><tbody>");
        for u in &d.coverage {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}<br><code>{}</code></td><td>{}</td></tr>",
                h(u.app_name.as_deref().unwrap_or(&u.app_id)),
                h(u.connector_name.as_deref().unwrap_or("—")),
                h(&u.connector_id),
                h(&u.why)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");

    // Mutes.
    out.push_str(r#"<section id="mutes"><h2>Mutes</h2>"#);
    if d.mutes.is_empty() {
        out.push_str("<p>No finding is muted.</p>");
    } else {
        out.push_str("<table><thead><tr><th>Check</th><th>Target</th><th>Reason</th><th>Through</th><th>Set</th><th>State</th></tr></thead><tbody>");
        for m in &d.mutes {
            let set = match &m.set {
                Some((at, profile)) => {
                    format!("{} by {}<br>{}", rfc3339(*at), h(profile), h(&m.origin))
                }
                None => h(&m.origin),
            };
            let state = match m.state {
                MuteState::Active => "active".to_string(),
                MuteState::Expired => "expired".to_string(),
                MuteState::Lifted(at) => format!("lifted {}", rfc3339(at)),
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{set}</td><td>{state}</td></tr>",
                h(&m.check),
                h(&m.target),
                h(&m.reason),
                m.until.format("%Y-%m-%d")
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");

    // Journal.
    let _ = write!(
        out,
        r#"<section id="journal"><h2>Journal since {} ({})</h2>"#,
        rfc3339(d.since),
        age(d.since, now)
    );
    if d.journal.is_empty() {
        out.push_str("<p>Nothing was revoked or rotated in the period.</p>");
    } else {
        out.push_str("<table><thead><tr><th>Time</th><th>Action</th><th>Credential</th><th>Connector</th><th>App</th><th>Actor</th><th>Outcome</th></tr></thead><tbody>");
        for e in &d.journal {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                rfc3339(e.time),
                e.action,
                h(e.credential_id.as_deref().unwrap_or("—")),
                h(&e.connector_id),
                h(&e.app_id),
                h(e.actor_client_id.as_deref().unwrap_or("access token")),
                h(&e.outcome.to_string())
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");

    let _ = write!(
        out,
        "<footer><p><small>Written by credboard {} at {}. Checks and thresholds as listed under Policy in force.</small></p></footer>\n</body></html>\n",
        Provenance::version(),
        rfc3339(now)
    );
    out
}
