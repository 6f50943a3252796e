-- A provider account's short key agents see (unique; NULL on accounts saved before it
-- existed: one is made from the type until the account is saved again), its
-- description, and for WhatsApp the template sent once the 24-hour window closed.
ALTER TABLE provider_accounts ADD COLUMN account_key TEXT NULL;
ALTER TABLE provider_accounts ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE provider_accounts ADD COLUMN recontact_template TEXT NULL;
CREATE UNIQUE INDEX provider_accounts_key ON provider_accounts (account_key);

-- A group's fallback chain per channel: the accounts a message moves on to, in order.
CREATE TABLE group_fallbacks (
    group_id    TEXT NOT NULL REFERENCES agent_groups(id) ON DELETE CASCADE,
    channel     TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    position    INTEGER NOT NULL,
    account_id  TEXT NOT NULL REFERENCES provider_accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, channel, position)
);
