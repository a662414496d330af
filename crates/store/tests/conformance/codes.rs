//! Short one-time codes at rest on every backend (AU-1, MS-4): a login code and the
//! code confirming a new contact are kept as an HMAC-SHA256 under the account key,
//! bound to their use and account, never as the SHA-256 of their six digits, which a
//! copy of the database would reverse in milliseconds. The same digits sent to two
//! accounts, or for two uses, are kept apart; the right code still matches, a wrong
//! one does not.

use caduceus_core::contact::{ContactChannel, ContactValue};
use caduceus_core::{MailAddress, Timestamp};
use caduceus_store::*;
use sha2::Digest as _;

use super::contact::{code, put};
use super::harness::Harness;
use super::{now, professional};

/// The code hashes `sql` reads, account by account.
async fn kept(h: &Harness, sql: &'static str) -> Vec<Vec<u8>> {
    sqlx::query_scalar(sql).fetch_all(&h.raw).await.unwrap()
}

pub async fn au1_ms4_short_codes_are_kept_keyed_apart_per_account_and_use(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let b = professional(&h, "bruno", "10000000009").await;
    let (same, wrong) = (code(4), code(5));
    let value = ContactValue::Email(MailAddress::parse("zorglub.nouvelle@example.org").unwrap());
    let expires = Timestamp::from_millis(now().as_millis() + 900_000);
    for account in [a.id, b.id] {
        h.store
            .put_login_code(account, &same, expires)
            .await
            .unwrap();
        put(&h, account, &value, 4, expires).await;
    }

    // Four values kept for the same six digits: none is their SHA-256, no two alike.
    let login = kept(&h, "SELECT code_hash FROM login_codes ORDER BY account_id").await;
    let contact = "SELECT code_hash FROM contact_confirmations ORDER BY account_id";
    let all = [login, kept(&h, contact).await].concat();
    assert_eq!(all.len(), 4);
    let plain = sha2::Sha256::digest(same.expose().as_bytes()).to_vec();
    for (i, hash) in all.iter().enumerate() {
        assert_eq!(hash.len(), 32, "an HMAC-SHA256");
        assert_ne!(hash, &plain, "value {i} is the code's SHA-256");
        for other in &all[i + 1..] {
            assert_ne!(hash, other, "value {i} kept twice");
        }
    }

    // The right code still matches, for each account and use; a wrong one does not.
    for account in [a.id, b.id] {
        assert!(h.store.login_code_matches(account, &same).await.unwrap());
        assert!(!h.store.login_code_matches(account, &wrong).await.unwrap());
        let found = h.store.contact_code_channel(account, &same).await.unwrap();
        assert_eq!(found, Some(ContactChannel::Email));
        let none = h.store.contact_code_channel(account, &wrong).await.unwrap();
        assert_eq!(none, None);
    }
    // Another account's kept hash moved into this one's row matches nothing.
    sqlx::query("UPDATE login_codes SET code_hash = $1 WHERE account_id = $2")
        .bind(&all[1])
        .bind(a.id.0)
        .execute(&h.raw)
        .await
        .unwrap();
    assert!(!h.store.login_code_matches(a.id, &same).await.unwrap());
}
