-- Config store: agent groups, agents, templates, each group's channel mapping.
CREATE TABLE agent_groups (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE agents (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    group_id    TEXT NOT NULL REFERENCES agent_groups(id)
);

CREATE TABLE templates (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    channel       TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    body          TEXT NOT NULL,
    fields        TEXT NOT NULL,              -- JSON array of field definitions
    language      TEXT,
    provider_ref  TEXT NOT NULL DEFAULT '{}', -- JSON object
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (channel, name)
);

-- Which channels a group has switched on.
CREATE TABLE group_channels (
    group_id  TEXT NOT NULL REFERENCES agent_groups(id) ON DELETE CASCADE,
    channel   TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    enabled   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, channel)
);

-- A group's templates per channel, in order. Positions 1..5 and the primary key make
-- "at most five per channel" hold in the database itself, whatever the callers do.
CREATE TABLE group_templates (
    group_id     TEXT NOT NULL REFERENCES agent_groups(id) ON DELETE CASCADE,
    channel      TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    position     INTEGER NOT NULL CHECK (position BETWEEN 1 AND 5),
    template_id  TEXT NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, channel, position),
    UNIQUE (group_id, channel, template_id)
);

-- Status store (embedded): one row per message, plus its history.
CREATE TABLE notifications (
    uuid                 TEXT PRIMARY KEY,
    channel              TEXT NOT NULL,
    status               TEXT NOT NULL,
    to_e164              TEXT NOT NULL,
    template_id          TEXT NOT NULL,
    template_name        TEXT NOT NULL,
    call_id              TEXT,
    agent_id             TEXT NOT NULL,
    group_id             TEXT NOT NULL,
    body                 TEXT NOT NULL,
    parameters           TEXT NOT NULL,      -- JSON array of [name, value]
    resend_of            TEXT,
    provider             TEXT,
    provider_message_id  TEXT,
    error_code           TEXT,
    error_message        TEXT,
    created_at           INTEGER NOT NULL,   -- unix milliseconds
    updated_at           INTEGER NOT NULL
);
CREATE INDEX notifications_by_agent ON notifications (agent_id, created_at);
CREATE INDEX notifications_by_call ON notifications (call_id, created_at);
CREATE INDEX notifications_by_provider_id ON notifications (provider, provider_message_id);

CREATE TABLE notification_history (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid    TEXT NOT NULL REFERENCES notifications(uuid) ON DELETE CASCADE,
    status  TEXT NOT NULL,
    at      INTEGER NOT NULL,
    detail  TEXT
);
CREATE INDEX notification_history_by_uuid ON notification_history (uuid, id);

-- Idempotency keys: one claim per (caller, key); the response is repeated verbatim.
CREATE TABLE idempotency_keys (
    caller       TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    response     TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'done', 'abandoned')),
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (caller, key)
);

-- Each call's comment log.
CREATE TABLE call_comments (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id            TEXT NOT NULL,
    group_id           TEXT NOT NULL,
    author             TEXT NOT NULL,
    text               TEXT NOT NULL,
    notification_uuid  TEXT,
    at                 INTEGER NOT NULL
);
CREATE INDEX call_comments_by_call ON call_comments (call_id, id);
