//! Sends notices (emailed login codes, AU-1; new-mail notices, MS-7) through the operator's outbound SMTP
//! relay with mail-send. The text is fixed: no sender, subject or content of any
//! message ever goes out this way.

use anyhow::{Result, bail};
use async_trait::async_trait;
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
        let security = match config.security.as_str() {
            "none" => Security::None,
            "starttls" => Security::StartTls,
            "tls" => Security::Implicit,
            other => {
                bail!("notices.security must be \"starttls\", \"tls\" or \"none\", not {other:?}")
            }
        };
        Ok(Some(SmtpNotifier {
            host: host.trim_matches(['[', ']']).to_owned(),
            port: port
                .parse()
                .map_err(|_| anyhow::anyhow!("notices.relay port {port:?} is not a number"))?,
            security,
            from: config
                .from
                .clone()
                .unwrap_or_else(|| format!("no-reply@{domain}")),
            public_url: config
                .public_url
                .clone()
                .unwrap_or_else(|| format!("https://mail.{domain}"))
                .trim_end_matches('/')
                .to_owned(),
        }))
    }
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
