//! The export of one's own messages (RT-4): a ZIP of `.eml` files, one directory per
//! folder, and `index.json` (folder, UID, flags, date, size, personal) to import them
//! back with their flags. Streamed as it is written: at most one batch of messages is
//! in memory, whatever the mailbox's size. Every message is read, so traced (TR-1).

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use caduceus_core::personal::is_personal;
use caduceus_service::Service;
use caduceus_service::folders::Opening;
use caduceus_service::messages::MailboxAccess;
use futures::SinkExt;
use futures::channel::mpsc;
use serde::Serialize;

use super::login::User;
use super::problem::ApiResult;

/// Messages opened (and held) at a time.
const BATCH: usize = 50;

/// Why an export stopped: the service, the ZIP writer, or the client gone.
type Failure = Box<dyn std::error::Error + Send + Sync>;

/// What the body stream carries.
type Chunk = Result<Vec<u8>, std::io::Error>;

/// `GET /export`: every message of the account (RT-4).
pub async fn export(State(service): State<Service>, user: User) -> ApiResult<Response> {
    let access = service
        .authorize(&user.login.caller(), user.login.account().id)
        .await?;
    export_of(&service, access).await
}

/// The streamed ZIP export of the messages `access` opens (RT-4): refused (AC-1,
/// IN-1) before the first byte, when `access` is asked for; a failure while
/// streaming cuts the download short (logged), so a client never takes a partial
/// archive for a whole one.
pub(crate) async fn export_of(service: &Service, access: MailboxAccess) -> ApiResult<Response> {
    let (mut tx, rx) = mpsc::channel::<Chunk>(2);
    let service = service.clone();
    tokio::spawn(async move {
        if let Err(error) = write_export(&service, &access, &mut tx).await {
            tracing::warn!(%error, "export stopped");
            let _ = tx.send(Err(std::io::Error::other("export stopped"))).await;
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"caduceus-export.zip\"",
            ),
        ],
        Body::from_stream(rx),
    )
        .into_response())
}

/// One message's line in `index.json`.
#[derive(Serialize)]
struct IndexEntry {
    file: String,
    folder: String,
    uid: i64,
    flags: Vec<String>,
    received: String,
    size: i64,
    personal: bool,
}

/// The bytes the ZIP writer produced since the last batch was sent.
#[derive(Clone, Default)]
struct Pending(Arc<Mutex<Vec<u8>>>);

impl Pending {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Write for Pending {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn write_export(
    service: &Service,
    access: &MailboxAccess,
    tx: &mut mpsc::Sender<Chunk>,
) -> Result<(), Failure> {
    let pending = Pending::default();
    let mut zip = zip::ZipWriter::new_stream(pending.clone());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let personal_folders = service.personal_folders(access).await?;
    let mut index = Vec::new();
    for folder in service.mailboxes(access).await? {
        let (_, summaries) = service.folder_state(access, folder.id).await?;
        let ids: Vec<_> = summaries.iter().map(|m| m.id).collect();
        let in_personal = personal_folders.contains(&folder.id);
        for batch in ids.chunks(BATCH) {
            let opened = service
                .open_messages(access, folder.id, batch, Opening::Read)
                .await?;
            for message in opened {
                let file = format!(
                    "{}/{:06}.eml",
                    caduceus_core::folder::archive_path(&folder.name),
                    message.summary.uid
                );
                zip.start_file(file.as_str(), options)?;
                zip.write_all(&message.raw)?;
                index.push(IndexEntry {
                    personal: is_personal(&message.summary.flags, in_personal),
                    file,
                    folder: folder.name.clone(),
                    uid: message.summary.uid,
                    flags: message.summary.flags,
                    received: message.summary.internal.rfc5322(),
                    size: message.summary.size,
                });
            }
            tx.send(Ok(pending.take())).await?;
        }
    }
    zip.start_file("index.json", options)?;
    serde_json::to_writer_pretty(&mut zip, &index)?;
    zip.finish()?;
    tx.send(Ok(pending.take())).await?;
    Ok(())
}
