//! The ConductorOne objects credboard reads. Every field is optional: null, missing and ""
//! all mean "unset", and unknown fields are ignored, because real objects carry many more.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::secret::SecretString;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct App {
    #[serde(deserialize_with = "text")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub display_name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub description: Option<String>,
    #[serde(deserialize_with = "flag")]
    pub is_directory: bool,
    /// int64 arrives as a string on the wire; a plain number is accepted too.
    #[serde(deserialize_with = "int64", serialize_with = "int64_as_string")]
    pub user_count: Option<i64>,
    #[serde(deserialize_with = "time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "time")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "time")]
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Connector {
    #[serde(deserialize_with = "text")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub app_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub display_name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub description: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub status: Option<ConnectorStatus>,
    #[serde(deserialize_with = "time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "time")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "time")]
    pub deleted_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "time")]
    pub sync_disabled_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "text")]
    pub sync_disabled_reason: Option<String>,
    #[serde(deserialize_with = "list")]
    pub user_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectorStatus {
    /// One of SYNC_STATUS_UNSPECIFIED, _RUNNING, _DONE, _ERROR, _DISABLED.
    #[serde(deserialize_with = "text")]
    pub status: Option<String>,
    #[serde(deserialize_with = "text")]
    pub last_error: Option<String>,
    #[serde(deserialize_with = "time")]
    pub completed_at: Option<DateTime<Utc>>,
}

/// An entry of the list-connectors reply: the connector is wrapped, next to other data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectorListItem {
    #[serde(deserialize_with = "nullable")]
    pub connector: Option<Connector>,
}

/// The credential a connector uses to authenticate with ConductorOne.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectorCredential {
    #[serde(deserialize_with = "text")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub app_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub connector_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub client_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub display_name: Option<String>,
    #[serde(deserialize_with = "time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "time")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Set means revoked.
    #[serde(deserialize_with = "time")]
    pub deleted_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "time")]
    pub expires_time: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "time")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// Present only in the reply that created the credential. Never serialized, so it can
    /// reach neither the inventory nor any output by accident.
    #[serde(skip_serializing, deserialize_with = "secret")]
    pub client_secret: Option<SecretString>,
}

/// `{"list":[...],"nextPageToken":"..."}`
#[derive(Debug, Clone, Deserialize)]
#[serde(
    rename_all = "camelCase",
    default,
    bound(deserialize = "T: Deserialize<'de>")
)]
pub struct Page<T> {
    #[serde(deserialize_with = "list")]
    pub list: Vec<T>,
    #[serde(deserialize_with = "text")]
    pub next_page_token: Option<String>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            list: Vec::new(),
            next_page_token: None,
        }
    }
}

/// `{"credential":{...}}`, with the older rotate reply's top-level `clientSecret` beside it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CredentialReply {
    #[serde(deserialize_with = "nullable")]
    pub credential: Option<ConnectorCredential>,
    #[serde(deserialize_with = "secret")]
    pub client_secret: Option<SecretString>,
}

/// A finding of ConductorOne's Findings API (`c1.api.finding.v1.Finding`), as far as credboard
/// reads it: a `credentialPubliclyExposed` one and its evidence.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Finding {
    #[serde(deserialize_with = "text")]
    pub id: Option<String>,
    /// `FINDING_STATE_OPEN`, `..._RESOLVED`, ...
    #[serde(deserialize_with = "text")]
    pub state: Option<String>,
    #[serde(deserialize_with = "text")]
    pub severity: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub credential_publicly_exposed: Option<CredentialPubliclyExposed>,
    #[serde(deserialize_with = "nullable")]
    pub credential_publicly_exposed_evidence: Option<CredentialPubliclyExposedEvidence>,
}

/// Which credential was exposed: one of the `credential` oneof's fields is set; credboard
/// reads the connector's client id.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CredentialPubliclyExposed {
    #[serde(deserialize_with = "text")]
    pub connector_client_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub credential_display_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CredentialPubliclyExposedEvidence {
    #[serde(deserialize_with = "time")]
    pub first_observed_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "text")]
    pub source_url: Option<String>,
    #[serde(deserialize_with = "flag")]
    pub credential_revoked: bool,
    #[serde(deserialize_with = "time")]
    pub revoked_at: Option<DateTime<Utc>>,
}

