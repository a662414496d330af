//! Object identifiers for mail clients (RFC 8474, MS-6): a folder's and a message's
//! ids, stable and opaque, that say nothing of a name, a subject or any content.
//!
//! - A folder's id ([`ObjectId::mailbox`]) is made of its database id and its
//!   UIDVALIDITY: kept across a rename (both stay), new when a folder is deleted and
//!   made again under the same name (its UIDVALIDITY changes).
//! - A message's id ([`ObjectId::email`]) is a digest of its sealed content's id,
//!   which every copy shares (COPY, MOVE, one delivery to several folders): the same
//!   for copies of one message, never the id of a database row.

use sha2::{Digest, Sha256};

/// An RFC 8474 object id: 1 to 255 characters of `[A-Za-z0-9_-]` (`objectid`,
/// §7), made only here.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectId(String);

impl ObjectId {
    /// The id of the folder `id` whose UIDVALIDITY is `uidvalidity`.
    pub fn mailbox(id: i64, uidvalidity: i64) -> Self {
        Self(format!("F{id:x}-{uidvalidity:x}"))
    }

    /// The id of a message whose sealed content is stored under `content`: the
    /// first 96 bits of its SHA-256, in hexadecimal.
    pub fn email(content: &str) -> Self {
        let digest = Sha256::new()
            .chain_update(b"caduceus emailid\0")
            .chain_update(content.as_bytes())
            .finalize();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut id = String::with_capacity(25);
        id.push('M');
        for byte in &digest[..12] {
            id.push(char::from(HEX[usize::from(byte >> 4)]));
            id.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        Self(id)
    }

    /// The id as it goes on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(id: &ObjectId) -> bool {
        (1..=255).contains(&id.as_str().len())
            && id
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }

    #[test]
    fn ms6_rfc8474_object_ids_are_of_the_rfc_grammar() {
        assert!(valid(&ObjectId::mailbox(i64::MAX, 1)));
        assert!(valid(&ObjectId::mailbox(-1, -1)));
        assert!(valid(&ObjectId::email("blob/with spaces and é")));
    }

    #[test]
    fn ms6_rfc8474_a_folder_made_again_gets_a_new_id_a_message_copy_the_same() {
        assert_ne!(ObjectId::mailbox(7, 100), ObjectId::mailbox(7, 101));
        assert_ne!(ObjectId::mailbox(7, 100), ObjectId::mailbox(8, 100));
        assert_eq!(ObjectId::email("b1"), ObjectId::email("b1"));
        assert_ne!(ObjectId::email("b1"), ObjectId::email("b2"));
        assert!(!ObjectId::email("b1").as_str().contains("b1"));
    }

    #[test]
    fn ms6_rfc8474_an_email_id_stays_what_it_was_for_the_same_content() {
        // RFC 8474 §5.1: an EMAILID never changes; written the way it always was.
        let digest = Sha256::new()
            .chain_update(b"caduceus emailid\0")
            .chain_update(b"blob-1")
            .finalize();
        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(ObjectId::email("blob-1").as_str(), format!("M{hex}"));
    }
}
