//! What a listing answered from the service's listing cache reads of a folder
//! (issue 20 item 4, MS-18): which messages are still there and which content each
//! holds, nothing sealed, no key ([`crate::Store::messages_present`]).

use crate::model::MessageId;

/// A message still in its folder as a listing finds it (issue 20 item 4): the row's
/// identity and the id of its sealed content, nothing sealed and no key. A listing
/// answered from memory checks with it that the message is still there (RFC 2180
/// §4.1) and which content it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresentMessage {
    /// The row.
    pub id: MessageId,
    /// Its UID in the folder: never given to another message of the folder, so a
    /// row id SQLite reused for another message is told apart.
    pub uid: i64,
    /// The sealed body's id: what the content's identity is (a copy shares it).
    pub blob_id: String,
}
