//! The rule of a rotation, by itself: plain data in, the next state and what happened out.
//! No clock (time comes in as `now`), no I/O.
//!
//! - Waiting, the new credential's `lastUsedAt` appears: ready (its connector switched).
//! - Waiting past the deadline without a first use: timed out.
//! - An old credential revoked by someone else, gone or expired meanwhile leaves the set:
//!   nothing is sent for it.
//! - Ready, and no old credential is left to revoke: done. Never done before the first use:
//!   the old ones all vanishing does not mean the connector switched.
//! - The new credential revoked, gone or expired while the rotation is open: abandoned, so
//!   that the old ones (which the connector may still need) are never revoked for it.
//! - A finished rotation (done, abandoned, timed out) never moves again.
//! - An old credential used after the new one's first use is not revoked ([`may_revoke`]):
//!   something still uses it (a second deployment of the connector); the rotation stays
//!   ready for the user to decide.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{AbandonReason, Fate, Rotation, RotationState};
use crate::api::ConnectorCredential;
use crate::model::KnownCredential;

/// What the inventory knows, now, of one of a rotation's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    Live {
        last_used_at: Option<DateTime<Utc>>,
    },
    Revoked {
        at: DateTime<Utc>,
    },
    Expired {
        at: DateTime<Utc>,
    },
    /// The server answered 404.
    Gone,
}

impl Known {
    /// A credential as the server returned it, judged at `now`.
    pub fn of_credential(c: &ConnectorCredential, now: DateTime<Utc>) -> Known {
        match (c.deleted_at, c.expires_time) {
            (Some(at), _) => Known::Revoked { at },
            (None, Some(at)) if at <= now => Known::Expired { at },
            _ => Known::Live {
                last_used_at: c.last_used_at,
            },
        }
    }

    /// What the inventory's row says at `now`; `None` when nothing was ever fetched.
    pub fn of(k: &KnownCredential, now: DateTime<Utc>) -> Option<Known> {
        if k.gone {
            return Some(Known::Gone);
        }
        k.last.as_ref().map(|c| Known::of_credential(c, now))
    }
}

/// What the machine is told.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// What the inventory knows of the rotation's credentials, by credential id (one left out
    /// is not known: nothing is decided about it).
    Seen(&'a HashMap<String, Known>),
    /// credboard revoked this old credential: the server accepted the revoke.
    Revoked(&'a str),
    /// The user gives the rotation up.
    Abandon,
}

/// What a step did, in order: each becomes a journal entry except [`Event::Revoked`] (the
/// revoke itself is journaled by `Ops`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    FirstUsed {
        at: DateTime<Utc>,
    },
    /// An old credential left the set without credboard revoking it; `at` is the server's
    /// time for it (its `deletedAt`, its expiry), when there is one.
    Left {
        credential_id: String,
        fate: Fate,
        at: Option<DateTime<Utc>>,
    },
    Revoked {
        credential_id: String,
    },
    Done,
    Abandoned(AbandonReason),
    TimedOut,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stepped {
    pub rotation: Rotation,
    pub events: Vec<Event>,
}

/// The rotation after `input` at `now`, and what happened, in order.
pub fn step(rotation: &Rotation, input: Input<'_>, now: DateTime<Utc>) -> Stepped {
    let mut r = rotation.clone();
    let mut events = Vec::new();
    if r.state.is_open() {
        match input {
            Input::Seen(seen) => see(&mut r, seen, now, &mut events),
            Input::Revoked(id) => {
                if settle(&mut r, id, Fate::Revoked, now) {
                    events.push(Event::Revoked {
                        credential_id: id.to_string(),
                    });
                }
            }
            Input::Abandon => end(
                &mut r,
                End::Abandoned(AbandonReason::ByUser),
                now,
                &mut events,
            ),
        }
        if r.state == RotationState::Ready && r.pending().next().is_none() {
            end(&mut r, End::Done, now, &mut events);
        }
    }
    Stepped {
        rotation: r,
        events,
    }
}

