//! How values sit in the inventory's columns, and reading them back: times as RFC 3339 text
//! in UTC, with as many fractional digits as they have; a connector's user ids as a JSON
//! array. A value that cannot be read back is the inventory's fault, named with the file.

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use rusqlite::Row;

use super::{Result, Store};

pub(crate) fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A time as [`time_text`] writes it. A server's time with an offset can land past year
/// 9999 or before year 0 in UTC, written with a sign (`+10000-01-01T…`) that RFC 3339 has
/// no room for: the general parser reads those.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    written_time(text).or_else(|| general_time(text))
}

/// The shape [`time_text`] writes for years 0 to 9999, `YYYY-MM-DDTHH:MM:SS`, up to nine
/// fractional digits and `Z`, read by hand: a load reads six times per credential, and
/// this takes a fraction of the general parser's time. Anything else is `None` (a leap
/// second too), for [`general_time`].
fn written_time(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    let (head, fraction) = (b.get(..19)?, b.get(19..b.len() - 1)?);
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if b.last() != Some(&b'Z') || separators.iter().any(|&(i, c)| head[i] != c) {
        return None;
    }
    let digits = |d: &[u8]| {
        d.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let nanos = match fraction {
        [] => 0,
        [b'.', d @ ..] if (1..=9).contains(&d.len()) => digits(d)? * 10u32.pow(9 - d.len() as u32),
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(&head[0..4])?).ok()?,
        digits(&head[5..7])?,
        digits(&head[8..10])?,
    )?;
    let second = digits(&head[17..19])?;
    if second > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_nano_opt(
        digits(&head[11..13])?,
        digits(&head[14..16])?,
        second,
        nanos,
    )?;
    Some(date.and_time(time).and_utc())
}

fn general_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| text.parse())
        .ok()
}

pub(super) fn list_text(list: &[String]) -> String {
    serde_json::Value::from(list).to_string()
}

impl Store {
    /// The time in text column `index` of `row`, if set; `what` names it in the error.
    pub(super) fn time_at(
        &self,
        row: &Row<'_>,
        index: usize,
        what: &'static str,
    ) -> Result<Option<DateTime<Utc>>> {
        // Read in place, not copied out: a load reads six times per credential.
        match self.str_at(row, index)? {
            None => Ok(None),
            Some(text) => parse_time(text)
                .map(Some)
                .ok_or_else(|| self.corrupt(what, format!("{text:?} is not a time"))),
        }
    }

    /// [`Store::time_at`] for a column that is never NULL.
    pub(super) fn required_time_at(
        &self,
        row: &Row<'_>,
        index: usize,
        what: &'static str,
    ) -> Result<DateTime<Utc>> {
        self.time_at(row, index, what)?
            .ok_or_else(|| self.corrupt(what, "it is missing"))
    }

    pub(super) fn text_at(&self, row: &Row<'_>, index: usize) -> Result<Option<String>> {
        row.get(index).map_err(|e| self.err(e))
    }

    /// The text in column `index`, borrowed from the row, if set.
    pub(super) fn str_at<'r>(&self, row: &'r Row<'_>, index: usize) -> Result<Option<&'r str>> {
        let value = row.get_ref(index).map_err(|e| self.err(e))?;
        value.as_str_or_null().map_err(|e| {
            self.err(rusqlite::Error::FromSqlConversionFailure(
                index,
                value.data_type(),
                Box::new(e),
            ))
        })
    }

    pub(super) fn flag_at(&self, row: &Row<'_>, index: usize) -> Result<bool> {
        row.get(index).map_err(|e| self.err(e))
    }

    /// The list of strings in JSON text column `index`.
    pub(super) fn list_at(
        &self,
        row: &Row<'_>,
        index: usize,
        what: &'static str,
    ) -> Result<Vec<String>> {
        let text: String = row.get(index).map_err(|e| self.err(e))?;
        serde_json::from_str(&text).map_err(|e| self.corrupt(what, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_time_a_server_can_send_reads_back_exactly() {
        for sent in [
            "2026-01-02T03:04:05Z",
            "2026-01-02T03:04:05.123456789Z",
            "2026-01-02T03:04:05.5+02:00",
            // Past year 9999 and before year 0 once in UTC.
            "9999-12-31T23:59:59-23:59",
            "0000-01-01T00:00:00+23:59",
        ] {
            let t = DateTime::parse_from_rfc3339(sent)
                .unwrap()
                .with_timezone(&Utc);
            assert_eq!(parse_time(&time_text(&t)), Some(t), "{sent}");
        }
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn the_quick_reading_of_a_written_time_is_the_general_parsers() {
        let mut written = vec![
            "2026-01-02T03:04:05Z".to_string(),
            "0000-01-01T00:00:00Z".into(),
            "9999-12-31T23:59:59.999999999Z".into(),
            "2024-02-29T12:00:00.5Z".into(),
        ];
        // Times across the years, with the fractions a server may send.
        let end = DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z").unwrap();
        let mut t = DateTime::parse_from_rfc3339("0001-03-04T05:06:07.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        while t < end {
            written.push(time_text(&t));
            written.push(t.to_rfc3339_opts(SecondsFormat::Nanos, true));
            written.push(t.to_rfc3339_opts(SecondsFormat::Millis, true));
            // About five years and an odd number of nanoseconds.
            t += chrono::Duration::nanoseconds(157_783_680_012_345_679);
        }
        assert!(written.len() > 5_000);
        for text in &written {
            assert_eq!(written_time(text), general_time(text), "{text}");
            assert!(written_time(text).is_some(), "{text}");
        }
        // Not the written shape: left to the general parser, which reads it or refuses it.
        for other in [
            "2026-01-02T03:04:05+02:00",
            "2026-01-02t03:04:05z",
            "2026-01-02 03:04:05Z",
            "2016-12-31T23:59:60Z",
            "2026-02-30T03:04:05Z",
            "2026-01-02T03:04:05.Z",
            "2026-01-02T03:04:05.1234567890Z",
            "2026-01-02T24:00:00Z",
            "+10000-01-01T00:00:00Z",
            "2026-01-02T03:04:0xZ",
            "2026-01-02T03:04:05",
            "",
            "Z",
        ] {
            assert_eq!(written_time(other), None, "{other}");
        }
        assert_eq!(
            parse_time("2016-12-31T23:59:60Z"),
            general_time("2016-12-31T23:59:60Z")
        );
    }
}
