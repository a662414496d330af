//! What the webmail says when the service refuses (journey 9 of issue 22): what
//! happened and what to do, in the page's language, in plain words — never a
//! requirement code, never the API's English detail. The service answers with typed
//! refusals (a [`Requirement`] and an HTTP status through [`Problem`]); this table
//! turns them into sentences. The API keeps its problem+json, codes included.

use axum::http::StatusCode;
use caduceus_core::Requirement;

use crate::api::problem::Problem;

/// One sentence per kind of refusal a webmail user can meet.
#[allow(missing_docs)]
pub struct Refusals {
    pub too_large: &'static str,
    pub recipient_unknown: &'static str,
    pub outside_trust_space: &'static str,
    pub patient_replies_only: &'static str,
    pub patient_opposed: &'static str,
    pub patient_blocked_you: &'static str,
    pub subject_identifies: &'static str,
    pub too_many_recipients: &'static str,
    pub unsafe_content: &'static str,
    pub forwarding_outside: &'static str,
    pub contact_address: &'static str,
    pub not_your_name: &'static str,
    pub card_login: &'static str,
    pub representation: &'static str,
    pub health_alert: &'static str,
    pub unknown_professional: &'static str,
    pub refused: &'static str,
    pub denied: &'static str,
    pub invalid: &'static str,
    pub not_found: &'static str,
    pub conflict: &'static str,
    pub session_ended: &'static str,
    pub too_fast: &'static str,
    pub too_many_attempts: &'static str,
    pub full: &'static str,
    pub unavailable: &'static str,
    pub internal: &'static str,
}

impl Refusals {
    /// The sentence for `problem`: by the requirement a refusal names, else by what
    /// kind of answer it is (its status).
    pub fn say(&self, problem: &Problem) -> &'static str {
        let status = problem.status();
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            return match problem.requirement_id() {
                Some(Requirement::Ms1) => self.too_large,
                Some(Requirement::Ms2) => self.recipient_unknown,
                Some(Requirement::Ms5) => self.outside_trust_space,
                Some(Requirement::Ms8) => self.patient_replies_only,
                Some(Requirement::Ms9) => self.patient_opposed,
                Some(Requirement::Ms10) => self.patient_blocked_you,
                Some(Requirement::Ms11) => self.subject_identifies,
                Some(Requirement::Ms12) => self.too_many_recipients,
                Some(Requirement::Ms13) => self.unsafe_content,
                Some(Requirement::Ms15) => self.health_alert,
                Some(Requirement::Ms17) => self.forwarding_outside,
                Some(Requirement::Id2) => self.contact_address,
                Some(Requirement::Id3) => self.not_your_name,
                Some(Requirement::Id7) => self.representation,
                Some(Requirement::Au5) => self.card_login,
                _ => self.refused,
            };
        }
        match status {
            StatusCode::FORBIDDEN => self.denied,
            StatusCode::BAD_REQUEST => self.invalid,
            StatusCode::NOT_FOUND => self.not_found,
            StatusCode::CONFLICT => self.conflict,
            StatusCode::UNAUTHORIZED => self.session_ended,
            StatusCode::PAYLOAD_TOO_LARGE => self.too_large,
            StatusCode::TOO_MANY_REQUESTS
                if problem.requirement_id() == Some(Requirement::Ms13) =>
            {
                self.too_fast
            }
            StatusCode::TOO_MANY_REQUESTS => self.too_many_attempts,
            StatusCode::INSUFFICIENT_STORAGE => self.full,
            StatusCode::SERVICE_UNAVAILABLE => self.unavailable,
            _ => self.internal,
        }
    }
}

