//! The report's charts as inline SVG, drawn here: one horizontal bar per bucket, its count
//! beside it, bars at or past the policy's threshold in the warning colour and muted
//! findings in grey after the rest. No script, font or image from outside: the page stands
//! alone. Every text is escaped.

use std::fmt::Write;

use super::escape::html;
use crate::audit::stats::Chart;

/// Room for the count after the longest bar.
const COUNT_SPACE: u32 = 120;
const BAR_SPACE: u32 = 340;
/// About the width of a character of the 12px labels, to give the longest label its room.
const CHAR_WIDTH: f64 = 6.8;
const ROW: u32 = 24;
const BAR_HEIGHT: u32 = 16;
const TOP: u32 = 8;

pub const NORMAL: &str = "#3b6fb6";
pub const WARNING: &str = "#c0392b";
pub const MUTED: &str = "#9aa0a6";

pub fn bar_chart(chart: &Chart) -> String {
    let max = chart
        .bars
        .iter()
        .map(|b| b.value + b.muted)
        .max()
        .unwrap_or(0)
        .max(1);
    let height = TOP * 2 + ROW * chart.bars.len() as u32;
    let longest = chart
        .bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let label_width = (longest as f64 * CHAR_WIDTH) as u32 + 16;
    let width = label_width + BAR_SPACE + COUNT_SPACE;
    let scale = |n: usize| (n as u64 * u64::from(BAR_SPACE) / max as u64) as u32;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-label="{title}"><title>{title}</title>"#,
        title = html(&chart.title)
    );
    for (i, bar) in chart.bars.iter().enumerate() {
        let y = TOP + ROW * i as u32;
        let text_y = y + BAR_HEIGHT - 3;
        let fill = if bar.beyond_policy { WARNING } else { NORMAL };
        let main = scale(bar.value);
        let muted = scale(bar.value + bar.muted) - main;
        let _ = write!(
            svg,
            r#"<g class="bar"><text x="{x}" y="{text_y}" text-anchor="end" font-size="12">{label}</text><rect x="{label_width}" y="{y}" width="{main}" height="{BAR_HEIGHT}" fill="{fill}"/>"#,
            x = label_width - 8,
            label = html(&bar.label),
        );
        if muted > 0 {
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="{y}" width="{muted}" height="{BAR_HEIGHT}" fill="{MUTED}"/>"#,
                x = label_width + main,
            );
        }
        let count = match bar.muted {
            0 => bar.value.to_string(),
            m => format!("{} (+{m} muted)", bar.value),
        };
        let _ = write!(
            svg,
            r#"<text class="count" x="{x}" y="{text_y}" font-size="12">{count}</text></g>"#,
            x = label_width + main + muted + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stats::Bar;

    #[test]
    fn bars_scale_to_the_largest_and_labels_are_escaped() {
        let chart = Chart {
            title: "<t>".into(),
            counts: "findings",
            bars: vec![
                Bar {
                    label: "a<b".into(),
                    value: 10,
                    muted: 0,
                    beyond_policy: false,
                },
                Bar {
                    label: "c".into(),
                    value: 3,
                    muted: 2,
                    beyond_policy: true,
                },
            ],
        };
        let svg = bar_chart(&chart);
        assert!(
            svg.contains(r##"width="340" height="16" fill="#3b6fb6""##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"width="102" height="16" fill="#c0392b""##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"width="68" height="16" fill="#9aa0a6""##),
            "{svg}"
        );
        assert!(svg.contains("3 (+2 muted)"));
        assert!(svg.contains("a&lt;b") && svg.contains("&lt;t&gt;") && !svg.contains("a<b"));
    }
}
