-- The embedded gateway queue: durable jobs with a visibility timeout, and dead letters.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    payload       TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    available_at  INTEGER NOT NULL,   -- unix ms: not handed out before
    locked_until  INTEGER,            -- unix ms: taken by a worker until then
    created_at    INTEGER NOT NULL
);
CREATE INDEX jobs_ready ON jobs (available_at, id);

CREATE TABLE dead_letters (
    id         INTEGER PRIMARY KEY,
    payload    TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    failed_at  INTEGER NOT NULL
);
