-- A professional's own registration (ID-1, seed 004 §7.1). The register extract's
-- names and profession, matched against a CPS card or Pro Santé Connect identity; the
-- next import writes them for every person (their fingerprints are reset here).
ALTER TABLE directory_people ADD COLUMN IF NOT EXISTS family_name TEXT;
ALTER TABLE directory_people ADD COLUMN IF NOT EXISTS given_name TEXT;
ALTER TABLE directory_people ADD COLUMN IF NOT EXISTS profession_code TEXT;
ALTER TABLE directory_people ADD COLUMN IF NOT EXISTS profession_label TEXT;
UPDATE directory_people SET fingerprint = '\x'::bytea;
-- What the applicant presented, for the registration authority when the register did
-- not confirm it (`referred`), and the out-of-band address confirmation's token
-- (SHA-256) while it is awaited. Kept with the account.
CREATE TABLE IF NOT EXISTS registration_requests (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    proof TEXT NOT NULL,
    family_name TEXT,
    given_name TEXT,
    referred TEXT,
    requested_ms BIGINT NOT NULL,
    token_hash BYTEA,
    token_expires_ms BIGINT
);
CREATE UNIQUE INDEX IF NOT EXISTS registration_requests_token ON registration_requests(token_hash);
