//! How values sit in the inventory's columns, and reading them back: times as RFC 3339 text
//! in UTC, with as many fractional digits as they have, except a credential's (see
//! [`credential_time`]); a connector's user ids as a JSON array. A value that cannot be read
//! back is the inventory's fault, named with the file.

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use rusqlite::Row;
use rusqlite::types::{Value, ValueRef};

use super::{Result, Store};

pub(crate) fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A time as a credential's columns hold it (migration 8): nanoseconds since 1970 in UTC,
/// read at start without parsing text (seven per credential); [`time_text`] when an i64 of
/// nanoseconds cannot hold it exactly: before 1677, after 2262 (a "never expires" of year
/// 9999) or a leap second.
pub(super) fn credential_time(t: &DateTime<Utc>) -> Value {
    match t.timestamp_nanos_opt() {
        Some(nanos) if t.nanosecond() < 1_000_000_000 => Value::Integer(nanos),
        _ => Value::Text(time_text(t)),
    }
}

/// SQL's `credboard_time(value)`: a credential's time column as [`credential_time`] writes
/// it, for the rows written before migration 8. Text that is not a time, and every other
/// value, stays as it was: the read names it, and the file loses nothing.
pub(super) fn credential_time_of(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Integer(n),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            match parse_time(&text) {
                Some(t) => credential_time(&t),
                None => Value::Text(text.into_owned()),
            }
        }
    }
}

/// A time as [`time_text`] writes it. A server's time with an offset can land past year
/// 9999 or before year 0 in UTC, written with a sign (`+10000-01-01T…`) that RFC 3339 has
/// no room for: the general parser reads those.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| text.parse())
        .ok()
}

/// A time column's value, written by [`time_text`] or [`credential_time`]; if it is neither,
/// why not.
fn read_time(value: ValueRef<'_>) -> std::result::Result<Option<DateTime<Utc>>, String> {
    match value {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(nanos) => Ok(Some(DateTime::from_timestamp_nanos(nanos))),
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            parse_time(&text)
                .map(Some)
                .ok_or_else(|| format!("{text:?} is not a time"))
        }
        ValueRef::Real(_) | ValueRef::Blob(_) => {
            Err(format!("{:?} is not a time", value.data_type()))
        }
    }
}

pub(super) fn list_text(list: &[String]) -> String {
    serde_json::Value::from(list).to_string()
}

impl Store {
    /// The time in column `index` of `row`, if set; `what` names it in the error.
    pub(super) fn time_at(
        &self,
        row: &Row<'_>,
        index: usize,
        what: &'static str,
    ) -> Result<Option<DateTime<Utc>>> {
        // Read in place, not copied out: a load reads seven times per credential.
        let value = row.get_ref(index).map_err(|e| self.err(e))?;
        read_time(value).map_err(|reason| self.corrupt(what, reason))
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
    fn every_time_a_credential_can_hold_reads_back_exactly() {
        for text in [
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999999999Z",
            "2026-01-02T03:04:05.123456789Z",
            // The first and last nanosecond an i64 holds, and the one after.
            "1677-09-21T00:12:43.145224192Z",
            "2262-04-11T23:47:16.854775807Z",
            "2262-04-11T23:47:16.854775808Z",
            "1600-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "2016-12-31T23:59:60.5Z",
        ] {
            let t = parse_time(text).unwrap();
            let stored = credential_time(&t);
            assert_eq!(read_time(ValueRef::from(&stored)), Ok(Some(t)), "{text}");
            // Migration 8 stores a schema-7 row's text as the writer does.
            assert_eq!(credential_time_of(ValueRef::Text(text.as_bytes())), stored);
        }
        assert!(matches!(
            credential_time(&parse_time("2026-01-02T03:04:05Z").unwrap()),
            Value::Integer(_)
        ));
        assert!(matches!(
            credential_time(&parse_time("9999-12-31T23:59:59Z").unwrap()),
            Value::Text(_)
        ));
        let kept = ValueRef::Text(b"yesterday");
        assert_eq!(credential_time_of(kept), Value::Text("yesterday".into()));
        assert!(read_time(kept).is_err());
    }
}
