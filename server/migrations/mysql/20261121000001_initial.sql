-- The MySQL/MariaDB schema: the same tables and rules as the SQLite migrations, spelled
-- for InnoDB. Binary collation keeps comparisons and ordering as SQLite's.
-- Times are unix milliseconds (BIGINT), as in SQLite.

CREATE TABLE agent_groups (
    id          VARCHAR(64) NOT NULL PRIMARY KEY,
    name        VARCHAR(191) NOT NULL,
    created_at  BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE agents (
    id          VARCHAR(128) NOT NULL PRIMARY KEY,
    name        VARCHAR(191) NOT NULL,
    group_id    VARCHAR(64) NOT NULL,
    FOREIGN KEY (group_id) REFERENCES agent_groups (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE templates (
    id            VARCHAR(64) NOT NULL PRIMARY KEY,
    name          VARCHAR(100) NOT NULL,
    channel       VARCHAR(16) NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    body          TEXT NOT NULL,
    fields        MEDIUMTEXT NOT NULL,
    language      VARCHAR(191),
    provider_ref  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (channel, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE group_channels (
    group_id  VARCHAR(64) NOT NULL,
    channel   VARCHAR(16) NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    enabled   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, channel),
    FOREIGN KEY (group_id) REFERENCES agent_groups (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Positions 1..5 and the primary key make "at most five per channel" hold in the
-- database itself, whatever the callers do.
CREATE TABLE group_templates (
    group_id     VARCHAR(64) NOT NULL,
    channel      VARCHAR(16) NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    position     BIGINT NOT NULL CHECK (position BETWEEN 1 AND 5),
    template_id  VARCHAR(64) NOT NULL,
    PRIMARY KEY (group_id, channel, position),
    UNIQUE (group_id, channel, template_id),
    FOREIGN KEY (group_id) REFERENCES agent_groups (id) ON DELETE CASCADE,
    FOREIGN KEY (template_id) REFERENCES templates (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Status store (when status.url is `embedded`): one row per message plus its history.
-- `rowid` is named as SQLite's implicit row id so both databases share the queries.
CREATE TABLE notifications (
    rowid                BIGINT NOT NULL AUTO_INCREMENT UNIQUE,
    uuid                 CHAR(36) NOT NULL PRIMARY KEY,
    channel              VARCHAR(16) NOT NULL,
    status               VARCHAR(16) NOT NULL,
    to_e164              VARCHAR(32) NOT NULL,
    template_id          VARCHAR(64) NOT NULL,
    template_name        VARCHAR(100) NOT NULL,
    call_id              VARCHAR(128),
    agent_id             VARCHAR(128) NOT NULL,
    group_id             VARCHAR(64) NOT NULL,
    body                 TEXT NOT NULL,
    parameters           MEDIUMTEXT NOT NULL,
    resend_of            CHAR(36),
    provider             VARCHAR(64),
    provider_message_id  VARCHAR(191),
    error_code           VARCHAR(64),
    error_message        TEXT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    swept_at             BIGINT,
    INDEX notifications_by_agent (agent_id, created_at),
    INDEX notifications_by_call (call_id, created_at),
    INDEX notifications_by_provider_id (provider, provider_message_id),
    INDEX notifications_queued (status, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE notification_history (
    id      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    uuid    CHAR(36) NOT NULL,
    status  VARCHAR(16) NOT NULL,
    at      BIGINT NOT NULL,
    detail  TEXT,
    INDEX notification_history_by_uuid (uuid, id),
    FOREIGN KEY (uuid) REFERENCES notifications (uuid) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Idempotency keys: one claim per (caller, key); the response is repeated verbatim.
CREATE TABLE idempotency_keys (
    caller       VARCHAR(128) NOT NULL,
    `key`        VARCHAR(100) NOT NULL,
    fingerprint  VARCHAR(128) NOT NULL,
    response     TEXT NOT NULL,
    state        VARCHAR(16) NOT NULL CHECK (state IN ('pending', 'done', 'abandoned')),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (caller, `key`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE call_comments (
    id                 BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    call_id            VARCHAR(128) NOT NULL,
    group_id           VARCHAR(64) NOT NULL,
    author             VARCHAR(128) NOT NULL,
    text               TEXT NOT NULL,
    notification_uuid  CHAR(36),
    at                 BIGINT NOT NULL,
    INDEX call_comments_by_call (call_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE admins (
    id             VARCHAR(128) NOT NULL PRIMARY KEY,
    password_hash  VARCHAR(191) NOT NULL,
    created_at     BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE admin_sessions (
    id          VARCHAR(128) NOT NULL PRIMARY KEY,
    admin_id    VARCHAR(128) NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked     BIGINT NOT NULL DEFAULT 0,
    FOREIGN KEY (admin_id) REFERENCES admins (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Provider accounts; credentials are a JSON object that never leaves the server.
-- `default_channel` is the channel of a default account and NULL otherwise: its unique
-- index allows one default per channel (MySQL has no partial indexes).
CREATE TABLE provider_accounts (
    id               VARCHAR(64) NOT NULL PRIMARY KEY,
    channel          VARCHAR(16) NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    provider         VARCHAR(64) NOT NULL,
    display_name     VARCHAR(191) NOT NULL,
    sender           VARCHAR(191) NOT NULL DEFAULT '',
    credentials      MEDIUMTEXT NOT NULL,
    is_default       BIGINT NOT NULL DEFAULT 0,
    webhook_url      VARCHAR(512) NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    default_channel  VARCHAR(16) AS (IF(is_default = 1, channel, NULL)) PERSISTENT,
    UNIQUE INDEX provider_accounts_one_default (default_channel)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE group_providers (
    group_id    VARCHAR(64) NOT NULL,
    channel     VARCHAR(16) NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    account_id  VARCHAR(64) NOT NULL,
    PRIMARY KEY (group_id, channel),
    FOREIGN KEY (group_id) REFERENCES agent_groups (id) ON DELETE CASCADE,
    FOREIGN KEY (account_id) REFERENCES provider_accounts (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Every admin change: who, when, what, before and after (JSON).
CREATE TABLE audit_log (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor      VARCHAR(128) NOT NULL,
    action     VARCHAR(64) NOT NULL,
    entity     VARCHAR(64) NOT NULL,
    entity_id  VARCHAR(191) NOT NULL,
    `before`   MEDIUMTEXT,
    `after`    MEDIUMTEXT,
    INDEX audit_log_by_entity (entity, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One row whose lock serialises admin writes (SQLite's BEGIN IMMEDIATE).
CREATE TABLE write_lock (
    id  BIGINT NOT NULL PRIMARY KEY
) ENGINE = InnoDB;
INSERT INTO write_lock (id) VALUES (1);
