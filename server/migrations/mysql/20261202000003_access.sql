-- Agents are real: a host token is accepted only for an active agent (switching an
-- agent off keeps their history). Token ids revoked before their expiry, and the
-- single-use tickets event streams are opened with.
ALTER TABLE agents ADD COLUMN active BIGINT NOT NULL DEFAULT 1;

CREATE TABLE revoked_tokens (
    jti         VARCHAR(128) NOT NULL PRIMARY KEY,
    expires_at  BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE stream_tickets (
    id          VARCHAR(64) NOT NULL PRIMARY KEY,
    caller      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