/// French.
pub const FR: Refusals = Refusals {
    too_large: "Le message est trop volumineux pour ce service. Retirez ou allégez des pièces jointes, ou envoyez les fichiers par un autre moyen.",
    recipient_unknown: "Un destinataire n'est pas une messagerie de santé connue ou vérifiée. Vérifiez l'adresse dans l'annuaire, puis renvoyez.",
    outside_trust_space: "Une adresse est hors de l'espace de confiance MSSanté\u{202F}: la messagerie de santé ne peut pas y écrire. Vérifiez l'adresse, ou utilisez un autre moyen.",
    patient_replies_only: "Vous pouvez seulement répondre à un professionnel qui vous a écrit\u{202F}: ouvrez son message et choisissez «\u{202F}Répondre\u{202F}».",
    patient_opposed: "Le patient concerné s'est opposé aux échanges le concernant par ce service. Envoyez ce document par un autre moyen (courrier, remise en main propre).",
    patient_blocked_you: "Ce patient n'accepte pas vos messages par ce service. Contactez-le par un autre moyen.",
    subject_identifies: "L'objet permet d'identifier le patient (numéro de sécurité sociale, INS ou nom). Retirez-le de l'objet et placez-le dans le message.",
    too_many_recipients: "Trop de destinataires pour un seul message. Écrivez à moins de personnes, ou envoyez la suite dans un autre message.",
    unsafe_content: "Le message a été refusé par l'analyse antivirus ou parce qu'il est mal formé. Retirez la pièce jointe en cause et renvoyez.",
    forwarding_outside: "Le transfert n'est possible que vers une autre messagerie de santé de l'espace de confiance MSSanté, ni la vôtre ni celle d'un patient. Indiquez une autre adresse.",
    contact_address: "L'adresse de contact doit être une messagerie ordinaire, hors MSSanté, et un compte actif en garde toujours une. Indiquez-en une autre.",
    not_your_name: "Vous ne pouvez écrire qu'en votre nom, ou au nom d'une boîte organisationnelle dont vous êtes délégué.",
    card_login: "Les professionnels de santé se connectent avec leur carte CPS ou e-CPS (Pro Santé Connect)\u{202F}: utilisez le bouton prévu.",
    representation: "Vous n'êtes pas enregistré comme représentant de ce patient pour cette action. Adressez-vous à l'opérateur du service.",
    unknown_professional: "Aucune messagerie de professionnel de santé ne porte cette adresse. Vérifiez-la (elle figure sur les messages reçus de ce professionnel).",
    health_alert: "L'alerte sanitaire n'a pas pu être diffusée. Vérifiez la profession, le département et la taille du texte, puis renvoyez.",
    refused: "Le service a refusé cette action. Vérifiez ce que vous avez saisi, ou demandez de l'aide au support.",
    denied: "Vous n'avez pas accès à cette page ou à cette action.",
    invalid: "Une valeur saisie n'est pas valide (adresse, numéro ou nom mal écrit). Corrigez-la, puis renvoyez.",
    not_found: "Ce que vous cherchez n'existe pas ou plus (message, dossier ou adresse). Revenez à la liste.",
    conflict: "Cette action a déjà été faite, ou une autre l'a devancée. Rechargez la page pour voir où vous en êtes.",
    session_ended: "Votre session a pris fin. Reconnectez-vous.",
    too_fast: "Vous avez envoyé beaucoup de messages en peu de temps. Attendez quelques minutes, puis renvoyez.",
    too_many_attempts: "Trop de tentatives de connexion ont échoué. Attendez un quart d'heure, ou contactez le support.",
    full: "L'espace de stockage est plein\u{202F}: rien n'a été modifié. Réessayez plus tard, ou prévenez le destinataire par un autre moyen.",
    unavailable: "Un service nécessaire est momentanément indisponible\u{202F}: rien n'a été fait. Réessayez dans quelques minutes.",
    internal: "Une erreur interne a empêché l'action\u{202F}: rien n'a été modifié. Réessayez.",
};

