//! The words of the out-of-office reply and the signature (MS-6, issue 22 item 12).

/// The out-of-office reply's and the signature's words.
#[allow(missing_docs)]
pub struct Absence {
    pub heading: &'static str,
    pub hint: &'static str,
    /// The on/off checkbox.
    pub on: &'static str,
    pub start: &'static str,
    pub end: &'static str,
    /// The language of the reply's subject.
    pub language: &'static str,
    pub french: &'static str,
    pub english: &'static str,
    /// Who gets a reply, and the choices.
    pub audience: &'static str,
    pub everyone: &'static str,
    pub professionals: &'static str,
    pub patients: &'static str,
    pub subject: &'static str,
    pub text: &'static str,
    pub save: &'static str,
    /// Said above the section while the reply is on.
    pub active: &'static str,
    pub signature: &'static str,
    pub signature_hint: &'static str,
    pub signature_label: &'static str,
    pub signature_save: &'static str,
    /// The refusals, in plain words (the form keeps what was typed).
    pub bad_subject: &'static str,
    pub bad_text: &'static str,
    pub bad_dates: &'static str,
    pub bad_day: &'static str,
    pub bad_choice: &'static str,
    pub bad_signature: &'static str,
}

/// In French.
pub static FR: Absence = Absence {
    heading: "Réponse d’absence",
    hint: "Pendant votre absence, chaque expéditeur reçoit une seule réponse automatique \
           (au plus une tous les 7 jours). Les messages automatiques, les listes de diffusion \
           et les envois en nombre ne reçoivent pas de réponse.",
    on: "Répondre automatiquement pendant mon absence",
    start: "Premier jour (facultatif)",
    end: "Dernier jour (facultatif)",
    language: "Langue de l’objet de la réponse",
    french: "Français",
    english: "Anglais",
    audience: "Répondre à",
    everyone: "tous les expéditeurs",
    professionals: "les professionnels seulement",
    patients: "les patients seulement",
    subject: "Objet (placé avant celui du message reçu)",
    text: "Texte de la réponse",
    save: "Enregistrer la réponse d’absence",
    active: "Votre réponse d’absence est activée.",
    signature: "Signature",
    signature_hint: "Ajoutée à la fin de chaque message que vous écrivez, après la ligne \
                     «\u{202F}--\u{202F}»\u{202F}; vous pouvez la modifier avant l’envoi.",
    signature_label: "Votre signature (quelques lignes)",
    signature_save: "Enregistrer la signature",
    bad_subject: "L’objet doit tenir sur une ligne de 1 à 200 caractères.",
    bad_text: "Écrivez le texte de la réponse (4\u{202F}000 caractères au plus).",
    bad_dates: "Le dernier jour est avant le premier jour.",
    bad_day: "Une date s’écrit AAAA-MM-JJ, par exemple 2026-08-03.",
    bad_choice: "Choisissez une langue et des destinataires parmi ceux proposés.",
    bad_signature: "La signature doit tenir en 8 lignes et 600 caractères au plus.",
};

/// In English.
pub static EN: Absence = Absence {
    heading: "Out-of-office reply",
    hint: "While you are away, each sender gets one automatic reply (at most one every 7 \
           days). Automatic messages, mailing lists and bulk mail get no reply.",
    on: "Reply automatically while I am away",
    start: "First day (optional)",
    end: "Last day (optional)",
    language: "Language of the reply's subject",
    french: "French",
    english: "English",
    audience: "Reply to",
    everyone: "every sender",
    professionals: "professionals only",
    patients: "patients only",
    subject: "Subject (put before the received message's)",
    text: "Reply text",
    save: "Save the out-of-office reply",
    active: "Your out-of-office reply is on.",
    signature: "Signature",
    signature_hint: "Added at the end of each message you write, after the line \"-- \"; \
                     you can change it before sending.",
    signature_label: "Your signature (a few lines)",
    signature_save: "Save the signature",
    bad_subject: "The subject must be one line of 1 to 200 characters.",
    bad_text: "Write the reply's text (at most 4,000 characters).",
    bad_dates: "The last day is before the first day.",
    bad_day: "A date is written YYYY-MM-DD, for example 2026-08-03.",
    bad_choice: "Choose a language and an audience among those offered.",
    bad_signature: "The signature must fit in 8 lines and 600 characters.",
};
