//! The words of the mailboxes a person works in: the switcher and its banner when
//! acting for another mailbox (ID-3, ID-7), and the conversations (MS-6).

/// The switcher's and the conversations' words.
#[allow(missing_docs)]
pub struct Mailboxes {
    /// The switcher's name, one's own mailbox's mark, the banner while acting for
    /// another mailbox, and why one may.
    pub mailboxes: &'static str,
    pub own_mailbox: &'static str,
    pub acting_for: &'static str,
    pub as_delegate: &'static str,
    pub as_representative: &'static str,
    /// The refusal when the mailbox asked for is no longer one the person acts for.
    pub no_longer: &'static str,
    /// The conversations page, a conversation, the group of those naming no patient,
    /// a patient's group, a conversation's message count (many, one).
    pub conversations: &'static str,
    pub conversation: &'static str,
    pub no_patient: &'static str,
    pub patient: &'static str,
    pub messages: &'static str,
    pub one_message: &'static str,
    pub open_message: &'static str,
}

/// In French.
pub static FR: Mailboxes = Mailboxes {
    mailboxes: "Boîtes aux lettres",
    own_mailbox: "ma boîte",
    acting_for: "Vous agissez pour",
    as_delegate: "délégation",
    as_representative: "représentant légal",
    no_longer: "Vous n'agissez pas (ou plus) pour cette boîte aux lettres : la délégation ou \
                la représentation a pris fin. Vos boîtes sont listées en haut de la page ; \
                adressez-vous au responsable de la boîte si c'est une erreur.",
    conversations: "Conversations",
    conversation: "Conversation",
    no_patient: "Sans patient identifié",
    patient: "Patient",
    messages: "messages",
    one_message: "message",
    open_message: "Ouvrir ce message",
};

/// In English.
pub static EN: Mailboxes = Mailboxes {
    mailboxes: "Mailboxes",
    own_mailbox: "my mailbox",
    acting_for: "You are acting for",
    as_delegate: "delegate",
    as_representative: "legal representative",
    no_longer: "You do not (or no longer) act for this mailbox: the delegation or the \
                representation has ended. Your mailboxes are listed at the top of the page; \
                ask the mailbox's manager if this is a mistake.",
    conversations: "Conversations",
    conversation: "Conversation",
    no_patient: "No patient named",
    patient: "Patient",
    messages: "messages",
    one_message: "message",
    open_message: "Open this message",
};
