//! The words of passkeys and of pairing a phone (AU-1, MS-18).

/// The passkeys' and the pairing's words.
#[allow(missing_docs)]
pub struct Passkeys {
    /// The login page's buttons: a passkey alone, or after the password.
    pub login_with_passkey: &'static str,
    pub login_password_passkey: &'static str,
    /// The settings page's link to the passkeys' page, and its title.
    pub title: &'static str,
    pub hint: &'static str,
    pub none: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub kind_passkey: &'static str,
    pub kind_phone: &'static str,
    pub created: &'static str,
    pub last_used: &'static str,
    pub revoked: &'static str,
    pub revoke: &'static str,
    pub add: &'static str,
    pub added: &'static str,
    /// Pairing a phone: the button, the page's title and what to do.
    pub pair: &'static str,
    pub pair_title: &'static str,
    pub pair_scan: &'static str,
    pub pair_type: &'static str,
    pub pair_valid: &'static str,
    pub qr_label: &'static str,
    /// The phone's page.
    pub phone_title: &'static str,
    pub phone_hint: &'static str,
    pub phone_name: &'static str,
    pub phone_register: &'static str,
    pub phone_done: &'static str,
    pub pair_used: &'static str,
    pub pair_expired: &'static str,
    pub pair_unknown: &'static str,
    /// The browser refused or has no passkeys; the server refused the answer.
    pub unsupported: &'static str,
    pub failed: &'static str,
}

/// In French.
pub static FR: Passkeys = Passkeys {
    login_with_passkey: "Se connecter avec une clé d'accès",
    login_password_passkey: "Mot de passe, puis clé d'accès",
    title: "Clés d'accès et téléphones",
    hint: "Une clé d'accès vous connecte sans mot de passe\u{202F}: votre appareil la garde et \
           vous la déverrouillez avec votre code ou votre empreinte. Elle vaut une connexion \
           forte, comme une carte CPS.",
    none: "Aucune clé d'accès.",
    name: "Nom",
    kind: "Type",
    kind_passkey: "Clé d'accès",
    kind_phone: "Téléphone associé",
    created: "Ajoutée le",
    last_used: "Dernière connexion",
    revoked: "révoquée",
    revoke: "Révoquer",
    add: "Enregistrer une clé d'accès",
    added: "Clé d'accès enregistrée.",
    pair: "Associer un téléphone",
    pair_title: "Associer un téléphone",
    pair_scan: "Scannez ce code avec l'appareil photo du téléphone, puis suivez les \
                instructions\u{202F}: le téléphone enregistre sa propre clé d'accès.",
    pair_type: "Vous ne pouvez pas scanner\u{202F}? Ouvrez cette adresse sur le téléphone\u{202F}:",
    pair_valid: "Ce code sert une seule fois et reste valable 10 minutes.",
    qr_label: "Code QR de l'adresse d'association",
    phone_title: "Associer ce téléphone",
    phone_hint: "Ce téléphone va enregistrer une clé d'accès pour le compte",
    phone_name: "Nom de ce téléphone",
    phone_register: "Enregistrer la clé d'accès de ce téléphone",
    phone_done: "Téléphone associé. Vous pouvez maintenant vous connecter avec sa clé d'accès.",
    pair_used: "Ce lien d'association a déjà servi\u{202F}: chaque code associe un seul \
                téléphone. Sur votre ordinateur, ouvrez Paramètres, puis «\u{a0}Associer un \
                téléphone\u{a0}» pour obtenir un nouveau code.",
    pair_expired: "Ce lien d'association a expiré (il vaut 10 minutes). Sur votre ordinateur, \
                   ouvrez Paramètres, puis «\u{a0}Associer un téléphone\u{a0}» pour obtenir un \
                   nouveau code.",
    pair_unknown: "Ce lien d'association n'est pas valable. Sur votre ordinateur, ouvrez \
                   Paramètres, puis «\u{a0}Associer un téléphone\u{a0}» pour obtenir un code.",
    unsupported: "Ce navigateur ne propose pas de clé d'accès, ou l'opération a été annulée.",
    failed: "La clé d'accès n'a pas été acceptée. Réessayez.",
};

/// In English.
pub static EN: Passkeys = Passkeys {
    login_with_passkey: "Log in with a passkey",
    login_password_passkey: "Password, then a passkey",
    title: "Passkeys and phones",
    hint: "A passkey logs you in without a password: your device keeps it and you unlock it \
           with your PIN or fingerprint. It counts as a strong login, as a CPS card does.",
    none: "No passkey.",
    name: "Name",
    kind: "Kind",
    kind_passkey: "Passkey",
    kind_phone: "Paired phone",
    created: "Added on",
    last_used: "Last login",
    revoked: "revoked",
    revoke: "Revoke",
    add: "Register a passkey",
    added: "Passkey registered.",
    pair: "Pair a phone",
    pair_title: "Pair a phone",
    pair_scan: "Scan this code with the phone's camera, then follow the steps: the phone \
                registers its own passkey.",
    pair_type: "Cannot scan? Open this address on the phone:",
    pair_valid: "This code works once and for 10 minutes.",
    qr_label: "QR code of the pairing address",
    phone_title: "Pair this phone",
    phone_hint: "This phone will register a passkey for the account",
    phone_name: "This phone's name",
    phone_register: "Register this phone's passkey",
    phone_done: "Phone paired. You can now log in with its passkey.",
    pair_used: "This pairing link was already used: each code pairs one phone. On your \
                computer, open Settings, then \"Pair a phone\" for a new code.",
    pair_expired: "This pairing link expired (it is valid 10 minutes). On your computer, open \
                   Settings, then \"Pair a phone\" for a new code.",
    pair_unknown: "This pairing link is not valid. On your computer, open Settings, then \
                   \"Pair a phone\" for a code.",
    unsupported: "This browser offers no passkey, or the operation was cancelled.",
    failed: "The passkey was not accepted. Try again.",
};
