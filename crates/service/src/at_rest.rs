//! Encryption at rest to the holder's own certificate (MS-3, MS-4, issue 19).
//!
//! Every copy is sealed at rest with keys the operator holds (MS-4): whoever runs the
//! server and its keys could read it. A holder who has a certificate for a key only
//! their mail client keeps ([`Service::request_certificate`]) may ask for more: from
//! then on, each copy delivered to them is enveloped to that certificate (CMS
//! authEnveloped-data, AES-256-GCM, `caduceus_core::at_rest`) before it is sealed, so that no server
//! key opens its content. What stays readable is what S/MIME leaves outside: the
//! header fields that route and list a message (sender, recipients, subject, date) —
//! the subject is pseudonymised anyway (MS-11).
//!
//! - The rules (antivirus, patients, subjects) run on the message as it arrived,
//!   before it is enveloped; a message that arrived enveloped is stored as it is.
//! - Only copies delivered from the moment it is turned on are enveloped; earlier
//!   ones stay as they were.
//! - A holder with no certificate that can receive encrypted mail at delivery time (it
//!   expired, was revoked) gets the copy sealed as everyone's, and a warning is
//!   logged with the account's id: mail is never refused for it. Turning it on
//!   needs such a certificate.
//! - The webmail and the API's text views cannot show an enveloped copy's content:
//!   the holder's mail client opens it (IMAP, the API's raw download, the export).
//!
//! The cryptography is the binary's ([`Envelope`], openssl in `caduceus`).

use std::sync::Arc;

use caduceus_audit::{Action, Detail, Object};
use caduceus_core::{Requirement, Timestamp};
use caduceus_store::{Account, AccountId, Enveloped, Target};

use crate::Service;
use crate::actor::{Actor, Caller};
use crate::error::{Result, ServiceError};
use crate::ingest::MessageMeta;

/// The cryptography that envelopes a MIME entity to a certificate.
pub trait Envelope: Send + Sync {
    /// The CMS (authenticated-)enveloped-data (DER) of `entity` for the first of `certificates`
    /// (DER) that can receive encrypted mail now — an RSA key for key encipherment
    /// or an EC key for key agreement, within its validity — or `None` when none
    /// can. An error is a failure of the cryptography itself.
    fn envelope(&self, certificates: &[Vec<u8>], entity: &[u8])
    -> std::io::Result<Option<Vec<u8>>>;
}

/// What the entity of a probe holds: a turn-on checks that one certificate can
/// receive encrypted mail by enveloping it.
const PROBE: &[u8] = b"Content-Type: text/plain\r\n\r\nprobe\r\n";

impl Service {
    /// The same service enveloping copies at rest with `envelope` for the holders
    /// who ask for it. Without one, nobody can turn it on.
    pub fn with_envelope(mut self, envelope: Arc<dyn Envelope>) -> Self {
        self.envelope = Some(envelope);
        self
    }

    /// Turns encryption at rest to the holder's certificate on or off for `account`
    /// (MS-3): the holder themself only (AC-1; staff and other users are refused and
    /// traced). Turning it on needs a certificate of the holder's that can receive
    /// encrypted mail. Traced (`account.encrypt_at_rest`); returns since when it is on.
    pub async fn set_encrypt_at_rest(
        &self,
        caller: &Caller,
        account: AccountId,
        on: bool,
    ) -> Result<Option<Timestamp>> {
        if caller.actor != Actor::Account(account) {
            self.trace_denied(caller, Object::of(account), Requirement::Ac1)
                .await?;
            return Err(ServiceError::Denied {
                requirement: Requirement::Ac1,
                reason: "only the holder chooses how their mail is kept".into(),
            });
        }
        let holder = self.store.account(account).await?;
        let since = if on {
            let Some(envelope) = &self.envelope else {
                return Err(ServiceError::Unavailable(
                    "this server cannot encrypt mail at rest (no cryptography configured)".into(),
                ));
            };
            let certificates = self.certificates_of(&holder.address).await?;
            if envelope
                .envelope(&certificates, PROBE)
                .map_err(|e| ServiceError::Unavailable(format!("encryption failed: {e}")))?
                .is_none()
            {
                return Err(ServiceError::Invalid(
                    "no certificate of yours can receive encrypted mail: have one signed for \
                     a key your mail client made (POST /api/v1/certificates), then try again"
                        .into(),
                ));
            }
            Some(
                holder
                    .encrypt_at_rest_since
                    .unwrap_or_else(|| self.clock.now()),
            )
        } else {
            None
        };
        let mut trace = caller.event(
            self.now_ms(),
            Action::AccountEncryptAtRest,
            Object::of(account),
        );
        trace.detail = Some(Detail::of(Requirement::Ms3));
        self.store
            .set_encrypt_at_rest(account, since, &trace)
            .await?;
        Ok(since)
    }

    /// The copy of `raw` for `account`, enveloped to its holder's certificate, when
    /// they asked for it (see the module documentation); `None` when the copy shares
    /// the message's bytes: not asked, already enveloped, or no usable certificate.
    pub(crate) async fn enveloped_copy(
        &self,
        account: &Account,
        target: &Target,
        raw: &[u8],
        meta: &MessageMeta,
    ) -> Result<Option<Enveloped>> {
        let (Some(envelope), Some(_)) = (&self.envelope, account.encrypt_at_rest_since) else {
            return Ok(None);
        };
        if meta.enveloped {
            return Ok(None);
        }
        let certificates = self.certificates_of(&account.address).await?;
        let split = caduceus_core::at_rest::split(raw);
        let der = envelope
            .envelope(&certificates, &split.entity)
            .map_err(|e| ServiceError::Unavailable(format!("encryption at rest failed: {e}")))?;
        let Some(der) = der else {
            tracing::warn!(
                account = %account.id,
                "no certificate can receive encrypted mail: copy sealed without it (MS-3)"
            );
            return Ok(None);
        };
        let enveloped = caduceus_core::at_rest::assemble(&split.outer, &der);
        let meta = MessageMeta::parse(&enveloped)?.to_sealable();
        Ok(Some(Enveloped {
            target: target.clone(),
            raw: enveloped,
            meta,
        }))
    }
}
