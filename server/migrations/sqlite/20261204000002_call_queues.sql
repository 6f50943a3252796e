-- Call queues (named as the softphone names them) that narrow, per channel, the
-- templates their calls may use: `templates` is a JSON object, channel → template ids.
CREATE TABLE call_queues (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    templates  TEXT NOT NULL
);
