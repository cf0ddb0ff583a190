use chrono::{Duration, TimeZone};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

#[derive(Clone)]
struct Row {
    name: String,
    app: String,
    connector: String,
    client: String,
    id: String,
    flags: Flags,
    status: Status,
    last_used: Time,
    created: Time,
    expires: Time,
    findings: Vec<CheckId>,
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
        match field {
            TimeField::LastUsed => self.last_used,
            TimeField::Created => self.created,
            TimeField::Expires => self.expires,
        }
    }
    fn has_finding(&self, check: CheckId) -> bool {
        self.findings.contains(&check)
    }
}

fn okta() -> Row {
    Row {
        name: "okta-connector prod".into(),
        app: "okta".into(),
        connector: "okta (baton-okta)".into(),
        client: "witty-badger@acme.conductor.one/pcc".into(),
        id: "2ek4pcz".into(),
        flags: Flags::empty(),
        status: Status::Active,
        last_used: Time::At(now() - Duration::days(100)),
        created: Time::At(now() - Duration::days(400)),
        expires: Time::Never,
        findings: vec![],
    }
}

fn github() -> Row {
    Row {
        name: "baton-github dev".into(),
        app: "github".into(),
        connector: "github (baton-github)".into(),
        client: "crisp-tiger@acme.conductor.one/pcc".into(),
        id: "29btt".into(),
        flags: Flags::NEVER_USED,
        status: Status::NeverUsed,
        last_used: Time::Never,
        created: Time::At(now() - Duration::days(28)),
        expires: Time::At(now() + Duration::days(10)),
        findings: vec!["CB-1.2".parse().unwrap()],
    }
}

fn revoked() -> Row {
    Row {
        name: "okta old".into(),
        flags: Flags::REVOKED | Flags::NEVER_USED,
        status: Status::Revoked,
        ..okta()
    }
}

fn hits(q: &str, rows: &[Row]) -> Vec<String> {
    let q = Query::parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    rows.iter()
        .filter(|r| q.matches(*r, now()))
        .map(|r| r.name.clone())
        .collect()
}

fn all() -> Vec<Row> {
    vec![okta(), github(), revoked()]
}

fn err(q: &str) -> QueryError {
    match Query::parse(q) {
        Ok(_) => panic!("{q} parsed"),
        Err(e) => e,
    }
}

#[test]
fn the_empty_filter_matches_everything() {
    assert_eq!(hits("", &all()).len(), 3);
    assert_eq!(hits("   ", &all()).len(), 3);
}

#[test]
fn words_are_anded_in_any_case_over_every_shown_field() {
    assert_eq!(hits("OKTA", &all()), ["okta-connector prod", "okta old"]);
    assert_eq!(hits("okta prod", &all()), ["okta-connector prod"]);
    assert_eq!(hits("tiger", &all()), ["baton-github dev"], "client id");
    assert_eq!(hits("29btt", &all()), ["baton-github dev"], "id");
    assert_eq!(hits("never", &all()), ["baton-github dev"], "status word");
    assert_eq!(hits("\"github dev\"", &all()), ["baton-github dev"]);
    assert!(hits("okta github", &all()).is_empty());
}

#[test]
fn a_bang_excludes() {
    assert_eq!(hits("okta !revoked", &all()), ["okta-connector prod"]);
    assert_eq!(hits("!okta", &all()), ["baton-github dev"]);
    assert_eq!(hits("!app:okta", &all()), ["baton-github dev"]);
}

#[test]
fn each_text_field_searches_only_itself() {
    assert_eq!(hits("name:prod", &all()), ["okta-connector prod"]);
    assert!(
        hits("app:baton", &all()).is_empty(),
        "baton is in the connector"
    );
    assert_eq!(hits("connector:baton-git", &all()), ["baton-github dev"]);
    assert_eq!(hits("client:tiger", &all()), ["baton-github dev"]);
    assert_eq!(hits("id:2ek4", &all()).len(), 2);
    assert_eq!(
        hits("ID:2EK4", &all()).len(),
        2,
        "names and values in any case"
    );
    assert_eq!(hits("conn:git", &all()), ["baton-github dev"], "an alias");
    assert_eq!(hits("name:\"github dev\"", &all()), ["baton-github dev"]);
}

#[test]
fn status_reads_the_groups_of_the_audit() {
    assert_eq!(hits("status:never-used", &all()), ["baton-github dev"]);
    assert_eq!(hits("status:never_used", &all()), ["baton-github dev"]);
    assert_eq!(hits("status:revoked", &all()), ["okta old"]);
    assert_eq!(
        hits("status:active", &all()),
        ["okta-connector prod", "baton-github dev"],
        "usable, as in the dashboard's active view: never used too"
    );
    assert!(hits("status:expired", &all()).is_empty());
    assert_eq!(
        hits("status:rev", &all()),
        ["okta old"],
        "a prefix of one status"
    );
    assert!(
        err("status:exp").message.contains("unknown status `exp`"),
        "expired or expiring"
    );
    let connector = Row {
        status: Status::NoCredential,
        flags: Flags::empty(),
        ..okta()
    };
    assert!(hits("status:active", std::slice::from_ref(&connector)).is_empty());
    assert_eq!(hits("status:no-credential", &[connector]).len(), 1);
}

