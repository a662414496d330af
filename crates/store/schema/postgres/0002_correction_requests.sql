-- Requests to correct one's identity data (AC-3): the holder's words, addressed to
-- the registration authority, who sees them with the accounts. Kept with the account.
CREATE TABLE IF NOT EXISTS correction_requests (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    what TEXT NOT NULL,
    requested_ms BIGINT NOT NULL
);
