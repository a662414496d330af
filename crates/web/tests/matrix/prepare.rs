//! The state each cell starts from.

use super::*;

/// Sets the patient's opposition as a cell needs it: withdrawn for a record, recorded
/// (by the recorder) for a withdrawal; nobody blocked for a block; no forwarding for
/// a forwarding; the owner's new-mail notices off for a setting, and directory choices
/// the defaults for a setting or a lookup; no certificate of the owner's for a request.
pub(crate) async fn prepare(cast: &Cast, operation: Operation) {
    let ins = Ins::parse(INS).unwrap();
    let as_patient = testing::account(cast.account(Party::Patient).id, "test");
    cast.w
        .service
        .set_opposition(&as_patient, &ins, false)
        .await
        .unwrap();
    if operation == Operation::SetForwarding {
        for (who, mailbox) in [
            (Party::Owner, cast.owner.id),
            (Party::Delegate, cast.cardio.id),
        ] {
            let caller = testing::account(cast.account(who).id, "test");
            let access = cast.w.service.authorize(&caller, mailbox).await.unwrap();
            cast.w.service.set_forwarding(&access, None).await.unwrap();
        }
    }
    // The owner listed again after the settings' cells put them on the liste rouge.
    if matches!(operation.reaches(), Reach::Settings | Reach::Directory) {
        let defaults = caduceus_store::DirectoryPreferences::default();
        let service = &cast.w.service;
        service
            .set_directory_preferences(&op(), cast.owner.id, defaults)
            .await
            .unwrap();
    }
    if operation == Operation::RequestCertificate {
        let _ = std::fs::remove_file(cast.certificate_file());
    }
    // Encryption at rest needs the owner's certificate, and starts off (MS-3).
    if operation == Operation::SetEncryptionAtRest {
        let service = &cast.w.service;
        let owner = cast.owner.id;
        let csr = caduceus_testkit::certificates::certificate_request();
        service
            .request_certificate(&op(), owner, &csr)
            .await
            .unwrap();
        let holder = testing::account(owner, "test");
        let off = service.set_encrypt_at_rest(&holder, owner, false);
        off.await.unwrap();
    }
    // The out-of-office reply starts off, the signature empty (MS-6).
    if matches!(operation, Operation::SetAbsence | Operation::SetSignature) {
        let service = &cast.w.service;
        let owner = cast.owner.id;
        let holder = testing::account(owner, "test");
        let language = caduceus_core::absence::Language::French;
        let off = caduceus_core::absence::Absence::defaults(language, Default::default());
        service.set_absence(&holder, owner, &off).await.unwrap();
        let empty = service.set_mail_signature(&holder, owner, "");
        empty.await.unwrap();
    }
    if operation.reaches() == Reach::Settings {
        let service = &cast.w.service;
        let owner = cast.owner.id;
        service
            .set_new_mail_notice(&op(), owner, false)
            .await
            .unwrap();
        let before = addr("olga.before@contact.example");
        let operator = op();
        let set = service.set_contact_email(&operator, owner, Some(&before));
        set.await.unwrap();
    }
    // The owner's new address waits for its code (AU-1): known here, as the holder
    // would read it in their mail.
    if operation == Operation::ConfirmContact {
        use caduceus_store::ContactConfirmationStore as _;
        let value = caduceus_core::ContactValue::Email(addr(CONTACT));
        let code = caduceus_core::OneTimeCode::parse(CONTACT_CODE).unwrap();
        let pending = caduceus_store::NewContactConfirmation {
            account: cast.owner.id,
            value: &value,
            code: &code,
            expires: caduceus_core::Clock::now(&caduceus_core::SystemClock)
                .saturating_add(std::time::Duration::from_secs(3600)),
        };
        let trace = caduceus_audit::Event::new(
            0,
            caduceus_audit::Who::Account(caduceus_audit::AccountRef(cast.owner.id.0)),
            caduceus_audit::Action::ContactConfirmSent,
            caduceus_audit::Object::of(cast.owner.id),
        );
        let put = cast.w.store.put_contact_confirmation(&pending, &trace);
        put.await.unwrap();
    }
    if operation == Operation::BlockProfessional {
        let patient = cast.account(Party::Patient).id;
        cast.w
            .service
            .set_block(&as_patient, patient, &addr(RITA), false)
            .await
            .unwrap();
    }
    if operation == Operation::WithdrawOpposition {
        let as_recorder = testing::account(cast.account(Party::Recorder).id, "test");
        cast.w
            .service
            .set_opposition(&as_recorder, &ins, true)
            .await
            .unwrap();
    }
}

/// A trust list naming one other operator, `autre.test`, where the delivery-status
/// cells send (MS-5, MS-16).
pub(crate) fn trust_list(dir: &std::path::Path) -> caduceus_smtp::TrustListHandle {
    let path = dir.join("liste-blanche.xml");
    let xml = "<ListeBlancheMSSante><ListeDomaines><Domaine><Nom>autre.test</Nom>\
               <DNCertificatOperateur>/C=FR/O=Autre/CN=autre.test</DNCertificatOperateur>\
               </Domaine></ListeDomaines></ListeBlancheMSSante>";
    std::fs::write(&path, xml).unwrap();
    caduceus_smtp::TrustListHandle::load_file(&path).unwrap()
}

/// A message sent from the cell's target mailbox to [`REMOTE`], queued for the other
/// operator: by the owner from their own, by cardio's delegate from cardio's (ID-3).
pub(crate) async fn queued(cast: &Cast, party: Party, marker: &str) -> String {
    let (sender, from) = match party {
        Party::Owner => (cast.person(Party::Owner).unwrap(), &cast.owner),
        _ => (cast.person(Party::Delegate).unwrap(), &cast.cardio),
    };
    let service = &cast.w.service;
    let as_sender = service.sender(&sender.login, &from.address).await.unwrap();
    let raw = letter(from.address.as_str(), marker);
    let to = [addr(REMOTE)];
    let submitted = service.submit(&as_sender, &to, &raw, false).await.unwrap();
    submitted.queue_ref.expect("queued for the other operator")
}
