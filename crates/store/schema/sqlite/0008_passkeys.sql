-- Passkeys (AU-1, MS-18): one WebAuthn credential per row, the public key and its
-- signature counter as webauthn-rs keeps them (`credential`, JSON: nothing secret),
-- its id (unique: one authenticator's key belongs to one account), a name, whether it
-- was registered from the desktop settings (`passkey`) or by a paired phone (`phone`).
CREATE TABLE IF NOT EXISTS passkeys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    credential_id BLOB NOT NULL UNIQUE,
    credential TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    last_used_ms INTEGER,
    revoked_ms INTEGER
);
CREATE INDEX IF NOT EXISTS passkeys_account ON passkeys(account_id);
-- One-time pairing tokens (MS-18): the SHA-256 of the token shown in the QR code, the
-- account it is bound to, when it expires and when it was used (once).
CREATE TABLE IF NOT EXISTS pairing_tokens (
    token_hash BLOB PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_ms INTEGER
);
CREATE INDEX IF NOT EXISTS pairing_tokens_account ON pairing_tokens(account_id);
