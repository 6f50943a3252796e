-- Integrators' API keys: the secret only as its SHA-256 digest; deleting a key revokes it.
CREATE TABLE api_keys (
    id            VARCHAR(64) NOT NULL PRIMARY KEY,
    name          VARCHAR(100) NOT NULL,
    digest        CHAR(64) NOT NULL UNIQUE,
    prefix        VARCHAR(16) NOT NULL,
    scopes        TEXT NOT NULL,
    `groups`      TEXT NOT NULL,
    allowed_ips   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
