//! The operator's mailboxes as a national directory extract (ID-4; seed 004 §7.4:
//! creating a mailbox registers it in the national directory): every active
//! professional, organisational and applicative mailbox, with what the imported
//! directory knows of it (names, profession, site), the holder's liste rouge honoured.
//! Patients are never in the directory. Closed mailboxes are absent: the national
//! import of a complete extract removes them.

use caduceus_audit::{Action, Marker, Object, Outcome};
use caduceus_core::directory::reconcile::Listed;
use caduceus_core::directory::values::Coded;
use caduceus_core::directory::{MailboxEntry, MailboxKind, StructureRef, export};
use caduceus_core::{AccountKind, AccountState, Duty, NationalId, RegistryId, Requirement};
use caduceus_store::{Account, DirectoryRow};

use crate::error::Result;
use crate::{Caller, Service};

impl Service {
    /// The extract of this operator's mailboxes (`Extraction_Correspondance_MSSante`
    /// format), for the administrator to send to the national directory; the export
    /// traced.
    pub async fn export_directory(&self, caller: &Caller) -> Result<String> {
        self.require_duty(caller, Duty::ImportDirectory).await?;
        let mut entries = Vec::new();
        for account in self.store.accounts().await? {
            let Some(kind) = mailbox_kind(&account) else {
                continue;
            };
            let address = account.address.as_str();
            let known = self.store.directory_entry(address).await?;
            let chosen = self.store.directory_preferences(address).await?;
            entries.push(entry(&account, kind, known.as_ref(), chosen.liste_rouge));
        }
        let object = Object::of(Marker::DirectoryExport);
        self.trace_rule(
            caller,
            Action::AdminAction,
            object,
            Requirement::Id4,
            Outcome::Success,
        )
        .await?;
        let today = self.clock.now().to_string();
        Ok(export::mailbox_extract(
            &entries,
            today.get(..10).unwrap_or_default(),
        ))
    }
}

impl Service {
    /// This operator's mailboxes that belong in the national directory (active,
    /// professional, organisational, applicative), with the holder's liste rouge choice:
    /// what the next national file should list (seed 004 §7.4).
    pub(crate) async fn published_mailboxes(&self) -> Result<Vec<Listed>> {
        let mut listed = Vec::new();
        for account in self.store.accounts().await? {
            if mailbox_kind(&account).is_none() {
                continue;
            }
            let chosen = self
                .store
                .directory_preferences(account.address.as_str())
                .await?;
            listed.push(Listed {
                address: account.address,
                liste_rouge: chosen.liste_rouge,
            });
        }
        Ok(listed)
    }
}

/// The directory kind of an account that belongs in the national directory.
fn mailbox_kind(account: &Account) -> Option<MailboxKind> {
    if account.state != AccountState::Active {
        return None;
    }
    match account.kind {
        AccountKind::Professional => Some(MailboxKind::Personal),
        AccountKind::Organisation => Some(MailboxKind::Organisational),
        AccountKind::Applicative => Some(MailboxKind::Applicative),
        AccountKind::Patient => None,
    }
}

/// The line of `account`: its registry identity, and what the imported directory
/// (`known`) says of it; the liste rouge when the extract or the holder chose it.
fn entry(
    account: &Account,
    kind: MailboxKind,
    known: Option<&DirectoryRow>,
    liste_rouge: bool,
) -> MailboxEntry {
    let national = match &account.identity {
        RegistryId::National(id) => Some(id.clone()),
        RegistryId::Patient(_) => None,
    };
    let (person, own_structure) = match national {
        Some(id @ (NationalId::Rpps(_) | NationalId::Adeli(_))) => (Some(id), None),
        Some(NationalId::Finess(finess)) => (None, Some(StructureRef::Finess(finess))),
        Some(NationalId::Siret(siret)) => (None, Some(StructureRef::Siret(siret))),
        _ => (None, None),
    };
    let known_structure = known.and_then(|k| {
        let national = format!(
            "{}{}",
            k.structure_kind.as_deref()?,
            k.structure_value.as_deref()?
        );
        match NationalId::parse(&national).ok()? {
            NationalId::Finess(finess) => Some(StructureRef::Finess(finess)),
            NationalId::Siret(siret) => Some(StructureRef::Siret(siret)),
            _ => None,
        }
    });
    let coded = |code: Option<&String>, label: Option<&String>| {
        code.map(|code| Coded {
            code: code.clone(),
            label: label.cloned().unwrap_or_else(|| code.clone()),
        })
    };
    let own = |pick: fn(&DirectoryRow) -> Option<&String>| known.and_then(pick).cloned();
    let personal = kind == MailboxKind::Personal;
    MailboxEntry {
        address: account.address.clone(),
        kind,
        person,
        structure: own_structure.or(known_structure),
        service: own(|k| k.service.as_ref()),
        family_name: own(|k| k.family_name.as_ref())
            .or_else(|| personal.then(|| account.display_name.clone())),
        given_name: own(|k| k.given_name.as_ref()),
        profession: known
            .and_then(|k| coded(k.profession_code.as_ref(), k.profession_label.as_ref())),
        specialty: known.and_then(|k| coded(k.specialty_code.as_ref(), k.specialty_label.as_ref())),
        organisation_name: own(|k| k.site_name.as_ref())
            .or_else(|| (!personal).then(|| account.display_name.clone())),
        postal_code: own(|k| k.postal_code.as_ref()),
        commune: own(|k| k.commune.as_ref()),
        liste_rouge: liste_rouge || known.is_some_and(|k| k.liste_rouge),
    }
}
