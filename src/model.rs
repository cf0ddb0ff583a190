//! The nouns every layer shares: what names a credential, how credboard learned it, what the
//! inventory remembers of it, what the journal records, and what a revoke, a rotate or any
//! failure comes to. Each is one type, passed through the layers unchanged.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::{ApiError, App, Connector, ConnectorCredential, ErrorKind, SecretString};

/// How credboard learned a credential id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// credboard minted it (rotate).
    Rotate,
    /// From a file: Terraform state, CSV, credboard's JSON.
    Import,
    /// `credboard track`, or added by hand in the dashboard.
    Manual,
    /// Found in the tenant's system log by `credboard discover`, and verified with a Get;
    /// the inventory keeps which event named it.
    Discover,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Rotate => "rotate",
            Source::Import => "import",
            Source::Manual => "manual",
            Source::Discover => "discover",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "rotate" => Source::Rotate,
            "import" => Source::Import,
            "manual" => Source::Manual,
            "discover" => Source::Discover,
            _ => return None,
        })
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The three ids that name a credential in the API's paths.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialKey {
    pub app_id: String,
    pub connector_id: String,
    pub credential_id: String,
}

impl CredentialKey {
    pub fn new(
        app_id: impl Into<String>,
        connector_id: impl Into<String>,
        credential_id: impl Into<String>,
    ) -> Self {
        Self {
            app_id: app_id.into(),
            connector_id: connector_id.into(),
            credential_id: credential_id.into(),
        }
    }

    /// The ids of a credential the server returned, if it carries all three.
    pub fn of(c: &ConnectorCredential) -> Option<Self> {
        Some(Self::new(
            c.app_id.clone()?,
            c.connector_id.clone()?,
            c.id.clone()?,
        ))
    }
}

/// What the inventory remembers of a tracked credential.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownCredential {
    pub key: CredentialKey,
    pub source: Source,
    pub learned_at: DateTime<Utc>,
    /// The last state fetched, if it ever was; kept after the server said it is gone. Without
    /// its ids (the key holds them: copying three ids per credential was a tenth of the
    /// start's read) and without its secret.
    pub last: Option<ConnectorCredential>,
    /// The server answered 404 the last time.
    pub gone: bool,
    /// When `last` (or the gone answer) was fetched.
    pub fetched_at: Option<DateTime<Utc>>,
}

/// Everything the inventory holds for a tenant: what is drawn before the first refresh.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub apps: Vec<App>,
    pub connectors: Vec<Connector>,
    /// Ordered by credential id.
    pub credentials: Vec<KnownCredential>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Revoke,
    Rotate,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Revoke => "revoke",
            Action::Rotate => "rotate",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an action ended, or a step of a rotation (see [`crate::rotation`]). Serialized as
/// `{"kind":"ok"}` (also `requested`, `already_gone`), or with a message:
/// `{"kind":"failed","message":"..."}` (also `not_found`, `unknown` and the `rotation_*`,
/// `first_used` and `left_rotation` steps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum Outcome {
    /// Written before the request is sent; its outcome comes in a later entry.
    Requested,
    Ok,
    /// Revoke: the server's own record said the credential was revoked (`deletedAt`) before
    /// credboard asked; nothing was sent. (Schema 1 wrote this for any 404 on revoke.)
    AlreadyGone,
    /// Revoke: the server holds no credential under those ids; nothing was revoked. The
    /// message says what the server answered.
    NotFound(String),
    /// The action failed; the message says why (it must never contain a secret).
    Failed(String),
    /// Nobody can tell how a request ended (a rotate whose reply was never recorded); the
    /// message says what is known and what to do.
    Unknown(String),
    /// Rotate: a rotation started, waiting for the new credential's first use; the message
    /// names the rotation and the old credentials it is to replace.
    RotationStarted(String),
    /// Rotate: the new credential of a rotation was used for the first time; the old ones
    /// may be revoked.
    FirstUsed(String),
    /// Rotate: an old credential left a rotation without credboard revoking it (revoked by
    /// someone else, gone, expired); entered under the old credential's id.
    LeftRotation(String),
    /// Rotate: every old credential of a rotation is revoked.
    RotationDone(String),
    /// Rotate: a rotation was given up (by the user, or its new credential died); nothing
    /// more is revoked for it.
    RotationAbandoned(String),
    /// Rotate: a rotation's new credential was not used before its deadline.
    RotationTimedOut(String),
}

