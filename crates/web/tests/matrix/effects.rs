//! What a cell left besides its answer: the stored copies (flagged, moved, deleted)
//! and what else it reaches (a delivery, a device, a block, a forwarding, an account's
//! state, a delegation, a representative, a setting, a certificate, a breach, a
//! broadcast), changed
//! only when allowed.

use caduceus_core::AccountState;
use caduceus_core::authz::{Expected, Operation, Party, Reach};
use caduceus_store::{AbsenceStore as _, PasskeyStore as _, Store as _, StoreError};

use super::{CONTACT, Cast, Cell, MARKS, RITA, Stored};

/// Whether what `cell` reaches besides its copies changed: a message delivered, an
/// alert broadcast, the target's mailbox forwarded, the device or passkey revoked, the
/// professional blocked, the account's state moved, cardio's delegate added or
/// removed, the owner's contact address replaced (or confirmed) or new-mail notices turned on, their
/// mailbox put on the liste rouge, a correction requested of the registration
/// authority, the subject's account closed by its holder (AC-3); `None` when it
/// reaches none.
async fn changed(cast: &Cast, cell: &Cell) -> Option<bool> {
    let store = &cast.w.store;
    match cell.operation {
        Operation::SetNotifications => {
            let owner = cast.owner.id;
            let contact = store.contact_email(owner).await.unwrap();
            let given = contact.is_some_and(|c| c.as_str() == CONTACT);
            return Some(given || store.new_mail_notice(owner).await.unwrap());
        }
        Operation::ConfirmContact => {
            let contact = store.contact_email(cast.owner.id).await.unwrap();
            return Some(contact.is_some_and(|c| c.as_str() == CONTACT));
        }
        Operation::SetDirectoryPreferences => {
            let address = cast.owner.address.as_str();
            let preferences = store.directory_preferences(address).await.unwrap();
            return Some(preferences.liste_rouge);
        }
        Operation::RequestCertificate => return Some(cast.certificate_file().exists()),
        Operation::SetAbsence => {
            let absence = store.absence(cast.owner.id).await.unwrap();
            return Some(absence.is_some_and(|a| a.on));
        }
        Operation::SetSignature => {
            return Some(!store.signature(cast.owner.id).await.unwrap().is_empty());
        }
        Operation::SetEncryptionAtRest => {
            let owner = store.account(cast.owner.id).await.unwrap();
            return Some(owner.encrypt_at_rest_since.is_some());
        }
        _ => {}
    }
    if cell.operation.reaches() == Reach::Sending
        || matches!(
            cell.operation,
            Operation::BroadcastAlert
                | Operation::CopyMessage
                | Operation::SaveDraft
                | Operation::AddDevice
                | Operation::RecordBreach
                | Operation::RequestCorrection
        )
    {
        return Some(cast.count(cell.operation).await > cell.before);
    }
    if cell.operation == Operation::SetForwarding {
        let forwarded = store.forwarding(cell.target.account).await.unwrap();
        return Some(forwarded.is_some());
    }
    if let Some(passkey) = cell.passkey {
        let owner = store.passkeys(cast.owner.id).await.unwrap();
        let revoked = owner.iter().any(|p| p.id == passkey && p.revoked.is_some());
        return Some(revoked);
    }
    if let Some(device) = cell.device {
        let found = store.device_secret(device).await.unwrap();
        return Some(found.is_none_or(|d| d.device.revoked.is_some()));
    }
    if let Some(id) = cell.subject
        && cell.operation == Operation::AddRepresentative
    {
        let patient = cast.account(Party::Patient).id;
        let representatives = store.representatives(patient).await.unwrap();
        return Some(representatives.iter().any(|r| r.representative == id));
    }
    if let Some(id) = cell.subject
        && matches!(
            cell.operation,
            Operation::AddDelegate | Operation::RemoveDelegate
        )
    {
        let delegates = store.delegates(cast.cardio.id).await.unwrap();
        return Some(delegates.contains(&id) == (cell.operation == Operation::AddDelegate));
    }
    if let Some(id) = cell.subject {
        // A verification moves the account on from pending (the admin console then
        // activates it); an objection closes and deletes the announced mailbox (AC-3).
        let moved = |state| match cell.operation {
            Operation::VerifyAccount => state != AccountState::Pending,
            Operation::ActivateAccount | Operation::AcceptAtCounter => {
                state == AccountState::Active
            }
            Operation::AnnouncePatient => state == AccountState::Announced,
            Operation::SuspendAccount => state == AccountState::Suspended,
            _ => state == AccountState::Closed,
        };
        return Some(match store.account(id).await {
            Ok(account) => moved(account.state),
            Err(StoreError::NotFound { .. }) => true,
            Err(e) => panic!("{e}"),
        });
    }
    (cell.operation == Operation::BlockProfessional).then_some(())?;
    let patient = cast.account(Party::Patient).address.as_str();
    let blocked = store.patient_blocks(patient).await.unwrap();
    Some(blocked.iter().any(|b| b == RITA))
}

/// Whether the cell left what `expected` says: the target copy flagged, moved or
/// deleted only when allowed, the other copy and mailbox never touched; what [`changed`]
/// looks at changed only when allowed.
pub async fn effects(cast: &Cast, cell: &Cell, expected: Expected) -> Result<(), String> {
    if let Some(changed) = changed(cast, cell).await
        && changed != (expected == Expected::Allowed)
    {
        return Err(format!("changed: {changed}"));
    }
    // Some(flagged or moved out of its folder) for a stored copy, None once deleted.
    let state = async |copy: &Stored| match cast.w.store.message(copy.id).await {
        Ok(summary) => Some(
            summary.flags.iter().any(|f| MARKS.contains(&f.as_str()))
                || summary.mailbox != copy.mailbox,
        ),
        Err(StoreError::NotFound { .. }) => None,
        Err(e) => panic!("{e}"),
    };
    let allowed = expected == Expected::Allowed;
    let want = match cell.operation {
        Operation::FlagMessage | Operation::MoveMessage => Some(allowed),
        Operation::DeleteMessage => (!allowed).then_some(false),
        _ => Some(false),
    };
    let (target, other) = (state(&cell.target).await, state(&cell.other).await);
    let elsewhere = cast.w.store.forwarding(cell.other.account).await.unwrap();
    if let Some(to) = elsewhere {
        Err(format!("the other mailbox forwards to {to}"))
    } else if target == want && other == Some(false) {
        Ok(())
    } else {
        Err(format!(
            "stored copies (flagged or moved, or None when deleted): target {target:?}, other {other:?}"
        ))
    }
}
