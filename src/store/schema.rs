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
    // 2: the journal learns the outcome `not_found`: a revoke of ids the server does not
    // hold is no longer written as `already_gone`. SQLite cannot change a CHECK in place, so
    // the table is rebuilt: every entry is copied with its id (the append-only triggers are
    // dropped for the copy and made again on the new table), then the old table is dropped.
    r#"
    DROP TRIGGER journal_is_append_only_update;
    DROP TRIGGER journal_is_append_only_delete;
    DROP INDEX journal_by_profile;
    ALTER TABLE journal RENAME TO journal_schema_1;
    CREATE TABLE journal (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        profile         TEXT NOT NULL,
        time            TEXT NOT NULL,
        actor_client_id TEXT,
        action          TEXT NOT NULL CHECK (action IN ('revoke', 'rotate')),
        app_id          TEXT NOT NULL,
        connector_id    TEXT NOT NULL,
        credential_id   TEXT,
        outcome         TEXT NOT NULL
                        CHECK (outcome IN ('ok', 'already_gone', 'not_found', 'failed')),
        message         TEXT
    );
    INSERT INTO journal (id, profile, time, actor_client_id, action, app_id, connector_id,
                         credential_id, outcome, message)
    SELECT id, profile, time, actor_client_id, action, app_id, connector_id, credential_id,
           outcome, message
    FROM journal_schema_1 ORDER BY id;
    DROP TABLE journal_schema_1;
    CREATE INDEX journal_by_profile ON journal (profile, id);
    CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    "#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;