impl Outcome {
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Requested => "requested",
            Outcome::Ok => "ok",
            Outcome::AlreadyGone => "already_gone",
            Outcome::NotFound(_) => "not_found",
            Outcome::Failed(_) => "failed",
            Outcome::Unknown(_) => "unknown",
            Outcome::RotationStarted(_) => "rotation_started",
            Outcome::FirstUsed(_) => "first_used",
            Outcome::LeftRotation(_) => "left_rotation",
            Outcome::RotationDone(_) => "rotation_done",
            Outcome::RotationAbandoned(_) => "rotation_abandoned",
            Outcome::RotationTimedOut(_) => "rotation_timed_out",
        }
    }

    pub fn message(&self) -> Option<&str> {
        match self {
            Outcome::NotFound(m)
            | Outcome::Failed(m)
            | Outcome::Unknown(m)
            | Outcome::RotationStarted(m)
            | Outcome::FirstUsed(m)
            | Outcome::LeftRotation(m)
            | Outcome::RotationDone(m)
            | Outcome::RotationAbandoned(m)
            | Outcome::RotationTimedOut(m) => Some(m),
            Outcome::Requested | Outcome::Ok | Outcome::AlreadyGone => None,
        }
    }

    pub fn from_row(kind: &str, message: Option<String>) -> Option<Outcome> {
        Some(match kind {
            "requested" => Outcome::Requested,
            "ok" => Outcome::Ok,
            "already_gone" => Outcome::AlreadyGone,
            "not_found" => Outcome::NotFound(message.unwrap_or_default()),
            "failed" => Outcome::Failed(message.unwrap_or_default()),
            "unknown" => Outcome::Unknown(message.unwrap_or_default()),
            "rotation_started" => Outcome::RotationStarted(message.unwrap_or_default()),
            "first_used" => Outcome::FirstUsed(message.unwrap_or_default()),
            "left_rotation" => Outcome::LeftRotation(message.unwrap_or_default()),
            "rotation_done" => Outcome::RotationDone(message.unwrap_or_default()),
            "rotation_abandoned" => Outcome::RotationAbandoned(message.unwrap_or_default()),
            "rotation_timed_out" => Outcome::RotationTimedOut(message.unwrap_or_default()),
            _ => return None,
        })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Requested => f.write_str("requested"),
            Outcome::Ok => f.write_str("ok"),
            Outcome::AlreadyGone => f.write_str("already revoked"),
            Outcome::NotFound(m) => write!(f, "not found: {m}"),
            Outcome::Failed(m) => write!(f, "failed: {m}"),
            Outcome::Unknown(m) => write!(f, "unknown: {m}"),
            Outcome::RotationStarted(m) => write!(f, "rotation started: {m}"),
            Outcome::FirstUsed(m) => write!(f, "first used: {m}"),
            Outcome::LeftRotation(m) => write!(f, "left the rotation: {m}"),
            Outcome::RotationDone(m) => write!(f, "rotation done: {m}"),
            Outcome::RotationAbandoned(m) => write!(f, "rotation abandoned: {m}"),
            Outcome::RotationTimedOut(m) => write!(f, "rotation timed out: {m}"),
        }
    }
}

/// A journal entry's number: how an outcome names its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntryId(pub i64);

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub time: DateTime<Utc>,
    /// The profile credboard ran with; empty when none was named.
    pub profile: String,
    /// The client id credboard acted as; `None` with a ready-made access token.
    pub actor_client_id: Option<String>,
    pub action: Action,
    pub app_id: String,
    pub connector_id: String,
    /// Revoke: the revoked credential. Rotate: the new credential, if the rotate succeeded.
    pub credential_id: Option<String>,
    pub outcome: Outcome,
}

/// What a revoke did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// The server accepted the revoke.
    Revoked,
    /// The server's own record said revoked (`deletedAt`) before we asked; nothing was sent.
    AlreadyRevoked,
}

/// What a revoke did, and the credential as the server holds it afterwards.
#[derive(Debug, Clone)]
pub struct RevokeResult {
    pub revocation: Revocation,
    /// The credential as a Get returned it last, when it could.
    pub fresh: Option<ConnectorCredential>,
    /// The revoke went through but the inventory could not record all of it (the journal's
    /// outcome, or the credential's new state): what failed, to show as a warning. The
    /// request itself is journaled, and the next start checks it.
    pub unrecorded: Option<String>,
}

/// A credential just minted, and its secret, which exists only in this value (and the
/// window that shows it once).
#[derive(Debug)]
pub struct Minted {
    pub credential: ConnectorCredential,
    pub secret: SecretString,
    /// The rotate succeeded but the inventory could not record it: the secret must still be
    /// shown (it cannot be fetched again) with the credential's id and this warning, and
    /// recording it tried again (`Ops::record_rotation`).
    pub record_error: Option<String>,
}

/// What went wrong, as a kind the screen can act on and words a person can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// Read-only mode refused the action.
    ReadOnly,
    /// The inventory's rows are another tenant's than the one the client reaches.
    OtherTenant,
    /// The server holds no credential under the ids asked for.
    NotFound,
    /// The server refused the credentials, or no token could be had.
    Auth,
    /// The server did not answer in time.
    Timeout,
    /// The server could not be reached, or the connection broke.
    Unreachable,
    /// The server asked to slow down (429) until the retries ran out.
    RateLimited,
    /// The server answered with an error.
    Server,
    /// The server's reply could not be used: malformed, too large, endless, contradictory.
    BadReply,
    /// The configuration cannot work.
    Config,
    /// The inventory or the journal could not be read or written.
    Store,
    /// credboard itself failed (a task panicked).
    Internal,
    /// credboard would not do it, and said why (an old credential of a rotation still in
    /// use); nothing was sent.
    Refused,
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
        }
    }
}

impl FailureKind {
    /// The kind of an API error: what the screen can say about it beyond its words.
    fn of_api(kind: &ErrorKind) -> FailureKind {
        match kind {
            ErrorKind::Transport { source, .. } => {
                if source.as_ref().is_some_and(|e| e.is_timeout()) {
                    FailureKind::Timeout
                } else {
                    FailureKind::Unreachable
                }
            }
            ErrorKind::Status { status, .. } => match status {
                401 | 403 => FailureKind::Auth,
                404 => FailureKind::NotFound,
                429 => FailureKind::RateLimited,
                _ => FailureKind::Server,
            },
            ErrorKind::ErrorBody { .. } => FailureKind::Server,
            ErrorKind::Auth(_) => FailureKind::Auth,
            ErrorKind::Config(_) => FailureKind::Config,
            ErrorKind::Decode { .. }
            | ErrorKind::RepeatedPageToken(_)
            | ErrorKind::TooLarge { .. }
            | ErrorKind::TooManyPages { .. } => FailureKind::BadReply,
            ErrorKind::GaveUp { last, .. } => FailureKind::of_api(last),
        }
    }
}

impl From<&ApiError> for Failure {
    fn from(e: &ApiError) -> Failure {
        Failure::new(FailureKind::of_api(&e.kind), e.to_string())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
