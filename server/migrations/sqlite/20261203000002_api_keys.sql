-- Integrators' API keys: the secret only as its SHA-256 digest; deleting a key revokes it.
CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    digest        TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,
    scopes        TEXT NOT NULL,   -- JSON array
    groups        TEXT NOT NULL,   -- JSON array of group ids
    allowed_ips   TEXT NOT NULL,   -- JSON array of IPs / CIDR ranges
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
