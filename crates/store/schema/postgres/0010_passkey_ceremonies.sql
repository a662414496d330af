-- WebAuthn ceremonies under way (AU-1, MS-18): kept here, not in one node's memory, so
-- a browser's answer reaching another node (or a restarted one) finishes it. Keyed by
-- the SHA-256 of the ceremony's id (the id is the browser's only); its kind
-- (`registration`, `login`, `second-factor`), the account it is for (none for a login
-- with a passkey alone), the webauthn-rs state (JSON: the challenge, the allowed or
-- excluded credentials' ids and public keys; nothing secret), its expiry. Taken once
-- (DELETE … RETURNING); the daily purge removes the expired ones.
CREATE TABLE IF NOT EXISTS passkey_ceremonies (
    id_hash BYTEA PRIMARY KEY,
    kind TEXT NOT NULL,
    account_id BIGINT REFERENCES accounts(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS passkey_ceremonies_expires ON passkey_ceremonies(expires_ms);
CREATE INDEX IF NOT EXISTS passkey_ceremonies_account ON passkey_ceremonies(account_id);
