//! Import: format detection, each format, broken files, duplicates, and the store side.

use credboard::api::ConnectorCredential;
use credboard::import::{
    ImportError, ImportFormat, Location, ParsedImport, guard_csv_cell, parse_import,
};
use credboard::model::{CredentialKey, Source};
use credboard::store::Store;

fn ids(p: &ParsedImport) -> Vec<(String, String, String)> {
    p.entries
        .iter()
        .map(|e| {
            (
                e.ids.app_id.clone(),
                e.ids.connector_id.clone(),
                e.ids.credential_id.clone(),
            )
        })
        .collect()
}

fn triple(a: &str, k: &str, c: &str) -> (String, String, String) {
    (a.into(), k.into(), c.into())
}

const TF_STATE: &str = r#"{
  "version": 4,
  "terraform_version": "1.9.5",
  "serial": 12,
  "lineage": "0b1c",
  "outputs": {},
  "resources": [
    {
      "mode": "managed",
      "type": "conductorone_app",
      "name": "okta",
      "provider": "provider[\"registry.terraform.io/conductorone/conductorone\"]",
      "instances": [{"schema_version": 0, "attributes": {"id": "app-okta", "display_name": "Okta"}}]
    },
    {
      "mode": "managed",
      "type": "conductorone_connector_credential",
      "name": "ci",
      "provider": "provider[\"registry.terraform.io/conductorone/conductorone\"]",
      "instances": [
        {"index_key": 0, "schema_version": 0, "attributes": {"app_id": "app1", "connector_id": "con1", "id": "cred1", "display_name": "ci 0", "client_id": "x@acme.conductor.one/pcc"}, "sensitive_attributes": []},
        {"index_key": 1, "schema_version": 0, "attributes": {"app_id": "app1", "connector_id": "con1", "id": ""}}
      ]
    },
    {
      "module": "module.okta",
      "mode": "managed",
      "type": "conductorone_connector_credential",
      "name": "sync",
      "instances": [
        {"index_key": "eu", "attributes": {"app_id": "app2", "connector_id": "con2", "id": "cred2"}},
        {"index_key": "us", "attributes": {"app_id": "app2", "id": "cred3"}}
      ]
    },
    {
      "mode": "managed",
      "type": "conductorone_connector_credential",
      "name": "single",
      "instances": [{"attributes": {"app_id": "app3", "connector_id": "con3", "id": " cred4 "}}]
    }
  ]
}"#;

#[test]
fn terraform_state_v4() {
    let p = parse_import(TF_STATE.as_bytes()).unwrap();
    assert_eq!(p.format, ImportFormat::TerraformState);
    assert_eq!(
        ids(&p),
        vec![
            triple("app1", "con1", "cred1"),
            triple("app2", "con2", "cred2"),
            triple("app3", "con3", "cred4"),
        ]
    );
    let locs: Vec<String> = p.entries.iter().map(|e| e.location.to_string()).collect();
    assert_eq!(
        locs,
        vec![
            "conductorone_connector_credential.ci[0]",
            "module.okta.conductorone_connector_credential.sync[\"eu\"]",
            "conductorone_connector_credential.single",
        ]
    );
    let rejected: Vec<String> = p.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        rejected,
        vec![
            "conductorone_connector_credential.ci[1]: id is empty",
            "module.okta.conductorone_connector_credential.sync[\"us\"]: connector_id is missing",
        ]
    );
}

