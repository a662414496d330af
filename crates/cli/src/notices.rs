//! Sends notices (emailed login codes and the codes confirming a new contact, AU-1;
//! new-mail notices, MS-7; inactivity
//! warnings, RT-1) through the operator's outbound SMTP relay with mail-send, and
//! login codes and inactivity warnings by SMS through the operator's gateway hook (a
//! program). The text is fixed: no sender, subject or content of any message ever goes
//! out this way.

use anyhow::{Result, bail};
use async_trait::async_trait;
use caduceus_core::contact::ContactChannel;
use caduceus_service::notify::{Notice, Notifier};
use mail_send::SmtpClientBuilder;
use mail_send::mail_builder::MessageBuilder;

use crate::config::Notices;

/// The fixed text of a new-mail notice (MS-7): no sender, subject or content.
const NEW_MAIL: &str = "Un nouveau message vous attend dans votre messagerie sécurisée de santé. \
     Connectez-vous à votre messagerie pour le lire.\r\n\r\n\
     A new message awaits you in your secure health mailbox. \
     Log in to your mailbox to read it.\r\n";

/// The fixed text of a first-access notice (TR-4): who is in the access log only.
const FIRST_ACCESS: &str = "Un professionnel a consulté pour la première fois des données vous concernant \
     dans votre messagerie sécurisée de santé. Connectez-vous pour voir le journal des accès.\r\n\r\n\
     A professional accessed data concerning you for the first time in your secure health \
     mailbox. Log in to see the access log.\r\n";

const BREACH: &str = "Une violation de données à caractère personnel concernant votre messagerie \
     sécurisée de santé a été constatée et notifiée à l'autorité de contrôle. Votre \
     opérateur vous contactera ; changez votre mot de passe à votre prochaine connexion.\r\n\r\n\
     A personal data breach concerning your secure health mailbox was found and notified \
     to the supervisory authority. Your operator will contact you; change your password \
     at your next login.\r\n";

/// Everything `[notices]` configures: the relay for e-mail, the hook for SMS.
pub struct Notifiers {
    mail: Option<SmtpNotifier>,
    sms: Option<SmsHook>,
}

impl Notifiers {
    /// The notifiers `[notices]` describes, or `None` when it sets neither.
    pub fn from_config(config: &Notices, domain: &str) -> Result<Option<Notifiers>> {
        let mail = SmtpNotifier::from_config(config, domain)?;
        let sms = config.sms_command.as_ref().map(|command| SmsHook {
            command: command.into(),
            public_url: public_url(config, domain),
        });
        Ok((mail.is_some() || sms.is_some()).then_some(Notifiers { mail, sms }))
    }
}

#[async_trait]
impl Notifier for Notifiers {
    async fn send(&self, notice: Notice) -> std::result::Result<(), String> {
        match (notice, &self.mail, &self.sms) {
            (
                Notice::InactivitySms {
                    to,
                    days_left,
                    token,
                },
                _,
                Some(sms),
            ) => sms.send(&to, &sms.warning(days_left, token.expose())).await,
            (
                Notice::LoginCodeSms {
                    to,
                    code,
                    valid_minutes,
                },
                _,
                Some(sms),
            ) => {
                sms.send(&to, &login_code_sms(code.expose(), valid_minutes))
                    .await
            }
            (
                Notice::ContactCodeSms {
                    to,
                    code,
                    valid_minutes,
                },
                _,
                Some(sms),
            ) => {
                sms.send(&to, &contact_code_sms(code.expose(), valid_minutes))
                    .await
            }
            (
                Notice::InactivitySms { .. }
                | Notice::LoginCodeSms { .. }
                | Notice::ContactCodeSms { .. },
                _,
                None,
            ) => Err("no SMS gateway is configured (notices.sms_command)".into()),
            (notice, Some(mail), _) => mail.send(notice).await,
            (_, None, _) => {
                Err("no outbound mail is configured for notices (set notices.relay)".into())
            }
        }
    }
}

/// The login code's SMS (AU-1, seed 004 §6.2): the code and its validity, nothing
/// else.
fn login_code_sms(code: &str, valid_minutes: u32) -> String {
    format!(
        "Caduceus : votre code de connexion est {code} (valable {valid_minutes} min). \
         / Your login code is {code}."
    )
}

/// The SMS confirming a new phone number (AU-1, RT-1): the code and its validity,
/// nothing else.
fn contact_code_sms(code: &str, valid_minutes: u32) -> String {
    format!(
        "Caduceus : pour confirmer ce numero, saisissez le code {code} dans vos reglages \
         (valable {valid_minutes} min). / To confirm this number, type {code} in your settings."
    )
}

