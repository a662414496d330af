//! The retention inventory (TR-2, RT-1, RT-2, ID-6): every table of both schemas, what
//! it holds, how long it is kept and what removes it. One list, checked against the
//! schema files by a test, so a table cannot be added without saying when its rows go;
//! `docs/retention.md` is written from it.

/// How long a table's rows are kept, and what removes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// Rows of one account: removed with it when it is deleted (closure after its
    /// grace, inactivity; RT-1, RT-2), by the store's deletion or a cascade.
    WithAccount,
    /// Rows of one message copy: removed with it (RT-3), by a cascade or the deletion.
    WithMessage,
    /// Removed by the daily purge once older than the trace retention (one year at
    /// most, `retention.trace_days`; TR-2).
    TraceRetention,
    /// Removed by the daily purge once no longer in force (a failure counter forgiven,
    /// a session ended, a key past its use).
    WhileInForce,
    /// Public registry data (the national directory extracts), replaced by each import;
    /// a holder's choices go with their account.
    Registry,
    /// A patient's opposition (MS-9): kept until withdrawn, whether or not the patient
    /// has an account (it is about exchanges concerning them); a patient's objection to
    /// the creation of their mailbox (AC-3): until they accept one in person.
    UntilWithdrawn,
    /// The server's own state (no personal data): one row per job, the chain's head.
    ServerState,
    /// The breach register (TR-6): kept five years after a breach's closure, then
    /// removed by the daily purge.
    BreachRegister,
}

/// One table: its name, what it holds, how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    /// The table's name in the schema.
    pub name: &'static str,
    /// What a row holds, in a few words.
    pub holds: &'static str,
    /// How long it is kept.
    pub kept: Kept,
}

const fn table(name: &'static str, holds: &'static str, kept: Kept) -> Table {
    Table { name, holds, kept }
}

