//! The daily purge of what is kept past its time ([`crate::retention`]): alerts,
//! patients' access records and broadcast records older than the trace retention
//! (TR-2, TR-4), breaches closed more than five years ago (TR-6), failure counters no
//! longer in force (AU-3), receipts of relayed messages past any sender's retries
//! (MS-16), the senders an out-of-office answered past its period (RFC 3834, MS-6),
//! passkey ceremonies past their lifetime (AU-1), contact changes whose code expired
//! (AU-1, MS-7, RT-1).

use caduceus_core::Timestamp;

use super::SqlStore;
use crate::error::Result;

/// A failure counter idle this long (and not locking anything) is forgotten; the
/// lockout policy itself forgives after an hour.
const FAILURES_FORGOTTEN_MS: i64 = 24 * 3_600_000;

/// How long a closed breach stays in the register (TR-6).
const BREACHES_KEPT_MS: i64 = 5 * 365 * 24 * 3_600_000;

/// See [`crate::Store::purge_expired`].
pub(super) async fn expired(store: &SqlStore, now: Timestamp, before: Timestamp) -> Result<u64> {
    let mut tx = store.db.begin_write().await?;
    let mut removed = 0;
    for (sql, at) in [
        ("DELETE FROM alerts WHERE at_ms < $1", before),
        ("DELETE FROM patient_accesses WHERE at_ms < $1", before),
        ("DELETE FROM broadcasts WHERE updated_ms < $1", before),
        (
            "DELETE FROM breaches WHERE closed_ms < $1",
            Timestamp::from_millis(now.as_millis() - BREACHES_KEPT_MS),
        ),
        (
            "DELETE FROM relay_receipts WHERE at_ms < $1",
            now.saturating_sub(caduceus_core::RELAY_RECEIPT_LIFETIME),
        ),
        ("DELETE FROM passkey_ceremonies WHERE expires_ms <= $1", now),
        (
            "DELETE FROM contact_confirmations WHERE expires_ms <= $1",
            now,
        ),
        (
            "DELETE FROM absence_replies WHERE replied_ms < $1",
            now.saturating_sub(caduceus_core::absence::REPLY_PERIOD),
        ),
        (
            "DELETE FROM auth_failures WHERE (last_ms IS NULL OR last_ms < $1) \
             AND (locked_until_ms IS NULL OR locked_until_ms < $1)",
            Timestamp::from_millis(now.as_millis() - FAILURES_FORGOTTEN_MS),
        ),
    ] {
        removed += sqlx::query(sql)
            .bind(at.as_millis())
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    Ok(removed)
}
