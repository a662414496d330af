-- Receipts of messages relayed by peer operators (MS-16): SHA-256 of the peer's
-- domain, the Message-ID and the local recipient (caduceus_core::relay_receipt),
-- recorded with the copy; a message sent again by a peer that missed our 250 is
-- not stored twice. Kept 30 days (daily purge), past any sender's retries.
CREATE TABLE IF NOT EXISTS relay_receipts (
    receipt BLOB PRIMARY KEY,
    at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS relay_receipts_at ON relay_receipts (at_ms);