/// The SMS gateway hook: a program run with the number as its argument and the text
/// on its standard input (RT-1).
pub struct SmsHook {
    command: std::path::PathBuf,
    public_url: String,
}

impl SmsHook {
    /// The inactivity warning's text, with the objection link: short, fixed.
    fn warning(&self, days_left: u32, token: &str) -> String {
        format!(
            "Caduceus : votre messagerie securisee de sante sera supprimee dans {days_left} \
             jours faute de connexion. Pour la garder : {url}/inactivity/object?token={token} \
             / Your secure health mailbox will be deleted in {days_left} days; to keep it, \
             follow the link.",
            url = self.public_url
        )
    }

    /// Runs the hook for `to` with `text` (30 s at most); its output is discarded, never
    /// logged (it may echo the number).
    async fn send(
        &self,
        to: &caduceus_core::PhoneNumber,
        text: &str,
    ) -> std::result::Result<(), String> {
        use tokio::io::AsyncWriteExt;
        let hook = self.command.display();
        let mut command = tokio::process::Command::new(&self.command);
        command
            .arg(to.as_str())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true);
        let mut attempts = 0;
        let mut child = loop {
            match command.spawn() {
                // A hook just installed can still be open for writing in a process
                // being forked at that instant: wait for the copy to close.
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && attempts < 10 => {
                    attempts += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                spawned => break spawned.map_err(|e| format!("SMS hook {hook}: {e}"))?,
            }
        };
        // A hook that exits without reading its input breaks the pipe: its exit
        // status, not the write, then says what happened.
        let written = match child.stdin.take() {
            Some(mut stdin) => stdin.write_all(text.as_bytes()).await,
            None => Ok(()),
        };
        let status = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait())
            .await
            .map_err(|_| format!("SMS hook {hook} did not finish within 30 s"))?
            .map_err(|e| format!("SMS hook {hook}: {e}"))?;
        if !status.success() {
            return Err(format!("SMS hook {hook} failed ({status})"));
        }
        written.map_err(|e| format!("SMS hook {hook} did not take the text: {e}"))
    }
}

fn public_url(config: &Notices, domain: &str) -> String {
    config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("https://mail.{domain}"))
        .trim_end_matches('/')
        .to_owned()
}

/// Sends notices to `relay`.
pub struct SmtpNotifier {
    host: String,
    port: u16,
    security: Security,
    from: String,
    /// The web service's public address, for links.
    public_url: String,
}

#[derive(Clone, Copy)]
enum Security {
    None,
    StartTls,
    Implicit,
}

impl SmtpNotifier {
    /// The notifier `[notices]` describes, or `None` when no relay is set.
    pub fn from_config(config: &Notices, domain: &str) -> Result<Option<SmtpNotifier>> {
        let Some(relay) = &config.relay else {
            return Ok(None);
        };
        let Some((host, port)) = relay.rsplit_once(':') else {
            bail!("notices.relay must be host:port, not {relay:?}");
        };
        let host = host.trim_matches(['[', ']']);
        let security = match config.security.as_str() {
            "none" if is_loopback(host) => Security::None,
            "none" => bail!(
                "notices.security = \"none\" sends notices in clear: allowed only to a relay \
                 on this machine (127.0.0.1, ::1, localhost), not {host:?}; use \"starttls\" \
                 or \"tls\" (MS-3)"
            ),
            "starttls" => Security::StartTls,
            "tls" => Security::Implicit,
            other => {
                bail!("notices.security must be \"starttls\", \"tls\" or \"none\", not {other:?}")
            }
        };
        Ok(Some(SmtpNotifier {
            host: host.to_owned(),
            port: port
                .parse()
                .map_err(|_| anyhow::anyhow!("notices.relay port {port:?} is not a number"))?,
            security,
            from: config
                .from
                .clone()
                .unwrap_or_else(|| format!("no-reply@{domain}")),
            public_url: public_url(config, domain),
        }))
    }
}

