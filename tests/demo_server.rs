//! The demo tenant over real HTTP on 127.0.0.1, driven with plain reqwest (not credboard's
//! client), so these tests pin down the wire format a client written for the real API sees.

use std::time::Duration;

use chrono::Utc;
use credboard::api::auth::{ClientSecret, make_assertion};
use credboard::api::model::{App, ConnectorListItem, CredentialReply, Page};
use credboard::demo::{
    DemoOptions, DemoServer, FaultKind, FaultRule, Faults, Latency, RetryAfter, RouteFilter,
    RouteKind, Share,
};
use ed25519_dalek::SigningKey;
use reqwest::StatusCode;
use serde_json::Value;

async fn start() -> DemoServer {
    DemoServer::start(DemoOptions::default()).await.unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn token_with_secret(s: &DemoServer, client_id: &str, secret: &str) -> reqwest::Response {
    http()
        .post(format!("{}/auth/v1/token", s.endpoint()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
}

async fn token_with_assertion(
    s: &DemoServer,
    client_id: &str,
    assertion: &str,
) -> reqwest::Response {
    http()
        .post(format!("{}/auth/v1/token", s.endpoint()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
        ])
        .send()
        .await
        .unwrap()
}

/// A token for the demo client, with the signed assertion.
async fn token(s: &DemoServer) -> String {
    let a = make_assertion(&s.client_id(), &s.client_secret(), "127.0.0.1", Utc::now());
    let r = token_with_assertion(s, &s.client_id(), &a).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

async fn api_get(s: &DemoServer, token: &str, path: &str) -> reqwest::Response {
    http()
        .get(format!("{}{path}", s.endpoint()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn api_post(s: &DemoServer, token: &str, path: &str, body: Value) -> reqwest::Response {
    http()
        .post(format!("{}{path}", s.endpoint()))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn credential_path(app: &str, connector: &str, id: &str) -> String {
    format!("/api/v1/apps/{app}/connectors/{connector}/credentials/{id}")
}

/// Every app, paged to the end with this page size; returns the apps and the page count.
async fn all_apps(s: &DemoServer, token: &str, page_size: u32) -> (Vec<App>, usize) {
    let (mut apps, mut pages, mut page_token) = (Vec::new(), 0, String::new());
    loop {
        let r = api_get(
            s,
            token,
            &format!("/api/v1/apps?page_size={page_size}&page_token={page_token}"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        let page: Page<App> = r.json().await.unwrap();
        pages += 1;
        assert!(pages < 100, "paging does not end");
        apps.extend(page.list);
        match page.next_page_token {
            Some(t) => {
                assert_ne!(t, page_token, "a page token repeated");
                page_token = t;
            }
            None => break,
        }
    }
    (apps, pages)
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[tokio::test]
async fn token_with_the_documented_client_secret_form() {
    let s = start().await;
    let r = token_with_secret(&s, &s.client_id(), s.client_secret().expose()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    let token = v["access_token"].as_str().unwrap();
    assert!(!token.is_empty());
    assert_eq!(
        api_get(&s, token, "/api/v1/apps").await.status(),
        StatusCode::OK
    );

    let other = ClientSecret::from_signing_key(SigningKey::from_bytes(&[9; 32]));
    let r = token_with_secret(&s, &s.client_id(), other.expose()).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_client");
    assert!(v["error_description"].is_string());
    s.shutdown().await;
}

#[tokio::test]
async fn the_client_id_names_this_server_and_the_audience_is_its_host() {
    let s = start().await;
    let id = s.client_id();
    let host = credboard::api::auth::host_from_client_id(&id).unwrap();
    assert_eq!(format!("http://{host}"), s.endpoint());
    assert_eq!(credboard::api::auth::audience_for(host), "127.0.0.1");
    assert_eq!(s.addr().ip().to_string(), "127.0.0.1");
    s.shutdown().await;
}

#[tokio::test]
async fn token_with_a_signed_assertion() {
    let s = start().await;
    let t = token(&s).await;
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::OK
    );
    s.shutdown().await;
}

#[tokio::test]
async fn bad_assertions_are_refused() {
    let s = start().await;
    let id = s.client_id();
    let now = Utc::now();
    let wrong_key = ClientSecret::from_signing_key(SigningKey::from_bytes(&[3; 32]));
    let cases = [
        (
            "wrong key",
            make_assertion(&id, &wrong_key, "127.0.0.1", now),
        ),
        (
            "wrong aud",
            make_assertion(&id, &s.client_secret(), "acme.conductor.one", now),
        ),
        (
            "aud with port",
            make_assertion(&id, &s.client_secret(), &s.addr().to_string(), now),
        ),
        (
            // exp = now + 10 min + 120 s: too far ahead.
            "exp too far ahead",
            make_assertion(
                &id,
                &s.client_secret(),
                "127.0.0.1",
                now + chrono::Duration::minutes(10),
            ),
        ),
        (
            "expired",
            make_assertion(
                &id,
                &s.client_secret(),
                "127.0.0.1",
                now - chrono::Duration::minutes(5),
            ),
        ),
        ("not a JWS", "abc.def".to_string()),
    ];
    for (what, assertion) in cases {
        let r = token_with_assertion(&s, &id, &assertion).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "invalid_client", "{what}");
    }
    // Signed for another client id than the one in the form.
    let a = make_assertion(
        "someone@127.0.0.1/pcc",
        &s.client_secret(),
        "127.0.0.1",
        now,
    );
    let r = token_with_assertion(&s, &id, &a).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // An unknown client.
    let a = make_assertion("nobody@127.0.0.1/pcc", &s.client_secret(), "127.0.0.1", now);
    let r = token_with_assertion(&s, "nobody@127.0.0.1/pcc", &a).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The wrong grant, and no client authentication at all.
    let r = http()
        .post(format!("{}/auth/v1/token", s.endpoint()))
        .form(&[("grant_type", "password"), ("client_id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    let r = http()
        .post(format!("{}/auth/v1/token", s.endpoint()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    s.shutdown().await;
}

#[tokio::test]
async fn the_token_lifetime_is_configurable() {
    let s = DemoServer::start(DemoOptions {
        token_ttl: Duration::from_secs(600),
        ..DemoOptions::default()
    })
    .await
    .unwrap();
    let r = token_with_secret(&s, &s.client_id(), s.client_secret().expose()).await;
    assert_eq!(r.json::<Value>().await.unwrap()["expires_in"], 600);
    s.shutdown().await;
}

#[tokio::test]
async fn api_calls_need_a_token_and_expired_tokens_get_401() {
    let s = start().await;
    let r = http()
        .get(format!("{}/api/v1/apps", s.endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], 16);
    assert!(v["message"].is_string());
    assert_eq!(v["details"], serde_json::json!([]));

    assert_eq!(
        api_get(&s, "made-up", "/api/v1/apps").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let t = token(&s).await;
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::OK
    );
    s.expire_tokens();
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let t = token(&s).await;
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::OK
    );
    s.shutdown().await;
}

#[tokio::test]
async fn tokens_run_out() {
    let s = DemoServer::start(DemoOptions {
        token_ttl: Duration::from_millis(300),
        ..DemoOptions::default()
    })
    .await
    .unwrap();
    let t = token(&s).await;
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::UNAUTHORIZED
    );
    s.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Lists

#[tokio::test]
async fn apps_page_to_the_end_and_page_size_is_clamped() {
    let s = start().await;
    let t = token(&s).await;
    let (apps, pages) = all_apps(&s, &t, 10).await;
    let n = s.size().apps;
    assert_eq!(apps.len(), n);
    assert_eq!(pages, n.div_ceil(10));
    let ids: std::collections::HashSet<_> = apps.iter().map(|a| a.id.clone()).collect();
    assert_eq!(ids.len(), n, "no app twice");
    assert!(
        apps.iter()
            .any(|a| a.display_name.as_deref() == Some("Okta"))
    );

    // page_size 1 is raised to 10; 1000 lowered to 100 (all the apps fit); none means 25.
    let page = |q: &'static str| {
        let (s, t) = (&s, &t);
        async move {
            let r = api_get(s, t, &format!("/api/v1/apps{q}")).await;
            r.json::<Page<App>>().await.unwrap()
        }
    };
    assert_eq!(page("?page_size=1").await.list.len(), 10);
    let big = page("?page_size=1000").await;
    assert!(big.list.len() <= 100);
    assert_eq!(big.list.len(), n);
    assert_eq!(big.next_page_token, None);
    assert_eq!(page("").await.list.len(), 25.min(n));

    // A made-up page token is refused, as a gRPC INVALID_ARGUMENT.
    let r = api_get(&s, &t, "/api/v1/apps?page_token=bogus").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 3);
    s.shutdown().await;
}

#[tokio::test]
async fn page_size_1000_gives_at_most_100() {
    let s = DemoServer::start(DemoOptions {
        scale: Some(credboard::demo::Scale {
            apps: 250,
            connectors: 300,
            credentials: 10,
        }),
        ..DemoOptions::default()
    })
    .await
    .unwrap();
    let t = token(&s).await;
    let r = api_get(&s, &t, "/api/v1/apps?page_size=1000").await;
    let page: Page<App> = r.json().await.unwrap();
    assert_eq!(page.list.len(), 100);
    assert!(page.next_page_token.is_some());
    let (apps, pages) = all_apps(&s, &t, 100).await;
    assert_eq!((apps.len(), pages), (250, 3));
    s.shutdown().await;
}

#[tokio::test]
async fn replies_are_shaped_like_the_real_api() {
    let s = start().await;
    let t = token(&s).await;
    let v: Value = api_get(&s, &t, "/api/v1/apps?page_size=100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["nextPageToken"], "", "the last page says so with \"\"");
    let app = &v["list"][0];
    assert!(app["userCount"].is_string(), "int64 as a string: {app}");
    assert!(app["isDirectory"].is_boolean());
    let created = app["createdAt"].as_str().unwrap();
    assert!(created.ends_with('Z'), "{created}");
    let fraction = created.split('.').nth(1).map_or(0, |f| f.len() - 1);
    assert!(
        fraction <= 6,
        "microseconds at most, as the real service: {created}"
    );
    chrono::DateTime::parse_from_rfc3339(created).unwrap();
    assert_eq!(app["deletedAt"], Value::Null);

    let app_id = app["id"].as_str().unwrap();
    let v: Value = api_get(&s, &t, &format!("/api/v1/apps/{app_id}/connectors"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["nextPageToken"], "");
    let item = &v["list"][0];
    assert!(item["connector"]["id"].is_string(), "wrapped: {item}");
    assert_eq!(item["connector"]["appId"], app_id);
    assert!(
        item["connector"]["status"]["status"]
            .as_str()
            .unwrap()
            .starts_with("SYNC_STATUS_")
    );
    assert!(item["connector"]["userIds"].is_array());
    // Through the shared models too.
    let page: Page<ConnectorListItem> = serde_json::from_value(v).unwrap();
    assert!(page.list[0].connector.is_some());

    let (a, c, id) = s.tracked()[0].clone();
    let v: Value = api_get(&s, &t, &credential_path(&a, &c, &id))
        .await
        .json()
        .await
        .unwrap();
    let cred = &v["credential"];
    for field in [
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
    ] {
        assert!(cred.get(field).is_some(), "{field} missing: {cred}");
    }
    assert_eq!(cred["clientSecret"], "", "unset strings are \"\"");
    assert!(
        cred["clientId"]
            .as_str()
            .unwrap()
            .ends_with(&format!("@{}/pcc", &s.endpoint()["http://".len()..]))
    );
    s.shutdown().await;
}

#[tokio::test]
async fn every_app_lists_its_connectors_and_unknown_apps_are_404() {
    let s = start().await;
    let t = token(&s).await;
    let (apps, _) = all_apps(&s, &t, 100).await;
    let mut connectors = 0;
    for app in &apps {
        let id = app.id.as_deref().unwrap();
        let r = api_get(
            &s,
            &t,
            &format!("/api/v1/apps/{id}/connectors?page_size=10"),
        )
        .await;
        let page: Page<ConnectorListItem> = r.json().await.unwrap();
        assert_eq!(page.next_page_token, None);
        for item in page.list {
            assert_eq!(item.connector.unwrap().app_id.as_deref(), Some(id));
            connectors += 1;
        }
    }
    assert_eq!(connectors, s.size().connectors);
    let r = api_get(&s, &t, "/api/v1/apps/nope/connectors").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 5);
    s.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Get, revoke, rotate

#[tokio::test]
async fn get_revoke_revoke_again_and_404() {
    let s = start().await;
    let t = token(&s).await;
    let (a, c, id) = s
        .tracked()
        .into_iter()
        .find(|(_, _, id)| s.credential(id).unwrap().deleted_at.is_none())
        .unwrap();
    let path = credential_path(&a, &c, &id);
    let r: CredentialReply = api_get(&s, &t, &path).await.json().await.unwrap();
    let cred = r.credential.unwrap();
    assert_eq!(cred.id.as_deref(), Some(id.as_str()));
    assert_eq!(cred.deleted_at, None);
    assert_eq!(
        cred,
        s.credential(&id).unwrap(),
        "what the server holds, to the nanosecond"
    );

    let r = api_post(&s, &t, &path, serde_json::json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), serde_json::json!({}));
    let revoked_at = s.credential(&id).unwrap().deleted_at.unwrap();
    let r: CredentialReply = api_get(&s, &t, &path).await.json().await.unwrap();
    assert!(r.credential.unwrap().deleted_at.is_some());

    // A second revoke is harmless and keeps the first time.
    let r = api_post(&s, &t, &path, serde_json::json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(s.credential(&id).unwrap().deleted_at.unwrap(), revoked_at);

    // Unknown ids, and a real id under the wrong connector, are 404 with a gRPC body.
    for p in [
        credential_path(&a, &c, "2NoSuchCredential000000000"),
        credential_path(&a, "2NoSuchConnector0000000000", &id),
        credential_path("2NoSuchApp0000000000000000", &c, &id),
    ] {
        let r = api_get(&s, &t, &p).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{p}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["code"], 5);
        let r = api_post(&s, &t, &p, serde_json::json!({})).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{p}");
    }
    let other = s
        .tracked()
        .into_iter()
        .find(|(_, conn, _)| *conn != c)
        .unwrap();
    let r = api_get(&s, &t, &credential_path(&a, &c, &other.2)).await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "credential of another connector"
    );
    s.shutdown().await;
}

#[tokio::test]
async fn rotate_returns_the_secret_once_and_the_secret_gets_a_token() {
    let s = start().await;
    let t = token(&s).await;
    let (a, c, _) = s.tracked()[0].clone();
    let before = s.size().credentials;
    let r = api_post(
        &s,
        &t,
        "/api/v1/apps/connectors/credentials",
        serde_json::json!({"appId": a, "connectorId": c}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let raw: Value = r.json().await.unwrap();
    let reply: CredentialReply = serde_json::from_value(raw.clone()).unwrap();
    let cred = reply.credential.unwrap();
    let id = cred.id.clone().unwrap();
    assert!(
        !s.tracked().iter().take(before).any(|t| t.2 == id),
        "a fresh id"
    );
    assert_eq!(s.size().credentials, before + 1);
    assert_eq!(cred.app_id.as_deref(), Some(a.as_str()));
    assert_eq!(cred.connector_id.as_deref(), Some(c.as_str()));
    let client_id = cred.client_id.clone().unwrap();
    assert!(
        client_id.ends_with(&format!("@{}/pcc", &s.endpoint()[7..])),
        "{client_id}"
    );
    let secret = cred
        .client_secret
        .clone()
        .expect("the secret comes with the rotate reply");
    let parsed = ClientSecret::parse(secret.expose()).expect("a real secret-token");

    // The server keeps no secret, and a later Get never carries one.
    assert_eq!(s.credential(&id).unwrap().client_secret, None);
    let raw_get: Value = api_get(&s, &t, &credential_path(&a, &c, &id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(raw_get["credential"]["clientSecret"], "");
    let again: CredentialReply = serde_json::from_value(raw_get).unwrap();
    assert_eq!(again.credential.unwrap().client_secret, None);

    // The minted credential is a client of this server, both ways; using it moves lastUsedAt.
    assert_eq!(s.credential(&id).unwrap().last_used_at, None);
    let r = token_with_secret(&s, &client_id, secret.expose()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let assertion = make_assertion(&client_id, &parsed, "127.0.0.1", Utc::now());
    let r = token_with_assertion(&s, &client_id, &assertion).await;
    assert_eq!(r.status(), StatusCode::OK);
    let minted_token = r.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        api_get(&s, &minted_token, "/api/v1/apps").await.status(),
        StatusCode::OK
    );
    assert!(s.credential(&id).unwrap().last_used_at.is_some());

    // Once revoked, it gets no more tokens.
    let r = api_post(&s, &t, &credential_path(&a, &c, &id), serde_json::json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = token_with_secret(&s, &client_id, secret.expose()).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    s.shutdown().await;
}

#[tokio::test]
async fn rotate_refuses_unknown_connectors_and_bad_bodies() {
    let s = start().await;
    let t = token(&s).await;
    let (a, _, _) = s.tracked()[0].clone();
    let path = "/api/v1/apps/connectors/credentials";
    let r = api_post(
        &s,
        &t,
        path,
        serde_json::json!({"appId": a, "connectorId": "nope"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = api_post(&s, &t, path, serde_json::json!({})).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 3);
    s.shutdown().await;
}

#[tokio::test]
async fn test_hooks_change_what_the_server_says() {
    let s = start().await;
    let t = token(&s).await;
    let (a, c, id) = s
        .tracked()
        .into_iter()
        .find(|(_, _, id)| s.credential(id).unwrap().deleted_at.is_none())
        .unwrap();
    let when = Utc::now() - chrono::Duration::minutes(3);
    assert!(s.touch_last_used(&id, when));
    assert!(!s.touch_last_used("nope", when));
    let r: CredentialReply = api_get(&s, &t, &credential_path(&a, &c, &id))
        .await
        .json()
        .await
        .unwrap();
    let used = r.credential.unwrap().last_used_at.unwrap();
    assert!((used - when).num_milliseconds().abs() < 1);
    assert!(s.revoke(&id));
    let r: CredentialReply = api_get(&s, &t, &credential_path(&a, &c, &id))
        .await
        .json()
        .await
        .unwrap();
    assert!(r.credential.unwrap().deleted_at.is_some());
    s.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn injected_429_with_retry_after_seconds_date_or_nothing() {
    let s = start().await;
    let t = token(&s).await;
    for (retry_after, check) in [
        (RetryAfter::Seconds(2), Some("2".to_string())),
        (RetryAfter::HttpDate(Duration::from_secs(30)), None),
        (RetryAfter::Absent, None),
    ] {
        let absent = retry_after == RetryAfter::Absent;
        s.set_faults(
            Faults::none().with(
                FaultRule::new(FaultKind::TooManyRequests(retry_after))
                    .share(Share::FirstN(1))
                    .routes(RouteFilter::ApiOnly),
            ),
        );
        let r = api_get(&s, &t, "/api/v1/apps").await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let header = r
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        match (&check, absent) {
            (Some(want), _) => assert_eq!(header.as_ref(), Some(want)),
            (None, true) => assert_eq!(header, None),
            (None, false) => {
                let when = httpdate::parse_http_date(header.as_deref().unwrap()).unwrap();
                let ahead = when
                    .duration_since(std::time::SystemTime::now())
                    .unwrap_or_default();
                assert!(ahead > Duration::from_secs(20) && ahead <= Duration::from_secs(31));
            }
        }
        assert_eq!(r.json::<Value>().await.unwrap()["code"], 8);
        // FirstN(1): the retry succeeds.
        assert_eq!(
            api_get(&s, &t, "/api/v1/apps").await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(s.stats().faults_injected, 3);
    s.shutdown().await;
}

#[tokio::test]
async fn injected_5xx() {
    let s = start().await;
    let t = token(&s).await;
    for status in [500u16, 502, 503, 504] {
        s.set_faults(Faults::none().with(FaultRule::new(FaultKind::Status(status))));
        let r = api_get(&s, &t, "/api/v1/apps").await;
        assert_eq!(r.status().as_u16(), status);
        let body = r.text().await.unwrap();
        assert!(!body.is_empty(), "{status}");
        if status == 503 || status == 500 {
            let v: Value = serde_json::from_str(&body).unwrap();
            assert!(v["code"].is_i64());
        }
    }
    // Every second request: the first fails, the second passes.
    s.set_faults(
        Faults::none().with(FaultRule::new(FaultKind::Status(503)).share(Share::EveryNth(2))),
    );
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    s.set_faults(Faults::none());
    assert_eq!(s.faults(), Faults::none());
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::OK
    );
    s.shutdown().await;
}

#[tokio::test]
async fn faults_aim_at_routes() {
    let s = start().await;
    s.set_faults(Faults::none().with(
        FaultRule::new(FaultKind::Status(500)).routes(RouteFilter::Only(RouteKind::GetCredential)),
    ));
    let t = token(&s).await; // the token endpoint is untouched
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::OK
    );
    let (a, c, id) = s.tracked()[0].clone();
    assert_eq!(
        api_get(&s, &t, &credential_path(&a, &c, &id))
            .await
            .status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    s.shutdown().await;
}

#[tokio::test]
async fn injected_malformed_and_truncated_bodies() {
    let s = start().await;
    let t = token(&s).await;
    s.set_faults(Faults::none().with(
        FaultRule::new(FaultKind::MalformedBody).routes(RouteFilter::Only(RouteKind::ListApps)),
    ));
    let r = api_get(&s, &t, "/api/v1/apps").await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");

    s.set_faults(Faults::none().with(
        FaultRule::new(FaultKind::TruncatedBody).routes(RouteFilter::Only(RouteKind::ListApps)),
    ));
    let r = api_get(&s, &t, "/api/v1/apps").await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.starts_with("{\""), "a JSON prefix: {body}");
    let err = serde_json::from_str::<Value>(&body).unwrap_err();
    assert!(err.is_eof(), "cut short, not garbled: {err}");
    s.shutdown().await;
}

#[tokio::test]
async fn injected_connection_reset() {
    let s = start().await;
    let t = token(&s).await;
    s.set_faults(
        Faults::none().with(FaultRule::new(FaultKind::ConnectionReset).share(Share::FirstN(1))),
    );
    let result = async {
        let r = http()
            .get(format!("{}/api/v1/apps", s.endpoint()))
            .bearer_auth(&t)
            .send()
            .await?;
        r.bytes().await
    }
    .await;
    assert!(result.is_err(), "the body must fail, got {result:?}");
    assert_eq!(
        api_get(&s, &t, "/api/v1/apps").await.status(),
        StatusCode::OK
    );
    s.shutdown().await;
}

#[tokio::test]
async fn injected_repeating_page_token() {
    let s = start().await;
    let t = token(&s).await;
    s.set_faults(Faults::none().with(FaultRule::new(FaultKind::RepeatPageToken)));
    let first: Page<App> = api_get(&s, &t, "/api/v1/apps?page_size=10")
        .await
        .json()
        .await
        .unwrap();
    let token1 = first.next_page_token.unwrap();
    let second: Page<App> = api_get(
        &s,
        &t,
        &format!("/api/v1/apps?page_size=10&page_token={token1}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(second.next_page_token.as_deref(), Some(token1.as_str()));
    // Other routes are not affected.
    let (a, c, id) = s.tracked()[0].clone();
    assert_eq!(
        api_get(&s, &t, &credential_path(&a, &c, &id))
            .await
            .status(),
        StatusCode::OK
    );
    s.shutdown().await;
}

#[tokio::test]
async fn latency_counts_in_peak_in_flight() {
    let s = DemoServer::start(DemoOptions {
        faults: Faults::none().with_latency(Latency::Fixed(Duration::from_millis(300))),
        ..DemoOptions::default()
    })
    .await
    .unwrap();
    let t = token(&s).await;
    s.reset_stats();
    let started = std::time::Instant::now();
    let calls = (0..6).map(|_| api_get(&s, &t, "/api/v1/apps"));
    let replies = futures::future::join_all(calls).await;
    assert!(replies.iter().all(|r| r.status() == StatusCode::OK));
    assert!(started.elapsed() >= Duration::from_millis(300));
    let stats = s.stats();
    assert_eq!(stats.total, 6);
    assert_eq!(stats.route(RouteKind::ListApps), 6);
    assert_eq!(stats.route(RouteKind::Token), 0);
    assert_eq!(stats.in_flight, 0);
    assert!(stats.peak_in_flight >= 2, "{stats:?}");
    assert!(stats.peak_in_flight <= 6, "{stats:?}");
    s.shutdown().await;
}

#[tokio::test]
async fn stats_count_routes() {
    let s = start().await;
    let t = token(&s).await;
    api_get(&s, &t, "/api/v1/apps").await;
    let (a, c, id) = s.tracked()[0].clone();
    api_get(&s, &t, &credential_path(&a, &c, &id)).await;
    api_get(&s, &t, "/nowhere").await;
    let stats = s.stats();
    assert_eq!(stats.total, 4);
    assert_eq!(stats.route(RouteKind::Token), 1);
    assert_eq!(stats.route(RouteKind::ListApps), 1);
    assert_eq!(stats.route(RouteKind::GetCredential), 1);
    assert_eq!(stats.route(RouteKind::Other), 1);
    assert_eq!(stats.peak_in_flight, 1);
    s.reset_stats();
    assert_eq!(s.stats().total, 0);
    s.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let s = start().await;
    let endpoint = s.endpoint();
    s.shutdown().await;
    let r = http().get(format!("{endpoint}/api/v1/apps")).send().await;
    assert!(r.is_err());
}
