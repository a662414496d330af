-- Patient mailboxes announced before they open (ID-5, AC-3, seed 003 §7): when the
-- notice went, when the mailbox opens, the hash of the notice's link token. Removed
-- when the announcement ends (opened, or objected to), and with the account.
CREATE TABLE IF NOT EXISTS announcements (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    announced_ms BIGINT NOT NULL,
    opens_ms BIGINT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS announcements_opens ON announcements (opens_ms);
-- Patients who objected to the creation of their mailbox (AC-3, seed 003 §7): only
-- what honours the objection, the SHA-256 of the INS and the date; no name, no
-- contact, no account. Kept until the patient accepts a mailbox in person.
CREATE TABLE IF NOT EXISTS announcement_objections (
    ins_digest BYTEA PRIMARY KEY,
    objected_ms BIGINT NOT NULL
);
