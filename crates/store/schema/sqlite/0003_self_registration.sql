-- A professional's own registration (ID-1, seed 004 §7.1). The register extract's
-- names and profession, matched against a CPS card or Pro Santé Connect identity; the
-- next import writes them for every person (their fingerprints are reset here).
ALTER TABLE directory_people ADD COLUMN family_name TEXT;
ALTER TABLE directory_people ADD COLUMN given_name TEXT;
ALTER TABLE directory_people ADD COLUMN profession_code TEXT;
ALTER TABLE directory_people ADD COLUMN profession_label TEXT;
UPDATE directory_people SET fingerprint = X'';
-- What the applicant presented, for the registration authority when the register did
-- not confirm it (`referred`), and the out-of-band address confirmation's token
-- (SHA-256) while it is awaited. Kept with the account.
CREATE TABLE IF NOT EXISTS registration_requests (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    proof TEXT NOT NULL,
    family_name TEXT,
    given_name TEXT,
    referred TEXT,
    requested_ms INTEGER NOT NULL,
    token_hash BLOB,
    token_expires_ms INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS registration_requests_token ON registration_requests(token_hash);
