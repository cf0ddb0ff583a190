//! `--filter EXPR` for `list` and `audit`: the dashboard's filter language (`crate::query`)
//! over the command line's rows. A filter that does not parse is a usage error (exit 2),
//! printed with a pointer under the mistake, before anything is asked of the tenant.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::api::ConnectorCredential;
use crate::audit::catalog::CheckId;
use crate::audit::findings::{Audit, Subject};
use crate::audit::{Flags, Status};
use crate::model::CredentialKey;
use crate::query::{Query, Record, TextField, Time, TimeField, lower};

use super::CliError;

/// The filter given, parsed; `None` when none was given.
pub(super) fn parse(filter: Option<&str>) -> Result<Option<Query>, CliError> {
    let Some(f) = filter else { return Ok(None) };
    Query::parse(f)
        .map(Some)
        .map_err(|e| CliError::config(format!("--filter: {}\n{}", e.message, pointer(&e, f))))
}

/// The filter and the `^` under the mistake (without the message, said first).
fn pointer(e: &crate::query::QueryError, source: &str) -> String {
    let full = e.pointer(source);
    full.lines().take(2).collect::<Vec<_>>().join("\n")
}

type Times = (
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// A row as the filter reads it: what the command shows of a credential (or, for a
/// connector's finding, of the connector).
pub(super) struct Row {
    name: String,
    app: String,
    connector: String,
    client: String,
    id: String,
    flags: Flags,
    status: Status,
    /// Last used, created, expires; `None` when nothing is known of the times.
    times: Option<Times>,
    checks: Vec<CheckId>,
}

/// What a row is made of.
pub(super) struct Of<'a> {
    pub key: &'a CredentialKey,
    pub credential: Option<&'a ConnectorCredential>,
    pub flags: Flags,
    pub app_name: Option<&'a str>,
    pub connector_name: Option<&'a str>,
    /// The checks that found something about it (`None`: not computed).
    pub checks: &'a [CheckId],
}

impl Row {
    pub(super) fn new(of: Of<'_>) -> Row {
        let c = of.credential;
        Row {
            name: lower(c.and_then(|c| c.display_name.as_deref()).unwrap_or("")),
            app: lower(of.app_name.unwrap_or(&of.key.app_id)),
            connector: lower(of.connector_name.unwrap_or(&of.key.connector_id)),
            client: lower(c.and_then(|c| c.client_id.as_deref()).unwrap_or("")),
            id: lower(&of.key.credential_id),
            flags: of.flags,
            status: Status::of(of.flags),
            times: c.map(|c| (c.last_used_at, c.created_at, c.expires_time)),
            checks: of.checks.to_vec(),
        }
    }

    /// A connector, for the findings about it: no credential, so no times and no status
    /// group but `no-credential`.
    pub(super) fn connector(
        app: &str,
        connector_id: &str,
        connector: Option<&str>,
        checks: &[CheckId],
    ) -> Row {
        Row {
            name: String::new(),
            app: lower(app),
            connector: lower(connector.unwrap_or(connector_id)),
            client: String::new(),
            id: lower(connector_id),
            flags: Flags::empty(),
            status: Status::NoCredential,
            times: None,
            checks: checks.to_vec(),
        }
    }
}

impl Record for Row {
    fn text(&self, field: TextField) -> &str {
        match field {
            TextField::Name => &self.name,
            TextField::App => &self.app,
            TextField::Connector => &self.connector,
            TextField::Client => &self.client,
            TextField::Id => &self.id,
            TextField::Status => self.status.word(),
        }
    }

    fn flags(&self) -> Flags {
        self.flags
    }

    fn status(&self) -> Status {
        self.status
    }

    fn time(&self, field: TimeField) -> Time {
        let Some((used, created, expires)) = self.times else {
            return Time::Unknown;
        };
        let t = match field {
            TimeField::LastUsed => used,
            TimeField::Created => created,
            TimeField::Expires => expires,
        };
        Time::of_fetched(field, t)
    }

    fn has_finding(&self, check: CheckId) -> bool {
        self.checks.contains(&check)
    }
}

/// The checks that found something, per credential and per connector.
#[derive(Default)]
pub(super) struct Found {
    pub credentials: HashMap<CredentialKey, Vec<CheckId>>,
    pub connectors: HashMap<(String, String), Vec<CheckId>>,
}

impl Found {
    pub(super) fn of(audit: &Audit) -> Found {
        let mut found = Found::default();
        for f in &audit.findings {
            let checks = match &f.subject {
                Subject::Credential(k) => found.credentials.entry(k.clone()).or_default(),
                Subject::Connector {
                    app_id,
                    connector_id,
                } => found
                    .connectors
                    .entry((app_id.clone(), connector_id.clone()))
                    .or_default(),
            };
            checks.push(f.check);
        }
        found
    }

    pub(super) fn of_credential(&self, key: &CredentialKey) -> &[CheckId] {
        self.credentials.get(key).map_or(&[], Vec::as_slice)
    }

    pub(super) fn of_connector(&self, app_id: &str, connector_id: &str) -> &[CheckId] {
        self.connectors
            .get(&(app_id.to_string(), connector_id.to_string()))
            .map_or(&[], Vec::as_slice)
    }
}