#[test]
fn terraform_state_of_another_version_is_refused() {
    for v in ["3", "\"4\"", "5"] {
        let text = format!(r#"{{"version": {v}, "resources": []}}"#);
        let err = parse_import(text.as_bytes()).unwrap_err();
        assert!(matches!(err, ImportError::TerraformVersion(_)), "{err:?}");
        assert!(err.to_string().contains("version 4"), "{err}");
    }
    let err = parse_import(br#"{"version": 4, "resources": {}}"#).unwrap_err();
    assert!(matches!(err, ImportError::TerraformShape(_)), "{err:?}");
}

#[test]
fn terraform_state_without_credentials_is_empty_not_an_error() {
    let p = parse_import(
        br#"{"version":4,"resources":[{"type":"conductorone_app","name":"x","instances":[]}]}"#,
    )
    .unwrap();
    assert!(p.entries.is_empty() && p.rejected.is_empty());
}

#[test]
fn csv_with_columns_in_any_order() {
    let text = "display_name,ID,connector_id,extra,app_id\n\
                first,c1,k1,,a1\n\
                \"quoted, name\",c2,k1,x,a1\n\
                missing id,,k1,,a1\n\
                spaces, c3 , k2 ,, a2 \n\
                bad,c/4,k2,,a2\n";
    let p = parse_import(text.as_bytes()).unwrap();
    assert_eq!(p.format, ImportFormat::Csv);
    assert_eq!(
        ids(&p),
        vec![
            triple("a1", "k1", "c1"),
            triple("a1", "k1", "c2"),
            triple("a2", "k2", "c3")
        ]
    );
    assert_eq!(p.entries[0].location, Location::CsvLine(2));
    let rejected: Vec<String> = p.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        rejected,
        vec![
            "line 4: id is empty",
            "line 6: id contains `/` (an id has only letters, digits and - _ . ~)",
        ]
    );
}

/// `list -o csv` puts a `'` before any cell a spreadsheet would run as a formula. No id
/// starts that way: such a cell, guarded or not, is refused with its line and the reason.
#[test]
fn ids_that_start_like_a_formula_are_refused_guarded_or_not() {
    assert_eq!(
        guard_csv_cell("=HYPERLINK(\"http://x\")".into()),
        "'=HYPERLINK(\"http://x\")"
    );
    for plain in ["okta", "2AbC", "'quoted", "a=b", ""] {
        assert_eq!(guard_csv_cell(plain.into()), plain);
    }
    let text = "app_id,connector_id,id\n'=a,k,c1\n=a,k,c2\n@a,'+k,c3\na,k,-c4\na,k,c5\n";
    let p = parse_import(text.as_bytes()).unwrap();
    assert_eq!(ids(&p), vec![triple("a", "k", "c5")]);
    let formula = "as a spreadsheet formula does";
    let rejected: Vec<String> = p.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        rejected,
        vec![
            format!("line 2: app_id starts with `=`, {formula}"),
            format!("line 3: app_id starts with `=`, {formula}"),
            format!(
                "line 4: app_id starts with `@`, {formula}; connector_id starts with `+`, {formula}"
            ),
            format!("line 5: id starts with `-`, {formula}"),
        ]
    );
}

const SECRET: &str = "secret-token:conductorone.com:v1:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6InpwM1BXY2NTQlZPdGhTTnN5ck1zVGVFaDlpTjhTWTNnSDZfcDBEUkZaTWMiLCJkIjoielkzTzFybnItQUV3NW0wbVpCTzBjSEZpWWoxTmlSdk1pU1Y1X1Ffa0tiZyJ9";

/// The key part of [`SECRET`]: the base64url JSON Web Key after the last `:`.
fn key_part() -> &'static str {
    SECRET.rsplit(':').next().unwrap()
}