#[test]
fn finding_matches_rows_that_carry_the_finding_and_nothing_else() {
    assert_eq!(hits("finding:CB-1.2", &all()), ["baton-github dev"]);
    assert_eq!(hits("finding:cb-1.2", &all()), ["baton-github dev"]);
    assert!(hits("finding:CB-1.1", &all()).is_empty());
}

#[test]
fn comparisons_of_times_hold_at_their_boundaries() {
    let at = |days| Row {
        last_used: Time::At(now() - Duration::days(days)),
        ..okta()
    };
    let one = |q: &str, r: Row| !hits(q, &[r]).is_empty();
    assert!(!one("lastused>90d", at(90)), "exactly 90 days is not more");
    assert!(one("lastused>=90d", at(90)));
    assert!(one("lastused>90d", at(91)));
    assert!(!one("lastused<90d", at(90)));
    assert!(one("lastused<=90d", at(90)));
    assert!(one("lastused<90d", at(89)));
    assert!(one("lastused>89d", at(90)));
    assert!(one("lastused>2159h", at(90)));
    assert!(!one("lastused>2160h", at(90)));
    assert!(one("lastused>12w", at(90)));
    assert!(!one("lastused>13w", at(90)));
    assert!(one("lastused<1y", at(90)));
    assert!(one("lastused>129599m", at(90)));
}

#[test]
fn never_is_older_than_anything() {
    assert_eq!(
        hits("lastused>90d", &all()),
        ["okta-connector prod", "baton-github dev", "okta old"]
    );
    assert!(hits("lastused>100000d", &all()).contains(&"baton-github dev".to_string()));
    assert_eq!(
        hits("lastused<200d", &all()).len(),
        2,
        "never is not recent"
    );
    assert_eq!(hits("lastused:never", &all()), ["baton-github dev"]);
    assert_eq!(hits("expires:never", &all()).len(), 2);
    assert_eq!(hits("expires<14d", &all()), ["baton-github dev"]);
    assert_eq!(hits("expires>14d", &all()).len(), 2, "no expiry is further");
    assert_eq!(hits("created<30d", &all()), ["baton-github dev"]);
    let expired = Row {
        expires: Time::At(now() - Duration::days(3)),
        ..okta()
    };
    assert_eq!(
        hits("expires<1d", &[expired]).len(),
        1,
        "expired: in the past"
    );
}

#[test]
fn a_time_not_known_matches_no_comparison() {
    let unknown = Row {
        last_used: Time::Unknown,
        created: Time::Unknown,
        expires: Time::Unknown,
        ..okta()
    };
    for q in [
        "lastused>1d",
        "lastused<1d",
        "lastused:never",
        "created<1y",
        "expires>1d",
    ] {
        assert!(hits(q, std::slice::from_ref(&unknown)).is_empty(), "{q}");
    }
    assert_eq!(hits("!lastused>1d", &[unknown]).len(), 1);
}

#[test]
fn the_okta_credentials_unused_for_90_days_in_one_filter() {
    let recent = Row {
        name: "okta recent".into(),
        last_used: Time::At(now() - Duration::days(2)),
        ..okta()
    };
    let rows = [okta(), github(), revoked(), recent];
    assert_eq!(
        hits("app:okta lastused>90d !revoked", &rows),
        ["okta-connector prod"]
    );
}

#[test]
fn regexes_match_in_any_case_and_are_bounded() {
    assert_eq!(hits("/^okta-/", &all()), ["okta-connector prod"]);
    assert_eq!(hits("/PROD$/", &all()), ["okta-connector prod"]);
    assert_eq!(hits("name:/^baton/", &all()), ["baton-github dev"]);
    assert_eq!(hits("!/okta/", &all()), ["baton-github dev"]);
    assert_eq!(hits(r"/a\/b|dev/", &all()), ["baton-github dev"]);
    let e = err("/(a{1000}){1000}/");
    assert!(e.message.contains("too big"), "{}", e.message);
    assert_eq!(e.span, 0..17);
}