/// Whether `host` is this machine: a loopback address or `localhost`.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[async_trait]
impl Notifier for SmtpNotifier {
    async fn send(&self, notice: Notice) -> std::result::Result<(), String> {
        let (to, subject, body) = match notice {
            Notice::LoginCode {
                to,
                code,
                valid_minutes,
            } => (
                to,
                "Code de connexion / Login code",
                format!(
                    "Votre code de connexion Caduceus : {code}\r\nIl est valable {valid_minutes} minutes. \
                     Si vous n'avez pas demandé ce code, ignorez ce message.\r\n\r\n\
                     Your Caduceus login code: {code}\r\nIt is valid for {valid_minutes} minutes. \
                     If you did not ask for it, ignore this message.\r\n",
                    code = code.expose()
                ),
            ),
            Notice::ContactCode {
                to,
                code,
                valid_minutes,
            } => (
                to,
                "Confirmez votre adresse de contact / Confirm your contact address",
                format!(
                    "Pour que vos codes de connexion et vos avis arrivent a cette adresse, saisissez \
                     ce code dans les reglages de votre messagerie securisee de sante : {code}\r\n\
                     Il est valable {valid_minutes} minutes. Si vous n'avez rien demande, ignorez ce \
                     message : votre adresse actuelle reste utilisee.\r\n\r\n\
                     To have your login codes and notices sent to this address, type this code in \
                     the settings of your secure health mailbox: {code}\r\nIt is valid for \
                     {valid_minutes} minutes. If you did not ask for it, ignore this message: your \
                     current address stays in use.\r\n",
                    code = code.expose()
                ),
            ),
            Notice::ContactReplaced {
                to,
                channel: ContactChannel::Phone,
                masked,
            } => (
                to,
                "Numero pour les avis SMS remplace / SMS number replaced",
                format!(
                    "Les avis SMS de votre messagerie securisee de sante iront desormais au \
                     {masked}. Si vous n'avez pas fait ce changement, prevenez votre operateur \
                     sans attendre.\r\n\r\n\
                     The SMS notices of your secure health mailbox will now go to {masked}. If \
                     you did not make this change, tell your operator at once.\r\n"
                ),
            ),
            Notice::ContactReplaced {
                to,
                channel: ContactChannel::Email,
                masked,
            } => (
                to,
                "Adresse de contact remplacee / Contact address replaced",
                format!(
                    "Votre adresse de contact de messagerie securisee de sante a ete remplacee par \
                     {masked} : vos codes de connexion et vos avis n'arriveront plus ici. Si vous \
                     n'avez pas fait ce changement, prevenez votre operateur sans attendre.\r\n\r\n\
                     The contact address of your secure health mailbox was replaced by {masked}: \
                     your login codes and notices will no longer come here. If you did not make \
                     this change, tell your operator at once.\r\n"
                ),
            ),
            Notice::NewMail { to } => (to, "Nouveau message / New message", NEW_MAIL.to_owned()),
            Notice::InactivityWarning {
                to,
                days_left,
                token,
            } => (
                to,
                "Votre messagerie sera supprimee / Your mailbox will be deleted",
                format!(
                    "Votre messagerie securisee de sante sera supprimee dans {days_left} jours faute \
                     de connexion. Connectez-vous, ou suivez ce lien pour la conserver :\r\n\
                     {url}/inactivity/object?token={token}\r\n\r\n\
                     Your secure health mailbox will be deleted in {days_left} days as you have not \
                     logged in. Log in, or follow the link above to keep it.\r\n",
                    url = self.public_url,
                    token = token.expose()
                ),
            ),
            Notice::RegistrationConfirmation {
                to,
                token,
                valid_hours,
            } => (
                to,
                "Confirmez votre adresse / Confirm your address",
                format!(
                    "Vous avez demande l'ouverture d'une messagerie securisee de sante. Suivez ce \
                     lien pour confirmer cette adresse et activer votre compte (valable \
                     {valid_hours} heures) :\r\n{url}/register/confirm?token={token}\r\n\
                     Si vous n'avez rien demande, ignorez ce message.\r\n\r\n\
                     You asked for a secure health mailbox. Follow the link above within \
                     {valid_hours} hours to confirm this address and activate your account. If \
                     you did not ask for it, ignore this message.\r\n",
                    url = self.public_url,
                    token = token.expose()
                ),
            ),
            Notice::PatientAnnouncement { to, opens, token } => (
                to,
                "Votre messagerie de sante / Your health mailbox",
                format!(
                    "Une messagerie securisee de sante va etre creee pour vous. Elle ouvrira le \
                     {opens} sauf si vous vous y opposez. Pour vous y opposer, ou l'accepter des \
                     maintenant, suivez ce lien :\r\n{url}/announcement?token={token}\r\n\r\n\
                     A secure health mailbox is being created for you. It opens on {opens} \
                     unless you object. To object, or to accept it now, follow the link above.\r\n",
                    opens = opens.rfc5322(),
                    url = self.public_url,
                    token = token.expose()
                ),
            ),
            Notice::Incident { to, kind } => (
                to,
                "Incident de securite / Security incident",
                format!(
                    "Un incident a ete detecte : {kind}. Voyez les alertes de l'operateur.\r\n\
                     An incident was detected: {kind}. See the operator's alerts.\r\n"
                ),
            ),
            Notice::FirstAccess { to } => (
                to,
                "Acces a vos donnees / Access to your data",
                FIRST_ACCESS.to_owned(),
            ),
            Notice::Breach { to } => (
                to,
                "Violation de donnees / Personal data breach",
                BREACH.to_owned(),
            ),
            Notice::InactivitySms { .. }
            | Notice::LoginCodeSms { .. }
            | Notice::ContactCodeSms { .. } => {
                return Err("an SMS notice goes to the SMS hook, not the relay".into());
            }
        };
        let message = MessageBuilder::new()
            .from(("Caduceus", self.from.as_str()))
            .to(to.as_str())
            .subject(subject)
            .text_body(body);
        let builder = SmtpClientBuilder::new(self.host.as_str(), self.port)
            .implicit_tls(matches!(self.security, Security::Implicit));
        let sent = match self.security {
            Security::None => match builder.connect_plain().await {
                Ok(mut client) => client.send(message).await,
                Err(e) => Err(e),
            },
            Security::StartTls | Security::Implicit => match builder.connect().await {
                Ok(mut client) => client.send(message).await,
                Err(e) => Err(e),
            },
        };
        sent.map_err(|e| format!("relay {}:{}: {e}", self.host, self.port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(dir: &std::path::Path, script: &str) -> SmsHook {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("send-sms");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
        SmsHook {
            command: path,
            public_url: "https://mail.caduceus.test".into(),
        }
    }

    /// A hook that writes the number, then the text, to the returned file.
    fn recording_hook(dir: &std::path::Path) -> (SmsHook, std::path::PathBuf) {
        let out = dir.join("sent");
        let script = format!("#!/bin/sh\necho \"$1\" > {0}\ncat >> {0}\n", out.display());
        (hook(dir, &script), out)
    }

    #[tokio::test]
    async fn rt1_the_sms_hook_gets_the_number_and_the_warning_with_its_link() {
        let dir = tempfile::tempdir().unwrap();
        let (sms, out) = recording_hook(dir.path());
        let to = caduceus_core::PhoneNumber::parse("06 12 34 56 78").unwrap();
        sms.send(&to, &sms.warning(7, "abc123")).await.unwrap();
        let sent = std::fs::read_to_string(&out).unwrap();
        let (number, text) = sent.split_once('\n').unwrap();
        assert_eq!(number, "+33612345678");
        assert!(text.contains("dans 7 jours"), "{text}");
        assert!(
            text.contains("https://mail.caduceus.test/inactivity/object?token=abc123"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn au1_the_login_code_goes_to_the_sms_hook_with_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let (sms, out) = recording_hook(dir.path());
        let notifiers = Notifiers {
            mail: None,
            sms: Some(sms),
        };
        let to = caduceus_core::PhoneNumber::parse("06 12 34 56 78").unwrap();
        let code = caduceus_core::SecretString::new("482913".into());
        let notice = Notice::LoginCodeSms {
            to,
            code,
            valid_minutes: 10,
        };
        notifiers.send(notice).await.unwrap();
        let sent = std::fs::read_to_string(&out).unwrap();
        let (number, text) = sent.split_once('\n').unwrap();
        assert_eq!(number, "+33612345678");
        assert!(text.contains("code de connexion est 482913"), "{text}");
        assert!(text.contains("valable 10 min"), "{text}");
    }

    #[tokio::test]
    async fn rt1_a_failing_or_missing_hook_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let to = caduceus_core::PhoneNumber::parse("+33612345678").unwrap();
        let failing = hook(dir.path(), "#!/bin/sh\nexit 3\n");
        let error = failing.send(&to, "x").await.unwrap_err();
        assert!(error.contains("failed"), "{error}");
        let missing = SmsHook {
            command: dir.path().join("nowhere"),
            public_url: String::new(),
        };
        assert!(missing.send(&to, "x").await.is_err());
    }

    #[tokio::test]
    async fn rt1_an_sms_notice_without_a_hook_is_refused_not_dropped() {
        let notifiers = Notifiers {
            mail: None,
            sms: None,
        };
        let notice = Notice::InactivitySms {
            to: caduceus_core::PhoneNumber::parse("+33612345678").unwrap(),
            days_left: 7,
            token: caduceus_core::SecretString::new("t".into()),
        };
        let error = notifiers.send(notice).await.unwrap_err();
        assert!(error.contains("sms_command"), "{error}");
    }
}
