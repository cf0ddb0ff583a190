//! Fuzz targets, as proptest properties: the secret parser, the import parser, the reply
//! models, durations from the network (`Retry-After`, a token's `expires_in`, parsed alone
//! and sent by the demo tenant to the real client), the sanitiser, and replies drawn all the
//! way to the screen. None may panic.
//!
//! `cargo test --test reliability fuzz::` runs them at the default case counts; set
//! `PROPTEST_CASES=100000` to run each target that many times (see RELIABILITY.md).

use std::time::{Duration, UNIX_EPOCH};

use credboard::api::auth::{LONGEST_TOKEN_LIFETIME, SHORTEST_TOKEN_LIFETIME, renew_after};
use credboard::api::model::{ConnectorListItem, CredentialReply, Page};
use credboard::api::retry::{LONGEST_RETRY_AFTER, RetryPolicy, retry_after_delay};
use credboard::api::{App, Client, ClientOptions, ClientSecret};
use credboard::app::{Msg, Options, State};
use credboard::demo::{
    DemoOptions, DemoServer, FaultKind, FaultRule, Faults, RetryAfter, RouteFilter, RouteKind,
    Share,
};
use credboard::import::parse_import;
use credboard::model::KnownCredential;
use credboard::model::Snapshot as Inventory;
use credboard::testkit::checks::update;
use credboard::text;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::harness::HANG;

/// The default number of cases, unless PROPTEST_CASES says otherwise.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        // Failures are reported with their minimal input; do not write regression files
        // from CI runs.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A mutation of some bytes: flip, insert, delete, truncate, duplicate a slice.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    Repeat(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0usize..64).prop_map(|(i, n)| Mutation::Repeat(i, n)),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len();
        match *m {
            Mutation::Flip(i, b) if len > 0 => bytes[i % len] ^= b.max(1),
            Mutation::Insert(i, b) => bytes.insert(i % (len + 1), b),
            Mutation::Delete(i) if len > 0 => {
                bytes.remove(i % len);
            }
            Mutation::Truncate(i) => bytes.truncate(i % (len + 1)),
            Mutation::Repeat(i, n) if len > 0 => {
                let start = i % len;
                let end = (start + n).min(len);
                let slice = bytes[start..end].to_vec();
                bytes.splice(end..end, slice);
            }
            _ => {}
        }
    }
    bytes
}

fn mutated(valid: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(mutation(), 1..8).prop_map(move |ms| mutate(valid.clone(), &ms))
}

// ---- the secret parser ----

fn a_valid_secret() -> String {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    ClientSecret::from_signing_key(key).expose().to_string()
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn the_secret_parser_takes_any_text(s in any::<String>()) {
        let _ = ClientSecret::parse(&s);
    }

    #[test]
    fn the_secret_parser_takes_anything_shaped_like_a_secret(
        prefix in prop::sample::select(vec![
            "secret-token:conductorone.com:v1:",
            "secret-token:conductorone.com:v2:",
            "secret-token::v1:",
            "",
        ]),
        body in "[A-Za-z0-9_=:+/-]{0,200}",
    ) {
        let _ = ClientSecret::parse(&format!("{prefix}{body}"));
    }

    #[test]
    fn a_damaged_secret_is_refused_without_echoing_it(bytes in mutated(a_valid_secret().into_bytes())) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Err(e) = ClientSecret::parse(&text) {
            let message = e.to_string();
            // No piece of the key ever appears in the message.
            let secret = a_valid_secret();
            let key = secret.rsplit(':').next().unwrap();
            for window in key.as_bytes().windows(12) {
                let window = std::str::from_utf8(window).unwrap();
                prop_assert!(!message.contains(window), "{message}");
            }
        }
    }
}

// ---- the import parser ----

fn a_valid_csv() -> Vec<u8> {
    b"app_id,connector_id,id,note\napp1,conn1,cred1,first\n\"app,2\",conn2,cred2,\"quoted \"\"note\"\"\"\napp3,conn3,cred3,\n".to_vec()
}

fn a_valid_terraform_state() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "version": 4,
        "terraform_version": "1.7.0",
        "resources": [
            {"mode": "managed", "type": "conductorone_connector_credential", "name": "ci",
             "instances": [
                 {"index_key": 0, "attributes": {"app_id": "a1", "connector_id": "k1", "id": "c1"}},
                 {"attributes": {"app_id": "a1", "connector_id": "k1", "id": ""}}
             ]},
            {"mode": "managed", "type": "conductorone_app", "name": "x",
             "instances": [{"attributes": {"id": "a1"}}]}
        ]
    }))
    .unwrap()
}

