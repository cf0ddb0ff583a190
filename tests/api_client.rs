//! The API client against the demo tenant on 127.0.0.1, including its fault injection.

use std::time::{Duration, Instant};

use credboard::api::client::Revoked;
use credboard::api::retry::RetryPolicy;
use credboard::api::{Client, ClientOptions, ClientSecret, ErrorKind};
use credboard::demo::{
    DemoOptions, DemoServer, FaultKind, FaultRule, Faults, Latency, RetryAfter, RouteFilter,
    RouteKind, Scale, Share,
};

/// Retries fast enough for tests; the budget still bounds them.
fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_tries: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        budget: Duration::from_secs(10),
    }
}

fn client_for(server: &DemoServer) -> Client {
    Client::new(ClientOptions {
        client_id: Some(server.client_id()),
        client_secret: Some(server.client_secret()),
        retry: quick_retries(),
        ..Default::default()
    })
    .expect("client")
}

async fn start(options: DemoOptions) -> DemoServer {
    DemoServer::start(options).await.expect("demo tenant")
}

fn faults(rule: FaultRule) -> Faults {
    Faults::none().with(rule)
}

/// The first tracked credential that is live on the demo tenant.
fn a_live_credential(server: &DemoServer) -> (String, String, String) {
    let live = server
        .credentials()
        .into_iter()
        .find(|c| c.deleted_at.is_none())
        .expect("a live credential");
    (
        live.app_id.unwrap(),
        live.connector_id.unwrap(),
        live.id.unwrap(),
    )
}

