-- The customer's side: numbers that may not be sent to (per channel, and per sender
-- where the sender is not empty), and what customers wrote back (kept for retention's
-- days; the latest per number opens the WhatsApp customer-service window).
CREATE TABLE opt_outs (
    number      TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'rcs')),
    sender      TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (number, channel, sender)
);

CREATE TABLE inbound_messages (
    account              TEXT NOT NULL,
    provider_message_id  TEXT NOT NULL,
    from_e164            TEXT NOT NULL,
    channel              TEXT NOT NULL,
    to_sender            TEXT NOT NULL,
    body                 TEXT NOT NULL,
    received_at          INTEGER NOT NULL,
    answers              TEXT,
    PRIMARY KEY (account, provider_message_id)
);

CREATE INDEX inbound_by_customer ON inbound_messages (from_e164, channel, received_at);
CREATE INDEX inbound_by_answer ON inbound_messages (answers);
CREATE INDEX notifications_by_recipient ON notifications (to_e164, created_at);

-- Whether a customer's reply is linked to the message: an agent's always; a workflow's
-- (an API key's send) when it asked with `expects_reply`.
ALTER TABLE notifications ADD COLUMN expects_reply INTEGER NOT NULL DEFAULT 1;
