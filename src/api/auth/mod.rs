//! Authentication: the client secret ([`key`]), the client assertion it signs
//! ([`assertion`]), and here the access token: minted with an assertion, cached until shortly
//! before it expires, minted once for every call that waits on it, and renewed once when
//! the server refuses it.

pub mod assertion;
pub mod key;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::Mutex;

use super::client::Client;
use super::error::{ApiError, ErrorKind};
use super::reply;
use super::retry::Replay;
use super::secret::SecretString;

pub use assertion::{Audience, Claims, audience_for, make_assertion, verify_assertion};
pub use key::{ClientSecret, CredentialError, host_from_client_id, public_key_b64};

/// The call that mints an access token, as errors name it.
const MINT_CALL: &str = "get an access token";
/// A failed mint is the answer for calls that ask this soon after it, instead of a new try.
const MINT_FAILURE_HOLD: Duration = Duration::from_secs(2);

/// A minted token is reused at least this long, even if the server says it expires at once:
/// a token endpoint answering `expires_in: 0` must not be asked again for every call.
pub const SHORTEST_TOKEN_LIFETIME: Duration = Duration::from_secs(10);
/// A minted token is renewed within this long, even if the server says it lives for ever.
pub const LONGEST_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// The lifetime when the reply does not state one as a number (600 s is documented).
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(600);
/// A token is renewed this long before it expires, or a tenth of its lifetime if shorter.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// How long after minting a token is renewed, from the token reply's `expires_in`: seconds as
/// a number or a numeric string, clamped to [`SHORTEST_TOKEN_LIFETIME`] ..=
/// [`LONGEST_TOKEN_LIFETIME`]; anything else (missing, null, words, infinite) takes the
/// documented default. A little before it expires, so a call never carries a dying token.
pub fn renew_after(expires_in: Option<&serde_json::Value>) -> Duration {
    let seconds = match expires_in {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let lifetime = match seconds {
        Some(s) if s.is_finite() => Duration::from_secs_f64(s.clamp(
            SHORTEST_TOKEN_LIFETIME.as_secs_f64(),
            LONGEST_TOKEN_LIFETIME.as_secs_f64(),
        )),
        _ => DEFAULT_TOKEN_LIFETIME,
    };
    lifetime - TOKEN_MARGIN.min(lifetime / 10)
}

/// How the client authenticates.
pub(super) enum Auth {
    /// A ready-made bearer token (CONDUCTORONE_ACCESS_TOKEN).
    Static(SecretString),
    /// Tokens minted with the client id and secret.
    Minted {
        client_id: String,
        secret: Box<ClientSecret>,
        token: Mutex<TokenSlot>,
        /// Mint attempts finished, read without the lock (see `token`).
        mints: AtomicU64,
    },
}

impl Auth {
    /// A ready-made token wins; else a client id with its secret. `Err` says what is missing.
    pub fn new(
        access_token: Option<SecretString>,
        client_id: Option<String>,
        secret: Option<ClientSecret>,
    ) -> Result<Auth, &'static str> {
        match (access_token, client_id, secret) {
            (Some(token), _, _) => Ok(Auth::Static(token)),
            (None, Some(client_id), Some(secret)) => Ok(Auth::Minted {
                client_id,
                secret: Box::new(secret),
                token: Mutex::new(TokenSlot::default()),
                mints: AtomicU64::new(0),
            }),
            (None, None, _) => Err("no client id is configured"),
            (None, Some(_), None) => Err("no client secret is configured"),
        }
    }
}

/// Its times are tokio's, so a test can move the clock past a token's renewal.
#[derive(Default)]
pub(super) struct TokenSlot {
    cached: Option<CachedToken>,
    /// When and why the latest mint failed, if it did.
    failure: Option<(tokio::time::Instant, ErrorKind)>,
}

struct CachedToken {
    value: SecretString,
    renew_at: tokio::time::Instant,
}

impl Client {
    /// The client id used to authenticate, when one is (not for a ready-made token).
    pub fn client_id(&self) -> Option<&str> {
        match &self.inner.auth {
            Auth::Minted { client_id, .. } => Some(client_id),
            Auth::Static(_) => None,
        }
    }

    /// Whether a refused token can be replaced by a new one.
    pub(super) fn can_remint(&self) -> bool {
        matches!(self.inner.auth, Auth::Minted { .. })
    }