/// Implausible ids, in every format, are refused with the line or resource and the reason;
/// nothing of a refused entry is added, and a client secret is named, never quoted.
#[test]
fn implausible_ids_are_refused_with_the_line_and_the_reason() {
    let long = "x".repeat(129);
    let csv = format!(
        "app_id,connector_id,id\n\
         a,k,good1\n\
         a,k,two words\n\
         a,k,{SECRET}\n\
         a,{},c3\n\
         a,k,{long}\n\
         a,k,c\"5\n\
         a,k,2Gf9fCi5loeoDjTC0MtLnwLQ4Pn\n",
        key_part()
    );
    let p = parse_import(csv.as_bytes()).unwrap();
    assert_eq!(
        ids(&p),
        vec![
            triple("a", "k", "good1"),
            triple("a", "k", "2Gf9fCi5loeoDjTC0MtLnwLQ4Pn")
        ]
    );
    let rejected: Vec<String> = p.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        rejected,
        vec![
            "line 3: id contains a space".to_string(),
            "line 4: id holds what looks like a client secret; it was not printed".to_string(),
            "line 5: connector_id holds what looks like a client secret; it was not printed"
                .to_string(),
            "line 6: id is too long (129 characters; an id has at most 128)".to_string(),
            "line 7: id contains `\"` (an id has only letters, digits and - _ . ~)".to_string(),
        ]
    );

    // JSON can carry what CSV cannot: escaped controls and invisible characters.
    let json = format!(
        r#"[{{"appId":"a","connectorId":"k","id":"c\u0007"}},
            {{"appId":"a","connectorId":"k","id":"c\u202e1"}},
            {{"appId":"a","connectorId":"k","id":"{SECRET}"}},
            {{"appId":"a","connectorId":"k","id":"good2"}}]"#
    );
    let p = parse_import(json.as_bytes()).unwrap();
    assert_eq!(ids(&p), vec![triple("a", "k", "good2")]);
    let rejected: Vec<String> = p.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        rejected,
        vec![
            "entry [0]: id contains the character \\u{7}",
            "entry [1]: id contains the character \\u{202e}",
            "entry [2]: id holds what looks like a client secret; it was not printed",
        ]
    );

    // A Terraform resource's name and key are the file's text too.
    let state = format!(
        r#"{{"version": 4, "resources": [{{"type": "conductorone_connector_credential", "name": "ci",
            "instances": [{{"index_key": "{SECRET}", "attributes": {{"app_id": "a", "connector_id": "k", "id": "{}"}}}}]}}]}}"#,
        key_part()
    );
    let p = parse_import(state.as_bytes()).unwrap();
    assert!(p.entries.is_empty());
    let rejected: Vec<String> = p.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        rejected,
        vec![
            "conductorone_connector_credential.ci[\"[a client secret, not printed]\"]: id holds \
             what looks like a client secret; it was not printed"
        ]
    );
}

#[test]
fn csv_with_crlf_and_bom() {
    let p = parse_import("\u{feff}app_id,connector_id,id\r\na,k,c\r\n".as_bytes()).unwrap();
    assert_eq!(ids(&p), vec![triple("a", "k", "c")]);
}

#[test]
fn csv_missing_a_column_is_not_recognized() {
    let err = parse_import(b"app_id,id\na,c\n").unwrap_err();
    assert_eq!(
        err,
        ImportError::NotRecognized {
            missing: "connector_id".into()
        }
    );
    let msg = err.to_string();
    assert!(
        msg.contains("Terraform state") && msg.contains("CSV") && msg.contains("credboard's JSON"),
        "{msg}"
    );
}

