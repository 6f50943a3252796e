-- The customer's side: numbers that may not be sent to (per channel, and per sender
-- where the sender is not empty), and what customers wrote back (kept for retention's
-- days; the latest per number opens the WhatsApp customer-service window).
CREATE TABLE opt_outs (
    number      VARCHAR(32) NOT NULL,
    channel     VARCHAR(16) NOT NULL,
    sender      VARCHAR(100) NOT NULL DEFAULT '',
    source      VARCHAR(16) NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (number, channel, sender),
    INDEX opt_outs_by_time (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE inbound_messages (
    account              VARCHAR(100) NOT NULL,
    provider_message_id  VARCHAR(191) NOT NULL,
    from_e164            VARCHAR(32) NOT NULL,
    channel              VARCHAR(16) NOT NULL,
    to_sender            VARCHAR(191) NOT NULL,
    body                 TEXT NOT NULL,
    received_at          BIGINT NOT NULL,
    answers              CHAR(36),
    PRIMARY KEY (account, provider_message_id),
    INDEX inbound_by_customer (from_e164, channel, received_at),
    INDEX inbound_by_answer (answers)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE INDEX notifications_by_recipient ON notifications (to_e164, created_at);

-- Whether a customer's reply is linked to the message: an agent's always; a workflow's
-- (an API key's send) when it asked with `expects_reply`.
ALTER TABLE notifications ADD COLUMN expects_reply BIGINT NOT NULL DEFAULT 1;
