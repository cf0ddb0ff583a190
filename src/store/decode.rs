//! Decoding what the inventory wrote, quickly: the snapshot of a large inventory decodes
//! 100,000 credentials before the dashboard can draw.
//!
//! The credential JSON in the `credentials` table was written by `ConnectorCredential`'s own
//! `Serialize`, so its shape is known. [`credential`] reads it with the same rules as the
//! model's `Deserialize` (null, missing and "" are unset; unknown fields are ignored), but
//! parses the times straight from the JSON text instead of copying each into a `String`
//! first, and reads the usual RFC 3339 form (`2026-03-01T12:00:00Z`, `…:00.123456789Z`)
//! without the general parser. Anything else, and every error, goes through the model's
//! own decoder, so what is accepted and what an error says do not change; the tests hold
//! the two decoders to the same result.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::api::model::ConnectorCredential;

/// An RFC 3339 time. The common UTC forms are read here; the rest by chrono.
pub(crate) fn time(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match utc_time(s.as_bytes()) {
        Some(t) => Ok(t),
        None => DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction of 1 to 9 digits]Z`, exactly; `None` for anything else
/// (which then goes to chrono's parser, so `None` never means "invalid").
fn utc_time(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() < 20 || *b.last()? != b'Z' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + (c - b'0') as u32;
        }
        Some(n)
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    // A leap second (60) is left to chrono.
    if second > 59 {
        return None;
    }
    let rest = &b[19..b.len() - 1];
    let nanos = match rest {
        [] => 0,
        [b'.', frac @ ..] if (1..=9).contains(&frac.len()) => {
            let n = digits(20..20 + frac.len())?;
            n * 10u32.pow(9 - frac.len() as u32)
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(NaiveDateTime::new(date, time).and_utc())
}

/// A stored credential. Same fields and rules as the model's, minus the secret (never
/// stored; ignored here should one appear).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Stored {
    #[serde(deserialize_with = "text")]
    id: Option<String>,
    #[serde(deserialize_with = "text")]
    app_id: Option<String>,
    #[serde(deserialize_with = "text")]
    connector_id: Option<String>,
    #[serde(deserialize_with = "text")]
    client_id: Option<String>,
    #[serde(deserialize_with = "text")]
    display_name: Option<String>,
    #[serde(deserialize_with = "opt_time")]
    created_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_time")]
    updated_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_time")]
    deleted_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_time")]
    expires_time: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_time")]
    last_used_at: Option<DateTime<Utc>>,
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

struct TimeVisitor;

impl<'de> Visitor<'de> for TimeVisitor {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an RFC 3339 time or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(TimeVisitor)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        if s.is_empty() {
            return Ok(None);
        }
        // The message does not matter: any error is decoded again by the model's decoder.
        time(s)
            .map(Some)
            .map_err(|_| E::custom("not an RFC 3339 time"))
    }
}

fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    d.deserialize_option(TimeVisitor)
}

/// A credential as the inventory stored it, without its three ids: the row it was read
/// from holds them already, and a large inventory need not allocate each twice.
pub(crate) fn credential_without_ids(json: &str) -> serde_json::Result<ConnectorCredential> {
    if let Some(c) = written(json) {
        return Ok(c);
    }
    let mut c = match serde_json::from_str::<Stored>(json) {
        Ok(s) => ConnectorCredential {
            client_id: s.client_id,
            display_name: s.display_name,
            created_at: s.created_at,
            updated_at: s.updated_at,
            deleted_at: s.deleted_at,
            expires_time: s.expires_time,
            last_used_at: s.last_used_at,
            ..ConnectorCredential::default()
        },
        // The model's decoder says what is wrong (or accepts what this one would not).
        Err(_) => serde_json::from_str::<ConnectorCredential>(json)?,
    };
    c.id = None;
    c.app_id = None;
    c.connector_id = None;
    c.client_secret = None;
    Ok(c)
}

/// The fields of a credential in the order its `Serialize` writes them.
const WRITTEN: [&str; 10] = [
    "id",
    "appId",
    "connectorId",
    "clientId",
    "displayName",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "expiresTime",
    "lastUsedAt",
];

/// A credential exactly as `ConnectorCredential`'s `Serialize` writes it: those ten fields
/// in that order, each `null` or a string without escapes, no spaces. This is every row the
/// inventory wrote (bar names with quotes, backslashes or control characters), and reading
/// it needs no general JSON parser. `None` for anything else. The three ids are left unset.
fn written(json: &str) -> Option<ConnectorCredential> {
    let mut rest = json.strip_prefix('{')?.as_bytes();
    let mut values: [Option<&str>; 10] = [None; 10];
    for (n, name) in WRITTEN.iter().enumerate() {
        if n > 0 {
            rest = rest.strip_prefix(b",")?;
        }
        rest = rest.strip_prefix(b"\"")?;
        rest = rest.strip_prefix(name.as_bytes())?;
        rest = rest.strip_prefix(b"\":")?;
        if let Some(after) = rest.strip_prefix(b"null") {
            rest = after;
            continue;
        }
        rest = rest.strip_prefix(b"\"")?;
        let end = memchr::memchr2(b'"', b'\\', rest)?;
        if rest[end] != b'"' {
            return None;
        }
        let value = std::str::from_utf8(&rest[..end]).ok()?;
        // Control characters must have been escaped: leave such text to the JSON parser.
        if value.bytes().any(|b| b < 0x20) {
            return None;
        }
        values[n] = Some(value);
        rest = &rest[end + 1..];
    }
    if rest != b"}" {
        return None;
    }
    let text = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(str::to_string);
    let at = |v: Option<&str>| -> Option<Option<DateTime<Utc>>> {
        match v.filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(s) => time(s).ok().map(Some),
        }
    };
    let [
        id,
        app,
        conn,
        client,
        name,
        created,
        updated,
        deleted,
        expires,
        used,
    ] = values;
    // Checked above as every other field is, so what is accepted does not change.
    let _ = (id, app, conn);
    Some(ConnectorCredential {
        id: None,
        app_id: None,
        connector_id: None,
        client_id: text(client),
        display_name: text(name),
        created_at: at(created)?,
        updated_at: at(updated)?,
        deleted_at: at(deleted)?,
        expires_time: at(expires)?,
        last_used_at: at(used)?,
        client_secret: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the model's decoder makes of it, less what the inventory's decoder leaves out.
    fn model(json: &str) -> Result<ConnectorCredential, String> {
        serde_json::from_str::<ConnectorCredential>(json)
            .map(|c| ConnectorCredential {
                id: None,
                app_id: None,
                connector_id: None,
                client_secret: None,
                ..c
            })
            .map_err(|e| e.to_string())
    }

    fn fast(json: &str) -> Result<ConnectorCredential, String> {
        credential_without_ids(json).map_err(|e| e.to_string())
    }

    fn without_ids(c: &ConnectorCredential) -> ConnectorCredential {
        ConnectorCredential {
            id: None,
            app_id: None,
            connector_id: None,
            ..c.clone()
        }
    }

    #[test]
    fn times_read_here_agree_with_chrono() {
        let cases = [
            "2026-03-01T12:00:00Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2026-03-01T12:00:00.5Z",
            "2026-03-01T12:00:00.123Z",
            "2026-03-01T12:00:00.123456Z",
            "2026-03-01T12:00:00.123456789Z",
            "9999-12-31T23:59:59.999999999Z",
            "0001-01-01T00:00:00Z",
        ];
        for s in cases {
            let chrono = DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
            assert_eq!(utc_time(s.as_bytes()), Some(chrono), "{s}");
            assert_eq!(time(s).unwrap(), chrono, "{s}");
        }
    }

    #[test]
    fn other_forms_go_to_chrono() {
        let cases = [
            "2026-03-01T12:00:00+02:00",
            "2026-03-01T12:00:00-00:30",
            "2026-03-01t12:00:00z",
            "2026-03-01 12:00:00Z",
            "2026-03-01T12:00:00.1234567891Z",
            "2016-12-31T23:59:60Z",
            "2023-02-29T12:00:00Z",
            "2026-13-01T12:00:00Z",
            "2026-03-01T24:00:00Z",
            "2026-03-01T12:00Z",
            "2026-03-01T12:00:00.Z",
            "+2026-03-01T12:00:00Z",
            "２026-03-01T12:00:00Z",
            "",
            "now",
        ];
        for s in cases {
            let chrono = DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc));
            assert_eq!(
                time(s).map_err(|e| e.to_string()),
                chrono.map_err(|e| e.to_string()),
                "{s}"
            );
            if utc_time(s.as_bytes()).is_some() {
                assert!(time(s).is_ok(), "{s}");
            }
        }
    }

    #[test]
    fn stored_credentials_decode_as_the_model_decodes_them() {
        let full = ConnectorCredential {
            id: Some("cred-1".into()),
            app_id: Some("app-1".into()),
            connector_id: Some("conn-1".into()),
            client_id: Some("c\"l\\i\u{1b}[31m@x/pcc".into()),
            display_name: Some("naïve \u{200b} name\n".into()),
            created_at: Some(
                DateTime::parse_from_rfc3339("2024-06-19T21:05:00Z")
                    .unwrap()
                    .into(),
            ),
            updated_at: Some(
                DateTime::parse_from_rfc3339("2024-06-19T21:05:00.123456789Z")
                    .unwrap()
                    .into(),
            ),
            deleted_at: None,
            expires_time: Some(
                DateTime::parse_from_rfc3339("2027-01-01T00:00:00+05:00")
                    .unwrap()
                    .into(),
            ),
            last_used_at: Some(
                DateTime::parse_from_rfc3339("2026-02-14T07:22:00.5Z")
                    .unwrap()
                    .into(),
            ),
            client_secret: None,
        };
        let written = serde_json::to_string(&full).unwrap();
        let cases = [
            written.as_str(),
            "{}",
            r#"{"id":"","appId":null,"displayName":""}"#,
            r#"{"id":"a","unknown":{"nested":[1,2,{"x":null}]},"createdAt":"2026-03-01T12:00:00Z"}"#,
            r#"{"createdAt":"2026-03-01T12:00:00+01:00","expiresTime":"","lastUsedAt":null}"#,
            r#"{"createdAt":"2026-03-01T12:00:00\u005a"}"#,
            r#"{"clientSecret":"secret-token:x","id":"k"}"#,
            r#"{"createdAt":"yesterday"}"#,
            r#"{"createdAt":12}"#,
            r#"{"id":12}"#,
            r#"{"id":"a","id":"b"}"#,
            r#"[]"#,
            r#"{"id":"a""#,
            "",
        ];
        for json in cases {
            assert_eq!(fast(json), model(json), "{json}");
        }
        assert_eq!(fast(&written).unwrap(), without_ids(&full));
    }

    #[test]
    fn what_the_model_writes_is_read_without_the_json_parser() {
        let t = |s: &str| Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc));
        let plain = ConnectorCredential {
            id: Some("2AbC".into()),
            app_id: Some("app".into()),
            connector_id: Some("k".into()),
            client_id: Some("c@acme.conductor.one/pcc".into()),
            display_name: Some("naïve 日本 name".into()),
            created_at: t("2024-06-19T21:05:00Z"),
            updated_at: t("2024-06-19T21:05:00.123456789Z"),
            deleted_at: None,
            expires_time: t("2027-01-01T00:00:00+05:00"),
            last_used_at: t("2026-02-14T07:22:00.5Z"),
            client_secret: None,
        };
        let unset = ConnectorCredential::default();
        let escaped = ConnectorCredential {
            display_name: Some("say \"hi\" \\ \u{1b}[31m\n".into()),
            ..plain.clone()
        };
        for c in [&plain, &unset] {
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(written(&json), Some(without_ids(c)), "{json}");
            assert_eq!(fast(&json), model(&json));
        }
        let json = serde_json::to_string(&escaped).unwrap();
        assert_eq!(written(&json), None, "escapes go to the parser");
        assert_eq!(fast(&json).unwrap(), without_ids(&escaped));
        let odd = [
            r#"{"id":"a","appId":null,"connectorId":null,"clientId":null,"displayName":null,"createdAt":null,"updatedAt":null,"deletedAt":null,"expiresTime":null,"lastUsedAt":"yesterday"}"#,
            r#"{"id":"a","appId":null,"connectorId":null,"clientId":null,"displayName":null,"createdAt":null,"updatedAt":null,"deletedAt":null,"expiresTime":null,"lastUsedAt":null,"x":1}"#,
            r#"{"id":"a","appId":null,"connectorId":null,"clientId":null,"displayName":null,"createdAt":null,"updatedAt":null,"deletedAt":null,"expiresTime":null,"lastUsedAt":null} "#,
            r#"{"id": "a","appId":null,"connectorId":null,"clientId":null,"displayName":null,"createdAt":null,"updatedAt":null,"deletedAt":null,"expiresTime":null,"lastUsedAt":null}"#,
            r#"{"id":"","appId":"","connectorId":"","clientId":"","displayName":"","createdAt":"","updatedAt":"","deletedAt":"","expiresTime":"","lastUsedAt":""}"#,
            r#"{"id":"a	b","appId":null,"connectorId":null,"clientId":null,"displayName":null,"createdAt":null,"updatedAt":null,"deletedAt":null,"expiresTime":null,"lastUsedAt":null}"#,
        ];
        for json in odd {
            assert_eq!(fast(json), model(json), "{json}");
        }
    }
}
