-- Agents are real: a host token is accepted only for an active agent (switching an
-- agent off keeps their history). Token ids revoked before their expiry, and the
-- single-use tickets event streams are opened with.
ALTER TABLE agents ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

CREATE TABLE revoked_tokens (
    jti         TEXT PRIMARY KEY,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE stream_tickets (
    id          TEXT PRIMARY KEY,
    caller      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE INDEX admin_sessions_by_admin ON admin_sessions (admin_id);
