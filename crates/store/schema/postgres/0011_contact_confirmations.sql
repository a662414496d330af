-- A new contact address or phone number waiting for its code (AU-1, MS-7, RT-1): the
-- old value stays in use until the holder types the code sent to the new one. One
-- pending change per account and channel (`email`, `phone`), a new request replacing
-- it; the new value sealed with the account key, the code's SHA-256 only, its expiry
-- (15 minutes) and the codes typed so far (5 at most). Removed once confirmed or
-- dropped; the daily purge removes the expired ones; deleted with the account.
CREATE TABLE IF NOT EXISTS contact_confirmations (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    value_sealed BYTEA NOT NULL,
    code_hash BYTEA NOT NULL,
    expires_ms BIGINT NOT NULL,
    tries BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, channel)
);
CREATE INDEX IF NOT EXISTS contact_confirmations_expires ON contact_confirmations(expires_ms);