#[test]
fn an_unknown_field_names_the_nearest_with_its_span() {
    let e = err("okta conector:baton");
    assert_eq!(
        e.message,
        "unknown field `conector`, did you mean `connector`?"
    );
    assert_eq!(e.span, 5..13);
    let e = err("stauts:idle");
    assert!(
        e.message.contains("did you mean `status`?"),
        "{}",
        e.message
    );
    let e = err("last-use>9d");
    assert!(
        e.message.contains("did you mean `lastused`?"),
        "{}",
        e.message
    );
    let e = err("zebra:1");
    assert!(
        e.message.contains("the fields are name, app,") && e.message.contains("\"zebra:1\""),
        "{}",
        e.message
    );
}

#[test]
fn text_with_colons_that_is_no_field_is_a_word() {
    let q = Query::parse("witty-badger@127.0.0.1:35483/pcc").unwrap();
    let r = Row {
        client: "witty-badger@127.0.0.1:35483/pcc".into(),
        ..okta()
    };
    assert!(q.matches(&r, now()));
    assert!(!q.matches(&github(), now()));
}

#[test]
fn mistakes_say_what_and_where() {
    let cases: [(&str, std::ops::Range<usize>, &str); 12] = [
        ("status:expird", 7..13, "did you mean `expired`?"),
        ("status:zzzzzz", 7..13, "the statuses are expired, expiring"),
        ("finding:CB-1.9", 8..14, "there is no check"),
        ("lastused>90", 9..11, "has no unit"),
        ("lastused>90x", 9..12, "unknown unit"),
        ("lastused>d", 9..10, "is not a duration"),
        ("lastused>99999999999999999999d", 9..30, "too long"),
        ("lastused:90d", 0..12, "is compared with `>` or `<`"),
        ("name>3d", 4..5, "`name` takes `:`"),
        ("app:", 0..4, "needs a value, e.g. app:okta"),
        ("a /okta", 2..7, "no closing `/`"),
        ("ok !", 3..4, "`!` needs a term"),
    ];
    for (q, span, says) in cases {
        let e = err(q);
        assert_eq!(e.span, span, "{q}: {}", e.message);
        assert!(e.message.contains(says), "{q}: {}", e.message);
    }
    let e = err("name:\"okta");
    assert_eq!((e.span, e.message.contains("closing `\"`")), (5..10, true));
    let e = err("/a(b/");
    assert!(e.message.starts_with("invalid regex: "), "{}", e.message);
    assert_eq!(e.span, 0..5);
}

#[test]
fn the_pointer_is_under_the_mistake() {
    let src = "app:okta conector:x";
    let e = err(src);
    assert_eq!(
        e.pointer(src),
        "  app:okta conector:x\n           ^^^^^^^^\nunknown field `conector`, did you mean `connector`?"
    );
}

#[test]
fn highlights_are_the_matched_text_of_words_as_shown() {
    let q = Query::parse("OKTA prod !dev name:conn status:active").unwrap();
    assert_eq!(
        q.highlights("Okta-Connector PROD okta", TextField::Name),
        [0..4, 5..9, 15..19, 20..24],
        "words and the name's own term"
    );
    assert_eq!(
        q.highlights("Okta (baton-okta)", TextField::Connector),
        [0..4, 12..16]
    );
    assert!(
        q.highlights("dev", TextField::Name).is_empty(),
        "not excluded words"
    );
    assert_eq!(
        q.highlights("ÉOKTA", TextField::App),
        vec![2..6],
        "on whole characters"
    );
    let q = Query::parse("/ok+a/").unwrap();
    assert_eq!(q.highlights("an OKKA", TextField::App), vec![3..7]);
}

/// A row that keeps its searched fields together, as the dashboard's rows do.
struct Joined(Row, String);

impl Joined {
    fn of(r: Row) -> Joined {
        let all = [&r.name, &r.app, &r.connector, &r.client, &r.id]
            .map(|s| s.as_str())
            .join("\n");
        Joined(r, all)
    }
}

impl Record for Joined {
    fn text(&self, field: TextField) -> &str {
        self.0.text(field)
    }
    fn searched_text(&self) -> Option<&str> {
        Some(&self.1)
    }
    fn flags(&self) -> Flags {
        self.0.flags()
    }
    fn status(&self) -> Status {
        self.0.status()
    }
    fn time(&self, field: TimeField) -> Time {
        self.0.time(field)
    }
}

#[test]
fn a_word_found_in_the_joined_text_is_the_word_found_field_by_field() {
    // Across two fields ("prod" ends the name, "okta" starts the app) is no match either way.
    for word in [
        "okta",
        "prodokta",
        "prod okta",
        "pcc",
        "active",
        "never",
        "2ek4",
        "(baton",
        "x",
        "",
    ] {
        let q = Query::parse(word).unwrap();
        for r in all() {
            let joined = Joined::of(r.clone());
            assert_eq!(
                q.matches(&joined, now()),
                q.matches(&r, now()),
                "{word:?} on {}",
                r.name
            );
        }
    }
}
