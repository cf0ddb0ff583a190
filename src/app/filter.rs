//! A row of the table as the filter language reads it (`crate::query`): its search text by
//! field, its flags and status, its times. The table keeps the last filter that parsed.

use crate::audit::catalog::CheckId;
use crate::audit::{Flags, Status};
use crate::query::{Record, TextField, Time, TimeField};

use super::inventory::{Entry, EntryKind, Field};

/// A row, for the filter.
pub struct Subject<'a>(pub Entry<'a>);

impl Record for Subject<'_> {
    fn text(&self, field: TextField) -> &str {
        let f = match field {
            TextField::Name => Field::Name,
            TextField::App => Field::App,
            TextField::Connector => Field::Connector,
            TextField::Client => Field::ClientId,
            TextField::Id => Field::Id,
            TextField::Status => return self.0.status.word(),
        };
        self.0.row().search.field(f)
    }

    fn searched_text(&self) -> Option<&str> {
        Some(self.0.row().search.as_str())
    }

    fn flags(&self) -> Flags {
        self.0.flags
    }

    fn status(&self) -> Status {
        self.0.status
    }

    fn time(&self, field: TimeField) -> Time {
        // A connector row, or a credential never fetched: nothing known of its times.
        let Some(c) = self
            .0
            .last
            .as_ref()
            .filter(|_| self.0.kind == EntryKind::Credential)
        else {
            return Time::Unknown;
        };
        let t = match field {
            TimeField::LastUsed => c.last_used_at,
            TimeField::Created => c.created_at,
            TimeField::Expires => c.expires_time,
        };
        Time::of_fetched(field, t)
    }

    /// The audit's findings on the row (`app::findings`), muted ones included.
    fn has_finding(&self, check: CheckId) -> bool {
        self.0.row().findings.has(check)
    }
}
