//! One reqwest client for every call: auth, paging, retries, timeouts.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;
use url::Url;
use zeroize::Zeroizing;

use super::auth::{self, ClientSecret};
use super::error::{ApiError, ErrorKind, error_status, server_message};
use super::model::{App, Connector, ConnectorCredential, ConnectorListItem, CredentialReply, Page};
use super::secret::SecretString;

/// Page size for every list call: the API's maximum, so a tenant is walked in few requests.
const PAGE_SIZE: u32 = 100;
/// The call that mints an access token, as errors name it.
const MINT_CALL: &str = "get an access token";
/// A failed mint is the answer for calls that ask this soon after it, instead of a new try.
const MINT_FAILURE_HOLD: Duration = Duration::from_secs(2);
/// The longest `Retry-After` taken as said; a longer one counts as this long. Far past any
/// retry budget, so the call gives up either way.
pub const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// How to reach and authenticate with a tenant.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// The client id, `name@host/suffix`. Names the host unless `endpoint` is set.
    pub client_id: Option<String>,
    pub client_secret: Option<ClientSecret>,
    /// A ready-made bearer token (CONDUCTORONE_ACCESS_TOKEN); used instead of minting one.
    pub access_token: Option<SecretString>,
    /// A URL or host[:port] that overrides the host from the client id.
    pub endpoint: Option<String>,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    pub limits: Limits,
}

/// The default of [`Limits::max_reply_bytes`], in MiB (`max_reply_mib` in the settings):
/// a page of 100 apps or connectors is well under a MiB.
pub const DEFAULT_MAX_REPLY_MIB: u64 = 8;

/// How much of a tenant's answer the client reads, whatever the tenant sends.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most bytes of one reply's body; reading stops past it.
    pub max_reply_bytes: u64,
    /// The most pages of one listing: 100,000 items at the page size asked for.
    pub max_pages: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_reply_bytes: DEFAULT_MAX_REPLY_MIB * 1024 * 1024,
            max_pages: 1000,
        }
    }
}

/// The most of an error reply's body that is read: enough for its message or page title.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// Whole request, body included.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(30),
        }
    }
}

/// Backoff for retried calls: `base`, 2×, 4×... capped at `max_delay`, with jitter; at most
/// `max_tries` tries and `budget` in all. The defaults follow ConductorOne's Terraform
/// provider (1 s doubling to 30 s, 5 tries).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_tries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_tries: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            budget: Duration::from_secs(90),
        }
    }
}

/// The answer to a revoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    Now,
    /// The server answered 404: the credential was already gone.
    AlreadyGone,
}

/// A freshly minted credential and its secret, which exists only here, once.
#[derive(Debug)]
pub struct Rotated {
    pub credential: ConnectorCredential,
    pub secret: SecretString,
}

/// Whether a request may be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Replay {
    /// Reads, revoke (revoking twice is harmless) and token minting: retried on 429, 5xx
    /// and transport errors.
    Safe,
    /// Rotate mints a credential: sending it twice could mint two. Retried only when the
    /// server certainly did not act on it: the connection was never made, or it answered 429.
    OnlyIfNotReceived,
}

#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    host: String,
    auth: Auth,
    retry: RetryPolicy,
    limits: Limits,
    /// 429 and 503 replies seen, retried ones included: see [`Client::pushback`].
    pushback: AtomicU64,
}

enum Auth {
    Static(SecretString),
    Minted {
        client_id: String,
        secret: Box<ClientSecret>,
        token: Mutex<TokenSlot>,
        /// Mint attempts finished, read without the lock (see `token`).
        mints: AtomicU64,
    },
}

/// Its times are tokio's, so a test can move the clock past a token's renewal.
#[derive(Default)]
struct TokenSlot {
    cached: Option<CachedToken>,
    /// When and why the latest mint failed, if it did.
    failure: Option<(tokio::time::Instant, ErrorKind)>,
}

struct CachedToken {
    value: SecretString,
    renew_at: tokio::time::Instant,
}

