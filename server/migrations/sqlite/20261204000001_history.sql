-- The history page and its CSV export list messages newest first, by any filter:
-- the whole history in time order (keyset on created_at, uuid), and a group's.
CREATE INDEX notifications_by_time ON notifications (created_at, uuid);
CREATE INDEX notifications_by_group ON notifications (group_id, created_at);