/// English.
pub const EN: Refusals = Refusals {
    too_large: "The message is too large for this service. Remove or shrink attachments, or send the files another way.",
    recipient_unknown: "A recipient is not a known or verified health mailbox. Check the address in the directory, then send again.",
    outside_trust_space: "An address is outside the MSSanté trust space: health mail cannot be sent there. Check the address, or use another way.",
    patient_replies_only: "You can only reply to a professional who wrote to you: open their message and choose \"Reply\".",
    patient_opposed: "The patient concerned has objected to exchanges about them through this service. Send this document another way (post, by hand).",
    patient_blocked_you: "This patient does not accept your messages through this service. Contact them another way.",
    subject_identifies: "The subject identifies the patient (social security number, INS or name). Take it out of the subject and put it in the message.",
    too_many_recipients: "Too many recipients for one message. Write to fewer people, or send the rest in another message.",
    unsafe_content: "The message was refused by the virus scan or because it is malformed. Remove the attachment at fault and send again.",
    forwarding_outside: "Mail can only be forwarded to another health mailbox of the MSSanté trust space, neither yours nor a patient's. Give another address.",
    contact_address: "The contact address must be an ordinary mailbox, outside MSSanté, and an active account always keeps one. Give another one.",
    not_your_name: "You can only write in your own name, or for an organisational mailbox you are a delegate of.",
    card_login: "Health professionals log in with their CPS card or e-CPS (Pro Santé Connect): use that button.",
    representation: "You are not registered as this patient's representative for this action. Ask the service's operator.",
    unknown_professional: "No health professional's mailbox has this address. Check it (it is on the messages you received from them).",
    health_alert: "The health alert could not be sent. Check the profession, the department and the text's size, then send again.",
    refused: "The service refused this action. Check what you typed, or ask support for help.",
    denied: "You do not have access to this page or action.",
    invalid: "A value you typed is not valid (a mistyped address, number or name). Correct it, then send again.",
    not_found: "What you are looking for does not exist or no longer exists (message, folder or address). Go back to the list.",
    conflict: "This was already done, or something else got there first. Reload the page to see where things stand.",
    session_ended: "Your session has ended. Log in again.",
    too_fast: "You sent many messages in a short time. Wait a few minutes, then send again.",
    too_many_attempts: "Too many login attempts failed. Wait a quarter of an hour, or contact support.",
    full: "Storage is full: nothing was changed. Try again later, or tell the recipient another way.",
    unavailable: "A service this needs is unavailable for a moment: nothing was done. Try again in a few minutes.",
    internal: "An internal error stopped this: nothing was changed. Try again.",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::problem::Problem;
    use caduceus_core::Refusal;
    use caduceus_service::ServiceError;

    fn refusal(requirement: Requirement) -> Problem {
        let reason = "an English reason".to_owned();
        Problem::from(ServiceError::Refused(Refusal {
            requirement,
            reason,
        }))
    }

    #[test]
    fn in1_refusals_are_plain_sentences_without_requirement_codes() {
        let cases = [
            (refusal(Requirement::Ms5), FR.outside_trust_space),
            (refusal(Requirement::Ms8), FR.patient_replies_only),
            (refusal(Requirement::Ms17), FR.forwarding_outside),
            (refusal(Requirement::Tr6), FR.refused),
            (
                Problem::from(ServiceError::Invalid("bad".into())),
                FR.invalid,
            ),
            (
                Problem::from(ServiceError::NotFound("message".into())),
                FR.not_found,
            ),
        ];
        for (problem, said) in cases {
            assert_eq!(FR.say(&problem), said);
        }
        assert_eq!(EN.say(&refusal(Requirement::Ms5)), EN.outside_trust_space);
        // No sentence names a requirement (MS-5, AC-1…) nor copies the API's detail.
        for source in [include_str!("refusals.rs")] {
            let table =
                &source[source.find("pub const FR").unwrap()..source.find("#[cfg(test)]").unwrap()];
            for line in table.lines().filter(|l| l.contains(": \"")) {
                let codes = Requirement::ALL
                    .iter()
                    .filter(|r| line.contains(r.as_str()));
                assert_eq!(codes.count(), 0, "{line}");
            }
        }
    }
}