fn a_valid_credboard_json() -> Vec<u8> {
    serde_json::to_vec(&json!([
        {"id": "c1", "appId": "a1", "connectorId": "k1", "displayName": "one"},
        {"id": "c2", "appId": "a1", "connectorId": "k2", "status": "active"},
        7
    ]))
    .unwrap()
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn the_import_parser_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_import(&bytes);
    }

    #[test]
    fn the_import_parser_takes_any_text(s in any::<String>()) {
        let _ = parse_import(s.as_bytes());
    }

    #[test]
    fn the_import_parser_takes_damaged_csv(bytes in mutated(a_valid_csv())) {
        let _ = parse_import(&bytes);
    }

    #[test]
    fn the_import_parser_takes_damaged_terraform_state(bytes in mutated(a_valid_terraform_state())) {
        let _ = parse_import(&bytes);
    }

    #[test]
    fn the_import_parser_takes_damaged_credboard_json(bytes in mutated(a_valid_credboard_json())) {
        let _ = parse_import(&bytes);
    }

    #[test]
    fn the_import_parser_takes_any_json_shape(v in json_value(Some(IMPORT_KEYS))) {
        let _ = parse_import(&serde_json::to_vec(&v).unwrap());
        let _ = parse_import(&serde_json::to_vec(&json!({"version": 4, "resources": [v.clone()]})).unwrap());
        let _ = parse_import(&serde_json::to_vec(&json!([v])).unwrap());
    }
}

// ---- the reply models ----

/// Field names the models know, so that generated objects hit the custom deserialisers.
const MODEL_KEYS: &[&str] = &[
    "id",
    "appId",
    "connectorId",
    "clientId",
    "displayName",
    "description",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "expiresTime",
    "lastUsedAt",
    "clientSecret",
    "isDirectory",
    "userCount",
    "status",
    "lastError",
    "completedAt",
    "syncDisabledAt",
    "syncDisabledReason",
    "userIds",
    "connector",
    "credential",
    "list",
    "nextPageToken",
];

const IMPORT_KEYS: &[&str] = &[
    "version",
    "resources",
    "type",
    "name",
    "mode",
    "instances",
    "index_key",
    "attributes",
    "app_id",
    "connector_id",
    "id",
    "appId",
    "connectorId",
    "credentials",
];

/// Strings a server might send, including times near the edges of what parses.
fn scalar_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        Just(String::new()),
        "-?[0-9]{1,25}",
        Just("2026-01-02T03:04:05.123456789Z".to_string()),
        Just("9999-12-31T23:59:59.999999999-23:59".to_string()),
        Just("0000-01-01T00:00:00+23:59".to_string()),
        Just("1970-01-01T00:00:00Z".to_string()),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})",
        Just("\u{1b}]0;title\u{7}\u{202e}x".to_string()),
    ]
}

fn json_value(keys: Option<&'static [&'static str]>) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        scalar_string().prop_map(Value::String),
    ];
    let keys: &'static [&'static str] = keys.unwrap_or(MODEL_KEYS);
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        4 => prop::sample::select(keys).prop_map(str::to_string),
                        1 => any::<String>(),
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn decode_all(bytes: &[u8]) {
    let _ = serde_json::from_slice::<Page<App>>(bytes);
    let _ = serde_json::from_slice::<Page<ConnectorListItem>>(bytes);
    let _ = serde_json::from_slice::<CredentialReply>(bytes);
}

fn a_valid_credential_reply() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "credential": {
            "id": "c1", "appId": "a1", "connectorId": "k1", "clientId": "x@acme/pcc",
            "displayName": "ci", "createdAt": "2026-01-02T03:04:05Z", "lastUsedAt": "",
            "expiresTime": null, "clientSecret": "secret-token:conductorone.com:v1:abc"
        },
        "clientSecret": ""
    }))
    .unwrap()
}

fn a_valid_connector_page() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "list": [{"connector": {"id": "k1", "appId": "a1", "displayName": "Okta",
                   "status": {"status": "SYNC_STATUS_ERROR", "lastError": "boom",
                              "completedAt": "2026-01-02T03:04:05Z"},
                   "userIds": ["u1"]}},
                 {"connector": null}],
        "nextPageToken": "t2"
    }))
    .unwrap()
}

