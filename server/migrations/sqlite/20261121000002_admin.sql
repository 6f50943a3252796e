-- Admin accounts (argon2 hashes) and their sign-in sessions.
CREATE TABLE admins (
    id             TEXT PRIMARY KEY,
    password_hash  TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE admin_sessions (
    id          TEXT PRIMARY KEY,
    admin_id    TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0
);

-- Provider accounts; credentials are a JSON object that never leaves the server.
CREATE TABLE provider_accounts (
    id            TEXT PRIMARY KEY,
    channel       TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    provider      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    sender        TEXT NOT NULL DEFAULT '',
    credentials   TEXT NOT NULL DEFAULT '{}',
    is_default    INTEGER NOT NULL DEFAULT 0,
    webhook_url   TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
-- At most one default account per channel.
CREATE UNIQUE INDEX provider_accounts_one_default ON provider_accounts (channel) WHERE is_default = 1;

-- Every admin change: who, when, what, before and after (JSON).
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    before     TEXT,
    after      TEXT
);
CREATE INDEX audit_log_by_entity ON audit_log (entity, id);
