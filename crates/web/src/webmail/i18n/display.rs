//! The words of a letter shown as it was written (MS-1, issue 22): its frame, its
//! text version, the previews of its attachments; people's names and the patient mark
//! (ID-4).

/// The display's words.
#[allow(missing_docs)]
pub struct Display {
    /// The title of the frame showing the letter's HTML.
    pub frame_title: &'static str,
    /// What the frame shows, said above it.
    pub frame_hint: &'static str,
    /// The letter's text, folded under the frame.
    pub text_version: &'static str,
    /// The link opening a PDF attachment inline.
    pub preview: &'static str,
    /// The link downloading an attachment.
    pub download: &'static str,
    /// The mark beside a patient's name.
    pub patient: &'static str,
    /// Whom a reply goes to, by name.
    pub recipients: &'static str,
}

/// In French.
pub static FR: Display = Display {
    frame_title: "Le message tel qu'il a été écrit",
    frame_hint: "Affiché tel qu'il a été écrit (tableaux, couleurs), sans script ni contenu distant.",
    text_version: "Version texte",
    preview: "Aperçu",
    download: "Télécharger",
    patient: "Patient",
    recipients: "Destinataires",
};

/// In English.
pub static EN: Display = Display {
    frame_title: "The message as it was written",
    frame_hint: "Shown as it was written (tables, colours), without script or remote content.",
    text_version: "Text version",
    preview: "Preview",
    download: "Download",
    patient: "Patient",
    recipients: "Recipients",
};
