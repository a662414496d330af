//! FETCH's hot reads on SQLite: many sealed messages with their wrapped keys (or, for
//! a listing answered from the listing cache, only which of them are still there),
//! in one statement stepped on a blocking thread, on read-only connections of our own.
//!
//! This read is apart from sqlx because sqlx's SQLite driver hands every row from its
//! worker thread to the async side (a wake-up per row) and copies each value twice on
//! the way: for a batch of 500 message bodies that cost more than SQLite's own work
//! (docs/benchmarks.md, session 10). Here a batch is one trip to a blocking thread
//! (a batch of bodies is too long for the caller's thread, unlike a point read), each
//! value copied once, on `sqlite_direct::ReadOnly`'s connections.
//!
//! The connections are read-only (`SQLITE_OPEN_READ_ONLY`): they cannot change the
//! data or the keyring, whatever the statement. The keyring is attached, so one
//! statement returns a message with its wrapped key; a key that is gone (RT-3) comes
//! back as `NULL`.

use std::path::Path;
use std::sync::Arc;

use caduceus_core::Timestamp;
use caduceus_core::object_id::ObjectId;
use rusqlite::{Connection, params_from_iter};

use crate::error::{Result, StoreError};
use crate::listing::PresentMessage;
use crate::model::{MailboxId, MessageId, MessageSummary, Unseal};
use crate::sql::messages::{SealedRow, sealed_columns, split_flags};
use crate::sql::sqlite_direct::ReadOnly;

/// Read-only connections to `caduceus.db` with `keyring.db` attached.
#[derive(Clone, Debug)]
pub(crate) struct SqliteReads {
    connections: Arc<ReadOnly>,
}

impl SqliteReads {
    /// Reads `caduceus.db` and `keyring.db` of `data_dir` (opened on first use).
    pub fn new(data_dir: &Path) -> Self {
        let keyring = Some(data_dir.join("keyring.db"));
        Self {
            connections: Arc::new(ReadOnly::new(data_dir.join("caduceus.db"), keyring)),
        }
    }

    /// The rows of `ids` that exist (and, with `folder`, are in it), in any order,
    /// with their sealed metadata and inline bodies as `unseal` asks.
    pub async fn sealed_rows(
        &self,
        folder: Option<MailboxId>,
        ids: &[MessageId],
        unseal: Unseal,
    ) -> Result<Vec<SealedRow>> {
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        self.blocking(move |conn| sealed_rows(conn, folder, &ids, unseal))
            .await
    }

    /// The rows of `ids` in `folder`, in any order: their identity and content id
    /// only (a listing answered from the listing cache, issue 20 item 4).
    pub async fn present_rows(
        &self,
        folder: MailboxId,
        ids: &[MessageId],
    ) -> Result<Vec<PresentMessage>> {
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        self.blocking(move |conn| present_rows(conn, folder, &ids))
            .await
    }

    /// Runs `read` on one of the connections, on a blocking thread.
    async fn blocking<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let connections = self.connections.clone();
        tokio::task::spawn_blocking(move || connections.with(read))
            .await
            .map_err(|stopped| StoreError::Database(sqlx::Error::AnyDriverError(stopped.into())))?
    }
}

fn sealed_rows(
    conn: &Connection,
    folder: Option<MailboxId>,
    ids: &[i64],
    unseal: Unseal,
) -> Result<Vec<SealedRow>> {
    let (meta_column, body_column) = sealed_columns(unseal, "m.meta", "b.data", "NULL");
    let in_folder = if folder.is_some() {
        " AND m.mailbox_id = ?"
    } else {
        ""
    };
    let sql = format!(
        "SELECT m.id, m.mailbox_id, m.uid, m.modseq, m.flags, m.internal_ms, m.size, \
         m.blob_id, m.key_ref, {meta_column}, {body_column}, k.account_id, k.wrapped \
         FROM messages m \
         LEFT JOIN blob_data b ON b.id = m.blob_id \
         LEFT JOIN keyring.keyring_message_keys k ON k.key_ref = m.key_ref \
         WHERE m.id IN ({}){in_folder}",
        vec!["?"; ids.len()].join(", ")
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let values = ids.iter().copied().chain(folder.map(|f| f.0));
    let mut rows = statement.query(params_from_iter(values))?;
    let mut sealed = Vec::with_capacity(ids.len());
    while let Some(row) = rows.next()? {
        let flags: String = row.get(4)?;
        let account: Option<i64> = row.get(11)?;
        let wrapped: Option<Vec<u8>> = row.get(12)?;
        let blob_id: String = row.get(7)?;
        sealed.push(SealedRow {
            summary: MessageSummary {
                id: MessageId(row.get(0)?),
                mailbox: MailboxId(row.get(1)?),
                uid: row.get(2)?,
                modseq: row.get(3)?,
                flags: split_flags(&flags),
                internal: Timestamp::from_millis(row.get(5)?),
                size: row.get(6)?,
                email_id: ObjectId::email(&blob_id),
            },
            blob_id,
            key_ref: row.get(8)?,
            meta: row.get::<_, Option<Vec<u8>>>(9)?.unwrap_or_default(),
            inline_body: row.get(10)?,
            wrapped_key: account.zip(wrapped),
        });
    }
    Ok(sealed)
}

fn present_rows(conn: &Connection, folder: MailboxId, ids: &[i64]) -> Result<Vec<PresentMessage>> {
    let sql = format!(
        "SELECT id, uid, blob_id FROM messages WHERE id IN ({}) AND mailbox_id = ?",
        vec!["?"; ids.len()].join(", ")
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let values = ids.iter().copied().chain([folder.0]);
    let mut rows = statement.query(params_from_iter(values))?;
    let mut present = Vec::with_capacity(ids.len());
    while let Some(row) = rows.next()? {
        present.push(PresentMessage {
            id: MessageId(row.get(0)?),
            uid: row.get(1)?,
            blob_id: row.get(2)?,
        });
    }
    Ok(present)
}
