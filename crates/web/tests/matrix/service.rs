//! The matrix's cells through the service's use cases, called directly with the
//! caller the front ends would build (a staff role as the admin console does).

use caduceus_core::authz::{Expected, Operation, Party, Reach};
use caduceus_core::{AccountState, Evidence, Ins};
use caduceus_service::ServiceError;
use caduceus_service::health_alerts::Alert;
use caduceus_service::submit::RecipientScope;

use caduceus_service::actor::testing;
use caduceus_testkit::addr;
use caduceus_testkit::certificates::certificate_request;

use super::{ARCHIVE, CONTACT, CONTACT_CODE, Cast, Cell, INS, RECIPIENT, RITA, letter};
use caduceus_service::auth::Contacts;
use caduceus_store::DirectoryPreferences;

/// The outcome of `cell` through the service: `Ok` or the error.
async fn outcome(cast: &Cast, cell: &Cell) -> Result<(), ServiceError> {
    let person = cell.person(cast).unwrap();
    let account = person.account.id;
    let caller = match cell.party {
        Party::Staff(role) => testing::staff(account, role),
        _ => testing::account(account, "test"),
    };
    let patient = cast.person(Party::Patient).unwrap().account.id;
    let owner = cast.owner.id;
    let service = &cast.w.service;
    let ins = Ins::parse(INS).unwrap();
    let message = cell.target.id;
    match (cell.operation.reaches(), cell.operation) {
        (Reach::Opposition, Operation::QueryOpposition) => {
            service.opposition(&caller, &ins).await.map(drop)
        }
        (Reach::Opposition, Operation::RecordOpposition) => {
            service.set_opposition(&caller, &ins, true).await
        }
        (Reach::Opposition, _) => service.set_opposition(&caller, &ins, false).await,
        (Reach::Sending, _) => {
            let from = cast.sent_as(cell);
            let sender = service.sender(&person.login, &addr(&from)).await?;
            let to = addr(RECIPIENT);
            service
                .check_recipient(&to, 0, RecipientScope::TrustSpace)
                .await?;
            let raw = letter(&from, &cell.marker);
            service.submit(&sender, &[to], &raw, false).await.map(drop)
        }
        (Reach::Devices, Operation::ListDevices) => service.devices(&caller, owner).await.map(drop),
        (Reach::Devices, Operation::AddDevice) => {
            service.add_device(&person.login, "cell").await.map(drop)
        }
        // Passkeys and pairing (AU-1, MS-18): a ceremony begun is the decision; the
        // browser's answer needs an authenticator (the browser test has one).
        (Reach::Devices, Operation::RegisterPasskey) => service
            .begin_passkey_registration(&person.login, "cell")
            .await
            .map(drop),
        (Reach::Devices, Operation::MakePairingToken) => {
            service.make_pairing_token(&person.login).await.map(drop)
        }
        (Reach::Devices, Operation::PairPhone) => {
            let offer = service.make_pairing_token(&person.login).await?;
            let begun = service.begin_pairing(&offer.token, "cell", "test");
            begun.await.map(drop)
        }
        (Reach::Devices, Operation::RevokePasskey) => {
            let passkey = cell.passkey.unwrap();
            service.revoke_passkey(&caller, owner, passkey).await
        }
        (Reach::Devices, _) => {
            let device = cell.device.unwrap();
            service.revoke_device(&caller, owner, device).await
        }
        (Reach::PatientOwn, Operation::ReadAccessLog) => {
            service.patient_access_log(&caller, patient).await.map(drop)
        }
        (Reach::PatientOwn, _) => {
            let blocked = addr(RITA);
            service.set_block(&caller, patient, &blocked, true).await
        }
        (Reach::Settings, Operation::SetNotifications) => {
            let contacts = Contacts {
                email: Some(addr(CONTACT)),
                phone: None,
                new_mail: true,
            };
            service.set_contacts(&caller, owner, &contacts).await
        }
        (Reach::Settings, Operation::ConfirmContact) => service
            .confirm_contact(&caller, owner, CONTACT_CODE)
            .await
            .map(drop),
        (Reach::Settings, Operation::RequestCertificate) => {
            let csr = certificate_request();
            service
                .request_certificate(&caller, owner, &csr)
                .await
                .map(drop)
        }
        (Reach::Settings, Operation::FindKnownPatients) => service
            .known_patients(&caller, owner, "Petit")
            .await
            .map(drop),
        (Reach::Settings, Operation::SetAbsence) => {
            let mut absence = caduceus_core::absence::Absence::defaults(
                caduceus_core::absence::Language::French,
                caduceus_core::local_time::Zone::Paris,
            );
            absence.on = true;
            service.set_absence(&caller, owner, &absence).await
        }
        (Reach::Settings, Operation::SetSignature) => service
            .set_mail_signature(&caller, owner, "Dr Matrix")
            .await
            .map(drop),
        (Reach::Settings, Operation::SetEncryptionAtRest) => service
            .set_encrypt_at_rest(&caller, owner, true)
            .await
            .map(drop),
        (Reach::Settings, Operation::RequestCorrection) => service
            .request_correction(&caller, owner, "Nom : Matrix, pas Matrice")
            .await
            .map(drop),
        (Reach::Settings, Operation::ExportAccountData) => {
            service.account_data(&caller, owner).await.map(drop)
        }
        (Reach::Settings, Operation::CloseOwnAccount) => {
            let subject = cell.subject.unwrap();
            service.close_own_account(&caller, subject).await.map(drop)
        }
        (Reach::Settings, _) => {
            let preferences = DirectoryPreferences {
                liste_rouge: true,
                phone_consent: false,
            };
            service
                .set_directory_preferences(&caller, owner, preferences)
                .await
        }
        (Reach::Administration, Operation::ReadTraces) => {
            service.recent_traces(&caller, 7, 10).await.map(drop)
        }
        (Reach::Administration, Operation::SeeAlerts) => service.alerts(&caller).await.map(drop),
        (Reach::Administration, Operation::RecordBreach) => {
            let nature = caduceus_core::breach::Nature::Confidentiality;
            let now = caduceus_core::Clock::now(&caduceus_core::SystemClock);
            let recorded = service.record_breach(&caller, nature, now);
            recorded.await.map(drop)
        }
        (Reach::Administration, Operation::ReadBreaches) => {
            service.breaches(&caller).await.map(drop)
        }
        (Reach::Administration, Operation::ListAccounts) => {
            service.accounts(&caller).await.map(drop)
        }
        (Reach::Administration, Operation::ReviewRegistrations) => {
            service.registration_requests(&caller).await.map(drop)
        }
        (Reach::Administration, Operation::ListAnnouncements) => {
            service.announced_mailboxes(&caller).await.map(drop)
        }
        (Reach::Administration, Operation::ReadStatus) => {
            service.directory_imports(&caller).await.map(drop)
        }
        (Reach::Administration, Operation::BroadcastAlert) => {
            let alert = Alert {
                department: "75".into(),
                subject: cell.marker.clone(),
                text: "Bonjour.".into(),
                ..Alert::default()
            };
            service
                .broadcast_alert(&person.login, &alert)
                .await
                .map(drop)
        }
        (Reach::Administration, Operation::AddDelegate) => {
            let subject = cell.subject.unwrap();
            service.add_delegate(&caller, cast.cardio.id, subject).await
        }
        (Reach::Administration, Operation::AddRepresentative) => {
            use caduceus_core::representation::{Capacity, CapacityEvidence};
            let appointment = caduceus_service::representatives::Appointment {
                patient,
                representative: cell.subject.unwrap(),
                capacity: Capacity::Guardian,
                evidence: CapacityEvidence::CourtDecision,
                until: None,
            };
            service.add_representative(&caller, appointment).await
        }
        (Reach::Administration, Operation::RemoveDelegate) => {
            let subject = cell.subject.unwrap();
            service
                .remove_delegate(&caller, cast.cardio.id, subject)
                .await
        }
        (Reach::Administration, operation) => {
            let subject = cell.subject.unwrap();
            match operation {
                Operation::VerifyAccount => service
                    .verify_identity(&caller, subject, Evidence::CpsCard, "RA Test")
                    .await
                    .map(drop),
                Operation::SuspendAccount => {
                    service
                        .set_state(&caller, subject, AccountState::Suspended)
                        .await
                }
                Operation::ActivateAccount => {
                    service
                        .set_state(&caller, subject, AccountState::Active)
                        .await
                }
                Operation::AnnouncePatient => {
                    service.announce_patient(&caller, subject).await.map(drop)
                }
                Operation::RecordAnnouncementObjection => {
                    service.object_for_patient(&caller, subject).await
                }
                Operation::AcceptAtCounter => service.open_in_person(&caller, subject).await,
                _ => service.close_account(&caller, subject).await.map(drop),
            }
        }
        (Reach::Directory, _) => {
            let found = service
                .find_listed(&caller, &addr(RECIPIENT), false)
                .await?;
            found
                .map(drop)
                .ok_or_else(|| ServiceError::NotFound("the owner's entry".into()))
        }
        // Its sender's or a delegate's (MS-16, AC-1): the service authorizes on the
        // mailbox the message was sent from.
        (Reach::Mailbox, Operation::ReadDeliveryStatus) => {
            let queue_ref = cell.queue_ref.as_deref().unwrap();
            let receipts = service.delivery_receipts(&caller, queue_ref).await?;
            let shown = receipts
                .iter()
                .any(|(item, _)| item.recipient.as_str() == super::REMOTE);
            shown
                .then_some(())
                .ok_or_else(|| ServiceError::NotFound("the queued recipient".into()))
        }
        (Reach::Mailbox, operation) => {
            let access = service.authorize(&caller, cell.target.account).await?;
            match operation {
                Operation::ListFolder => service.open_folder(&access, "INBOX").await.map(drop),
                Operation::ReadMessage | Operation::ReadRaw => {
                    service.read_message(&access, message).await.map(drop)
                }
                Operation::ReadLetter => service.letter_html(&access, message).await.map(drop),
                Operation::ListConversations => {
                    service.conversations(&access, 1, 50).await.map(drop)
                }
                Operation::ReadConversation => {
                    service.conversation(&access, message).await.map(drop)
                }
                Operation::SaveDraft => {
                    let draft = caduceus_service::drafts::Draft {
                        to: RECIPIENT.to_owned(),
                        subject: cell.marker.clone(),
                        ..Default::default()
                    };
                    service.save_draft(&access, &draft, None).await.map(drop)
                }
                Operation::FlagMessage => service
                    .set_flags(&access, message, &["\\Flagged".to_owned()])
                    .await
                    .map(drop),
                Operation::DeleteMessage => service.delete_message(&access, message).await,
                Operation::MoveMessage => {
                    let from = service.message_summary(&access, message).await?.mailbox;
                    let to = service.find_folder(&access, ARCHIVE).await?.unwrap();
                    let ids = [message];
                    let moved = service.move_messages(&access, from, &ids, to.id);
                    moved.await.map(drop)
                }
                Operation::CopyMessage => {
                    let from = service.message_summary(&access, message).await?.mailbox;
                    let to = service.find_folder(&access, ARCHIVE).await?.unwrap();
                    let ids = [message];
                    let copied = service.copy_messages(&access, from, &ids, to.id);
                    copied.await.map(drop)
                }
                Operation::SetForwarding => {
                    let to = addr(RITA);
                    service.set_forwarding(&access, Some(&to)).await
                }
                other => unreachable!("the service does not offer {other:?}"),
            }
        }
    }
}

/// Whether `cell` through the service gives what `expected` says: `Ok` when allowed;
/// a denial or a refusal naming the rule, or "not found", when denied.
pub async fn judge(cast: &Cast, cell: &Cell, expected: Expected) -> Result<(), String> {
    let outcome = outcome(cast, cell).await;
    let fine = match (expected, &outcome) {
        (Expected::Allowed, Ok(())) => true,
        (Expected::Denied(want), Err(ServiceError::Denied { requirement, .. })) => {
            *requirement == want
        }
        (Expected::Denied(want), Err(ServiceError::Refused(refusal))) => {
            refusal.requirement == want
        }
        (Expected::Denied(_), Err(ServiceError::NotFound(_))) => true,
        _ => false,
    };
    if fine {
        Ok(())
    } else {
        Err(format!("{outcome:?}"))
    }
}