fn see(
    r: &mut Rotation,
    seen: &HashMap<String, Known>,
    now: DateTime<Utc>,
    events: &mut Vec<Event>,
) {
    let new = seen.get(&r.new_credential_id).copied();
    let dead = match new {
        Some(Known::Revoked { .. }) => Some(AbandonReason::NewRevoked),
        Some(Known::Gone) => Some(AbandonReason::NewGone),
        Some(Known::Expired { .. }) => Some(AbandonReason::NewExpired),
        _ => None,
    };
    if let Some(reason) = dead {
        return end(r, End::Abandoned(reason), now, events);
    }
    let leaving: Vec<(String, Fate, Option<DateTime<Utc>>)> = r
        .pending()
        .filter_map(|o| {
            let (fate, at) = match seen.get(&o.credential_id)? {
                Known::Revoked { at } => (Fate::RevokedElsewhere, Some(*at)),
                Known::Gone => (Fate::Gone, None),
                Known::Expired { at } => (Fate::Expired, Some(*at)),
                Known::Live { .. } => return None,
            };
            Some((o.credential_id.clone(), fate, at))
        })
        .collect();
    for (credential_id, fate, at) in leaving {
        settle(r, &credential_id, fate, now);
        events.push(Event::Left {
            credential_id,
            fate,
            at,
        });
    }
    if r.state == RotationState::Waiting {
        if let Some(Known::Live {
            last_used_at: Some(at),
        }) = new
        {
            r.state = RotationState::Ready;
            r.first_used_at = Some(at);
            events.push(Event::FirstUsed { at });
        } else if now > r.deadline {
            end(r, End::TimedOut, now, events);
        }
    }
}

/// Why an old credential of a rotation is not revoked now, although the rotation is ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Its `lastUsedAt` is after the new credential's first use: something (another
    /// deployment of the connector, a script) still uses it.
    StillUsed {
        last_used_at: DateTime<Utc>,
        first_used_at: DateTime<Utc>,
    },
}

