//! The words of what the server cannot read or vouches for on a message (MS-3,
//! MS-16): a copy enveloped to the reader's certificate, a signature's standing, and
//! the setting that envelopes every copy (encryption at rest), the holder's
//! certificate asked for or uploaded.

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
    /// The settings' certificate form (MS-3).
    pub certificates: &'static Certificates,
    /// A new contact waiting for its code (AU-1).
    pub contacts: &'static super::contacts::Contacts,
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
    certificates: &CERTIFICATES_FR,
    contacts: &super::contacts::FR,
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
    certificates: &CERTIFICATES_EN,
    contacts: &super::contacts::EN,
};

/// The words of the settings' certificate form (MS-3): a request to have signed, or
/// a certificate another authority issued, then what the kept certificate says.
#[allow(missing_docs)]
pub struct Certificates {
    pub heading: &'static str,
    pub hint: &'static str,
    pub csr_label: &'static str,
    pub csr_hint: &'static str,
    pub pem_label: &'static str,
    pub pem_hint: &'static str,
    pub submit: &'static str,
    /// The answer's page: title, the subject's and expiry's labels, the PEM's.
    pub kept: &'static str,
    pub subject: &'static str,
    pub expires: &'static str,
    pub pem: &'static str,
    pub back: &'static str,
    /// Refusals in plain words: nothing given, a request not signed, a certificate
    /// not kept, no authority configured.
    pub nothing: &'static str,
    pub csr_refused: &'static str,
    pub pem_refused: &'static str,
    pub unavailable: &'static str,
}

/// In French.
pub static CERTIFICATES_FR: Certificates = Certificates {
    heading: "Votre certificat",
    hint: "Un certificat permet de signer vos messages et d'en recevoir de chiffrés (S/MIME). \
           Collez la demande de certificat (CSR) que votre logiciel a préparée, ou envoyez le \
           certificat qu'une autre autorité (IGC Santé) vous a délivré. Votre clé privée reste \
           chez vous.",
    csr_label: "Demande de certificat (CSR)",
    csr_hint: "Le texte qui commence par «\u{a0}-----BEGIN CERTIFICATE REQUEST-----\u{a0}».",
    pem_label: "Ou un certificat déjà délivré (fichier .pem)",
    pem_hint: "Votre certificat, suivi de sa chaîne, au format PEM.",
    submit: "Envoyer",
    kept: "Votre certificat est enregistré",
    subject: "Titulaire",
    expires: "Valable jusqu'au",
    pem: "Le certificat (à importer dans votre logiciel de messagerie)",
    back: "Retour aux réglages",
    nothing: "Collez une demande de certificat ou choisissez un fichier .pem.",
    csr_refused: "Cette demande n'a pas pu être signée\u{202F}: vérifiez que c'est bien une \
                  demande de certificat (CSR) complète, pour une clé RSA d'au moins 2048 bits ou \
                  EC P-256, puis recommencez.",
    pem_refused: "Ce certificat n'a pas pu être enregistré\u{202F}: il doit être à votre adresse, \
                  en cours de validité, prévu pour la messagerie et délivré par une autorité \
                  reconnue (IGC Santé). Vérifiez le fichier, puis recommencez.",
    unavailable: "Le service de certificats est indisponible pour le moment\u{202F}: réessayez \
                  plus tard ou contactez votre administrateur.",
};

/// In English.
pub static CERTIFICATES_EN: Certificates = Certificates {
    heading: "Your certificate",
    hint: "A certificate lets you sign your messages and receive encrypted ones (S/MIME). \
           Paste the certificate request (CSR) your software prepared, or upload the \
           certificate another authority (IGC Santé) issued to you. Your private key stays \
           with you.",
    csr_label: "Certificate request (CSR)",
    csr_hint: "The text that starts with “-----BEGIN CERTIFICATE REQUEST-----”.",
    pem_label: "Or a certificate already issued (.pem file)",
    pem_hint: "Your certificate, followed by its chain, in PEM format.",
    submit: "Send",
    kept: "Your certificate is saved",
    subject: "Holder",
    expires: "Valid until",
    pem: "The certificate (to import into your mail client)",
    back: "Back to settings",
    nothing: "Paste a certificate request or choose a .pem file.",
    csr_refused: "This request could not be signed: check that it is a complete certificate \
                  request (CSR) for an RSA key of at least 2048 bits or EC P-256, then try again.",
    pem_refused: "This certificate could not be saved: it must be for your address, currently \
                  valid, meant for e-mail and issued by a recognised authority (IGC Santé). \
                  Check the file, then try again.",
    unavailable: "The certificate service is unavailable for now: try again later or contact \
                  your administrator.",
};
