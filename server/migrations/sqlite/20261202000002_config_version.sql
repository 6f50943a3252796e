-- Bumped by every settings change (in its transaction): each process keeps the
-- provider accounts, group mappings and templates it reads, and reads them again when
-- this number has moved.
CREATE TABLE config_version (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);
