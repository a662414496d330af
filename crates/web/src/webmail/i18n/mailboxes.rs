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
    conversations: "Conversations",
    conversation: "Conversation",
    no_patient: "No patient named",
    patient: "Patient",
    messages: "messages",
    one_message: "message",
    open_message: "Open this message",
};
