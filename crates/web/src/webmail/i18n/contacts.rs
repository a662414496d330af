//! The words of a new contact address or phone number waiting for its code (AU-1,
//! MS-7, RT-1): what was sent where, the code's field, what a wrong code means.

/// The settings' contact confirmation.
#[allow(missing_docs)]
pub struct Contacts {
    /// Before the new value: a code was sent to it.
    pub pending: &'static str,
    /// After it: the current one stays in use until the code is typed.
    pub pending_hint: &'static str,
    /// The code's field and its button.
    pub code: &'static str,
    pub confirm: &'static str,
    /// A wrong or expired code, and what to do.
    pub refused: &'static str,
}

/// In French.
pub static FR: Contacts = Contacts {
    pending: "Un code a été envoyé à",
    pending_hint: "Saisissez-le ci-dessous dans les 15 minutes\u{202F}: d'ici là, vos codes de \
                   connexion et vos avis vont toujours à l'adresse et au numéro actuels.",
    code: "Code reçu",
    confirm: "Confirmer",
    refused: "Ce code n'est pas le bon ou a expiré. Après 5 codes erronés ou 15 minutes, \
              la modification est abandonnée\u{202F}: saisissez de nouveau l'adresse ou le \
              numéro pour recevoir un nouveau code.",
};

/// In English.
pub static EN: Contacts = Contacts {
    pending: "A code was sent to",
    pending_hint: "Type it below within 15 minutes: until then, your login codes and notices \
                   still go to the current address and number.",
    code: "Code received",
    confirm: "Confirm",
    refused: "This code is wrong or has expired. After 5 wrong codes or 15 minutes the change \
              is dropped: give the address or number again to get a new code.",
};
