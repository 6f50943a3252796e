-- Call queues (named as the softphone names them) that narrow, per channel, the
-- templates their calls may use: `templates` is a JSON object, channel → template ids.
CREATE TABLE call_queues (
    id         VARCHAR(64) NOT NULL PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    templates  TEXT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
