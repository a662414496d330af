-- Out-of-office replies and signatures (MS-6, RFC 3834; issue 22 item 12): one row per
-- account that set either. `absence_on` (0 or 1) in clear, so that a delivery opens
-- only the settings of holders whose absence is on; the setting itself (days, zone,
-- subject, text) and the signature sealed with the account key, like the TOTP secret.
CREATE TABLE IF NOT EXISTS mail_settings (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    absence_on BIGINT NOT NULL DEFAULT 0,
    absence_sealed BYTEA,
    signature_sealed BYTEA,
    updated_ms BIGINT NOT NULL
);
-- The senders an absence answered (RFC 3834 §2: one reply per sender per period): the
-- SHA-256 of the account and the sender's address, never the address; purged once
-- older than the period, and when the holder sets their absence again.
CREATE TABLE IF NOT EXISTS absence_replies (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    sender_hash BYTEA NOT NULL,
    replied_ms BIGINT NOT NULL,
    PRIMARY KEY (account_id, sender_hash)
);
