//! The journal entries a rotation's steps become: one when it starts, one per event of the
//! machine (a revoke is journaled by `Ops` itself). Each names the rotation by its number.

use chrono::{DateTime, Utc};

use super::machine::Event;
use super::{Fate, Rotation};
use crate::model::{Action, JournalEntry, Outcome};

/// Who takes a rotation's steps, for the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The profile credboard runs with; empty when none was named.
    pub profile: String,
    /// The client id credboard acts as; `None` with a ready-made access token.
    pub client_id: Option<String>,
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn list(ids: impl Iterator<Item = impl AsRef<str>>) -> String {
    let ids: Vec<String> = ids.map(|id| id.as_ref().to_string()).collect();
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.join(", ")
    }
}

fn entry(
    r: &Rotation,
    credential_id: &str,
    outcome: Outcome,
    actor: &Actor,
    at: DateTime<Utc>,
) -> JournalEntry {
    JournalEntry {
        time: at,
        profile: actor.profile.clone(),
        actor_client_id: actor.client_id.clone(),
        action: Action::Rotate,
        app_id: r.app_id.clone(),
        connector_id: r.connector_id.clone(),
        credential_id: Some(credential_id.to_string()),
        outcome,
    }
}

/// The entry of a rotation that starts: under the new credential, naming the old ones.
pub fn started(r: &Rotation, actor: &Actor, at: DateTime<Utc>) -> JournalEntry {
    let message = format!(
        "rotation {}: the new credential {} waits for its connector's first use (until {}); it \
         is to replace {}",
        r.id,
        r.new_credential_id,
        when(r.deadline),
        list(r.old.iter().map(|o| &o.credential_id))
    );
    entry(
        r,
        &r.new_credential_id,
        Outcome::RotationStarted(message),
        actor,
        at,
    )
}

/// The entry of an old credential the procedure refused to revoke (see
/// [`super::machine::may_revoke`]): nothing was sent.
pub fn refused(
    r: &Rotation,
    credential_id: &str,
    refusal: &super::machine::Refusal,
    actor: &Actor,
    at: DateTime<Utc>,
) -> JournalEntry {
    let message = format!(
        "rotation {}: {}; the rotation stays ready, credboard sent nothing for it",
        r.id,
        refusal.words(credential_id)
    );
    let mut e = entry(r, credential_id, Outcome::Failed(message), actor, at);
    e.action = Action::Revoke;
    e
}

/// The entries of `events`, the rotation being `r` after them.
pub fn entries(
    r: &Rotation,
    events: &[Event],
    actor: &Actor,
    at: DateTime<Utc>,
) -> Vec<JournalEntry> {
    let pending = || list(r.pending().map(|o| &o.credential_id));
    events
        .iter()
        .filter_map(|event| {
            let (credential_id, outcome) = match event {
                Event::Revoked { .. } => return None,
                Event::FirstUsed { at } => (
                    r.new_credential_id.as_str(),
                    Outcome::FirstUsed(format!(
                        "rotation {}: the connector used the new credential at {}; ready to \
                         revoke {}",
                        r.id,
                        when(*at),
                        pending()
                    )),
                ),
                Event::Left {
                    credential_id,
                    fate,
                    at,
                } => (
                    credential_id.as_str(),
                    Outcome::LeftRotation(format!(
                        "rotation {}: {}{}, so it leaves the set; credboard sent nothing for it",
                        r.id,
                        fate.words(),
                        at.map(|t| format!(" at {}", when(t))).unwrap_or_default()
                    )),
                ),
                Event::Done => {
                    let by_us = r.old.iter().filter(|o| o.fate == Fate::Revoked).count();
                    (
                        r.new_credential_id.as_str(),
                        Outcome::RotationDone(format!(
                            "rotation {}: no old credential is left live ({by_us} revoked by \
                             credboard, {} left the set otherwise)",
                            r.id,
                            r.old.len() - by_us
                        )),
                    )
                }
                Event::Abandoned(reason) => (
                    r.new_credential_id.as_str(),
                    Outcome::RotationAbandoned(format!(
                        "rotation {}: {}; nothing more is revoked for it (old credentials left \
                         live: {})",
                        r.id,
                        reason.words(),
                        pending()
                    )),
                ),
                Event::TimedOut => (
                    r.new_credential_id.as_str(),
                    Outcome::RotationTimedOut(format!(
                        "rotation {}: the new credential was not used by {}; the old ones stay \
                         live ({}): check the connector, then revoke the unused new credential \
                         or rotate again",
                        r.id,
                        when(r.deadline),
                        pending()
                    )),
                ),
            };
            Some(entry(r, credential_id, outcome, actor, at))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::rotation::machine::{Input, Known, step};
    use crate::rotation::{NewRotation, RotationId};

    #[test]
    fn each_step_is_journaled_under_the_credential_it_concerns_and_a_revoke_is_not_twice() {
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let r = NewRotation {
            app_id: "2App".into(),
            connector_id: "2Conn".into(),
            new_credential_id: "new".into(),
            old_credential_ids: vec!["a".into(), "b".into()],
            started_at: t0,
        }
        .numbered(RotationId(7));
        let actor = Actor {
            profile: "prod".into(),
            client_id: Some("me@acme.conductor.one/pcc".into()),
        };
        let start = started(&r, &actor, t0);
        assert_eq!(start.credential_id.as_deref(), Some("new"));
        assert_eq!(start.outcome.kind(), "rotation_started");
        assert!(
            start.outcome.to_string().contains("rotation 7")
                && start.outcome.to_string().contains("a, b"),
            "{}",
            start.outcome
        );

        let seen = [
            (
                "new".to_string(),
                Known::Live {
                    last_used_at: Some(t0),
                },
            ),
            ("b".to_string(), Known::Revoked { at: t0 }),
        ]
        .into();
        let ready = step(&r, Input::Seen(&seen), t0);
        let revoked = step(&ready.rotation, Input::Revoked("a"), t0);
        let mut events = ready.events.clone();
        events.extend(revoked.events.clone());
        let written = entries(&revoked.rotation, &events, &actor, t0);
        let said: Vec<(&str, &str)> = written
            .iter()
            .map(|e| (e.credential_id.as_deref().unwrap(), e.outcome.kind()))
            .collect();
        assert_eq!(
            said,
            [
                ("b", "left_rotation"),
                ("new", "first_used"),
                ("new", "rotation_done")
            ]
        );
        assert!(
            written[0]
                .outcome
                .to_string()
                .contains("revoked by someone else")
        );
        assert!(
            written[2]
                .outcome
                .to_string()
                .contains("1 revoked by credboard")
        );
        assert!(written.iter().all(|e| e.actor_client_id == actor.client_id));
    }
}