impl Refusal {
    /// In words, naming the credential: why it is left live.
    pub fn words(&self, credential_id: &str) -> String {
        match self {
            Refusal::StillUsed {
                last_used_at,
                first_used_at,
            } => format!(
                "not revoked: something still uses it: credential {credential_id} was used at \
                 {}, after the new credential's first use at {} (a second deployment of the \
                 connector?); find what uses it, then revoke it yourself or abandon the rotation",
                last_used_at.format("%Y-%m-%d %H:%M:%S UTC"),
                first_used_at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
        }
    }
}

/// Whether the old credential `credential_id` of rotation `r`, known now as `known`, may be
/// revoked for it: refused when it was used after the new credential's first use. Only a
/// live old credential of a ready rotation is asked about; anything else is not refused
/// here (the machine settles it).
pub fn may_revoke(r: &Rotation, credential_id: &str, known: Known) -> Result<(), Refusal> {
    let is_old = r.old.iter().any(|o| o.credential_id == credential_id);
    match (is_old, r.first_used_at, known) {
        (
            true,
            Some(first_used_at),
            Known::Live {
                last_used_at: Some(last_used_at),
            },
        ) if last_used_at > first_used_at => Err(Refusal::StillUsed {
            last_used_at,
            first_used_at,
        }),
        _ => Ok(()),
    }
}

/// Marks a pending old credential settled; false if it is not one.
fn settle(r: &mut Rotation, credential_id: &str, fate: Fate, now: DateTime<Utc>) -> bool {
    match r
        .old
        .iter_mut()
        .find(|o| o.credential_id == credential_id && o.fate == Fate::Pending)
    {
        Some(o) => {
            o.fate = fate;
            o.settled_at = Some(now);
            true
        }
        None => false,
    }
}

/// How a rotation can end.
#[derive(Clone, Copy)]
enum End {
    Done,
    TimedOut,
    Abandoned(AbandonReason),
}

fn end(r: &mut Rotation, how: End, now: DateTime<Utc>, events: &mut Vec<Event>) {
    let (state, event) = match how {
        End::Done => (RotationState::Done, Event::Done),
        End::TimedOut => (RotationState::TimedOut, Event::TimedOut),
        End::Abandoned(reason) => (RotationState::Abandoned(reason), Event::Abandoned(reason)),
    };
    r.state = state;
    r.ended_at = Some(now);
    events.push(event);
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::rotation::{NewRotation, RotationId};

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    /// A rotation of connector 2Conn to new credential `new`, started at t(0).
    fn draft(old: &[&str]) -> NewRotation {
        NewRotation {
            app_id: "2App".into(),
            connector_id: "2Conn".into(),
            new_credential_id: "new".into(),
            old_credential_ids: old.iter().map(|id| id.to_string()).collect(),
            started_at: t(0),
        }
    }

    /// Rotation 1, replacing `a` and `b`.
    fn rotation() -> Rotation {
        draft(&["b", "a"]).numbered(RotationId(1))
    }

    fn live(last_used: Option<i64>) -> Known {
        Known::Live {
            last_used_at: last_used.map(t),
        }
    }

    fn seen(known: &[(&str, Known)]) -> HashMap<String, Known> {
        known.iter().map(|(id, k)| (id.to_string(), *k)).collect()
    }

    fn fates(r: &Rotation) -> Vec<(&str, Fate)> {
        r.old
            .iter()
            .map(|o| (o.credential_id.as_str(), o.fate))
            .collect()
    }

    #[test]
    fn it_starts_waiting_with_every_old_credential_pending_once() {
        let mut start = draft(&["b", "a", "b"]).numbered(RotationId(4));
        assert_eq!(start.state, RotationState::Waiting);
        assert_eq!(fates(&start), [("a", Fate::Pending), ("b", Fate::Pending)]);
        assert_eq!(start.deadline, t(0) + crate::rotation::FIRST_USE_DEADLINE);
        start.state = RotationState::Ready;
        let watched: Vec<String> = start
            .watched()
            .into_iter()
            .map(|k| k.credential_id)
            .collect();
        assert_eq!(watched, ["new", "a", "b"]);
    }

    #[test]
    fn unused_it_keeps_waiting_and_nothing_happens() {
        let r = rotation();
        let s = seen(&[
            ("new", live(None)),
            ("a", live(Some(-5))),
            ("b", live(None)),
        ]);
        let out = step(&r, Input::Seen(&s), t(60));
        assert_eq!(out.rotation, r);
        assert_eq!(out.events, []);
        // Nothing known at all: nothing decided either.
        assert_eq!(step(&r, Input::Seen(&HashMap::new()), t(60)).rotation, r);
    }

    #[test]
    fn the_first_use_makes_it_ready_and_revoking_every_old_one_makes_it_done() {
        let r = rotation();
        let s = seen(&[
            ("new", live(Some(30))),
            ("a", live(Some(-5))),
            ("b", live(None)),
        ]);
        let ready = step(&r, Input::Seen(&s), t(60));
        assert_eq!(ready.rotation.state, RotationState::Ready);
        assert_eq!(ready.rotation.first_used_at, Some(t(30)));
        assert_eq!(ready.events, [Event::FirstUsed { at: t(30) }]);

        let one = step(&ready.rotation, Input::Revoked("a"), t(70));
        assert_eq!(one.rotation.state, RotationState::Ready);
        assert_eq!(
            fates(&one.rotation),
            [("a", Fate::Revoked), ("b", Fate::Pending)]
        );
        assert_eq!(one.rotation.old[0].settled_at, Some(t(70)));
        let both = step(&one.rotation, Input::Revoked("b"), t(80));
        assert_eq!(both.rotation.state, RotationState::Done);
        assert_eq!(both.rotation.ended_at, Some(t(80)));
        assert_eq!(
            both.events,
            [
                Event::Revoked {
                    credential_id: "b".into()
                },
                Event::Done
            ]
        );
        // Done never moves again, whatever it is told.
        for input in [Input::Abandon, Input::Revoked("a"), Input::Seen(&s)] {
            let after = step(&both.rotation, input, t(90));
            assert_eq!(after.rotation, both.rotation);
            assert_eq!(after.events, []);
        }
    }

    #[test]
    fn a_revoke_of_an_id_it_does_not_hold_pending_changes_nothing() {
        let r = rotation();
        let out = step(&r, Input::Revoked("stranger"), t(5));
        assert_eq!(out.rotation, r);
        assert_eq!(out.events, []);
    }

    #[test]
    fn an_old_one_revoked_by_someone_else_leaves_the_set_even_while_waiting() {
        let r = rotation();
        let s = seen(&[("new", live(None)), ("a", Known::Revoked { at: t(20) })]);
        let out = step(&r, Input::Seen(&s), t(60));
        assert_eq!(out.rotation.state, RotationState::Waiting);
        assert_eq!(
            fates(&out.rotation),
            [("a", Fate::RevokedElsewhere), ("b", Fate::Pending)]
        );
        assert_eq!(
            out.events,
            [Event::Left {
                credential_id: "a".into(),
                fate: Fate::RevokedElsewhere,
                at: Some(t(20)),
            }]
        );
    }

    #[test]
    fn every_old_one_vanishing_while_waiting_is_not_done_until_the_first_use() {
        let r = rotation();
        let s = seen(&[
            ("new", live(None)),
            ("a", Known::Gone),
            ("b", Known::Expired { at: t(10) }),
        ]);
        let waiting = step(&r, Input::Seen(&s), t(60));
        assert_eq!(waiting.rotation.state, RotationState::Waiting);
        assert_eq!(
            fates(&waiting.rotation),
            [("a", Fate::Gone), ("b", Fate::Expired)]
        );
        let used = seen(&[("new", live(Some(70)))]);
        let done = step(&waiting.rotation, Input::Seen(&used), t(80));
        assert_eq!(done.rotation.state, RotationState::Done);
        assert_eq!(done.events, [Event::FirstUsed { at: t(70) }, Event::Done]);
    }

    #[test]
    fn ready_and_the_rest_revoked_by_someone_else_is_done_without_a_revoke() {
        let r = rotation();
        let used = seen(&[("new", live(Some(30)))]);
        let ready = step(&r, Input::Seen(&used), t(40)).rotation;
        let one = step(&ready, Input::Revoked("a"), t(50)).rotation;
        let s = seen(&[("new", live(Some(45))), ("b", Known::Revoked { at: t(55) })]);
        let out = step(&one, Input::Seen(&s), t(60));
        assert_eq!(out.rotation.state, RotationState::Done);
        assert_eq!(
            fates(&out.rotation),
            [("a", Fate::Revoked), ("b", Fate::RevokedElsewhere)]
        );
        assert_eq!(out.events.last(), Some(&Event::Done));
    }

    #[test]
    fn waiting_past_the_deadline_times_out_but_a_late_first_use_still_counts() {
        let r = rotation();
        let unused = seen(&[("new", live(None))]);
        let at_deadline = step(&r, Input::Seen(&unused), r.deadline);
        assert_eq!(at_deadline.rotation.state, RotationState::Waiting);
        let late = r.deadline + chrono::TimeDelta::seconds(1);
        let out = step(&r, Input::Seen(&unused), late);
        assert_eq!(out.rotation.state, RotationState::TimedOut);
        assert_eq!(out.rotation.ended_at, Some(late));
        assert_eq!(out.events, [Event::TimedOut]);
        // Nothing seen at all past the deadline times out too: there was no first use.
        let blind = step(&r, Input::Seen(&HashMap::new()), late);
        assert_eq!(blind.rotation.state, RotationState::TimedOut);
        // Used, even if credboard only sees it after the deadline: the connector switched.
        let used = seen(&[("new", live(Some(100)))]);
        let ready = step(&r, Input::Seen(&used), late);
        assert_eq!(ready.rotation.state, RotationState::Ready);
        // Ready has no deadline: the old ones still need revoking.
        let much_later = late + chrono::TimeDelta::days(30);
        let still = step(&ready.rotation, Input::Seen(&used), much_later);
        assert_eq!(still.rotation.state, RotationState::Ready);
    }

    #[test]
    fn the_new_credential_dying_abandons_it_and_no_old_one_is_settled() {
        for (known, reason) in [
            (Known::Revoked { at: t(9) }, AbandonReason::NewRevoked),
            (Known::Gone, AbandonReason::NewGone),
            (Known::Expired { at: t(9) }, AbandonReason::NewExpired),
        ] {
            let ready = step(
                &rotation(),
                Input::Seen(&seen(&[("new", live(Some(5)))])),
                t(6),
            )
            .rotation;
            for r in [rotation(), ready] {
                let s = seen(&[("new", known), ("a", Known::Revoked { at: t(9) })]);
                let out = step(&r, Input::Seen(&s), t(10));
                assert_eq!(out.rotation.state, RotationState::Abandoned(reason));
                assert_eq!(out.events, [Event::Abandoned(reason)]);
                assert_eq!(fates(&out.rotation), fates(&r), "{reason:?}");
            }
        }
    }

    #[test]
    fn the_user_abandons_an_open_rotation_only() {
        let out = step(&rotation(), Input::Abandon, t(10));
        let abandoned = RotationState::Abandoned(AbandonReason::ByUser);
        assert_eq!(out.rotation.state, abandoned);
        assert_eq!(out.events, [Event::Abandoned(AbandonReason::ByUser)]);
        let timed_out = step(
            &rotation(),
            Input::Seen(&HashMap::new()),
            rotation().deadline + chrono::TimeDelta::seconds(1),
        )
        .rotation;
        let again = step(&timed_out, Input::Abandon, t(10));
        assert_eq!(again.rotation.state, RotationState::TimedOut);
        assert_eq!(again.events, []);
    }

    #[test]
    fn an_old_one_used_after_the_new_ones_first_use_is_refused_and_the_rotation_stays_ready() {
        let used = seen(&[("new", live(Some(30)))]);
        let ready = step(&rotation(), Input::Seen(&used), t(40)).rotation;
        // Used before the switch, never used, or used at the very instant: revocable.
        for k in [live(Some(10)), live(None), live(Some(30))] {
            assert_eq!(may_revoke(&ready, "a", k), Ok(()), "{k:?}");
        }
        // Used after the new one's first use: a second deployment still holds it.
        let refused = may_revoke(&ready, "a", live(Some(31)));
        assert_eq!(
            refused,
            Err(Refusal::StillUsed {
                last_used_at: t(31),
                first_used_at: t(30),
            })
        );
        let words = refused.unwrap_err().words("a");
        assert!(
            words.contains("credential a") && words.contains("not revoked"),
            "{words}"
        );
        // Seeing it so changes nothing: still ready, still pending, no event.
        let s = seen(&[("new", live(Some(30))), ("a", live(Some(31)))]);
        let after = step(&ready, Input::Seen(&s), t(50));
        assert_eq!(after.rotation, ready);
        assert_eq!(after.events, []);
        // Waiting (no first use yet), or a credential it does not replace: not its to refuse.
        assert_eq!(may_revoke(&rotation(), "a", live(Some(31))), Ok(()));
        assert_eq!(may_revoke(&ready, "stranger", live(Some(99))), Ok(()));
    }

    #[test]
    fn known_states_come_from_the_inventorys_row() {
        let mut c = ConnectorCredential::default();
        assert_eq!(
            Known::of_credential(&c, t(0)),
            Known::Live { last_used_at: None }
        );
        c.expires_time = Some(t(0));
        assert_eq!(Known::of_credential(&c, t(0)), Known::Expired { at: t(0) });
        c.deleted_at = Some(t(-1));
        assert_eq!(Known::of_credential(&c, t(0)), Known::Revoked { at: t(-1) });
        let mut row = KnownCredential {
            key: Default::default(),
            source: crate::model::Source::Rotate,
            learned_at: t(0),
            last: None,
            gone: false,
            fetched_at: None,
        };
        assert_eq!(Known::of(&row, t(0)), None);
        row.gone = true;
        assert_eq!(Known::of(&row, t(0)), Some(Known::Gone));
    }
}