#[tokio::test]
async fn the_host_comes_from_the_client_id_and_the_token_is_cached() {
    let server = start(DemoOptions::default()).await;
    let client = client_for(&server);
    assert_eq!(client.host(), server.addr().to_string());
    let apps = client.list_apps().await.unwrap();
    assert!(apps.len() >= 20, "{} apps", apps.len());
    client.list_apps().await.unwrap();
    let (app, connector, id) = a_live_credential(&server);
    client.get_credential(&app, &connector, &id).await.unwrap();
    assert_eq!(
        server.stats().route(RouteKind::Token),
        1,
        "one token for three calls"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_refused_token_is_reminted_once() {
    let server = start(DemoOptions::default()).await;
    let client = client_for(&server);
    client.list_apps().await.unwrap();
    server.expire_tokens();
    client.list_apps().await.expect("re-minted after the 401");
    assert_eq!(server.stats().route(RouteKind::Token), 2);
    server.shutdown().await;
}

#[tokio::test]
async fn a_wrong_key_is_an_authentication_error() {
    let server = start(DemoOptions::default()).await;
    let other = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let client = Client::new(ClientOptions {
        client_id: Some(server.client_id()),
        client_secret: Some(ClientSecret::from_signing_key(other)),
        retry: quick_retries(),
        ..Default::default()
    })
    .unwrap();
    let err = client.list_apps().await.unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Auth(_)), "{err}");
    assert!(
        err.to_string().contains("refused the client credentials"),
        "{err}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_ready_made_access_token_works_without_a_secret() {
    let server = start(DemoOptions::default()).await;
    let token = reqwest::Client::new()
        .post(format!("{}/auth/v1/token", server.endpoint()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", server.client_id().as_str()),
            ("client_secret", server.client_secret().expose()),
        ])
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let client = Client::new(ClientOptions {
        endpoint: Some(server.endpoint()),
        access_token: Some(credboard::api::SecretString::new(token)),
        ..Default::default()
    })
    .unwrap();
    assert!(!client.list_apps().await.unwrap().is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn lists_are_paged_to_the_end() {
    let server = start(DemoOptions {
        scale: Some(Scale {
            apps: 250,
            connectors: 300,
            credentials: 300,
        }),
        ..Default::default()
    })
    .await;
    let client = client_for(&server);
    let mut pages = 0;
    let apps = client.list_apps_paged(|_| pages += 1).await.unwrap();
    assert_eq!(apps.len(), 250);
    assert_eq!(pages, 3, "page_size 100");
    let mut ids: Vec<_> = apps.iter().map(|a| a.id.clone().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 250, "no app twice");
    server.shutdown().await;
}

#[tokio::test]
async fn a_repeated_page_token_stops_the_walk() {
    let server = start(DemoOptions {
        faults: faults(FaultRule::new(FaultKind::RepeatPageToken)),
        ..Default::default()
    })
    .await;
    let client = client_for(&server);
    let err = client.list_apps().await.unwrap_err();
    assert!(matches!(err.kind, ErrorKind::RepeatedPageToken(_)), "{err}");
    assert!(err.to_string().contains("list apps"), "{err}");
    assert!(server.stats().route(RouteKind::ListApps) <= 3);
    server.shutdown().await;
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = start(DemoOptions {
        faults: faults(
            FaultRule::new(FaultKind::TooManyRequests(RetryAfter::Seconds(1)))
                .share(Share::FirstN(1))
                .routes(RouteFilter::Only(RouteKind::ListApps)),
        ),
        ..Default::default()
    })
    .await;
    let client = client_for(&server);
    let started = Instant::now();
    client.list_apps().await.expect("succeeds after the 429");
    // A lower bound only: the client waited as told before it tried again.
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(server.stats().route(RouteKind::ListApps), 2);
    server.shutdown().await;
}

#[tokio::test]
async fn retry_after_as_a_date_and_without_it_are_honoured() {
    for retry_after in [
        RetryAfter::HttpDate(Duration::from_secs(1)),
        RetryAfter::Absent,
    ] {
        let server = start(DemoOptions {
            faults: faults(
                FaultRule::new(FaultKind::TooManyRequests(retry_after.clone()))
                    .share(Share::FirstN(2))
                    .routes(RouteFilter::Only(RouteKind::ListApps)),
            ),
            ..Default::default()
        })
        .await;
        let client = client_for(&server);
        client.list_apps().await.expect("succeeds after two 429s");
        assert_eq!(
            server.stats().route(RouteKind::ListApps),
            3,
            "{retry_after:?}"
        );
        server.shutdown().await;
    }
}

#[tokio::test]
async fn each_server_fault_gives_a_clear_error() {
    let cases: Vec<(FaultKind, &str)> = vec![
        (FaultKind::Status(500), "answered 500"),
        (FaultKind::Status(502), "answered 502"),
        (FaultKind::Status(503), "answered 503"),
        (FaultKind::Status(504), "answered 504"),
        (
            FaultKind::TooManyRequests(RetryAfter::Absent),
            "answered 429",
        ),
        (FaultKind::MalformedBody, "not valid JSON"),
        (FaultKind::TruncatedBody, "cut short"),
        (FaultKind::ConnectionReset, "connection"),
    ];
    let server = start(DemoOptions::default()).await;
    let client = client_for(&server);
    let (app, connector, id) = a_live_credential(&server);
    for (kind, expected) in cases {
        server.set_faults(faults(
            FaultRule::new(kind.clone()).routes(RouteFilter::Only(RouteKind::GetCredential)),
        ));
        let err = client
            .get_credential(&app, &connector, &id)
            .await
            .expect_err("an injected fault");
        let text = err.to_string();
        assert!(
            text.contains(&format!("get credential {id}")),
            "{kind:?}: {text}"
        );
        assert!(text.contains(expected), "{kind:?}: {text}");
    }
    server.set_faults(Faults::none());
    assert!(
        client
            .get_credential(&app, &connector, &id)
            .await
            .unwrap()
            .is_some()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn transient_faults_are_retried_and_succeed() {
    let server = start(DemoOptions {
        faults: faults(
            FaultRule::new(FaultKind::Status(503))
                .share(Share::FirstN(2))
                .routes(RouteFilter::Only(RouteKind::GetCredential)),
        ),
        ..Default::default()
    })
    .await;
    let client = client_for(&server);
    let (app, connector, id) = a_live_credential(&server);
    let got = client.get_credential(&app, &connector, &id).await.unwrap();
    assert_eq!(got.unwrap().id.as_deref(), Some(id.as_str()));
    assert_eq!(server.stats().route(RouteKind::GetCredential), 3);
    server.shutdown().await;
}

#[tokio::test]
async fn revoke_sets_deleted_at_and_a_404_counts_as_done() {
    let server = start(DemoOptions::default()).await;
    let client = client_for(&server);
    let (app, connector, id) = a_live_credential(&server);
    assert_eq!(
        client.revoke(&app, &connector, &id).await.unwrap(),
        Revoked::Now
    );
    let after = client
        .get_credential(&app, &connector, &id)
        .await
        .unwrap()
        .unwrap();
    assert!(after.deleted_at.is_some());
    assert_eq!(
        client
            .revoke(&app, &connector, "no-such-credential")
            .await
            .unwrap(),
        Revoked::AlreadyGone
    );
    assert_eq!(
        client
            .get_credential(&app, &connector, "no-such-credential")
            .await
            .unwrap(),
        None
    );
    server.shutdown().await;
}

#[tokio::test]
async fn rotate_shows_the_secret_once_and_the_secret_works() {
    let server = start(DemoOptions::default()).await;
    let client = client_for(&server);
    let (app, connector, _) = a_live_credential(&server);
    let rotated = client.rotate(&app, &connector).await.unwrap();
    let id = rotated.credential.id.clone().unwrap();
    assert!(
        rotated
            .secret
            .expose()
            .starts_with("secret-token:conductorone.com:v1:")
    );
    assert!(
        rotated.credential.client_secret.is_none(),
        "moved out of the credential"
    );
    assert!(!format!("{rotated:?}").contains("secret-token"));
    let again = client
        .get_credential(&app, &connector, &id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        again.client_secret.is_none(),
        "a Get never carries the secret"
    );

    let minted = Client::new(ClientOptions {
        client_id: rotated.credential.client_id.clone(),
        client_secret: Some(ClientSecret::parse(rotated.secret.expose()).unwrap()),
        endpoint: Some(server.endpoint()),
        ..Default::default()
    })
    .unwrap();
    assert!(
        !minted.list_apps().await.unwrap().is_empty(),
        "the new secret gets a token"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn rotate_is_not_retried_once_the_server_may_have_acted() {
    let server = start(DemoOptions {
        faults: faults(
            FaultRule::new(FaultKind::Status(503))
                .share(Share::FirstN(1))
                .routes(RouteFilter::Only(RouteKind::RotateCredential)),
        ),
        ..Default::default()
    })
    .await;
    let client = client_for(&server);
    let (app, connector, _) = a_live_credential(&server);
    let err = client.rotate(&app, &connector).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        server.stats().route(RouteKind::RotateCredential),
        1,
        "sent once"
    );

    server.set_faults(faults(
        FaultRule::new(FaultKind::TooManyRequests(RetryAfter::Absent))
            .share(Share::FirstN(1))
            .routes(RouteFilter::Only(RouteKind::RotateCredential)),
    ));
    client
        .rotate(&app, &connector)
        .await
        .expect("a 429 was not acted on: retried");
    server.shutdown().await;
}

#[tokio::test]
async fn a_dead_endpoint_fails_within_the_retry_budget() {
    let server = start(DemoOptions::default()).await;
    let (endpoint, id, secret) = (
        server.endpoint(),
        server.client_id(),
        server.client_secret(),
    );
    server.shutdown().await;
    let client = Client::new(ClientOptions {
        client_id: Some(id),
        client_secret: Some(secret),
        endpoint: Some(endpoint),
        retry: quick_retries(),
        ..Default::default()
    })
    .unwrap();
    let err = client.list_apps().await.unwrap_err();
    assert!(err.to_string().contains("could not connect"), "{err}");
    assert!(
        matches!(err.kind, ErrorKind::GaveUp { tries: 4, .. }),
        "{err}"
    );
}

// ---- durations from the network (issue 10, item 12) ----

/// `Retry-After` values too large to wait out, however they are written: the client gives
/// up at once and says the server asked for more than the retry budget. The 429 is slow,
/// as in the field: `u64::MAX` seconds plus the time already spent overflowed a `Duration`.
#[tokio::test]
async fn a_retry_after_too_large_to_add_gives_up_at_once_and_says_so() {
    let server = start(DemoOptions::default()).await;
    let client = client_for(&server);
    for retry_after in [
        RetryAfter::Seconds(u64::MAX),
        RetryAfter::Raw("99999999999999999999999999".into()),
        RetryAfter::Raw("Fri, 31 Dec 9999 23:59:59 GMT".into()),
        RetryAfter::HttpDate(Duration::MAX),
    ] {
        let mut slow = faults(
            FaultRule::new(FaultKind::TooManyRequests(retry_after.clone()))
                .routes(RouteFilter::Only(RouteKind::ListApps)),
        )
        .with_latency(Latency::Fixed(Duration::from_millis(1100)));
        slow.latency_routes = RouteFilter::Only(RouteKind::ListApps);
        server.set_faults(slow);
        server.reset_stats();
        let err = client.list_apps().await.unwrap_err();
        assert!(
            matches!(
                err.kind,
                ErrorKind::GaveUp {
                    tries: 1,
                    asked_to_wait: Some(_),
                    ..
                }
            ),
            "{retry_after:?}: {err}"
        );
        let text = err.to_string();
        assert!(text.starts_with("list apps: "), "{text}");
        assert!(text.contains("past the retry budget"), "{text}");
        assert_eq!(server.stats().route(RouteKind::ListApps), 1);
    }
    server.shutdown().await;
}

/// A `Retry-After` that is no delay at all (negative, a fraction, words, empty) is ignored:
/// the client backs off on its own and tries again.
#[tokio::test]
async fn a_retry_after_that_is_no_delay_falls_back_to_the_backoff() {
    let server = start(DemoOptions::default()).await;
    let client = client_for(&server);
    for text in [
        "-1",
        "-18446744073709551616",
        "1.5",
        "soon",
        "",
        "0x10",
        "+3",
    ] {
        server.set_faults(faults(
            FaultRule::new(FaultKind::TooManyRequests(RetryAfter::Raw(text.into())))
                .share(Share::FirstN(1))
                .routes(RouteFilter::Only(RouteKind::ListApps)),
        ));
        server.reset_stats();
        client
            .list_apps()
            .await
            .unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(server.stats().route(RouteKind::ListApps), 2, "{text:?}");
    }
    server.shutdown().await;
}

/// A token the server says lives for ever is still renewed within the hour; one that says
/// it expires at once, or whose lifetime is no number, still works.
#[tokio::test]
async fn a_token_with_an_absurd_lifetime_is_renewed_within_an_hour() {
    let server = start(DemoOptions::default()).await;
    server.set_faults(faults(FaultRule::new(FaultKind::TokenExpiresIn(
        u64::MAX.to_string(),
    ))));
    let client = client_for(&server);
    client
        .list_apps()
        .await
        .expect("a token that lives for ever");
    client.list_apps().await.unwrap();
    assert_eq!(server.stats().route(RouteKind::Token), 1, "reused");
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(3600)).await;
    tokio::time::resume();
    client.list_apps().await.unwrap();
    assert_eq!(
        server.stats().route(RouteKind::Token),
        2,
        "renewed after an hour"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn token_lifetimes_of_any_shape_do_not_break_authentication() {
    let server = start(DemoOptions::default()).await;
    for raw in [
        "0",
        "-1",
        "-9223372036854775808",
        "18446744073709551616",
        "1e300",
        "0.5",
        "\"3600\"",
        "\"soon\"",
        "null",
        "true",
        "[]",
        "{}",
    ] {
        server.set_faults(faults(FaultRule::new(FaultKind::TokenExpiresIn(
            raw.into(),
        ))));
        let client = client_for(&server);
        client
            .list_apps()
            .await
            .unwrap_or_else(|e| panic!("expires_in {raw}: {e}"));
    }
    server.shutdown().await;
}

// ---- bounded replies (issue 10, item 13) ----

const MIB: u64 = 1024 * 1024;

/// A 300 MiB reply: reading stops past the default cap (8 MiB), so the client never holds
/// it, and the tenant only got to send a little more than the cap before the connection
/// went. Not retried: it would be as large again.
#[tokio::test]
async fn a_huge_reply_is_cut_off_at_the_cap_instead_of_read_whole() {
    let server = start(DemoOptions {
        faults: faults(
            FaultRule::new(FaultKind::HugeBody(300 * MIB))
                .routes(RouteFilter::Only(RouteKind::ListApps)),
        ),
        ..Default::default()
    })
    .await;
    let client = client_for(&server);
    let err = client.list_apps().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "list apps: the reply was larger than 8 MiB; stopped reading"
    );
    let stats = server.stats();
    assert_eq!(stats.route(RouteKind::ListApps), 1, "not retried");
    assert!(
        stats.streamed_bytes < 64 * MIB,
        "{} MiB sent: the client read on past the cap",
        stats.streamed_bytes / MIB
    );
    server.shutdown().await;
}

/// Every page names a new next page: the walk stops at the page cap (1000) instead of
/// going on for ever. The detector below catches a walk that never ends.
#[tokio::test]
async fn an_endless_listing_stops_at_the_page_cap() {
    let server = start(DemoOptions {
        faults: faults(
            FaultRule::new(FaultKind::EndlessPages).routes(RouteFilter::Only(RouteKind::ListApps)),
        ),
        ..Default::default()
    })
    .await;
    let client = client_for(&server);
    let err = tokio::time::timeout(Duration::from_secs(60), client.list_apps())
        .await
        .expect("the walk ended")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "list apps: the listing went on past 1000 pages, each naming a new next page; stopped"
    );
    assert_eq!(server.stats().route(RouteKind::ListApps), 1000);
    server.shutdown().await;
}

// ---- a 2xx error body is not success (issue 10, item 14) ----

fn denied() -> FaultKind {
    FaultKind::ErrorBody {
        code: 7,
        message: "permission denied".into(),
    }
}

/// A 200 whose body is a google.rpc.Status with a non-zero code is that error, for every
/// call: a listing is not an empty page, a revoke is not done, a token reply is no token.
#[tokio::test]
async fn a_2xx_error_body_is_the_error_it_is_for_every_call() {
    let server = start(DemoOptions::default()).await;
    let client = client_for(&server);
    let (app, connector, id) = a_live_credential(&server);
    let deny = |route| {
        server.reset_stats();
        server.set_faults(faults(
            FaultRule::new(denied()).routes(RouteFilter::Only(route)),
        ));
    };
    let mut said = Vec::new();
    deny(RouteKind::ListApps);
    said.push(("list apps".to_string(), client.list_apps().await.err()));
    deny(RouteKind::ListConnectors);
    said.push((
        format!("list the connectors of app {app}"),
        client.list_connectors(&app).await.err(),
    ));
    deny(RouteKind::GetCredential);
    said.push((
        format!("get credential {id}"),
        client.get_credential(&app, &connector, &id).await.err(),
    ));
    deny(RouteKind::RevokeCredential);
    said.push((
        format!("revoke credential {id}"),
        client.revoke(&app, &connector, &id).await.err(),
    ));
    deny(RouteKind::RotateCredential);
    said.push((
        format!("rotate a credential of connector {connector}"),
        client.rotate(&app, &connector).await.err(),
    ));
    deny(RouteKind::Token);
    said.push((
        "get an access token".to_string(),
        client_for(&server).list_apps().await.err(),
    ));
    for (call, err) in said {
        let text = err
            .unwrap_or_else(|| panic!("{call}: taken as success"))
            .to_string();
        assert!(
            text.starts_with(&format!(
                "{call}: the server answered 200 with an error: permission denied"
            )),
            "{text}"
        );
    }
    assert!(
        server.credential(&id).unwrap().deleted_at.is_none(),
        "the revoke was not carried out"
    );
    server.shutdown().await;
}

/// Each of those messages names the server's own words and code.
#[tokio::test]
async fn a_2xx_error_body_is_reported_in_the_servers_words() {
    let server = start(DemoOptions {
        faults: faults(FaultRule::new(denied()).routes(RouteFilter::Only(RouteKind::ListApps))),
        ..Default::default()
    })
    .await;
    let err = client_for(&server).list_apps().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "list apps: the server answered 200 with an error: permission denied (code 7, PERMISSION_DENIED)"
    );
    assert_eq!(server.stats().route(RouteKind::ListApps), 1, "not retried");
    server.shutdown().await;
}

/// A status of code 0 is OK, not an error: a revoke answered so is done.
#[tokio::test]
async fn a_2xx_status_body_of_code_zero_is_success() {
    let server = start(DemoOptions {
        faults: faults(
            FaultRule::new(FaultKind::ErrorBody {
                code: 0,
                message: String::new(),
            })
            .routes(RouteFilter::Only(RouteKind::RevokeCredential)),
        ),
        ..Default::default()
    })
    .await;
    let client = client_for(&server);
    let (app, connector, id) = a_live_credential(&server);
    assert_eq!(
        client.revoke(&app, &connector, &id).await.unwrap(),
        Revoked::Now
    );
    server.shutdown().await;
}
