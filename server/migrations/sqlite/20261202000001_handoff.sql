-- The open hand-off of a message to a provider (set before the provider is called,
-- closed when the provider did not take it): an open one that no worker is still
-- making means the provider may have the message.
ALTER TABLE notifications ADD COLUMN handoff_attempt INTEGER;
ALTER TABLE notifications ADD COLUMN handoff_at INTEGER;
ALTER TABLE notifications ADD COLUMN handoff_channel TEXT;