fn an_app_page() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "list": [{"id": "a1", "displayName": "Okta", "userCount": "42", "isDirectory": true,
                  "createdAt": "2026-01-02T03:04:05Z"}],
        "nextPageToken": ""
    }))
    .unwrap()
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn the_reply_models_take_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&bytes);
    }

    #[test]
    fn the_reply_models_take_any_json(v in json_value(None)) {
        decode_all(&serde_json::to_vec(&v).unwrap());
        decode_all(&serde_json::to_vec(&json!({"list": [v.clone()]})).unwrap());
        decode_all(&serde_json::to_vec(&json!({"credential": v})).unwrap());
    }

    #[test]
    fn the_reply_models_take_damaged_replies(
        bytes in prop_oneof![
            mutated(a_valid_credential_reply()),
            mutated(a_valid_connector_page()),
            mutated(an_app_page()),
        ]
    ) {
        decode_all(&bytes);
    }
}

// ---- durations from the network: Retry-After and a token's expires_in ----

/// The latest second an HTTP date can name (the end of year 9999).
const LAST_HTTP_DATE: u64 = 253_402_300_799;

/// `Retry-After` values: numbers of any size and sign, fractions, HTTP dates of any year,
/// date-shaped text with impossible fields, and any printable text.
fn retry_after_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        "[0-9]{0,40}",
        "[+-][0-9]{1,30}",
        "[0-9]{1,5}\\.[0-9]{1,5}",
        (0..=LAST_HTTP_DATE)
            .prop_map(|s| httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(s))),
        "(Mon|Fri|Sun), [0-9]{1,2} (Jan|Feb|Dec) [0-9]{1,6} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
        "[ -~]{0,40}",
    ]
}

/// `expires_in` values: numbers of any size and sign, numeric and other strings, any JSON.
fn expires_in_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "-?[0-9]{1,25}".prop_map(Value::String),
        json_value(None),
    ]
}

/// `expires_in` as written on the wire: any JSON value, and numbers no JSON parser keeps
/// (hundreds of digits, 1e999).
fn expires_in_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => expires_in_value().prop_map(|v| v.to_string()),
        1 => "-?[0-9]{20,400}",
        1 => "-?[0-9]{1,3}e[0-9]{1,4}",
    ]
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn a_retry_after_is_never_a_wait_past_the_longest(
        value in retry_after_value(),
        now in 0..=LAST_HTTP_DATE,
    ) {
        let now = UNIX_EPOCH + Duration::from_secs(now);
        let wait = retry_after_delay(&value, now);
        prop_assert!(wait.is_none_or(|w| w <= LONGEST_RETRY_AFTER), "{value:?}: {wait:?}");
        if let Ok(seconds) = value.trim().parse::<u32>()
            && value.trim().bytes().all(|b| b.is_ascii_digit())
        {
            let asked = Duration::from_secs(seconds.into());
            prop_assert_eq!(wait, Some(asked.min(LONGEST_RETRY_AFTER)));
        }
    }

    #[test]
    fn a_token_is_renewed_within_the_bounds_whatever_its_lifetime(v in expires_in_value()) {
        let renew = renew_after(Some(&v));
        prop_assert!(renew <= LONGEST_TOKEN_LIFETIME, "{v}: {renew:?}");
        prop_assert!(renew >= SHORTEST_TOKEN_LIFETIME * 9 / 10, "{v}: {renew:?}");
    }
}

/// A client whose retry budget (half a second) is shorter than any whole-second wait.
fn impatient_client(server: &DemoServer) -> Client {
    Client::new(ClientOptions {
        client_id: Some(server.client_id()),
        client_secret: Some(server.client_secret()),
        retry: RetryPolicy {
            max_tries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            budget: Duration::from_millis(500),
        },
        ..Default::default()
    })
    .unwrap()
}

/// Runs a property over real HTTP: one demo tenant for every case, `faults_for` set before
/// each, then `check` on a fresh or shared client's answer. A hang is a failure.
fn over_http<S: Strategy>(
    strategy: S,
    faults_for: impl Fn(&S::Value) -> Faults,
    fresh_client: bool,
    check: impl Fn(&S::Value, Result<Vec<App>, credboard::api::ApiError>) -> Result<(), TestCaseError>,
) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(DemoServer::start(DemoOptions::default()))
        .unwrap();
    let shared = impatient_client(&server);
    let mut runner = TestRunner::new(config(64));
    let result = runner.run(&strategy, |value| {
        server.set_faults(faults_for(&value));
        let client = if fresh_client {
            impatient_client(&server)
        } else {
            shared.clone()
        };
        let answer = rt
            .block_on(async { tokio::time::timeout(HANG, client.list_apps()).await })
            .map_err(|_| TestCaseError::fail(format!("no answer within {HANG:?}")))?;
        check(&value, answer)
    });
    rt.block_on(server.shutdown());
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn any_retry_after_on_a_429_ends_in_an_answer_or_in_giving_up_at_once() {
    over_http(
        retry_after_value(),
        |value| {
            Faults::none().with(
                FaultRule::new(FaultKind::TooManyRequests(RetryAfter::Raw(value.clone())))
                    .share(Share::FirstN(1))
                    .routes(RouteFilter::Only(RouteKind::ListApps)),
            )
        },
        false,
        |value, answer| {
            if let Err(e) = answer {
                let text = e.to_string();
                prop_assert!(
                    text.starts_with("list apps: gave up after 1 tries") && text.contains("429"),
                    "{value:?}: {text}"
                );
            }
            Ok(())
        },
    );
}

