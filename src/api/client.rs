//! One reqwest client for every call: the calls credboard makes, each sent with its token
//! and its retries, within the timeouts and caps. The token is `auth`'s, the retry rule
//! `retry`'s, one try and its reply `reply`'s, the walk through pages `paging`'s.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;
use zeroize::Zeroizing;

use super::auth::{Auth, ClientSecret, host_from_client_id};
use super::error::{ApiError, ErrorKind};
use super::model::{App, Connector, ConnectorCredential, ConnectorListItem, CredentialReply};
use super::reply;
use super::retry::{Next, Replay, Retries, jitter};
use super::secret::SecretString;

use super::retry::RetryPolicy;

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

#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub http: reqwest::Client,
    base: Url,
    pub host: String,
    pub auth: Auth,
    retry: RetryPolicy,
    pub limits: Limits,
    /// 429 and 503 replies seen, retried ones included: see [`Client::pushback`].
    pushback: AtomicU64,
}

impl Client {
    pub fn new(options: ClientOptions) -> Result<Self, ApiError> {
        let config = |m: String| ApiError::new("configure the client", ErrorKind::Config(m));
        let base = match (&options.endpoint, &options.client_id) {
            (Some(endpoint), _) => parse_endpoint(endpoint).map_err(config)?,
            (None, Some(id)) => {
                parse_endpoint(host_from_client_id(id).map_err(|e| config(e.to_string()))?)
                    .map_err(config)?
            }
            (None, None) => {
                return Err(config(
                    "no client id or API endpoint is configured".to_string(),
                ));
            }
        };
        let host = host_port(&base);
        let auth = Auth::new(
            options.access_token,
            options.client_id,
            options.client_secret,
        )
        .map_err(|m| config(m.to_string()))?;
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

    /// Sends an authenticated request, retrying as `replay` allows, re-minting the token
    /// once on a 401.
    pub(super) async fn request<T: DeserializeOwned>(
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
                Ok(bytes) => return reply::decode(call, &bytes),
            }
        }
    }

    /// Runs one request with retries and returns the body of a 2xx answer, in a buffer wiped
    /// when dropped (a rotate reply carries a new secret, a token reply the access token).
    pub(super) async fn with_retries(
        &self,
        call: &str,
        replay: Replay,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Zeroizing<Vec<u8>>, ApiError> {
        let mut retries = Retries::new(self.inner.retry, replay);
        let started = Instant::now();
        loop {
            let failure = match reply::send(build(), self.inner.limits.max_reply_bytes).await {
                Ok(bytes) => return Ok(bytes),
                Err(failure) => failure,
            };
            if matches!(
                failure.kind,
                ErrorKind::Status {
                    status: 429 | 503,
                    ..
                }
            ) {
                self.inner.pushback.fetch_add(1, Ordering::Relaxed);
            }
            let elapsed = started.elapsed();
            match retries.after_failure(failure.failed, elapsed, jitter()) {
                Next::Retry(delay) => {
                    let tries = retries.tries();
                    tracing::debug!(call, tries, delay_ms = delay.as_millis() as u64, "retrying");
                    tokio::time::sleep(delay).await;
                }
                Next::Fail => return Err(ApiError::new(call, failure.kind)),
                Next::GiveUp { asked_to_wait } => {
                    return Err(ApiError::new(
                        call,
                        ErrorKind::GaveUp {
                            tries: retries.tries(),
                            elapsed,
                            last: Box::new(failure.kind),
                            asked_to_wait,
                        },
                    ));
                }
            }
        }
    }

    pub(super) fn url(&self, path: &str) -> Url {
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

#[cfg(test)]
mod tests {
    use super::*;

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
