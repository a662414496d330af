//! The words of what the server cannot read or vouches for on a message (MS-3,
//! MS-16): a copy enveloped to the reader's certificate, a signature's standing, and
//! the setting that envelopes every copy (encryption at rest).

/// The envelope's and the signature's words.
#[allow(missing_docs)]
pub struct Security {
    /// A copy only the reader's key opens (encryption at rest, or sent encrypted).
    pub enveloped: &'static str,
    /// "Signed by", then the signer's address, then one of the three standings.
    pub signed_by: &'static str,
    pub valid_verified: &'static str,
    pub valid_unknown: &'static str,
    pub invalid: &'static str,
    /// A signature whose certificate names no address.
    pub unnamed: &'static str,
    /// The settings' encryption at rest: heading, what it does, the box.
    pub at_rest: &'static str,
    pub at_rest_hint: &'static str,
    pub at_rest_label: &'static str,
}

/// In French.
pub static FR: Security = Security {
    enveloped: "Ce message est chiffré pour vous (S/MIME)\u{202F}: le serveur ne peut pas le lire. \
                Ouvrez-le dans votre logiciel de messagerie (Thunderbird, Outlook…), qui détient \
                votre clé.",
    signed_by: "Signé par",
    valid_verified: "signature valide, compte vérifié de l'espace de confiance",
    valid_unknown: "signature valide, mais cet expéditeur n'est pas un compte vérifié de \
                    l'espace de confiance",
    invalid: "signature NON valide\u{202F}: le message a pu être modifié ou le certificat \
              n'est pas reconnu, ne vous y fiez pas",
    unnamed: "un certificat sans adresse",
    at_rest: "Chiffrement de vos messages",
    at_rest_hint: "Chaque message reçu est alors chiffré avec votre certificat avant d'être \
                   conservé\u{202F}: ni le serveur ni son exploitant ne peuvent plus le lire. Seul \
                   votre logiciel de messagerie, qui détient votre clé, l'ouvre\u{202F}; le webmail \
                   ne l'affiche plus. Il vous faut un certificat pour le chiffrement.",
    at_rest_label: "Chiffrer les messages que je reçois avec mon certificat",
};

/// In English.
pub static EN: Security = Security {
    enveloped: "This message is encrypted for you (S/MIME): the server cannot read it. Open it \
                in your mail client (Thunderbird, Outlook…), which holds your key.",
    signed_by: "Signed by",
    valid_verified: "valid signature, a verified account of the trust space",
    valid_unknown: "valid signature, but this sender is not a verified account of the trust \
                    space",
    invalid: "signature NOT valid: the message may have been altered or the certificate is \
              not recognised, do not rely on it",
    unnamed: "a certificate naming no address",
    at_rest: "Encrypting your messages",
    at_rest_hint: "Each message you receive is then encrypted with your certificate before it is \
                   kept: neither the server nor its operator can read it any more. Only your mail \
                   client, which holds your key, opens it; the webmail no longer shows it. You \
                   need a certificate for encryption.",
    at_rest_label: "Encrypt the messages I receive with my certificate",
};
