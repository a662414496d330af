//! The matrix's table pinned by examples (AC-1, AC-3, ID-3, ID-4, AU-2, MS-9, TR-1).

use super::*;

#[test]
fn ac1_ms9_the_matrix_says_who_withdraws_an_opposition() {
    use Operation::WithdrawOpposition as W;
    assert_eq!(expected(W, Party::Patient), Expected::Allowed);
    assert_eq!(expected(W, Party::Recorder), Expected::Allowed);
    assert_eq!(
        expected(W, Party::OtherProfessional),
        Expected::Denied(Requirement::Ms9)
    );
    assert_eq!(
        expected(Operation::ReadMessage, Party::Staff(Role::Administrator)),
        Expected::Denied(Requirement::Ac2)
    );
    for operation in Operation::ALL {
        assert!(!parties(operation).is_empty());
    }
    assert_eq!(
        interfaces(Operation::ReadMessage, Party::Staff(Role::Auditor)),
        [Interface::Service]
    );
}

#[test]
fn ac1_id3_imap_offers_own_mailboxes_and_the_delegates_shared_ones() {
    let read = |party| interfaces(Operation::ReadMessage, party);
    assert!(read(Party::Owner).contains(&Interface::Imap));
    // ID-3: the delegate reads the organisation's mailbox under IMAP's shared
    // namespace and through the webmail's mailbox switcher.
    assert!(read(Party::Delegate).contains(&Interface::Imap));
    assert!(read(Party::Delegate).contains(&Interface::Webmail));
    assert!(!read(Party::Closed).contains(&Interface::Service));
    assert!(!interfaces(Operation::QueryOpposition, Party::Patient).contains(&Interface::Imap));
    assert_eq!(
        interfaces(Operation::SendAsOther, Party::Patient),
        [
            Interface::Api,
            Interface::Service,
            Interface::Webmail,
            Interface::Smtp
        ]
    );
    assert_eq!(
        expected(Operation::SendAsOrganisation, Party::RemovedDelegate),
        Expected::Denied(Requirement::Id3)
    );
    assert_eq!(
        interfaces(Operation::SendAsSelf, Party::Applicative),
        [
            Interface::Api,
            Interface::Service,
            Interface::Webmail,
            Interface::Smtp
        ]
    );
    assert_eq!(
        interfaces(Operation::CopyMessage, Party::Owner),
        [Interface::Service, Interface::Imap]
    );
    assert_eq!(
        expected(Operation::ReadMessage, Party::Applicative),
        Expected::Denied(Requirement::Ac1)
    );
    assert!(interfaces(Operation::ReadMessage, Party::Applicative).contains(&Interface::Imap));
    assert!(!Interface::Imap.names_others_data(Operation::ReadMessage));
    assert!(Interface::Webmail.names_others_data(Operation::ReadMessage));
    assert!(!Interface::Webmail.names_others_data(Operation::ListFolder));
    assert!(Interface::Api.names_others_data(Operation::ListFolder));
}

#[test]
fn ac1_accounts_are_administered_by_the_roles_that_manage_them_only() {
    let suspend = |party| expected(Operation::SuspendAccount, party);
    assert_eq!(
        suspend(Party::Staff(Role::Administrator)),
        Expected::Allowed
    );
    assert_eq!(
        suspend(Party::Staff(Role::RegistrationAuthority)),
        Expected::Allowed
    );
    for party in [Party::Staff(Role::Auditor), Party::OtherProfessional] {
        assert_eq!(suspend(party), Expected::Denied(Requirement::Ac1));
    }
    assert_eq!(
        interfaces(Operation::CloseAccount, Party::Staff(Role::Administrator)),
        [Interface::Service]
    );
    assert_eq!(
        expected(Operation::AddDelegate, Party::Delegate),
        Expected::Denied(Requirement::Ac1)
    );
    assert_eq!(
        interfaces(Operation::RemoveDelegate, Party::Operator),
        [Interface::Cli]
    );
    assert_eq!(
        interfaces(Operation::SuspendAccount, Party::Anonymous),
        [Interface::AdminConsole]
    );
    assert_eq!(
        expected(Operation::ReadTraces, Party::Staff(Role::Auditor)),
        Expected::Allowed
    );
    assert_eq!(
        expected(Operation::ReadTraces, Party::Staff(Role::Administrator)),
        Expected::Denied(Requirement::Ac1)
    );
    assert!(!interfaces(Operation::ReadAccessLog, Party::OtherPatient).contains(&Interface::Api));
    assert_eq!(
        expected(Operation::ReadStatus, Party::Staff(Role::Auditor)),
        Expected::Denied(Requirement::Ac1)
    );
    assert_eq!(
        interfaces(Operation::ExportTraces, Party::Staff(Role::Auditor)),
        [Interface::AdminConsole]
    );
}

