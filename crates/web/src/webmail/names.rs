//! People as the webmail shows them (ID-4, issue 22): by name, with their profession,
//! specialty and place when the directory lists them, a patient marked as one —
//! never a bare address or INS when a name is known. The names of a page come from
//! one lookup ([`caduceus_service::Service::people`]); the templates show them with
//! the `names` macro of `templates/names.html`.

use caduceus_core::MailAddress;
use caduceus_service::ingest::MetaAddress;
use caduceus_service::people::{People, Person};

/// A person as a page shows them (and as `POST /mail/check` names them, in JSON).
#[derive(serde::Serialize)]
pub struct Named {
    /// The name: the directory's, the account's, else the one the message gave, else
    /// the address.
    pub name: String,
    /// Profession, specialty and place, when listed.
    pub detail: String,
    /// The address.
    pub address: String,
    /// A patient's mailbox: marked as such.
    pub patient: bool,
}

/// The addresses of `lists`, for [`caduceus_service::Service::people`].
pub fn addresses<'a>(lists: impl IntoIterator<Item = &'a [MetaAddress]>) -> Vec<MailAddress> {
    lists
        .into_iter()
        .flatten()
        .filter_map(|a| MailAddress::parse(a.address.as_deref()?).ok())
        .collect()
}

/// The people of `list` as `people` knows them.
pub fn named(list: &[MetaAddress], people: &People) -> Vec<Named> {
    list.iter()
        .map(|a| {
            let known = a
                .address
                .as_deref()
                .and_then(|address| MailAddress::parse(address).ok())
                .and_then(|address| people.get(&address));
            let address = a.address.clone().unwrap_or_default();
            let written = a.name.clone().unwrap_or_else(|| address.clone());
            match known {
                Some(Person::Listed {
                    name,
                    profession,
                    specialty,
                    place,
                }) => Named {
                    name: name.clone(),
                    detail: [profession, specialty, place]
                        .into_iter()
                        .flatten()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    address,
                    patient: false,
                },
                Some(Person::Patient { name }) => Named {
                    name: name.clone(),
                    detail: String::new(),
                    address,
                    patient: true,
                },
                Some(Person::Account { name }) => Named {
                    name: name.clone(),
                    detail: String::new(),
                    address,
                    patient: false,
                },
                None => Named {
                    name: written,
                    detail: String::new(),
                    address,
                    patient: false,
                },
            }
        })
        .collect()
}
