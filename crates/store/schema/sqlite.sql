-- Caduceus data schema, SQLite (embedded default). Times are unix milliseconds.
-- Message bodies, subjects and envelopes are never stored here in clear (MS-4):
-- `messages.meta` is sealed and bodies live in sealed blobs.
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    address TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    registry TEXT NOT NULL,
    identifier TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS verifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    verified_by TEXT NOT NULL,
    evidence TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS delegations (
    organisation_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    delegate_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, delegate_id)
);
CREATE TABLE IF NOT EXISTS mailboxes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    special_use TEXT,
    uidvalidity INTEGER NOT NULL,
    uidnext INTEGER NOT NULL,
    highest_modseq INTEGER NOT NULL,
    UNIQUE (account_id, name)
);
-- The last UIDVALIDITY given to a folder of each account: a folder made again under
-- the name of a deleted one gets a greater one, even within the same second
-- (RFC 3501 §2.3.1.1).
CREATE TABLE IF NOT EXISTS uidvalidity_last (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    value INTEGER NOT NULL
);
-- The highest UID of each folder that an IMAP session selecting it read-write was
-- told of: the messages above it are \Recent to the next such session, and to that
-- one only (RFC 3501 §2.3.2). A UID, no content.
CREATE TABLE IF NOT EXISTS recent_claims (
    mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid INTEGER NOT NULL
);
-- The folder names each account subscribed to (IMAP SUBSCRIBE, RFC 3501 §6.3.6): by
-- name, kept when the folder is deleted (RFC 3501 §6.3.9); the folders made with the
-- account start subscribed. Once, on the first start after the table was added (it is
-- then empty), the existing folders are subscribed, as they all counted as subscribed.
CREATE TABLE IF NOT EXISTS subscriptions (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
);
INSERT INTO subscriptions (account_id, name)
    SELECT account_id, name FROM mailboxes
    WHERE NOT EXISTS (SELECT 1 FROM subscriptions);