    /// Drops the cached token if it is still `used`, so the next call mints a new one.
    pub(super) async fn forget_token(&self, used: &SecretString) {
        if let Auth::Minted { token, .. } = &self.inner.auth {
            let mut slot = token.lock().await;
            if slot.cached.as_ref().is_some_and(|t| &t.value == used) {
                slot.cached = None;
            }
        }
    }

    /// The cached token, or a new one. The lock is held while minting so that concurrent
    /// calls wait for one token instead of each minting their own. A mint that failed while
    /// a call waited, or moments before it asked, fails that call too: against a dead
    /// tenant, a refresh's hundreds of calls must not each wait out their own mint's
    /// retries, one after another (that made a refresh take hours, not seconds).
    pub(super) async fn token(&self) -> Result<SecretString, ApiError> {
        let (client_id, secret, slot, mints) = match &self.inner.auth {
            Auth::Static(token) => return Ok(token.clone()),
            Auth::Minted {
                client_id,
                secret,
                token,
                mints,
            } => (client_id, secret, token, mints),
        };
        let mints_before = mints.load(Ordering::Acquire);
        let mut slot = slot.lock().await;
        if let Some(t) = slot
            .cached
            .as_ref()
            .filter(|t| tokio::time::Instant::now() < t.renew_at)
        {
            return Ok(t.value.clone());
        }
        if let Some((at, failure)) = &slot.failure
            && (mints.load(Ordering::Acquire) != mints_before || at.elapsed() < MINT_FAILURE_HOLD)
        {
            return Err(ApiError::new(MINT_CALL, failure.detached()));
        }
        let minted = self.mint(client_id, secret).await;
        mints.fetch_add(1, Ordering::AcqRel);
        match minted {
            Ok(fresh) => {
                let value = fresh.value.clone();
                slot.cached = Some(fresh);
                slot.failure = None;
                Ok(value)
            }
            Err(e) => {
                slot.failure = Some((tokio::time::Instant::now(), e.kind.detached()));
                Err(e)
            }
        }
    }

    async fn mint(&self, client_id: &str, secret: &ClientSecret) -> Result<CachedToken, ApiError> {
        const CALL: &str = MINT_CALL;
        let audience = audience_for(&self.inner.host).to_string();
        let url = self.url("/auth/v1/token");
        let body = self
            .with_retries(CALL, Replay::Safe, || {
                let assertion = make_assertion(client_id, secret, &audience, Utc::now());
                self.inner.http.post(url.clone()).form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", assertion.as_str()),
                ])
            })
            .await
            .map_err(|e| match e.kind {
                ErrorKind::Status {
                    status: 400 | 401 | 403,
                    message,
                    ..
                } => ApiError::new(
                    CALL,
                    ErrorKind::Auth(format!(
                        "the tenant refused the client credentials: {message}"
                    )),
                ),
                kind => ApiError::new(CALL, kind),
            })?;
        #[derive(serde::Deserialize)]
        struct TokenReply {
            access_token: Option<SecretString>,
            /// Any JSON: a lifetime that is no number must not cost the token.
            expires_in: Option<serde_json::Value>,
        }
        let reply: TokenReply = reply::decode(CALL, &body)?;
        let value = reply
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::new(CALL, ErrorKind::Auth("the token reply is empty".into()))
            })?;
        Ok(CachedToken {
            value,
            renew_at: tokio::time::Instant::now() + renew_after(reply.expires_in.as_ref()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_lifetimes_are_clamped_and_renewed_early() {
        use serde_json::json;
        let renew = |v: serde_json::Value| renew_after(Some(&v));
        assert_eq!(renew(json!(3600)), Duration::from_secs(3540));
        assert_eq!(renew(json!(600)), Duration::from_secs(540));
        assert_eq!(renew(json!("600")), Duration::from_secs(540));
        assert_eq!(renew(json!(u64::MAX)), Duration::from_secs(3540));
        assert_eq!(renew(json!(0)), Duration::from_secs(9));
        assert_eq!(renew(json!(-5)), Duration::from_secs(9));
        assert_eq!(renew(json!("soon")), Duration::from_secs(540));
        assert_eq!(renew(json!("inf")), Duration::from_secs(540));
        assert_eq!(renew_after(None), Duration::from_secs(540));
    }
}
