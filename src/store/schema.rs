//! The inventory's schema and its migrations.
//!
//! `PRAGMA user_version` holds how many entries of [`MIGRATIONS`] have been applied. Each
//! migration runs in its own `BEGIN IMMEDIATE` transaction that re-reads the version first, so
//! two processes opening a fresh file at once cannot apply one twice. Never edit a published
//! migration: append a new one.

/// Migration `i` brings the schema from version `i` to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: tracked credentials with their last known state, apps, connectors, the journal.
    r#"
    -- One row per tracked credential. The last known state sits beside the ids: the dashboard
    -- reads one table, in primary-key order, to draw at start. There is no secret column:
    -- `json` is a serialized ConnectorCredential, and the model never serializes its secret.
    CREATE TABLE credentials (
        profile       TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        app_id        TEXT NOT NULL,
        connector_id  TEXT NOT NULL,
        source        TEXT NOT NULL CHECK (source IN ('rotate', 'import', 'manual')),
        learned_at    TEXT NOT NULL,
        json          TEXT,
        fetched_at    TEXT,
        gone          INTEGER NOT NULL DEFAULT 0 CHECK (gone IN (0, 1)),
        PRIMARY KEY (profile, credential_id)
    ) WITHOUT ROWID;

    CREATE TABLE apps (
        profile    TEXT NOT NULL,
        app_id     TEXT NOT NULL,
        json       TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (profile, app_id)
    ) WITHOUT ROWID;

    CREATE TABLE connectors (
        profile      TEXT NOT NULL,
        app_id       TEXT NOT NULL,
        connector_id TEXT NOT NULL,
        json         TEXT NOT NULL,
        fetched_at   TEXT NOT NULL,
        PRIMARY KEY (profile, app_id, connector_id)
    ) WITHOUT ROWID;

    -- Append-only: AUTOINCREMENT never reuses an id, and the triggers refuse any change.
    CREATE TABLE journal (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        profile         TEXT NOT NULL,
        time            TEXT NOT NULL,
        actor_client_id TEXT,
        action          TEXT NOT NULL CHECK (action IN ('revoke', 'rotate')),
        app_id          TEXT NOT NULL,
        connector_id    TEXT NOT NULL,
        credential_id   TEXT,
        outcome         TEXT NOT NULL CHECK (outcome IN ('ok', 'already_gone', 'failed')),
        message         TEXT
    );
    CREATE INDEX journal_by_profile ON journal (profile, id);
    CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    "#,
    // 2: rows are keyed by tenant (host[:port], see `Tenant`), not by profile name, and the
    // journal is written ahead: a `requested` entry before a request leaves, its outcome
    // after, in a second entry whose `request_id` names the first. New outcomes: `not_found`
    // (revoke of ids the server does not hold) and `unknown` (a request whose outcome was
    // never recorded and cannot be checked).
    //
    // Schema 1 says only which profile wrote a row, not which tenant that profile reached, so
    // its rows are kept as they are in `unadopted_*` tables: the first tenant opened under
    // that profile name adopts them (`Store::open_for_profile`), and `adoptions` remembers
    // which tenant took each profile. Nothing is lost or guessed: rows of a profile nobody
    // opens again stay there, and credboard names them when it starts.
    //
    // The journal is append-only, so its rows cannot be moved: schema-1 entries keep a NULL
    // tenant and belong to the tenant that adopted their profile. SQLite cannot change a
    // CHECK in place, so the journal table is rebuilt: every entry is copied with its id (the
    // append-only triggers are dropped for the copy and made again on the new table), then
    // the old table is dropped.
    r#"
    ALTER TABLE credentials RENAME TO unadopted_credentials;
    ALTER TABLE apps RENAME TO unadopted_apps;
    ALTER TABLE connectors RENAME TO unadopted_connectors;

    CREATE TABLE credentials (
        tenant        TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        app_id        TEXT NOT NULL,
        connector_id  TEXT NOT NULL,
        source        TEXT NOT NULL CHECK (source IN ('rotate', 'import', 'manual')),
        learned_at    TEXT NOT NULL,
        json          TEXT,
        fetched_at    TEXT,
        gone          INTEGER NOT NULL DEFAULT 0 CHECK (gone IN (0, 1)),
        PRIMARY KEY (tenant, credential_id)
    ) WITHOUT ROWID;

    CREATE TABLE apps (
        tenant     TEXT NOT NULL,
        app_id     TEXT NOT NULL,
        json       TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (tenant, app_id)
    ) WITHOUT ROWID;

    CREATE TABLE connectors (
        tenant       TEXT NOT NULL,
        app_id       TEXT NOT NULL,
        connector_id TEXT NOT NULL,
        json         TEXT NOT NULL,
        fetched_at   TEXT NOT NULL,
        PRIMARY KEY (tenant, app_id, connector_id)
    ) WITHOUT ROWID;

    CREATE TABLE adoptions (
        profile    TEXT PRIMARY KEY,
        tenant     TEXT NOT NULL,
        adopted_at TEXT NOT NULL
    ) WITHOUT ROWID;

    DROP TRIGGER journal_is_append_only_update;
    DROP TRIGGER journal_is_append_only_delete;
    DROP INDEX journal_by_profile;
    ALTER TABLE journal RENAME TO journal_schema_1;
    CREATE TABLE journal (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        -- NULL only for entries of schema 1: see `adoptions`.
        tenant          TEXT,
        -- The profile credboard ran with, for the record.
        profile         TEXT NOT NULL,
        time            TEXT NOT NULL,
        actor_client_id TEXT,
        action          TEXT NOT NULL CHECK (action IN ('revoke', 'rotate')),
        app_id          TEXT NOT NULL,
        connector_id    TEXT NOT NULL,
        credential_id   TEXT,
        outcome         TEXT NOT NULL CHECK (outcome IN
                            ('requested', 'ok', 'already_gone', 'not_found', 'failed', 'unknown')),
        message         TEXT,
        -- An outcome's request; NULL for a request, and for an entry that answers none
        -- (every entry of schema 1, and actions refused before anything was sent).
        request_id      INTEGER REFERENCES journal (id),
        -- The process that wrote the entry: a request still in flight in another running
        -- credboard is not taken for an abandoned one. NULL for entries of schema 1.
        pid             INTEGER
    );
    INSERT INTO journal (id, tenant, profile, time, actor_client_id, action, app_id,
                         connector_id, credential_id, outcome, message)
    SELECT id, NULL, profile, time, actor_client_id, action, app_id, connector_id,
           credential_id, outcome, message
    FROM journal_schema_1 ORDER BY id;
    DROP TABLE journal_schema_1;
    CREATE INDEX journal_by_tenant ON journal (tenant, id);
    CREATE INDEX journal_by_profile ON journal (profile, id);
    CREATE INDEX journal_by_request ON journal (request_id);
    CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    "#,
    // 3: credentials, apps and connectors in typed columns, one per field credboard reads,
    // instead of a JSON object each: read with one plain query, no decoder. The schema-1 rows
    // waiting for adoption get the same columns, so adopting them is a copy. Times are RFC
    // 3339 text in UTC as `columns::time_text` writes them (the JSON held the same text); a
    // connector's user ids stay a JSON array. Every JSON value is taken as the old reader
    // took it: "" is unset. A row whose JSON cannot be read stops the upgrade (nothing is
    // lost; the error names the file). The journal is already typed and is not touched.
    r#"
    ALTER TABLE credentials RENAME TO credentials_schema_2;
    ALTER TABLE apps RENAME TO apps_schema_2;
    ALTER TABLE connectors RENAME TO connectors_schema_2;
    ALTER TABLE unadopted_credentials RENAME TO unadopted_credentials_schema_2;
    ALTER TABLE unadopted_apps RENAME TO unadopted_apps_schema_2;
    ALTER TABLE unadopted_connectors RENAME TO unadopted_connectors_schema_2;

    -- There is no secret column: a client secret exists once, in memory.
    CREATE TABLE credentials (
        tenant        TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        app_id        TEXT NOT NULL,
        connector_id  TEXT NOT NULL,
        source        TEXT NOT NULL CHECK (source IN ('rotate', 'import', 'manual')),
        learned_at    TEXT NOT NULL,
        -- When the server last answered for it, with its state or a 404.
        fetched_at    TEXT,
        gone          INTEGER NOT NULL DEFAULT 0 CHECK (gone IN (0, 1)),
        -- 1 once the server's state was saved: the columns below hold it (kept when gone).
        has_state     INTEGER NOT NULL DEFAULT 0 CHECK (has_state IN (0, 1)),
        display_name  TEXT,
        client_id     TEXT,
        created_at    TEXT,
        updated_at    TEXT,
        deleted_at    TEXT,
        expires_time  TEXT,
        last_used_at  TEXT,
        PRIMARY KEY (tenant, credential_id)
    ) WITHOUT ROWID;

    CREATE TABLE apps (
        tenant       TEXT NOT NULL,
        app_id       TEXT NOT NULL,
        display_name TEXT,
        description  TEXT,
        is_directory INTEGER NOT NULL DEFAULT 0 CHECK (is_directory IN (0, 1)),
        user_count   INTEGER,
        created_at   TEXT,
        updated_at   TEXT,
        deleted_at   TEXT,
        fetched_at   TEXT NOT NULL,
        PRIMARY KEY (tenant, app_id)
    ) WITHOUT ROWID;

    CREATE TABLE connectors (
        tenant               TEXT NOT NULL,
        app_id               TEXT NOT NULL,
        connector_id         TEXT NOT NULL,
        display_name         TEXT,
        description          TEXT,
        -- 1 when the server sent a sync status object, even one with every field unset.
        has_sync_status      INTEGER NOT NULL DEFAULT 0 CHECK (has_sync_status IN (0, 1)),
        sync_status          TEXT,
        sync_last_error      TEXT,
        sync_completed_at    TEXT,
        created_at           TEXT,
        updated_at           TEXT,
        deleted_at           TEXT,
        sync_disabled_at     TEXT,
        sync_disabled_reason TEXT,
        -- A JSON array of strings.
        user_ids             TEXT NOT NULL DEFAULT '[]',
        fetched_at           TEXT NOT NULL,
        PRIMARY KEY (tenant, app_id, connector_id)
    ) WITHOUT ROWID;

    CREATE TABLE unadopted_credentials (
        profile       TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        app_id        TEXT NOT NULL,
        connector_id  TEXT NOT NULL,
        source        TEXT NOT NULL CHECK (source IN ('rotate', 'import', 'manual')),
        learned_at    TEXT NOT NULL,
        fetched_at    TEXT,
        gone          INTEGER NOT NULL DEFAULT 0 CHECK (gone IN (0, 1)),
        has_state     INTEGER NOT NULL DEFAULT 0 CHECK (has_state IN (0, 1)),
        display_name  TEXT,
        client_id     TEXT,
        created_at    TEXT,
        updated_at    TEXT,
        deleted_at    TEXT,
        expires_time  TEXT,
        last_used_at  TEXT,
        PRIMARY KEY (profile, credential_id)
    ) WITHOUT ROWID;

    CREATE TABLE unadopted_apps (
        profile      TEXT NOT NULL,
        app_id       TEXT NOT NULL,
        display_name TEXT,
        description  TEXT,
        is_directory INTEGER NOT NULL DEFAULT 0 CHECK (is_directory IN (0, 1)),
        user_count   INTEGER,
        created_at   TEXT,
        updated_at   TEXT,
        deleted_at   TEXT,
        fetched_at   TEXT NOT NULL,
        PRIMARY KEY (profile, app_id)
    ) WITHOUT ROWID;

    CREATE TABLE unadopted_connectors (
        profile              TEXT NOT NULL,
        app_id               TEXT NOT NULL,
        connector_id         TEXT NOT NULL,
        display_name         TEXT,
        description          TEXT,
        has_sync_status      INTEGER NOT NULL DEFAULT 0 CHECK (has_sync_status IN (0, 1)),
        sync_status          TEXT,
        sync_last_error      TEXT,
        sync_completed_at    TEXT,
        created_at           TEXT,
        updated_at           TEXT,
        deleted_at           TEXT,
        sync_disabled_at     TEXT,
        sync_disabled_reason TEXT,
        user_ids             TEXT NOT NULL DEFAULT '[]',
        fetched_at           TEXT NOT NULL,
        PRIMARY KEY (profile, app_id, connector_id)
    ) WITHOUT ROWID;

    INSERT INTO credentials
    SELECT tenant, credential_id, app_id, connector_id, source, learned_at, fetched_at, gone,
           json IS NOT NULL,
           NULLIF(json_extract(json, '$.displayName'), ''),
           NULLIF(json_extract(json, '$.clientId'), ''),
           NULLIF(json_extract(json, '$.createdAt'), ''),
           NULLIF(json_extract(json, '$.updatedAt'), ''),
           NULLIF(json_extract(json, '$.deletedAt'), ''),
           NULLIF(json_extract(json, '$.expiresTime'), ''),
           NULLIF(json_extract(json, '$.lastUsedAt'), '')
    FROM credentials_schema_2;
    INSERT INTO unadopted_credentials
    SELECT profile, credential_id, app_id, connector_id, source, learned_at, fetched_at, gone,
           json IS NOT NULL,
           NULLIF(json_extract(json, '$.displayName'), ''),
           NULLIF(json_extract(json, '$.clientId'), ''),
           NULLIF(json_extract(json, '$.createdAt'), ''),
           NULLIF(json_extract(json, '$.updatedAt'), ''),
           NULLIF(json_extract(json, '$.deletedAt'), ''),
           NULLIF(json_extract(json, '$.expiresTime'), ''),
           NULLIF(json_extract(json, '$.lastUsedAt'), '')
    FROM unadopted_credentials_schema_2;

    -- `userCount` was written as a string of digits (int64 on the wire).
    INSERT INTO apps
    SELECT tenant, app_id,
           NULLIF(json_extract(json, '$.displayName'), ''),
           NULLIF(json_extract(json, '$.description'), ''),
           coalesce(json_extract(json, '$.isDirectory'), 0),
           CAST(NULLIF(json_extract(json, '$.userCount'), '') AS INTEGER),
           NULLIF(json_extract(json, '$.createdAt'), ''),
           NULLIF(json_extract(json, '$.updatedAt'), ''),
           NULLIF(json_extract(json, '$.deletedAt'), ''),
           fetched_at
    FROM apps_schema_2;
    INSERT INTO unadopted_apps
    SELECT profile, app_id,
           NULLIF(json_extract(json, '$.displayName'), ''),
           NULLIF(json_extract(json, '$.description'), ''),
           coalesce(json_extract(json, '$.isDirectory'), 0),
           CAST(NULLIF(json_extract(json, '$.userCount'), '') AS INTEGER),
           NULLIF(json_extract(json, '$.createdAt'), ''),
           NULLIF(json_extract(json, '$.updatedAt'), ''),
           NULLIF(json_extract(json, '$.deletedAt'), ''),
           fetched_at
    FROM unadopted_apps_schema_2;

    INSERT INTO connectors
    SELECT tenant, app_id, connector_id,
           NULLIF(json_extract(json, '$.displayName'), ''),
           NULLIF(json_extract(json, '$.description'), ''),
           coalesce(json_type(json, '$.status') = 'object', 0),
           NULLIF(json_extract(json, '$.status.status'), ''),
           NULLIF(json_extract(json, '$.status.lastError'), ''),
           NULLIF(json_extract(json, '$.status.completedAt'), ''),
           NULLIF(json_extract(json, '$.createdAt'), ''),
           NULLIF(json_extract(json, '$.updatedAt'), ''),
           NULLIF(json_extract(json, '$.deletedAt'), ''),
           NULLIF(json_extract(json, '$.syncDisabledAt'), ''),
           NULLIF(json_extract(json, '$.syncDisabledReason'), ''),
           coalesce(json_extract(json, '$.userIds'), '[]'),
           fetched_at
    FROM connectors_schema_2;
    INSERT INTO unadopted_connectors
    SELECT profile, app_id, connector_id,
           NULLIF(json_extract(json, '$.displayName'), ''),
           NULLIF(json_extract(json, '$.description'), ''),
           coalesce(json_type(json, '$.status') = 'object', 0),
           NULLIF(json_extract(json, '$.status.status'), ''),
           NULLIF(json_extract(json, '$.status.lastError'), ''),
           NULLIF(json_extract(json, '$.status.completedAt'), ''),
           NULLIF(json_extract(json, '$.createdAt'), ''),
           NULLIF(json_extract(json, '$.updatedAt'), ''),
           NULLIF(json_extract(json, '$.deletedAt'), ''),
           NULLIF(json_extract(json, '$.syncDisabledAt'), ''),
           NULLIF(json_extract(json, '$.syncDisabledReason'), ''),
           coalesce(json_extract(json, '$.userIds'), '[]'),
           fetched_at
    FROM unadopted_connectors_schema_2;

    DROP TABLE credentials_schema_2;
    DROP TABLE apps_schema_2;
    DROP TABLE connectors_schema_2;
    DROP TABLE unadopted_credentials_schema_2;
    DROP TABLE unadopted_apps_schema_2;
    DROP TABLE unadopted_connectors_schema_2;
    "#,
    // 4: rotations as a procedure (`rotations`, `rotation_old_credentials`), the change log
    // (`credential_changes`), and the journal outcomes of a rotation's steps. SQLite cannot
    // change a CHECK in place, so the journal is rebuilt as schema 2 did: every entry copied
    // with its id, request and process (the append-only triggers dropped for the copy and
    // made again on the new table), then the old table dropped.
    //
    // A rotation's row changes as it moves (its state, its old credentials' fates); the
    // journal keeps each step for good. Changes are kept `changes_keep_days` (a setting):
    // `seen_at` is written with six fractional digits, so that text order is time order.
    r#"
    CREATE TABLE rotations (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant            TEXT NOT NULL,
        app_id            TEXT NOT NULL,
        connector_id      TEXT NOT NULL,
        new_credential_id TEXT NOT NULL,
        state             TEXT NOT NULL CHECK (state IN
                              ('waiting', 'ready', 'done', 'abandoned', 'timed_out')),
        -- Why it was abandoned; NULL unless abandoned.
        abandon_reason    TEXT CHECK (abandon_reason IN
                              ('by_user', 'new_revoked', 'new_gone', 'new_expired')),
        started_at        TEXT NOT NULL,
        deadline          TEXT NOT NULL,
        first_used_at     TEXT,
        ended_at          TEXT,
        CHECK ((state = 'abandoned') = (abandon_reason IS NOT NULL))
    );
    CREATE INDEX rotations_by_tenant ON rotations (tenant, id);

    CREATE TABLE rotation_old_credentials (
        rotation_id   INTEGER NOT NULL REFERENCES rotations (id),
        credential_id TEXT NOT NULL,
        fate          TEXT NOT NULL CHECK (fate IN
                          ('pending', 'revoked', 'revoked_elsewhere', 'gone', 'expired')),
        settled_at    TEXT,
        PRIMARY KEY (rotation_id, credential_id)
    ) WITHOUT ROWID;

    CREATE TABLE credential_changes (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant        TEXT NOT NULL,
        app_id        TEXT NOT NULL,
        connector_id  TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        seen_at       TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN
                          ('new', 'revoked', 'expired', 'gone', 'first_used', 'last_use_moved',
                           'renamed', 'expiry_changed')),
        -- The value before and after (a time or a name), when the kind has one.
        before        TEXT,
        after         TEXT
    );
    CREATE INDEX credential_changes_by_time ON credential_changes (tenant, seen_at);

    DROP TRIGGER journal_is_append_only_update;
    DROP TRIGGER journal_is_append_only_delete;
    DROP INDEX journal_by_tenant;
    DROP INDEX journal_by_profile;
    DROP INDEX journal_by_request;
    ALTER TABLE journal RENAME TO journal_schema_3;
    CREATE TABLE journal (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        -- NULL only for entries of schema 1: see `adoptions`.
        tenant          TEXT,
        profile         TEXT NOT NULL,
        time            TEXT NOT NULL,
        actor_client_id TEXT,
        action          TEXT NOT NULL CHECK (action IN ('revoke', 'rotate')),
        app_id          TEXT NOT NULL,
        connector_id    TEXT NOT NULL,
        credential_id   TEXT,
        outcome         TEXT NOT NULL CHECK (outcome IN
                            ('requested', 'ok', 'already_gone', 'not_found', 'failed', 'unknown',
                             'rotation_started', 'first_used', 'left_rotation', 'rotation_done',
                             'rotation_abandoned', 'rotation_timed_out')),
        message         TEXT,
        request_id      INTEGER REFERENCES journal (id),
        pid             INTEGER
    );
    INSERT INTO journal (id, tenant, profile, time, actor_client_id, action, app_id,
                         connector_id, credential_id, outcome, message, request_id, pid)
    SELECT id, tenant, profile, time, actor_client_id, action, app_id, connector_id,
           credential_id, outcome, message, request_id, pid
    FROM journal_schema_3 ORDER BY id;
    DROP TABLE journal_schema_3;
    CREATE INDEX journal_by_tenant ON journal (tenant, id);
    CREATE INDEX journal_by_profile ON journal (profile, id);
    CREATE INDEX journal_by_request ON journal (request_id);
    CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    "#,
    // 5: the audit's mutes set with `credboard audit mute`, per tenant. A mute is never
    // deleted: `unmute` lifts it (sets `lifted_at`, once), so what was accepted, why, by which
    // profile and until when stays on record for the report. Exactly one of credential_id and
    // connector_id is set. `until` is the last day it mutes (YYYY-MM-DD, UTC).
    r#"
    CREATE TABLE audit_mutes (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant        TEXT NOT NULL,
        check_id      TEXT NOT NULL,
        credential_id TEXT,
        connector_id  TEXT,
        reason        TEXT NOT NULL CHECK (trim(reason) <> ''),
        until         TEXT NOT NULL,
        muted_at      TEXT NOT NULL,
        profile       TEXT NOT NULL,
        lifted_at     TEXT,
        CHECK ((credential_id IS NULL) <> (connector_id IS NULL))
    );
    CREATE INDEX audit_mutes_by_tenant ON audit_mutes (tenant, id);
    CREATE TRIGGER audit_mutes_are_kept BEFORE DELETE ON audit_mutes
    BEGIN SELECT RAISE(ABORT, 'mutes are kept: unmute lifts one'); END;
    CREATE TRIGGER audit_mutes_change_only_by_lifting
    BEFORE UPDATE OF id, tenant, check_id, credential_id, connector_id, reason, until, muted_at,
                     profile ON audit_mutes
    BEGIN SELECT RAISE(ABORT, 'a mute cannot be changed, only lifted'); END;
    CREATE TRIGGER audit_mutes_are_lifted_once BEFORE UPDATE OF lifted_at ON audit_mutes
    WHEN OLD.lifted_at IS NOT NULL OR NEW.lifted_at IS NULL
    BEGIN SELECT RAISE(ABORT, 'a mute is lifted once'); END;
    "#,
    // 6: ids found in the tenant's system log (`credboard discover`). A new source,
    // `discover`; where each such id came from (`discovered_origins`: the event that named
    // it); and how far each tenant's log has been read (`system_log_cursors`), so the next
    // run reads only what is new. SQLite cannot change a CHECK in place, so `credentials` is
    // rebuilt with the same columns in the same order and every row copied. The schema-1
    // rows waiting for adoption keep their table: they hold only the three old sources.
    r#"
    ALTER TABLE credentials RENAME TO credentials_schema_5;
    CREATE TABLE credentials (
        tenant        TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        app_id        TEXT NOT NULL,
        connector_id  TEXT NOT NULL,
        source        TEXT NOT NULL CHECK (source IN ('rotate', 'import', 'manual', 'discover')),
        learned_at    TEXT NOT NULL,
        fetched_at    TEXT,
        gone          INTEGER NOT NULL DEFAULT 0 CHECK (gone IN (0, 1)),
        has_state     INTEGER NOT NULL DEFAULT 0 CHECK (has_state IN (0, 1)),
        display_name  TEXT,
        client_id     TEXT,
        created_at    TEXT,
        updated_at    TEXT,
        deleted_at    TEXT,
        expires_time  TEXT,
        last_used_at  TEXT,
        PRIMARY KEY (tenant, credential_id)
    ) WITHOUT ROWID;
    INSERT INTO credentials SELECT * FROM credentials_schema_5;
    DROP TABLE credentials_schema_5;

    -- The system log event a discovered id was found in: its uid (NULL when the event had
    -- none credboard could use) and time. Goes with its credential when that is untracked.
    CREATE TABLE discovered_origins (
        tenant        TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        event_uid     TEXT,
        event_time    TEXT,
        discovered_at TEXT NOT NULL,
        PRIMARY KEY (tenant, credential_id)
    ) WITHOUT ROWID;
    CREATE TRIGGER discovered_origin_goes_with_its_credential AFTER DELETE ON credentials
    BEGIN
        DELETE FROM discovered_origins
        WHERE tenant = OLD.tenant AND credential_id = OLD.credential_id;
    END;

    -- The last system log event read for the tenant; the next run reads from it on.
    CREATE TABLE system_log_cursors (
        tenant     TEXT PRIMARY KEY,
        event_time TEXT NOT NULL,
        event_uid  TEXT,
        read_at    TEXT NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 7: the dashboard's command line history (`:`), per tenant, so that Up brings back the
    // lines of earlier sessions. Oldest first by id; the dashboard keeps the newest 100 of
    // each tenant (older ones are deleted as lines are added). Never a secret: a line that
    // holds one is not written.
    r#"
    CREATE TABLE command_history (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant     TEXT NOT NULL,
        line       TEXT NOT NULL,
        entered_at TEXT NOT NULL
    );
    CREATE INDEX command_history_by_tenant ON command_history (tenant, id);
    "#,
    // 8: a credential's times as integers, nanoseconds since 1970 in UTC, where an i64 holds
    // them exactly (`columns::credential_time`): the start reads seven per credential, and
    // parsing their text was a fifth of reading the inventory. A time outside 1677 to 2262
    // (a "never expires" of year 9999) or a leap second stays text, as before. SQLite cannot
    // change a column's type in place, so `credentials` is rebuilt and every row copied,
    // each time through `credboard_time` (registered by `Store::configure`), which leaves
    // what is not a time as it was. The discovered-origin trigger goes with the old table
    // and is made again.
    r#"
    DROP TRIGGER discovered_origin_goes_with_its_credential;
    ALTER TABLE credentials RENAME TO credentials_schema_7;
    CREATE TABLE credentials (
        tenant        TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        app_id        TEXT NOT NULL,
        connector_id  TEXT NOT NULL,
        source        TEXT NOT NULL CHECK (source IN ('rotate', 'import', 'manual', 'discover')),
        learned_at    INTEGER NOT NULL CHECK (typeof(learned_at) IN ('integer', 'text')),
        fetched_at    INTEGER CHECK (typeof(fetched_at) IN ('integer', 'text', 'null')),
        gone          INTEGER NOT NULL DEFAULT 0 CHECK (gone IN (0, 1)),
        has_state     INTEGER NOT NULL DEFAULT 0 CHECK (has_state IN (0, 1)),
        display_name  TEXT,
        client_id     TEXT,
        created_at    INTEGER CHECK (typeof(created_at) IN ('integer', 'text', 'null')),
        updated_at    INTEGER CHECK (typeof(updated_at) IN ('integer', 'text', 'null')),
        deleted_at    INTEGER CHECK (typeof(deleted_at) IN ('integer', 'text', 'null')),
        expires_time  INTEGER CHECK (typeof(expires_time) IN ('integer', 'text', 'null')),
        last_used_at  INTEGER CHECK (typeof(last_used_at) IN ('integer', 'text', 'null')),
        PRIMARY KEY (tenant, credential_id)
    ) WITHOUT ROWID;
    INSERT INTO credentials
    SELECT tenant, credential_id, app_id, connector_id, source, credboard_time(learned_at),
           credboard_time(fetched_at), gone, has_state, display_name, client_id,
           credboard_time(created_at), credboard_time(updated_at), credboard_time(deleted_at),
           credboard_time(expires_time), credboard_time(last_used_at)
    FROM credentials_schema_7;
    DROP TABLE credentials_schema_7;
    CREATE TRIGGER discovered_origin_goes_with_its_credential AFTER DELETE ON credentials
    BEGIN
        DELETE FROM discovered_origins
        WHERE tenant = OLD.tenant AND credential_id = OLD.credential_id;
    END;
    "#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;
