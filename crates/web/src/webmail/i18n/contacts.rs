//! The words of a new contact address or phone number waiting for its code (AU-1,
//! MS-7, RT-1): what was sent where, the code's field, what a refused code means —
//! the service's typed verdict ([`CodeRefusal`]) put in the page's language, the tries
//! left included (AU-3).

use caduceus_core::contact::CodeRefusal;

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
    /// A wrong code: the words before the tries left, those after them, and those
    /// after `wrong` when one try is left.
    pub wrong: &'static str,
    pub tries_left: &'static str,
    pub last_try: &'static str,
    /// The fifth wrong code, or an expired one: the change is dropped, what to do.
    pub exhausted: &'static str,
    pub expired: &'static str,
}

impl Contacts {
    /// What the holder is told of `refused` (AU-1, AU-3): the service's verdict, the
    /// number it counted put in these words.
    pub fn refusal(&self, refused: CodeRefusal) -> String {
        match refused {
            CodeRefusal::Wrong { tries_left: 1 } => format!("{} {}", self.wrong, self.last_try),
            CodeRefusal::Wrong { tries_left } => {
                format!("{} {tries_left} {}", self.wrong, self.tries_left)
            }
            CodeRefusal::Exhausted => self.exhausted.to_owned(),
            CodeRefusal::Expired => self.expired.to_owned(),
        }
    }
}

/// In French.
pub static FR: Contacts = Contacts {
    pending: "Un code a été envoyé à",
    pending_hint: "Saisissez-le ci-dessous dans les 15 minutes\u{202F}: d'ici là, vos codes de \
                   connexion et vos avis vont toujours à l'adresse et au numéro actuels.",
    code: "Code reçu",
    confirm: "Confirmer",
    wrong: "Ce code n'est pas le bon\u{202F}: il vous reste",
    tries_left: "essais avant que la modification soit abandonnée. Vérifiez le code reçu et \
                 saisissez-le de nouveau.",
    last_try: "1 essai avant que la modification soit abandonnée. Vérifiez le code reçu et \
               saisissez-le de nouveau.",
    exhausted: "Après 5 codes erronés, la modification est abandonnée\u{202F}: saisissez de \
                nouveau l'adresse ou le numéro pour recevoir un nouveau code.",
    expired: "Ce code a expiré (15 minutes)\u{202F}: la modification est abandonnée. Saisissez \
              de nouveau l'adresse ou le numéro pour recevoir un nouveau code.",
};

/// In English.
pub static EN: Contacts = Contacts {
    pending: "A code was sent to",
    pending_hint: "Type it below within 15 minutes: until then, your login codes and notices \
                   still go to the current address and number.",
    code: "Code received",
    confirm: "Confirm",
    wrong: "This code is wrong:",
    tries_left: "tries left before the change is dropped. Check the code you received and type \
                 it again.",
    last_try: "1 try left before the change is dropped. Check the code you received and type \
               it again.",
    exhausted: "After 5 wrong codes the change is dropped: give the address or number again to \
                get a new code.",
    expired: "This code has expired (15 minutes): the change is dropped. Give the address or \
              number again to get a new code.",
};