/// Every table of the data database, then of the keyring.
pub const INVENTORY: &[Table] = &[
    table(
        "accounts",
        "address, name, registry identifier, state",
        Kept::WithAccount,
    ),
    table(
        "verifications",
        "who verified an identity, when, on what evidence (ID-2)",
        Kept::WithAccount,
    ),
    table(
        "delegations",
        "delegates of an organisational mailbox (ID-3)",
        Kept::WithAccount,
    ),
    table("mailboxes", "folders", Kept::WithAccount),
    table(
        "uidvalidity_last",
        "the last UIDVALIDITY given to an account's folders (IMAP)",
        Kept::WithAccount,
    ),
    table(
        "recent_claims",
        "the highest UID of a folder an IMAP session was told of (\\Recent)",
        Kept::WithAccount,
    ),
    table(
        "subscriptions",
        "the folder names an account subscribed to (IMAP)",
        Kept::WithAccount,
    ),
    table(
        "expunged",
        "UIDs expunged from a folder (IMAP QRESYNC)",
        Kept::WithAccount,
    ),
    table(
        "messages",
        "message copies: sealed body reference, flags (MS-4)",
        Kept::WithAccount,
    ),
    table(
        "blob_data",
        "sealed bodies stored as rows",
        Kept::WithMessage,
    ),
    table(
        "message_patients",
        "which patient account a copy concerns (TR-4)",
        Kept::WithMessage,
    ),
    table(
        "personal_mailboxes",
        "folders marked personal (MS-14)",
        Kept::WithAccount,
    ),
    table(
        "traces",
        "the trace chain: ids only (TR-1, TR-5)",
        Kept::TraceRetention,
    ),
    table(
        "trace_checkpoints",
        "signed checkpoints of the chain",
        Kept::TraceRetention,
    ),
    table(
        "trace_head",
        "the chain's last number and hash",
        Kept::ServerState,
    ),
    table(
        "devices",
        "device credentials (hash), names, last use (AU-2)",
        Kept::WithAccount,
    ),
    table(
        "passkeys",
        "passkeys' public keys and counters, names, last use (AU-1, MS-18)",
        Kept::WithAccount,
    ),
    table(
        "pairing_tokens",
        "one-time phone pairing tokens (hash), expiry, use (MS-18)",
        Kept::WithAccount,
    ),
    table(
        "passkey_ceremonies",
        "WebAuthn ceremonies under way: id (hash), kind, account, challenge, expiry (AU-1)",
        Kept::WhileInForce,
    ),
    table(
        "contact_confirmations",
        "a new contact address or phone number (sealed) waiting for its code (hash), expiry, tries (AU-1, MS-7, RT-1)",
        Kept::WhileInForce,
    ),
    table(
        "second_factors",
        "sealed TOTP secret, last step used (AU-1)",
        Kept::WithAccount,
    ),
    table(
        "new_mail_notices",
        "out-of-band address, notice choice (MS-7)",
        Kept::WithAccount,
    ),
    table(
        "contact_phones",
        "phone number for SMS notices (RT-1)",
        Kept::WithAccount,
    ),
    table(
        "login_codes",
        "pending emailed code (hash)",
        Kept::WithAccount,
    ),
    table(
        "auth_failures",
        "failure counter per account or source address (AU-3)",
        Kept::WhileInForce,
    ),
    table(
        "alerts",
        "security alerts: kind, subject id, counts (TR-3)",
        Kept::TraceRetention,
    ),
    table(
        "directory_mailboxes",
        "the national mailbox extract (ID-4)",
        Kept::Registry,
    ),
    table(
        "directory_people",
        "the national practitioner extract (ID-4)",
        Kept::Registry,
    ),
    table(
        "directory_preferences",
        "liste rouge and phone consent of a holder (ID-4)",
        Kept::WithAccount,
    ),
    table(
        "outbound",
        "recipients at other operators and their sealed copy (MS-16)",
        Kept::WithAccount,
    ),
    table(
        "patient_exchanges",
        "who wrote to which patient, ended or not (MS-8)",
        Kept::WithAccount,
    ),
    table(
        "patient_blocks",
        "professionals a patient blocked (MS-10)",
        Kept::WithAccount,
    ),
    table(
        "oppositions",
        "patients opposed to exchanges, by INS (MS-9)",
        Kept::UntilWithdrawn,
    ),
    table(
        "patient_accesses",
        "who reached a patient's data, when (TR-4)",
        Kept::TraceRetention,
    ),
    table(
        "relay_receipts",
        "SHA-256 of peer, Message-ID and recipient of each relayed message stored (MS-16)",
        Kept::WhileInForce,
    ),
    table(
        "job_leases",
        "which node runs a scheduled job",
        Kept::ServerState,
    ),
    table("account_activity", "last login (RT-1)", Kept::WithAccount),
    table(
        "inactivity_warnings",
        "warnings delivered and their objection token (hash) (RT-1)",
        Kept::WithAccount,
    ),
    table(
        "terms_acceptances",
        "terms of use accepted, when (IN-1)",
        Kept::WithAccount,
    ),
    table(
        "web_sessions",
        "web sessions (hash of the token)",
        Kept::WhileInForce,
    ),
    table(
        "idempotency_keys",
        "the API's idempotency keys and answers",
        Kept::WhileInForce,
    ),
    table(
        "staff_roles",
        "staff roles and where each applies (AC-1)",
        Kept::WithAccount,
    ),
    table(
        "broadcasts",
        "health alert broadcasts: audience codes, counts (MS-15)",
        Kept::TraceRetention,
    ),
    table(
        "representatives",
        "a patient's representatives: capacity, evidence, end (ID-7)",
        Kept::WithAccount,
    ),
    table(
        "correction_requests",
        "a holder's request to correct their identity data, in their words (AC-3)",
        Kept::WithAccount,
    ),
    table(
        "registration_requests",
        "a professional's own registration: proof, names presented, the register's \
         verdict, the address confirmation token's hash while awaited (ID-1)",
        Kept::WithAccount,
    ),
    table(
        "announcements",
        "a patient mailbox announced: notice date, opening date, link token hash (ID-5)",
        Kept::WithAccount,
    ),
    table(
        "announcement_objections",
        "SHA-256 of the INS of a patient who objected to their mailbox, and the date (AC-3)",
        Kept::UntilWithdrawn,
    ),
    table(
        "breaches",
        "personal-data breaches: nature, risk, state, times, account and message ids (TR-6)",
        Kept::BreachRegister,
    ),
    table(
        "forwarding_rules",
        "automatic forwarding target (MS-17)",
        Kept::WithAccount,
    ),
    table(
        "mail_settings",
        "out-of-office setting and signature, sealed; whether the absence is on (MS-6)",
        Kept::WithAccount,
    ),
    table(
        "absence_replies",
        "HMAC-SHA256 under the account key of a sender its absence answered, when (RFC 3834, MS-6)",
        Kept::WhileInForce,
    ),
    table(
        "schema_version",
        "which schema migrations were applied, when (docs/upgrades.md)",
        Kept::ServerState,
    ),
    table(
        "keyring_account_keys",
        "wrapped account keys (RT-2, RT-3)",
        Kept::WithAccount,
    ),
    table(
        "keyring_message_keys",
        "wrapped message keys (RT-3)",
        Kept::WithMessage,
    ),
];

/// The tables a schema file creates, in order.
pub fn tables_in_schema(schema: &str) -> Vec<&str> {
    schema
        .lines()
        .filter_map(|line| line.trim().strip_prefix("CREATE TABLE IF NOT EXISTS "))
        .filter_map(|rest| rest.split([' ', '(']).next())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table added to a schema without a retention rule fails here (TR-2, RT-2).
    #[test]
    fn tr2_rt2_every_table_has_a_retention_rule() {
        let schemas = crate::sql::migrate::every_schema();
        let mut in_schemas: Vec<&str> = schemas.iter().flat_map(|s| tables_in_schema(s)).collect();
        in_schemas.sort_unstable();
        in_schemas.dedup();
        let mut inventoried: Vec<&str> = INVENTORY.iter().map(|t| t.name).collect();
        inventoried.sort_unstable();
        assert_eq!(
            in_schemas, inventoried,
            "every table the migrations create needs one line in retention::INVENTORY"
        );
        // A migration creates tables, or changes inventoried ones (a column added).
        for schema in schemas {
            let altered: Vec<&str> = schema
                .lines()
                .filter_map(|line| line.trim().strip_prefix("ALTER TABLE "))
                .filter_map(|rest| rest.split(' ').next())
                .collect();
            assert!(!tables_in_schema(schema).is_empty() || !altered.is_empty());
            for table in altered {
                assert!(inventoried.contains(&table), "{table} is not inventoried");
            }
        }
    }

    #[test]
    fn retention_doc_names_every_table() {
        let doc = include_str!("../../../docs/retention.md");
        for table in INVENTORY {
            assert!(
                doc.contains(&format!("`{}`", table.name)),
                "docs/retention.md lacks {}",
                table.name
            );
        }
    }
}
