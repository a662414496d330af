//! Folder names resolved in the login's own mailbox or in the shared namespace
//! ([`crate::shared`]), and the check, before each command on a shared mailbox,
//! that the person may still act for it (ID-3, ID-7, AC-1).

use super::*;
use crate::shared::{self, Name, Place};

impl Session {
    /// Where the folder a client names is: the login's own mailbox, or a mailbox
    /// it acts for, with the access the service gives for it now (a refusal is
    /// traced `access.denied` by the service). A shared mailbox the login may not
    /// open reads as no folder, like one that does not exist: a name reveals no
    /// mailbox.
    pub(super) async fn place(
        &self,
        login: &Login,
        tag: &Tag<'static>,
        mailbox: &ImapMailbox<'_>,
    ) -> Result<Place, Status<'static>> {
        let name = self.folder_name(tag, mailbox)?;
        let none =
            |text: &str| status(Kind::No, Some(tag.clone()), Some(code("NONEXISTENT")), text);
        match shared::parse(&name) {
            Name::Own(own) => Ok(Place {
                access: login.access.clone(),
                name: own.to_owned(),
                prefix: String::new(),
            }),
            Name::Container => Err(none(
                "a container of shared mailboxes (\\Noselect), not a folder",
            )),
            Name::Shared { address, folder } => {
                let caller = login.auth.caller();
                match self.service.authorize_address(&caller, address).await {
                    Ok(access) => Ok(Place {
                        access,
                        name: shared::inbox_named(folder),
                        prefix: shared::prefix(address),
                    }),
                    Err(
                        caduceus_service::ServiceError::NotFound(_)
                        | caduceus_service::ServiceError::Denied { .. },
                    ) => Err(none("no such shared mailbox, or not one you act for")),
                    Err(error) => Err(from_service(tag.clone(), &error)),
                }
            }
        }
    }

    /// [`Session::place`] for a folder a client creates or renames to: a name no
    /// folder can have, or a container, reads `NO [CANNOT]` (RFC 5530).
    pub(super) async fn new_place(
        &self,
        login: &Login,
        tag: &Tag<'static>,
        mailbox: &ImapMailbox<'_>,
    ) -> Result<Place, Status<'static>> {
        let name = self.new_folder_name(tag, mailbox)?;
        if shared::parse(&name) == Name::Container {
            return Err(status(
                Kind::No,
                Some(tag.clone()),
                Some(code("CANNOT")),
                "the shared namespace's containers are not folders (ID-3)",
            ));
        }
        self.place(login, tag, mailbox).await
    }

    /// Whether the person may still act for the mailbox at `place` (ID-3, ID-7):
    /// asked of the service again for a shared one, whose refusal it traces
    /// (`access.denied`, AC-1); always for the login's own.
    pub(crate) async fn still_allowed(
        &self,
        login: &Login,
        place: &Place,
    ) -> Result<(), caduceus_service::ServiceError> {
        if !place.is_shared() {
            return Ok(());
        }
        let caller = login.auth.caller();
        let owner = place.access.owner();
        self.service.authorize(&caller, owner).await.map(|_| ())
    }

    /// Closes `selected`, a shared mailbox the person may no longer act for:
    /// `OK [CLOSED]` (RFC 9051 §7.1), the session authenticated again once the
    /// command ends.
    pub(crate) fn close_refused(&mut self, out: &mut Wire, selected: &mut Selected) {
        selected.closed = true;
        self.watcher = None;
        out.enqueue_status(status(
            Kind::Ok,
            None,
            Some(Code::Closed),
            "you no longer act for this mailbox: closed",
        ));
    }
}
