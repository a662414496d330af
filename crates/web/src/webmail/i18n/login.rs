//! The login page's words for a one-time code by SMS (AU-1, seed 004 §6.2).

/// The words of the code by SMS.
#[allow(missing_docs)]
pub struct LoginSms {
    /// The button that sends the code by SMS.
    pub send: &'static str,
    /// The hint under the code field, naming both channels.
    pub hint: &'static str,
}

/// In French.
pub static FR: LoginSms = LoginSms {
    send: "Recevoir un code par SMS",
    hint: "Le code par SMS est envoyé au numéro de mobile enregistré dans vos réglages.",
};

/// In English.
pub static EN: LoginSms = LoginSms {
    send: "Send me a code by SMS",
    hint: "The code by SMS goes to the mobile number saved in your settings.",
};
