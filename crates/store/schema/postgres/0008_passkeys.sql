-- Passkeys (AU-1, MS-18): one WebAuthn credential per row, the public key and its
-- signature counter as webauthn-rs keeps them (`credential`, JSON: nothing secret),
-- its id (unique: one authenticator's key belongs to one account), a name, whether it
-- was registered from the desktop settings (`passkey`) or by a paired phone (`phone`).
CREATE TABLE IF NOT EXISTS passkeys (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    credential_id BYTEA NOT NULL UNIQUE,
    credential TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    last_used_ms BIGINT,
    revoked_ms BIGINT
);
CREATE INDEX IF NOT EXISTS passkeys_account ON passkeys(account_id);
-- One-time pairing tokens (MS-18): the SHA-256 of the token shown in the QR code, the
-- account it is bound to, when it expires and when it was used (once).
CREATE TABLE IF NOT EXISTS pairing_tokens (
    token_hash BYTEA PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT
);
CREATE INDEX IF NOT EXISTS pairing_tokens_account ON pairing_tokens(account_id);