#[test]
fn any_token_lifetime_gives_a_working_token_or_a_clear_error() {
    over_http(
        expires_in_text(),
        |raw| Faults::none().with(FaultRule::new(FaultKind::TokenExpiresIn(raw.clone()))),
        true,
        |raw, answer| {
            match answer {
                Ok(apps) => prop_assert!(!apps.is_empty()),
                // Only a number no JSON parser keeps may cost the token, with a reason.
                Err(e) => {
                    let text = e.to_string();
                    prop_assert!(
                        serde_json::from_str::<Value>(raw).is_err()
                            && text.starts_with("get an access token: the reply could not be read"),
                        "expires_in {raw}: {text}"
                    );
                }
            }
            Ok(())
        },
    );
}

// ---- the sanitiser ----

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn sanitised_text_is_inert_and_fits(s in any::<String>(), w in 0usize..40) {
        let clean = text::sanitize(&s);
        prop_assert!(!clean.chars().any(|c| c.is_control() || text::is_unsafe(c)), "{clean:?}");
        let fitted = text::fit(&s, w);
        prop_assert!(text::width(&fitted) <= w, "{fitted:?} is wider than {w}");
        prop_assert!(!fitted.chars().any(|c| c.is_control() || text::is_unsafe(c)));
        // Two columns at least: a wide character cannot be cut.
        for line in text::wrap(&s, w.max(2)) {
            prop_assert!(text::width(&line) <= w.max(2), "{line:?}");
            prop_assert!(!line.chars().any(|c| c.is_control() || text::is_unsafe(c)));
        }
    }
}

// ---- replies all the way to the screen ----

/// Credentials decoded from arbitrary JSON objects, loaded and drawn: no panic on strange
/// times (the year 9999, the epoch, the far past), huge or hostile strings.
fn drawn(credentials: Vec<Value>, apps: Vec<Value>) {
    let apps: Vec<App> = apps
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    let known: Vec<KnownCredential> = credentials
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let c: credboard::api::ConnectorCredential = serde_json::from_value(v).ok()?;
            Some(KnownCredential {
                source: credboard::model::Source::Import,
                learned_at: chrono::DateTime::UNIX_EPOCH,
                key: credboard::model::CredentialKey::new(
                    c.app_id.clone().unwrap_or_else(|| "a".into()),
                    c.connector_id.clone().unwrap_or_else(|| "k".into()),
                    c.id.clone().unwrap_or_else(|| format!("c{i}")),
                ),
                last: Some(c),
                gone: false,
                fetched_at: None,
            })
        })
        .collect();
    let mut state = State::new(Options::new("acme", "default"), chrono::Utc::now());
    update(
        &mut state,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    update(
        &mut state,
        Msg::Worker(credboard::app::WorkerMsg::Inventory(Ok(Inventory {
            apps,
            connectors: vec![],
            credentials: known,
        }))),
    );
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    for key in ['s', 's', 's', 's', 'S'] {
        terminal
            .draw(|f| credboard::tui::ui::draw(f, &state, &Default::default()))
            .unwrap();
        update(
            &mut state,
            Msg::Key(crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char(key),
                crossterm::event::KeyModifiers::NONE,
            )),
        );
    }
    update(
        &mut state,
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Enter,
            crossterm::event::KeyModifiers::NONE,
        )),
    );
    terminal
        .draw(|f| credboard::tui::ui::draw(f, &state, &Default::default()))
        .unwrap();
    for cell in terminal.backend().buffer().content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || text::is_unsafe(c)),
            "{:?} drawn",
            cell.symbol()
        );
    }
}

fn credential_object() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        (
            prop::sample::select(MODEL_KEYS).prop_map(str::to_string),
            prop_oneof![Just(Value::Null), scalar_string().prop_map(Value::String)],
        ),
        0..10,
    )
    .prop_map(|kv| Value::Object(kv.into_iter().collect()))
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn any_decoded_reply_can_be_drawn(
        credentials in prop::collection::vec(credential_object(), 0..12),
        apps in prop::collection::vec(credential_object(), 0..4),
    ) {
        drawn(credentials, apps);
    }
}
