//! The words of what the server cannot read or vouches for on a message (MS-3,
//! MS-16): a copy enveloped to the reader's certificate, and a signature's standing.

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
};
