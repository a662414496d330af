//! Who the people of a page are (ID-4, issue 22): the names a mailbox's page shows
//! for the addresses on it, in one lookup of the directory and the accounts — a
//! professional as the directory lists them (name, profession, specialty, place), a
//! patient of this operator by their name and marked as a patient, an account not
//! listed by its name only. The directory's rule for who may be shown is the one
//! searches apply; nothing more is disclosed than the
//! address already on the page and what the directory lists for everyone.
//!
//! Addresses a user typed (a letter's recipients as it is written) are another
//! matter for patients: a patient's address is their INS, which does not carry their
//! name, so naming whoever holds any INS typed would tell anyone with an account who a
//! patient is. [`Service::recipients_people`] names a patient only to a writer who
//! exchanged with them (MS-8, the patients [`Service::known_patients`] finds).

use std::collections::HashMap;

use caduceus_core::display::civility;
use caduceus_core::{AddressKind, MailAddress};
use caduceus_store::AccountId;

use crate::Service;
use crate::error::Result;

/// A person a page shows, by what may be known of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Person {
    /// Listed in the directory (ID-4).
    Listed {
        /// The name, with the profession's courtesy title (`Dr`) when it has one.
        name: String,
        /// The profession's label (`Médecin`).
        profession: Option<String>,
        /// The specialty's label (`Cardiologie`).
        specialty: Option<String>,
        /// Where they practise: the site and its commune.
        place: Option<String>,
    },
    /// A patient's mailbox of this operator: the patient's name (never their INS).
    Patient {
        /// The name the account was opened under.
        name: String,
    },
    /// An account of this operator the directory does not show (liste rouge, an
    /// organisation's mailbox): the name it shows its correspondents.
    Account {
        /// The account's display name.
        name: String,
    },
}

/// The people of a page, by address.
#[derive(Clone, Debug, Default)]
pub struct People(HashMap<MailAddress, Person>);

impl People {
    /// What is known of `address`, if anything.
    pub fn get(&self, address: &MailAddress) -> Option<&Person> {
        self.0.get(address)
    }
}

impl Service {
    /// The people behind `addresses` (those of one page), in one lookup of the
    /// directory and one of the accounts (ID-4): see the module documentation.
    pub async fn people(&self, addresses: &[MailAddress]) -> Result<People> {
        let mut unique: Vec<MailAddress> = addresses.to_vec();
        unique.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        unique.dedup();
        let mut people = HashMap::new();
        let (patients, others): (Vec<_>, Vec<_>) = unique
            .into_iter()
            .partition(|a| matches!(a.classify(&self.config.domain), Ok(AddressKind::Patient(_))));
        let local: Vec<MailAddress> = patients
            .iter()
            .chain(others.iter().filter(|a| a.domain() == &self.config.domain))
            .cloned()
            .collect();
        for account in self.store.accounts_by_address(&local).await? {
            let name = account.display_name;
            let person = if patients.contains(&account.address) {
                Person::Patient { name }
            } else {
                Person::Account { name }
            };
            people.insert(account.address, person);
        }
        let wanted: Vec<String> = others.iter().map(|a| a.as_str().to_owned()).collect();
        for (row, chosen_liste_rouge) in self.store.directory_entries(&wanted).await? {
            let entry = crate::directory::entry_of(row)?;
            if !Self::shown_in_directory(&entry, chosen_liste_rouge) {
                continue;
            }
            let name = match entry.profession().and_then(|p| civility(&p.code)) {
                Some(title) => format!("{title} {}", entry.display_name()),
                None => entry.display_name().to_owned(),
            };
            let place = [entry.site_name(), entry.commune()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            let person = Person::Listed {
                name,
                profession: entry.profession().map(|p| p.label.clone()),
                specialty: entry.specialty().map(|s| s.label.clone()),
                place: (!place.is_empty()).then_some(place),
            };
            people.insert(entry.address().clone(), person);
        }
        Ok(People(people))
    }

    /// The people behind addresses `writer` typed as a letter's recipients: as
    /// [`Service::people`], but a patient is named only when `writer` exchanged with
    /// them (MS-8); any other patient's address stays an address (module docs).
    pub async fn recipients_people(
        &self,
        writer: AccountId,
        addresses: &[MailAddress],
    ) -> Result<People> {
        let mut people = self.people(addresses).await?;
        let is_patient = |person: &Person| matches!(person, Person::Patient { .. });
        if people.0.values().any(is_patient) {
            let writer = self.store.account(writer).await?;
            let known = self
                .store
                .patients_exchanged_with(writer.address.as_str())
                .await?;
            people.0.retain(|address, person| {
                !is_patient(person) || known.iter().any(|k| k == address.as_str())
            });
        }
        Ok(people)
    }
}