-- UIDs expunged from a mailbox and the MODSEQ of their removal, so that a client
-- resynchronising (IMAP QRESYNC) learns what vanished. UIDs only, no content.
CREATE TABLE IF NOT EXISTS expunged (
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    blob_id TEXT NOT NULL,
    key_ref TEXT NOT NULL UNIQUE,
    flags TEXT NOT NULL,
    internal_ms INTEGER NOT NULL,
    size INTEGER NOT NULL,
    meta BLOB NOT NULL,
    UNIQUE (mailbox_id, uid)
);
CREATE INDEX IF NOT EXISTS messages_blob ON messages(blob_id);
-- What changed in a folder after a MODSEQ (an IMAP session's refresh).
CREATE INDEX IF NOT EXISTS messages_modseq ON messages(mailbox_id, modseq);
CREATE TABLE IF NOT EXISTS traces (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    acting_for TEXT,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    source TEXT,
    outcome TEXT NOT NULL,
    detail TEXT,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS traces_at ON traces(at_ms);
CREATE TABLE IF NOT EXISTS trace_checkpoints (
    seq INTEGER PRIMARY KEY,
    hash BLOB NOT NULL,
    at_ms INTEGER NOT NULL,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS trace_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS blob_data (
    id TEXT PRIMARY KEY,
    data BLOB NOT NULL
);

-- Authentication (AU-1, AU-2, AU-3). Secrets are hashed (device credentials, login
-- codes) or sealed with the account key (TOTP secrets); never stored in clear.
CREATE UNIQUE INDEX IF NOT EXISTS accounts_one_per_person
    ON accounts(registry, identifier) WHERE kind IN ('professional', 'patient');
CREATE TABLE IF NOT EXISTS devices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    created_ms INTEGER NOT NULL,
    last_used_ms INTEGER,
    revoked_ms INTEGER
);
CREATE INDEX IF NOT EXISTS devices_account ON devices(account_id);
CREATE TABLE IF NOT EXISTS second_factors (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    totp_sealed BLOB,
    totp_last_step INTEGER,
    contact_email TEXT
);
-- New-mail notices (MS-7): a row means the owner asked for them; last_sent_ms keeps
-- a burst of deliveries to one notice per quiet period.
CREATE TABLE IF NOT EXISTS new_mail_notices (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    last_sent_ms INTEGER
);
CREATE TABLE IF NOT EXISTS login_codes (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL,
    expires_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_failures (
    subject TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_ms INTEGER,
    locked_until_ms INTEGER
);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);

-- The directory (ID-4): mailboxes of the trust space and people's practice sites,
-- imported from the national extracts. Public registry data; the *_key columns hold
-- case- and accent-folded text for search.
CREATE TABLE IF NOT EXISTS directory_mailboxes (
    address TEXT PRIMARY KEY,
    fingerprint BLOB NOT NULL,
    kind TEXT NOT NULL,
    display_name TEXT NOT NULL,
    family_name TEXT,
    given_name TEXT,
    profession_code TEXT,
    profession_label TEXT,
    specialty_code TEXT,
    specialty_label TEXT,
    service TEXT,
    site_name TEXT,
    postal_code TEXT,
    commune TEXT,
    national_id TEXT,
    structure_kind TEXT,
    structure_value TEXT,
    liste_rouge INTEGER NOT NULL,
    name_key TEXT NOT NULL,
    profession_key TEXT NOT NULL,
    specialty_key TEXT NOT NULL,
    place_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS directory_mailboxes_person ON directory_mailboxes(national_id);
CREATE TABLE IF NOT EXISTS directory_people (
    key TEXT PRIMARY KEY,
    fingerprint BLOB NOT NULL,
    national_id TEXT NOT NULL,
    phone TEXT
);
CREATE INDEX IF NOT EXISTS directory_people_person ON directory_people(national_id);
CREATE TABLE IF NOT EXISTS directory_preferences (
    address TEXT PRIMARY KEY,
    liste_rouge INTEGER NOT NULL,
    phone_consent INTEGER NOT NULL
);

-- Recipients at other operators (MS-4, MS-16): one row each, sharing the sealed copy
-- `blob_id` whose key `key_ref` is wrapped for the sending account.
CREATE TABLE IF NOT EXISTS outbound (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_ref TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    blob_id TEXT NOT NULL,
    key_ref TEXT NOT NULL,
    return_path TEXT NOT NULL,
    recipient TEXT NOT NULL,
    notify_success INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    next_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    claimed_by TEXT,
    claimed_until_ms INTEGER,
    last_reply TEXT
);
CREATE INDEX IF NOT EXISTS outbound_due ON outbound (state, next_ms);
CREATE INDEX IF NOT EXISTS outbound_ref ON outbound (queue_ref);
CREATE INDEX IF NOT EXISTS outbound_blob ON outbound (blob_id);

-- The patient rules (MS-8, MS-9, MS-10). Addresses are lower case; a patient's is
-- <INS>@patient.<domain>, as in accounts. No message content here.
-- A professional's standing with a patient: 'open' once they wrote, 'ended' after [FIN].
CREATE TABLE IF NOT EXISTS patient_exchanges (
    patient TEXT NOT NULL,
    professional TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (patient, professional)
);
-- Professionals a patient blocked (MS-10).
CREATE TABLE IF NOT EXISTS patient_blocks (
    patient TEXT NOT NULL,
    professional TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (patient, professional)
);
-- Patients who objected to exchanges about them (MS-9), by INS, with who recorded it.
CREATE TABLE IF NOT EXISTS oppositions (
    ins TEXT PRIMARY KEY,
    recorded_by TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
-- Which patients (by account) each message copy concerns (TR-4, AC-3): its patient
-- recipients or sender, the patient of its IHE XDM attachment.
CREATE TABLE IF NOT EXISTS message_patients (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    patient_account INTEGER NOT NULL,
    PRIMARY KEY (message_id, patient_account)
);
-- Accesses by others to data concerning a patient, kept for the patient to see (TR-4):
-- who (account), what (action code), which message copy, when. Outlives the message.
CREATE TABLE IF NOT EXISTS patient_accesses (
    patient_account INTEGER NOT NULL,
    actor_account INTEGER NOT NULL,
    action TEXT NOT NULL,
    message_id INTEGER NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS patient_accesses_patient ON patient_accesses(patient_account, actor_account);
-- Scheduled jobs (TR-2, RT-1): which node holds a job, until when, so that with
-- several nodes on one database each job runs on one at a time.
CREATE TABLE IF NOT EXISTS job_leases (
    job TEXT PRIMARY KEY,
    node TEXT NOT NULL,
    until_ms INTEGER NOT NULL
);
-- Inactivity (RT-1): each account's last successful login, and the warnings sent
-- before its mailbox is deleted (stage: days before the deadline), each with the
-- SHA-256 of the objection link's token.
CREATE TABLE IF NOT EXISTS account_activity (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    last_auth_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS inactivity_warnings (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    stage INTEGER NOT NULL,
    sent_ms INTEGER NOT NULL,
    token_hash BLOB NOT NULL,
    PRIMARY KEY (account_id, stage)
);
-- Terms of use accepted (IN-1): which version, when.
CREATE TABLE IF NOT EXISTS terms_acceptances (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (account_id, version)
);
-- Web and API sessions opened after a strong login (AU-1, AU-3): only the SHA-256 of
-- the token is kept; `factor` is how the login was proven.
CREATE TABLE IF NOT EXISTS web_sessions (
    token_hash BLOB PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    factor TEXT NOT NULL,
    source TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    seen_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);
-- Idempotency keys of API sends (MS-18): a retried POST returns the first answer.
-- `response` is NULL while the first request is still being processed.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    response TEXT,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (account_id, key)
);
-- Staff roles (AC-1): which personal accounts hold which administrative role
-- (`ra`, `admin`, `auditor`), since when.
CREATE TABLE IF NOT EXISTS staff_roles (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    granted_ms INTEGER NOT NULL,
    PRIMARY KEY (account_id, role)
);
-- Folders their owner marked personal (MS-14): their messages are kept out of every
-- administrative view.
CREATE TABLE IF NOT EXISTS personal_mailboxes (
    mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
    since_ms INTEGER NOT NULL
);
-- Health alert broadcasts (MS-15): who sent one, to which audience (codes only), and
-- how many it reached so far. The message itself is the sender's Sent copy.
CREATE TABLE IF NOT EXISTS broadcasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    audience TEXT NOT NULL,
    targeted INTEGER NOT NULL,
    delivered INTEGER NOT NULL,
    queued INTEGER NOT NULL,
    unreachable INTEGER NOT NULL,
    state TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
-- Automatic forwarding rules (MS-17): where an account's mail is also sent, checked
-- against the trust space when set and at each use.
CREATE TABLE IF NOT EXISTS forwarding_rules (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    target TEXT NOT NULL,
    since_ms INTEGER NOT NULL
);
-- A phone number for notices by SMS (RT-1), E.164, set by the operator or the user.
CREATE TABLE IF NOT EXISTS contact_phones (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    phone TEXT NOT NULL
);
-- The personal-data breach register (TR-6): nature, detection, state, risk (codes),
-- the accounts and message copies concerned (comma-separated ids), notification and
-- closure times. No description: what happened is told to the authority, not stored
-- here. Kept five years after closure (the authority may ask for it), then purged.
CREATE TABLE IF NOT EXISTS breaches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    nature TEXT NOT NULL,
    detected_ms INTEGER NOT NULL,
    opened_ms INTEGER NOT NULL,
    state TEXT NOT NULL,
    risk TEXT,
    accounts TEXT NOT NULL,
    messages TEXT NOT NULL,
    notified_ms INTEGER,
    users_informed INTEGER NOT NULL,
    closed_ms INTEGER
);
-- A patient's representatives (ID-7): a parent of a minor, a legal guardian; the
-- capacity and its evidence (codes), until when (a parent's: the child's majority).
CREATE TABLE IF NOT EXISTS representatives (
    patient_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    representative_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    capacity TEXT NOT NULL,
    evidence TEXT NOT NULL,
    until_ms INTEGER,
    registered_ms INTEGER NOT NULL,
    PRIMARY KEY (patient_id, representative_id)
);
-- Requests to correct one's identity data (AC-3): the holder's words, addressed to
-- the registration authority, who sees them with the accounts. Kept with the account.
CREATE TABLE IF NOT EXISTS correction_requests (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    what TEXT NOT NULL,
    requested_ms INTEGER NOT NULL
);