fn nullable<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    Ok(Option::<SecretString>::deserialize(d)?.filter(|s| !s.is_empty()))
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(false))
}

fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(&s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|e| serde::de::Error::custom(format!("not an RFC 3339 time ({e})"))),
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
    Number(i64),
    Text(String),
}

fn int64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<StringOrNumber>::deserialize(d)? {
        None => Ok(None),
        Some(StringOrNumber::Number(n)) => Ok(Some(n)),
        Some(StringOrNumber::Text(s)) if s.is_empty() => Ok(None),
        Some(StringOrNumber::Text(s)) => s
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("not an integer")),
    }
}

fn int64_as_string<S: serde::Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(n) => s.serialize_str(&n.to_string()),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_missing_and_empty_are_alike() {
        let a: ConnectorCredential = serde_json::from_str(
            r#"{"id":"c1","displayName":"","clientId":null,"lastUsedAt":"","expiresTime":null}"#,
        )
        .unwrap();
        assert_eq!(a.id.as_deref(), Some("c1"));
        assert_eq!(a.display_name, None);
        assert_eq!(a.client_id, None);
        assert_eq!(a.last_used_at, None);
        assert_eq!(a.expires_time, None);
        assert_eq!(a.created_at, None);
    }

    #[test]
    fn unknown_fields_are_ignored_and_times_parse() {
        let c: ConnectorCredential = serde_json::from_str(
            r#"{"id":"c1","somethingNew":{"x":1},"createdAt":"2026-01-02T03:04:05.123Z","deletedAt":"2026-02-01T00:00:00+02:00"}"#,
        )
        .unwrap();
        assert_eq!(
            c.created_at.unwrap().to_rfc3339(),
            "2026-01-02T03:04:05.123+00:00"
        );
        assert_eq!(
            c.deleted_at.unwrap().to_rfc3339(),
            "2026-01-31T22:00:00+00:00"
        );
    }

    #[test]
    fn int64_as_string_or_number() {
        let a: App = serde_json::from_str(r#"{"userCount":"42","isDirectory":null}"#).unwrap();
        assert_eq!(a.user_count, Some(42));
        assert!(!a.is_directory);
        let b: App = serde_json::from_str(r#"{"userCount":7}"#).unwrap();
        assert_eq!(b.user_count, Some(7));
        assert_eq!(serde_json::to_value(&b).unwrap()["userCount"], "7");
    }

    #[test]
    fn the_secret_is_read_but_never_written() {
        let r: CredentialReply = serde_json::from_str(
            r#"{"credential":{"id":"c2","clientSecret":"secret-token:x"},"clientSecret":""}"#,
        )
        .unwrap();
        let cred = r.credential.unwrap();
        assert_eq!(
            cred.client_secret.as_ref().unwrap().expose(),
            "secret-token:x"
        );
        assert_eq!(r.client_secret, None);
        let json = serde_json::to_string(&cred).unwrap();
        assert!(!json.contains("secret-token"), "{json}");
        assert!(!format!("{cred:?}").contains("secret-token"));
    }

    #[test]
    fn a_connector_list_item_wraps_the_connector() {
        let p: Page<ConnectorListItem> = serde_json::from_str(
            r#"{"list":[{"connector":{"id":"k1","status":{"status":"SYNC_STATUS_ERROR","lastError":"boom"},"userIds":null}}],"nextPageToken":""}"#,
        )
        .unwrap();
        let k = p.list[0].connector.as_ref().unwrap();
        assert_eq!(
            k.status.as_ref().unwrap().last_error.as_deref(),
            Some("boom")
        );
        assert!(k.user_ids.is_empty());
        assert_eq!(p.next_page_token, None);
    }

    #[test]
    fn a_bad_time_is_an_error() {
        assert!(
            serde_json::from_str::<ConnectorCredential>(r#"{"createdAt":"yesterday"}"#).is_err()
        );
    }
}
