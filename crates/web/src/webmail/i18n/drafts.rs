//! The words of drafts (issue 22): saving a letter being written, its autosave,
//! the letter kept when the session ended.

/// The drafts' words.
#[allow(missing_docs)]
pub struct Drafts {
    /// The compose form's button that saves without sending.
    pub save: &'static str,
    /// Said once the draft is saved (the button, or a refused send).
    pub saved: &'static str,
    /// Said under the form: the autosave.
    pub autosave_hint: &'static str,
    /// The autosave's status, followed by the time.
    pub autosaved_at: &'static str,
    /// The login page after the session ended on a letter being written.
    pub kept_after_timeout: &'static str,
}

/// In French.
pub static FR: Drafts = Drafts {
    save: "Enregistrer le brouillon",
    saved: "Brouillon enregistré dans le dossier Brouillons.",
    autosave_hint: "Votre message est enregistré automatiquement dans Brouillons pendant que \
                    vous écrivez.",
    autosaved_at: "Brouillon enregistré à",
    kept_after_timeout: "Votre session a expiré. Le message que vous écriviez est conservé dans \
                         le dossier Brouillons\u{202F}: reconnectez-vous pour le reprendre.",
};

/// In English.
pub static EN: Drafts = Drafts {
    save: "Save draft",
    saved: "Draft saved in the Drafts folder.",
    autosave_hint: "Your message is saved automatically in Drafts while you write.",
    autosaved_at: "Draft saved at",
    kept_after_timeout: "Your session expired. The message you were writing is kept in the \
                         Drafts folder: log in again to continue it.",
};
