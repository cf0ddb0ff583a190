//! `--since` (discover, report): how far back, as a span back from now (`90d`, `12h`, `2w`)
//! or a point in time (`2026-05-01`, `2026-05-01T08:00:00Z`).

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// A `--since` value, resolved against the time the run starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Ago(Duration),
    At(DateTime<Utc>),
}

impl Since {
    pub fn resolve(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Since::Ago(span) => now - span,
            Since::At(t) => t,
        }
    }
}

/// The longest span back accepted: far more than any log keeps.
const MAX_DAYS: i64 = 100 * 366;

/// Reads a `--since` value, or says what it takes.
pub fn parse_since(text: &str) -> Result<Since, String> {
    let s = text.trim();
    let what = "a span back from now (90d, 12h, 2w) or a date or time (2026-05-01, \
                2026-05-01T08:00:00Z)";
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Since::At(t.with_timezone(&Utc)));
    }
    if let Ok(day) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        && let Some(t) = day.and_hms_opt(0, 0, 0)
    {
        return Ok(Since::At(t.and_utc()));
    }
    if let Some(unit) = s.chars().last().filter(char::is_ascii_alphabetic) {
        let number: i64 = s[..s.len() - 1]
            .parse()
            .map_err(|_| format!("not {what}"))?;
        let days = match unit.to_ascii_lowercase() {
            'h' => number as f64 / 24.0,
            'd' => number as f64,
            'w' => number as f64 * 7.0,
            _ => return Err(format!("not {what}: the unit is h, d or w")),
        };
        if !(0.0..=MAX_DAYS as f64).contains(&days) {
            return Err(format!("{s} is out of range (0 to {MAX_DAYS}d)"));
        }
        return Ok(Since::Ago(Duration::seconds((days * 86_400.0) as i64)));
    }
    Err(format!("not {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_times() {
        let now: DateTime<Utc> = "2026-08-01T12:00:00Z".parse().unwrap();
        let at = |s: &str| parse_since(s).unwrap().resolve(now).to_rfc3339();
        assert_eq!(at("90d"), "2026-05-03T12:00:00+00:00");
        assert_eq!(at("12h"), "2026-08-01T00:00:00+00:00");
        assert_eq!(at("2W"), "2026-07-18T12:00:00+00:00");
        assert_eq!(at("2026-05-01"), "2026-05-01T00:00:00+00:00");
        assert_eq!(at("2026-05-01T08:00:00+02:00"), "2026-05-01T06:00:00+00:00");
        assert_eq!(
            at("2026-05-01T08:00:00.5Z"),
            "2026-05-01T08:00:00.500+00:00"
        );
        for bad in [
            "",
            "d",
            "90",
            "90y",
            "-1d",
            "99999999d",
            "yesterday",
            "2026-13-01",
        ] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }
}
