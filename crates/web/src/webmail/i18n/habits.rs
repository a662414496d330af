//! The words of a mail client's everyday habits (MS-6): marking a message unread or
//! flagged, asking for a disposition notification, and the keyboard shortcuts.

/// Marks and shortcuts.
#[allow(missing_docs)]
pub struct Habits {
    pub mark_unread: &'static str,
    pub mark_read: &'static str,
    pub flag: &'static str,
    pub unflag: &'static str,
    /// The list's mark of a flagged message, for screen readers.
    pub flagged: &'static str,
    /// The compose form's box asking for a disposition notification (MS-16).
    pub read_receipt: &'static str,
    pub read_receipt_hint: &'static str,
    /// The settings' shortcuts: heading, the box (kept in this browser only), what
    /// each key does.
    pub shortcuts: &'static str,
    pub shortcuts_label: &'static str,
    pub shortcuts_hint: &'static str,
    pub shortcut_keys: [(&'static str, &'static str); 8],
}

/// In French.
pub static FR: Habits = Habits {
    mark_unread: "Marquer comme non lu",
    mark_read: "Marquer comme lu",
    flag: "Suivre",
    unflag: "Ne plus suivre",
    flagged: "suivi",
    read_receipt: "Demander un accusé de traitement",
    read_receipt_hint: "La messagerie de chaque destinataire vous répond, à la remise, que \
                        le message a été reçu et traité (il arrive dans votre boîte).",
    shortcuts: "Raccourcis clavier",
    shortcuts_label: "Activer les raccourcis clavier dans ce navigateur",
    shortcuts_hint: "Une seule touche, hors des champs de saisie. Désactivés par défaut, pour \
                     ne pas gêner les logiciels de dictée et les lecteurs d'écran.",
    shortcut_keys: [
        ("j / k", "message suivant / précédent de la liste"),
        ("o", "ouvrir le message choisi"),
        ("u", "revenir à la liste"),
        ("r", "répondre"),
        ("a", "répondre à tous"),
        ("f", "transférer"),
        ("c", "nouveau message"),
        ("/", "rechercher"),
    ],
};

/// In English.
pub static EN: Habits = Habits {
    mark_unread: "Mark as unread",
    mark_read: "Mark as read",
    flag: "Flag",
    unflag: "Unflag",
    flagged: "flagged",
    read_receipt: "Ask for a disposition notification",
    read_receipt_hint: "Each recipient's mail service tells you, on delivery, that the \
                        message was received and processed (it arrives in your mailbox).",
    shortcuts: "Keyboard shortcuts",
    shortcuts_label: "Turn keyboard shortcuts on in this browser",
    shortcuts_hint: "One key, outside text fields. Off by default, so as not to get in the \
                     way of dictation software and screen readers.",
    shortcut_keys: [
        ("j / k", "next / previous message of the list"),
        ("o", "open the chosen message"),
        ("u", "back to the list"),
        ("r", "reply"),
        ("a", "reply to all"),
        ("f", "forward"),
        ("c", "new message"),
        ("/", "search"),
    ],
};
