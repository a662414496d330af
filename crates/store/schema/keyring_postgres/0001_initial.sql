-- Caduceus keyring: wrapped keys, kept apart from the data (MS-4, RT-3).
-- Deleting a row here is what makes a deletion definitive: backups of the data
-- alone never hold a usable key. Same SQL for SQLite and PostgreSQL.
CREATE TABLE IF NOT EXISTS keyring_account_keys (
    account_id BIGINT PRIMARY KEY,
    wrapped BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS keyring_message_keys (
    key_ref TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    wrapped BYTEA NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS keyring_message_keys_account ON keyring_message_keys(account_id);
