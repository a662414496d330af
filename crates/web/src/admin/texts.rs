//! The words of the console's own pages (the breach register, the announced patient
//! mailboxes) in French and English, picked by the webmail's language.

use crate::webmail::WebUser;

/// The words of the breach and announcement pages, in the user's language.
#[allow(missing_docs)]
pub struct ConsoleTexts {
    pub register: &'static str,
    pub record: &'static str,
    pub nature: &'static str,
    pub detected: &'static str,
    pub detected_hint: &'static str,
    pub deadline: &'static str,
    pub overdue: &'static str,
    pub risk: &'static str,
    pub accounts: &'static str,
    pub accounts_hint: &'static str,
    pub assess: &'static str,
    pub notify: &'static str,
    pub close: &'static str,
    pub none: &'static str,
    pub announced: &'static str,
    pub announced_on: &'static str,
    pub opens: &'static str,
    pub none_announced: &'static str,
}

/// French.
pub const FR: ConsoleTexts = ConsoleTexts {
    register: "Registre des violations",
    record: "Enregistrer une violation",
    nature: "Nature",
    detected: "Constatée le",
    detected_hint: "RFC 3339, par exemple 2026-12-07T08:30:00+01:00 ; vide : maintenant",
    deadline: "À notifier avant",
    overdue: "en retard",
    risk: "Risque",
    accounts: "Comptes concernés",
    accounts_hint: "adresses, une par ligne",
    assess: "Évaluer",
    notify: "Notifiée au responsable",
    close: "Clore",
    none: "Aucune violation enregistrée.",
    announced: "Boîtes patient annoncées",
    announced_on: "Annoncée le",
    opens: "Ouverture le",
    none_announced: "Aucune boîte patient annoncée.",
};

/// English.
pub const EN: ConsoleTexts = ConsoleTexts {
    register: "Breach register",
    record: "Record a breach",
    nature: "Nature",
    detected: "Detected",
    detected_hint: "RFC 3339, e.g. 2026-12-07T08:30:00+01:00; blank: now",
    deadline: "Notify by",
    overdue: "overdue",
    risk: "Risk",
    accounts: "Accounts concerned",
    accounts_hint: "addresses, one per line",
    assess: "Assess",
    notify: "Notified to the controller",
    close: "Close",
    none: "No breach recorded.",
    announced: "Announced patient mailboxes",
    announced_on: "Announced",
    opens: "Opens",
    none_announced: "No patient mailbox announced.",
};

/// The texts for `user`'s language.
pub fn texts(user: &WebUser) -> &'static ConsoleTexts {
    if user.t.lang == "en" { &EN } else { &FR }
}