#[test]
fn csv_with_a_malformed_record_fails_as_a_whole() {
    let err = parse_import(b"app_id,connector_id,id\na,k,c1\na,k\na,k,c3\n").unwrap_err();
    match err {
        ImportError::Csv { line, ref reason } => {
            assert_eq!(line, 3);
            assert!(reason.contains("2 fields"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn credboard_json_array_and_object() {
    // What `credboard list -o json` prints: serialized ConnectorCredentials.
    let creds = vec![
        ConnectorCredential {
            id: Some("c1".into()),
            app_id: Some("a1".into()),
            connector_id: Some("k1".into()),
            display_name: Some("one".into()),
            ..Default::default()
        },
        ConnectorCredential {
            id: Some("c2".into()),
            app_id: Some("a1".into()),
            connector_id: Some("k2".into()),
            ..Default::default()
        },
    ];
    let json = serde_json::to_string_pretty(&creds).unwrap();
    let p = parse_import(json.as_bytes()).unwrap();
    assert_eq!(p.format, ImportFormat::CredboardJson);
    assert_eq!(
        ids(&p),
        vec![triple("a1", "k1", "c1"), triple("a1", "k2", "c2")]
    );

    let p = parse_import(
        br#"{"credentials":[{"appId":"a","connectorId":"k","id":"c"},{"appId":"a","id":"d"},7,{"app_id":"a","connector_id":"k","id":5}]}"#,
    )
    .unwrap();
    assert_eq!(ids(&p), vec![triple("a", "k", "c")]);
    let rejected: Vec<String> = p.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        rejected,
        vec![
            "entry [1]: connectorId is missing",
            "entry [2]: not an object",
            "entry [3]: id is not a string",
        ]
    );
}

#[test]
fn broken_files_are_errors() {
    let truncated = &TF_STATE[..TF_STATE.len() / 2];
    let err = parse_import(truncated.as_bytes()).unwrap_err();
    assert!(matches!(err, ImportError::Json { .. }), "{err:?}");
    assert!(err.to_string().contains("line"), "{err}");

    assert_eq!(parse_import(b"").unwrap_err(), ImportError::Empty);
    assert_eq!(parse_import(b"  \n\t\n").unwrap_err(), ImportError::Empty);
    assert_eq!(
        parse_import(&[0x00, 0xff, 0xfe, 0x13, 0x37, 0x80]).unwrap_err(),
        ImportError::NotText
    );
    assert_eq!(
        parse_import(b"\x00\x01\x02app_id,connector_id,id").unwrap_err(),
        ImportError::NotText
    );
    assert_eq!(
        parse_import(br#"{"hello":"world"}"#).unwrap_err(),
        ImportError::UnknownJson
    );
    assert_eq!(
        parse_import(b"42 is not json").unwrap_err(),
        ImportError::NotRecognized {
            missing: "app_id, connector_id, id".into()
        }
    );
    assert!(matches!(
        parse_import(b"[1, 2,").unwrap_err(),
        ImportError::Json { .. }
    ));
}

#[test]
fn import_reports_added_known_and_rejected() {
    let store = Store::open_in_memory("p").unwrap();
    store
        .track(&CredentialKey::new("a1", "k1", "c1"), Source::Manual)
        .unwrap();
    store
        .track(&CredentialKey::new("other", "k9", "c9"), Source::Manual)
        .unwrap();
    let text = "app_id,connector_id,id\n\
                a1,k1,c1\n\
                a1,k1,c2\n\
                a1,k1,c2\n\
                a1,k1,\n\
                a1,k1,c9\n\
                a2,k2,c3\n";
    let parsed = parse_import(text.as_bytes()).unwrap();
    let report = store.import(&parsed, Source::Import).unwrap();
    assert_eq!(report.format, ImportFormat::Csv);
    let added: Vec<_> = report
        .added
        .iter()
        .map(|e| e.ids.credential_id.as_str())
        .collect();
    assert_eq!(added, vec!["c2", "c3"]);
    let known: Vec<_> = report
        .already_known
        .iter()
        .map(|e| e.location.to_string())
        .collect();
    assert_eq!(
        known,
        vec!["line 2", "line 4"],
        "in the store, then repeated in the file"
    );
    let rejected: Vec<String> = report.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        rejected,
        vec![
            "line 5: id is empty",
            "line 6: credential c9 is already tracked under app other, connector k9",
        ]
    );
    let tracked = store.tracked().unwrap();
    assert_eq!(tracked.len(), 4);
    assert!(
        tracked
            .iter()
            .filter(|t| ["c2", "c3"].contains(&t.ids.credential_id.as_str()))
            .all(|t| t.source == Source::Import)
    );

    // The same file again adds nothing.
    let again = store.import(&parsed, Source::Import).unwrap();
    assert!(again.added.is_empty());
    assert_eq!(again.already_known.len(), 4);
}

#[test]
fn a_file_that_breaks_halfway_adds_nothing() {
    let store = Store::open_in_memory("p").unwrap();
    let text = "app_id,connector_id,id\na,k,c1\na,k,c2\n\"a,k,c3\n";
    assert!(parse_import(text.as_bytes()).is_err());
    let json = r#"[{"appId":"a","connectorId":"k","id":"c1"},{"appId":"a","connec"#;
    assert!(parse_import(json.as_bytes()).is_err());
    // Nothing could reach the store: parsing comes first and failed.
    assert!(store.tracked().unwrap().is_empty());
}
