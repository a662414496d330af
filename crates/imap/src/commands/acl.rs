//! Read-only access control lists (RFC 4314): MYRIGHTS, GETACL, LISTRIGHTS, and
//! LIST's MYRIGHTS return option (RFC 8440), so that mail clients show what a
//! login may do in each mailbox, its own or one it acts for (ID-3, ID-7). Rights
//! are given by the registration authority (a delegation, a representation),
//! never over IMAP: SETACL and DELETEACL are refused (AC-1).

use super::*;
use crate::extended::Acl;

/// The rights a login has on a folder it may open, its own or one it acts for
/// (RFC 4314 §2.1): lookup, read, keep seen, write flags, insert, create and
/// delete folders, delete and expunge messages — all but `a` (administer: rights
/// are the registration authority's) and `p` (post: mail reaches a mailbox by
/// SMTP).
pub(crate) const RIGHTS: &str = "lrswikxte";

/// The rights RFC 4314 §2.1.1 has servers name in CAPABILITY (`RIGHTS=texk`):
/// those of its rights beyond RFC 2086's.
pub(crate) const CAPABILITY: &str = "RIGHTS=texk";

impl Session {
    /// Answers an ACL command (RFC 4314 §3) for `login`.
    pub(super) async fn acl(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        login: &Login,
        command: Acl,
    ) {
        let mailbox = match &command {
            Acl::MyRights(mailbox) | Acl::Get(mailbox) | Acl::ListRights(mailbox, _) => mailbox,
            Acl::Change => {
                out.enqueue_status(status(
                    Kind::No,
                    Some(tag),
                    Some(code("NOPERM")),
                    "rights are given by the registration authority (a delegation, a \
                     representation: AC-1, ID-3, ID-7), never over IMAP",
                ));
                return;
            }
        };
        let place = match self.named_folder(login, &tag, mailbox).await {
            Ok((place, _)) => place,
            Err(answer) => {
                out.enqueue_status(answer);
                return;
            }
        };
        let name = quoted(&wire_name(mailbox));
        let line = match &command {
            Acl::MyRights(_) => format!("* MYRIGHTS {name} {RIGHTS}\r\n"),
            Acl::Get(_) if place.is_shared() => {
                out.enqueue_status(status(
                    Kind::No,
                    Some(tag),
                    Some(code("NOPERM")),
                    "only a mailbox's owner reads its access list (RFC 4314 section 3.3); \
                     yours here is MYRIGHTS",
                ));
                return;
            }
            Acl::Get(_) => {
                let owner = quoted(login.auth.account().address.as_str());
                format!("* ACL {name} {owner} {RIGHTS}\r\n")
            }
            Acl::ListRights(_, identifier) => {
                let required = listed_rights(login, identifier);
                let identifier = quoted(identifier);
                format!("* LISTRIGHTS {name} {identifier} {}\r\n", quoted(required))
            }
            Acl::Change => unreachable!("answered above"),
        };
        out.enqueue_line(line.as_bytes());
        out.enqueue_status(status(Kind::Ok, Some(tag), None, "completed"));
    }
}

/// The rights `identifier` always has on a folder the login may open
/// (LISTRIGHTS, RFC 4314 §3.4), none of them optional since none can be granted
/// over IMAP: all of [`RIGHTS`] for the login itself, none told for anyone else.
fn listed_rights(login: &Login, identifier: &str) -> &'static str {
    let own = login.auth.account().address.as_str();
    if identifier.eq_ignore_ascii_case(own) {
        RIGHTS
    } else {
        ""
    }
}

/// A mailbox name as the client wrote it.
pub(super) fn wire_name(mailbox: &ImapMailbox<'_>) -> String {
    match mailbox {
        ImapMailbox::Inbox => "INBOX".to_owned(),
        ImapMailbox::Other(other) => String::from_utf8_lossy(other.as_ref()).into_owned(),
    }
}