impl Client {
    pub fn new(options: ClientOptions) -> Result<Self, ApiError> {
        let config = |m: String| ApiError::new("configure the client", ErrorKind::Config(m));
        let base = match (&options.endpoint, &options.client_id) {
            (Some(endpoint), _) => parse_endpoint(endpoint).map_err(config)?,
            (None, Some(id)) => {
                parse_endpoint(auth::host_from_client_id(id).map_err(|e| config(e.to_string()))?)
                    .map_err(config)?
            }
            (None, None) => {
                return Err(config(
                    "no client id or API endpoint is configured".to_string(),
                ));
            }
        };
        let host = host_port(&base);
        let auth = match (
            options.access_token,
            options.client_id,
            options.client_secret,
        ) {
            (Some(token), _, _) => Auth::Static(token),
            (None, Some(client_id), Some(secret)) => Auth::Minted {
                client_id,
                secret: Box::new(secret),
                token: Mutex::new(TokenSlot::default()),
                mints: AtomicU64::new(0),
            },
            (None, None, _) => return Err(config("no client id is configured".to_string())),
            (None, Some(_), None) => {
                return Err(config("no client secret is configured".to_string()));
            }
        };
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(concat!("credboard/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.timeouts.connect)
            .timeout(options.timeouts.request)
            // The bearer token goes to the tenant's host only: never follow a redirect.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| config(format!("the HTTP client could not be built: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                host,
                auth,
                retry: options.retry,
                limits: options.limits,
                pushback: AtomicU64::new(0),
            }),
        })
    }

    /// The tenant's host[:port], as shown to the user.
    pub fn host(&self) -> &str {
        &self.inner.host
    }

    /// The client id used to authenticate, when one is (not for a ready-made token).
    pub fn client_id(&self) -> Option<&str> {
        match &self.inner.auth {
            Auth::Minted { client_id, .. } => Some(client_id),
            Auth::Static(_) => None,
        }
    }

    /// How many times the server has pushed back (answered 429 or 503) since this client
    /// was built, every call and retry included. The worker's concurrency limit listens to
    /// it: retries hide pushback from the caller, but the tenant is asking to slow down.
    pub fn pushback(&self) -> u64 {
        self.inner.pushback.load(Ordering::Relaxed)
    }

    /// Every app, page by page; `on_page` sees each page as it arrives so callers can start
    /// work on the first apps before the last page is in.
    pub async fn list_apps_paged(
        &self,
        mut on_page: impl FnMut(&[App]),
    ) -> Result<Vec<App>, ApiError> {
        self.list_all("list apps", "/api/v1/apps", |page: &[App]| on_page(page))
            .await
    }

    pub async fn list_apps(&self) -> Result<Vec<App>, ApiError> {
        self.list_apps_paged(|_| {}).await
    }

    pub async fn list_connectors(&self, app_id: &str) -> Result<Vec<Connector>, ApiError> {
        let items: Vec<ConnectorListItem> = self
            .list_all(
                &format!("list the connectors of app {app_id}"),
                &format!("/api/v1/apps/{}/connectors", seg(app_id)),
                |_: &[ConnectorListItem]| {},
            )
            .await?;
        Ok(items.into_iter().filter_map(|i| i.connector).collect())
    }

    /// `Ok(None)` when the server answers 404: the credential is gone.
    pub async fn get_credential(
        &self,
        app_id: &str,
        connector_id: &str,
        id: &str,
    ) -> Result<Option<ConnectorCredential>, ApiError> {
        let call = format!("get credential {id}");
        let path = credential_path(app_id, connector_id, id);
        match self
            .request::<CredentialReply>(&call, Method::GET, &path, None, Replay::Safe)
            .await
        {
            Ok(reply) => reply.credential.map(Some).ok_or_else(|| {
                ApiError::new(
                    call,
                    ErrorKind::Decode {
                        what: "it has no \"credential\"".into(),
                    },
                )
            }),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Revoke is a POST with `{}`; a 404 means the credential is already gone, which is
    /// what the caller wanted.
    pub async fn revoke(
        &self,
        app_id: &str,
        connector_id: &str,
        id: &str,
    ) -> Result<Revoked, ApiError> {
        let call = format!("revoke credential {id}");
        let path = credential_path(app_id, connector_id, id);
        let body = serde_json::json!({});
        match self
            .request::<serde_json::Value>(&call, Method::POST, &path, Some(&body), Replay::Safe)
            .await
        {
            Ok(_) => Ok(Revoked::Now),
            Err(e) if e.status() == Some(404) => Ok(Revoked::AlreadyGone),
            Err(e) => Err(e),
        }
    }

    /// Mints a new credential for a connector. The secret is read from
    /// `credential.clientSecret`, or the older replies' top-level `clientSecret`.
    pub async fn rotate(&self, app_id: &str, connector_id: &str) -> Result<Rotated, ApiError> {
        let call = format!("rotate a credential of connector {connector_id}");
        let body = serde_json::json!({"appId": app_id, "connectorId": connector_id});
        let reply: CredentialReply = self
            .request(
                &call,
                Method::POST,
                "/api/v1/apps/connectors/credentials",
                Some(&body),
                Replay::OnlyIfNotReceived,
            )
            .await?;
        let decode = |what: &str| {
            ApiError::new(
                call.clone(),
                ErrorKind::Decode {
                    what: what.to_string(),
                },
            )
        };
        let mut credential = reply
            .credential
            .ok_or_else(|| decode("it has no \"credential\""))?;
        let secret = credential
            .client_secret
            .take()
            .or(reply.client_secret)
            .ok_or_else(|| decode("it carries no client secret"))?;
        if credential.id.is_none() {
            return Err(decode("the new credential has no id"));
        }
        Ok(Rotated { credential, secret })
    }

    async fn list_all<T: DeserializeOwned>(
        &self,
        call: &str,
        path: &str,
        mut on_page: impl FnMut(&[T]),
    ) -> Result<Vec<T>, ApiError> {
        let mut all = Vec::new();
        let mut seen = HashSet::new();
        let mut token = String::new();
        let mut pages = 0;
        loop {
            let mut page_path = format!("{path}?page_size={PAGE_SIZE}");
            if !token.is_empty() {
                page_path.push_str("&page_token=");
                page_path.push_str(&urlencode(&token));
            }
            let page: Page<T> = self
                .request(call, Method::GET, &page_path, None, Replay::Safe)
                .await?;
            on_page(&page.list);
            all.extend(page.list);
            pages += 1;
            match page.next_page_token {
                None => return Ok(all),
                Some(next) => {
                    if !seen.insert(next.clone()) {
                        return Err(ApiError::new(call, ErrorKind::RepeatedPageToken(next)));
                    }
                    if pages >= self.inner.limits.max_pages {
                        return Err(ApiError::new(call, ErrorKind::TooManyPages { pages }));
                    }
                    token = next;
                }
            }
        }
    }

    /// Sends an authenticated request, retrying as `replay` allows, re-minting the token
    /// once on a 401.
    async fn request<T: DeserializeOwned>(
        &self,
        call: &str,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        replay: Replay,
    ) -> Result<T, ApiError> {
        let url = self.url(path);
        let mut reminted = false;
        loop {
            let token = self.token().await?;
            let result = self
                .with_retries(call, replay, || {
                    let mut req = self
                        .inner
                        .http
                        .request(method.clone(), url.clone())
                        .bearer_auth(token.expose());
                    if let Some(body) = body {
                        req = req.json(body);
                    }
                    req
                })
                .await;
            match result {
                Err(e) if e.status() == Some(401) && !reminted && self.can_remint() => {
                    tracing::info!(call, "token refused; minting a new one");
                    self.forget_token(&token).await;
                    reminted = true;
                }
                Err(e) if e.status() == Some(401) => {
                    return Err(ApiError::new(
                        call,
                        ErrorKind::Auth(format!(
                            "the server refused the access token ({})",
                            e.kind
                        )),
                    ));
                }
                Err(e) => return Err(e),
                Ok(bytes) => {
                    return serde_json::from_slice(&bytes).map_err(|e| {
                        ApiError::new(
                            call,
                            ErrorKind::Decode {
                                what: describe_json_error(&e),
                            },
                        )
                    });
                }
            }
        }
    }

    /// Runs one request with retries and returns the body of a 2xx answer, in a buffer wiped
    /// when dropped (a rotate reply carries a new secret, a token reply the access token).
    async fn with_retries(
        &self,
        call: &str,
        replay: Replay,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Zeroizing<Vec<u8>>, ApiError> {
        let policy = self.inner.retry;
        let started = Instant::now();
        let mut tries = 0;
        loop {
            tries += 1;
            let sent = send(build(), self.inner.limits.max_reply_bytes).await;
            let (kind, retry_after, retryable) = match sent {
                Ok(bytes) => return Ok(bytes),
                Err(failure) => {
                    let retryable = match replay {
                        Replay::Safe => failure.retryable,
                        Replay::OnlyIfNotReceived => failure.not_received,
                    };
                    (failure.kind, failure.retry_after, retryable)
                }
            };
            if matches!(
                kind,
                ErrorKind::Status {
                    status: 429 | 503,
                    ..
                }
            ) {
                self.inner.pushback.fetch_add(1, Ordering::Relaxed);
            }
            if !retryable {
                return Err(ApiError::new(call, kind));
            }
            let delay = retry_after.unwrap_or_else(|| backoff(policy, tries));
            let elapsed = started.elapsed();
            let past_budget = |wait: Duration| elapsed.saturating_add(wait) > policy.budget;
            if tries >= policy.max_tries || past_budget(delay) {
                return Err(ApiError::new(
                    call,
                    ErrorKind::GaveUp {
                        tries,
                        elapsed,
                        last: Box::new(kind),
                        asked_to_wait: retry_after.filter(|d| past_budget(*d)),
                    },
                ));
            }
            tracing::debug!(call, tries, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    fn can_remint(&self) -> bool {
        matches!(self.inner.auth, Auth::Minted { .. })
    }

    async fn forget_token(&self, used: &SecretString) {
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
    async fn token(&self) -> Result<SecretString, ApiError> {
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
        let audience = auth::audience_for(&self.inner.host).to_string();
        let url = self.url("/auth/v1/token");
        let body = self
            .with_retries(CALL, Replay::Safe, || {
                let assertion = auth::make_assertion(client_id, secret, &audience, Utc::now());
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
        let reply: TokenReply = serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                CALL,
                ErrorKind::Decode {
                    what: describe_json_error(&e),
                },
            )
        })?;
        let value = reply
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::new(CALL, ErrorKind::Auth("the token reply is empty".into()))
            })?;
        Ok(CachedToken {
            value,
            renew_at: tokio::time::Instant::now() + auth::renew_after(reply.expires_in.as_ref()),
        })
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.inner.base.clone();
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        url.set_path(&format!(
            "{}{}",
            self.inner.base.path().trim_end_matches('/'),
            path
        ));
        url.set_query((!query.is_empty()).then_some(query));
        url
    }
}

struct Failure {
    kind: ErrorKind,
    retry_after: Option<Duration>,
    /// Worth sending again if the request is safe to replay.
    retryable: bool,
    /// The server certainly did not act on the request.
    not_received: bool,
}

/// One attempt: the body of a 2xx (at most `max_reply` bytes), or what went wrong. The bytes
/// read are wiped when dropped, whatever the path: a rotate reply holds the new secret, a
/// token reply the access token.
async fn send(req: reqwest::RequestBuilder, max_reply: u64) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let response = req.send().await.map_err(transport_failure)?;
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let limit = if status.is_success() {
        max_reply
    } else {
        max_reply.min(ERROR_BODY_LIMIT)
    };
    let (body, complete) = read_body(response, limit).await.map_err(|e| Failure {
        kind: ErrorKind::Transport {
            what: if e.is_timeout() {
                "the reply did not arrive in time".into()
            } else {
                "the connection broke while the reply was being read".into()
            },
            source: Some(e),
        },
        retry_after: None,
        retryable: true,
        not_received: false,
    })?;
    if status.is_success() && !complete {
        return Err(Failure {
            kind: ErrorKind::TooLarge { limit: max_reply },
            retry_after: None,
            // It would be as large again.
            retryable: false,
            not_received: false,
        });
    }
    if status.is_success() {
        // An error in a 2xx's clothing: a listing must not be taken for an empty page, nor
        // a revoke for done.
        if let Some((code, message)) = error_status(&body) {
            return Err(Failure {
                kind: ErrorKind::ErrorBody {
                    status: status.as_u16(),
                    code,
                    message,
                },
                retry_after: None,
                retryable: false,
                not_received: false,
            });
        }
        return Ok(body);
    }
    let (code, message) = server_message(&body);
    Err(Failure {
        kind: ErrorKind::Status {
            status: status.as_u16(),
            code,
            message,
        },
        retry_after,
        retryable: matches!(
            status,
            StatusCode::TOO_MANY_REQUESTS
                | StatusCode::INTERNAL_SERVER_ERROR
                | StatusCode::BAD_GATEWAY
                | StatusCode::SERVICE_UNAVAILABLE
                | StatusCode::GATEWAY_TIMEOUT
        ),
        not_received: status == StatusCode::TOO_MANY_REQUESTS,
    })
}

/// Reads a body a chunk at a time, keeping at most `limit` bytes, so a huge reply costs no
/// more than the limit; `false` when there was more. Every buffer it outgrows is wiped.
async fn read_body(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<(Zeroizing<Vec<u8>>, bool), reqwest::Error> {
    let hint = response.content_length().unwrap_or(0).min(limit);
    let mut body = Zeroizing::new(Vec::with_capacity(usize::try_from(hint).unwrap_or(0)));
    while let Some(chunk) = response.chunk().await? {
        let room = usize::try_from(limit.saturating_sub(body.len() as u64)).unwrap_or(usize::MAX);
        if chunk.len() > room {
            return Ok((body, false));
        }
        append_wiping(&mut body, &chunk);
    }
    Ok((body, true))
}

/// `buffer.extend_from_slice(more)`, except that the buffer left behind when it grows is
/// wiped instead of freed as is.
fn append_wiping(buffer: &mut Zeroizing<Vec<u8>>, more: &[u8]) {
    if buffer.capacity() - buffer.len() < more.len() {
        let wanted = (buffer.len() + more.len()).max(buffer.capacity() * 2);
        let mut grown = Zeroizing::new(Vec::with_capacity(wanted));
        grown.extend_from_slice(buffer);
        *buffer = grown;
    }
    buffer.extend_from_slice(more);
}

fn transport_failure(e: reqwest::Error) -> Failure {
    let what = if e.is_connect() {
        "could not connect to the server".to_string()
    } else if e.is_timeout() {
        "the server did not answer in time".to_string()
    } else {
        "the connection failed".to_string()
    };
    Failure {
        not_received: e.is_connect(),
        kind: ErrorKind::Transport {
            what,
            source: Some(e),
        },
        retry_after: None,
        retryable: true,
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    retry_after_delay(value, SystemTime::now())
}

/// The wait a `Retry-After` value asks for at `now`: whole seconds (digits only, as RFC 9110
/// writes them) or an HTTP date (a past one is no wait), at most [`LONGEST_RETRY_AFTER`].
/// `None` for anything else (negative, fractions, words), so the client backs off on its own.
pub fn retry_after_delay(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still a number of seconds: the longest wait.
        value
            .parse::<u64>()
            .map_or(LONGEST_RETRY_AFTER, Duration::from_secs)
    } else {
        let when = httpdate::parse_http_date(value).ok()?;
        when.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(LONGEST_RETRY_AFTER))
}

/// `base × 2^(tries-1)`, capped, with "equal jitter": between half and all of it, so that
/// many clients backing off together spread out.
fn backoff(policy: RetryPolicy, tries: u32) -> Duration {
    let exp = policy
        .base_delay
        .saturating_mul(1u32 << (tries - 1).min(16))
        .min(policy.max_delay);
    let jitter: f64 = rand::random::<f64>() * 0.5 + 0.5;
    exp.mul_f64(jitter)
}

fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "the reply was cut short".to_string(),
        Category::Syntax => format!("the reply is not valid JSON ({e})"),
        Category::Data => format!("the reply does not have the expected shape ({e})"),
        Category::Io => format!("the reply could not be read ({e})"),
    }
}

/// Accepts `https://host[:port][/path]`, `http://` for loopback hosts only, or a bare
/// `host[:port]` (https, or http when the host is loopback: the demo tenant).
fn parse_endpoint(endpoint: &str) -> Result<Url, String> {
    let endpoint = endpoint.trim();
    let with_scheme = if endpoint.contains("://") {
        endpoint.to_string()
    } else {
        let probe = Url::parse(&format!("http://{endpoint}"))
            .map_err(|e| format!("the API endpoint {endpoint:?} is not a valid host ({e})"))?;
        let scheme = if is_loopback(&probe) { "http" } else { "https" };
        format!("{scheme}://{endpoint}")
    };
    let url = Url::parse(&with_scheme)
        .map_err(|e| format!("the API endpoint {endpoint:?} is not a valid URL ({e})"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(format!(
            "refusing plain http to {}: credentials must travel over https (http is allowed only for loopback hosts such as the demo tenant)",
            url.host_str().unwrap_or("")
        )),
        other => Err(format!(
            "the API endpoint uses {other}://; only https is supported"
        )),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn host_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

fn credential_path(app_id: &str, connector_id: &str, id: &str) -> String {
    format!(
        "/api/v1/apps/{}/connectors/{}/credentials/{}",
        seg(app_id),
        seg(connector_id),
        seg(id)
    )
}

/// Percent-encodes one path segment, so an id can never add path parts.
fn seg(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checked by the compiler: the bytes one attempt reads are handed over wiped on drop.
    #[test]
    fn the_bytes_read_for_a_reply_are_wiped_on_drop() {
        fn wiped<T: zeroize::ZeroizeOnDrop, E, F: Future<Output = Result<T, E>>>(
            _: impl FnOnce() -> F,
        ) {
        }
        wiped(|| send(reqwest::Client::new().get("http://127.0.0.1:9/"), 1024));
    }

    #[test]
    fn endpoints_are_https_except_loopback() {
        assert_eq!(
            parse_endpoint("acme.conductor.one").unwrap().as_str(),
            "https://acme.conductor.one/"
        );
        assert_eq!(
            parse_endpoint("127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(parse_endpoint("localhost:9").unwrap().scheme(), "http");
        assert!(parse_endpoint("http://[::1]:3000").is_ok());
        let err = parse_endpoint("http://acme.conductor.one").unwrap_err();
        assert!(err.contains("refusing plain http"), "{err}");
        assert!(parse_endpoint("ftp://x").is_err());
    }

    #[test]
    fn ids_cannot_escape_their_path_segment() {
        assert_eq!(
            credential_path("a/../b", "k?x=1", "c d"),
            "/api/v1/apps/a%2F..%2Fb/connectors/k%3Fx%3D1/credentials/c%20d"
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let p = RetryPolicy::default();
        for tries in 1..=10 {
            let d = backoff(p, tries);
            let full = p
                .base_delay
                .saturating_mul(1 << (tries - 1))
                .min(p.max_delay);
            assert!(d >= full / 2 && d <= full, "{tries}: {d:?}");
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        let later = std::time::SystemTime::now() + Duration::from_secs(20);
        h.insert(
            "retry-after",
            httpdate::fmt_http_date(later).parse().unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(15) && d <= Duration::from_secs(20),
            "{d:?}"
        );
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn a_retry_after_is_clamped_and_only_digits_or_a_date_count() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let wait = |v: &str| retry_after_delay(v, now);
        assert_eq!(wait(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(wait(&u64::MAX.to_string()), Some(LONGEST_RETRY_AFTER));
        assert_eq!(wait("99999999999999999999999"), Some(LONGEST_RETRY_AFTER));
        assert_eq!(
            wait("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(LONGEST_RETRY_AFTER)
        );
        assert_eq!(wait("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
        for no_delay in ["-1", "+3", "1.5", "", "soon", "0x10"] {
            assert_eq!(wait(no_delay), None, "{no_delay:?}");
        }
    }

    #[test]
    fn a_growing_body_keeps_every_byte() {
        let mut body = Zeroizing::new(Vec::new());
        for piece in [&b"ab"[..], b"", b"cdefg", &[b'h'; 100]] {
            append_wiping(&mut body, piece);
        }
        assert_eq!(body.len(), 107);
        assert!(body.starts_with(b"abcdefgh"));
    }

    #[test]
    fn a_client_needs_a_host_and_a_secret() {
        let no_secret = Client::new(ClientOptions {
            client_id: Some("x@acme.conductor.one/pcc".into()),
            ..Default::default()
        });
        assert!(
            no_secret
                .err()
                .unwrap()
                .to_string()
                .contains("no client secret")
        );
        let no_host = Client::new(ClientOptions {
            client_id: Some("nohost".into()),
            ..Default::default()
        });
        assert!(no_host.err().unwrap().to_string().contains("no host"));
    }
}
