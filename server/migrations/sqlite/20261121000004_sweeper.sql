-- When the sweeper last re-queued a message left `queued` (a crash between recording
-- it and queueing it), so it is re-queued at most once per sweep period.
ALTER TABLE notifications ADD COLUMN swept_at INTEGER;
CREATE INDEX notifications_queued ON notifications (status, created_at);