#[test]
fn au2_devices_are_enrolled_by_their_owner_only_and_listed_by_the_operator() {
    use Operation::{AddDevice, ListDevices};
    assert_eq!(
        interfaces(AddDevice, Party::Owner),
        [Interface::Api, Interface::Service, Interface::Webmail]
    );
    assert!(interfaces(AddDevice, Party::OtherProfessional).is_empty());
    assert_eq!(
        interfaces(AddDevice, Party::Anonymous),
        [Interface::Api, Interface::Webmail]
    );
    assert_eq!(
        interfaces(ListDevices, Party::OtherProfessional),
        [Interface::Service]
    );
    assert_eq!(interfaces(ListDevices, Party::Operator), [Interface::Cli]);
    assert_eq!(
        expected(ListDevices, Party::Patient),
        Expected::Denied(Requirement::Ac1)
    );
}

#[test]
fn ac3_the_holder_alone_exercises_their_rights_over_the_account() {
    use Operation::{
        CloseOwnAccount, ExportAccountData, RequestCorrection, SetDirectoryPreferences,
    };
    for operation in [
        SetDirectoryPreferences,
        RequestCorrection,
        ExportAccountData,
        CloseOwnAccount,
    ] {
        assert!(operation.is_self_service());
        assert_eq!(expected(operation, Party::Owner), Expected::Allowed);
        for party in [
            Party::OtherProfessional,
            Party::Patient,
            Party::Staff(Role::RegistrationAuthority),
        ] {
            assert_eq!(
                expected(operation, party),
                Expected::Denied(Requirement::Ac1)
            );
            assert_eq!(interfaces(operation, party), [Interface::Service]);
        }
        let own = interfaces(operation, Party::Owner);
        assert!(own.contains(&Interface::Api) && own.contains(&Interface::Webmail));
    }
    assert!(!Operation::Export.is_self_service());
}

#[test]
fn id4_the_directory_is_looked_up_by_anyone_logged_in() {
    use Operation::LookUpDirectory as L;
    for party in [Party::Owner, Party::Patient, Party::Applicative] {
        assert_eq!(expected(L, party), Expected::Allowed);
    }
    assert_eq!(expected(L, Party::Anonymous), Expected::Unauthenticated);
    assert_eq!(
        interfaces(L, Party::Suspended),
        [Interface::Api, Interface::Webmail, Interface::Ldap]
    );
    assert_eq!(
        interfaces(L, Party::Applicative),
        [Interface::Api, Interface::Service, Interface::Webmail]
    );
}

#[test]
fn ac1_ms9_tr1_the_operator_is_found_at_the_command_line_only() {
    use Operation::*;
    for operation in [VerifyAccount, CloseAccount, ReadTraces, BlockProfessional] {
        assert!(parties(operation).contains(&Party::Operator));
        assert_eq!(interfaces(operation, Party::Operator), [Interface::Cli]);
        assert_eq!(expected(operation, Party::Operator), Expected::Allowed);
        assert!(!interfaces(operation, Party::Patient).contains(&Interface::Cli));
    }
    assert!(!parties(ReadMessage).contains(&Party::Operator));
    let notices = |party| interfaces(SetNotifications, party);
    assert_eq!(
        notices(Party::Owner),
        [Interface::Api, Interface::Service, Interface::Webmail]
    );
    assert_eq!(notices(Party::OtherProfessional), [Interface::Service]);
    assert_eq!(
        expected(SetDirectoryPreferences, Party::Staff(Role::Administrator)),
        Expected::Denied(Requirement::Ac1)
    );
    assert!(!parties(BroadcastAlert).contains(&Party::Operator));
    assert_eq!(
        expected(WithdrawOpposition, Party::Operator),
        Expected::Denied(Requirement::Ms9)
    );
}

#[test]
fn id3_the_webmail_opens_the_organisations_mailbox_to_its_delegates() {
    for operation in [
        Operation::ListFolder,
        Operation::ReadMessage,
        Operation::FlagMessage,
        Operation::DeleteMessage,
    ] {
        assert!(interfaces(operation, Party::Delegate).contains(&Interface::Webmail));
        assert!(interfaces(operation, Party::RemovedDelegate).contains(&Interface::Webmail));
    }
}

#[test]
fn au1_ac1_only_the_owner_confirms_their_new_contact() {
    use Interface::{Api, Service, Webmail};
    let confirm = Operation::ConfirmContact;
    assert_eq!(expected(confirm, Party::Owner), Expected::Allowed);
    for other in [
        Party::Delegate,
        Party::OtherProfessional,
        Party::Patient,
        Party::Staff(Role::RegistrationAuthority),
    ] {
        assert!(parties(confirm).contains(&other), "{other:?}");
        assert_eq!(expected(confirm, other), Expected::Denied(Requirement::Ac1));
        // The API and the webmail confirm one's own change only: no field names another.
        assert_eq!(interfaces(confirm, other), [Service], "{other:?}");
    }
    assert_eq!(interfaces(confirm, Party::Owner), [Api, Service, Webmail]);
    assert!(
        !parties(confirm).contains(&Party::Operator),
        "set directly instead"
    );
}
