//! How values sit in the inventory's columns, and reading them back: times as RFC 3339 text
//! in UTC, with as many fractional digits as they have; a connector's user ids as a JSON
//! array. A value that cannot be read back is the inventory's fault, named with the file.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Row;

use super::{Result, Store};

pub(crate) fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
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
}
