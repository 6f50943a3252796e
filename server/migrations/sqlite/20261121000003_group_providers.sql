-- The provider account a group uses on a channel (none: the channel's default account).
CREATE TABLE group_providers (
    group_id    TEXT NOT NULL REFERENCES agent_groups(id) ON DELETE CASCADE,
    channel     TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    account_id  TEXT NOT NULL REFERENCES provider_accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, channel)
);
