//! Which conformance tests run: the list every backend's test binary compiles
//! (`conformance_suite!`), one `#[tokio::test]` per name.

/// Declares one `#[tokio::test]` per conformance test for a backend constructor.
#[macro_export]
macro_rules! conformance_suite {
    ($make:path) => {
        $crate::conformance_suite!(@tests $make;
            id1_account_keeps_its_registry_identity,
            id1_duplicate_address_is_refused,
            id2_verification_is_recorded_and_moves_the_state,
            id3_delegates_are_listed,
            id7_representations_are_listed_by_patient_and_by_representative,
            ms6_accounts_start_with_special_use_folders,
            ms6_folders_are_made_renamed_deleted_and_messages_copied_and_moved,
            rfc3501_a_folder_made_again_under_its_name_gets_a_new_uidvalidity,
            rfc3501_2_3_2_recent_is_claimed_once_and_goes_with_the_folder,
            rfc3501_6_3_9_subscriptions_are_kept_by_name,
            rfc7162_3_1_what_changed_after_a_modseq_is_read_alone,
            rfc2180_4_1_messages_gone_meanwhile_open_as_none,
            ms18_a_listing_finds_the_messages_still_there_and_their_contents,
            tr2_a_job_lease_is_held_by_one_node_until_it_ends,
            deliver_assigns_uids_and_modseqs_in_one_transaction,
            ms4_opened_message_round_trips_and_flags_bump_modseq,
            ms4_disk_holds_no_subject_or_body,
            rt3_deleted_message_is_unrecoverable_from_an_earlier_copy,
            rt2_destroyed_account_is_unrecoverable_from_an_earlier_copy,
            ms4_flipped_blob_byte_is_detected_never_returned,
            ms4_large_and_small_bodies_round_trip_and_leave_with_their_message,
            ms3_an_enveloped_copy_is_sealed_apart_in_the_same_delivery,
            ms4_flipped_metadata_byte_is_detected,
            tr1_every_action_leaves_a_verifiable_trace,
            tr1_modified_entry_is_named,
            tr1_deleted_entry_is_named,
            tr1_inserted_entry_is_named,
            tr1_reordered_entries_are_named,
            tr2_purge_keeps_the_remainder_verifiable,
            au2_devices_are_listed_checked_and_revoked,
            au1_passkeys_are_listed_found_and_revoked_by_their_owner,
            ms6_ms4_absence_and_signature_are_sealed_and_answer_once_per_period,
            ms18_a_pairing_token_is_spent_once_before_it_expires,
            au1_ms18_a_ceremony_is_taken_once_by_any_node_before_it_expires,
            au1_totp_secret_is_sealed_and_steps_are_used_once,
            au1_contact_email_and_login_codes,
            au1_ms7_rt1_a_contact_change_waits_sealed_for_its_code,
            au1_ms4_short_codes_are_kept_keyed_apart_per_account_and_use,
            au3_failure_counters_and_alerts,
            au3_concurrent_failure_counts_are_never_lost,
            id3_one_personal_account_per_person,
            id4_directory_search_honours_liste_rouge_and_consent,
            ms4_queued_recipients_are_committed_with_the_local_copies,
            ms16_a_claimed_recipient_is_settled_once_and_its_copy_destroyed,
            ms16_retries_wait_for_their_time_and_leases_expire,
            ms16_concurrent_claimers_never_share_a_recipient,
            ms16_a_relay_receipt_is_recorded_with_its_copy_and_blocks_a_second_one,
            ms14_personal_folders_and_keywords_are_found_among_references,
            ms15_an_alert_audience_and_its_reports,
            rfc7162_flag_changes_apply_to_the_current_flags_and_honour_unchangedsince,
            tr1_the_latest_entries_come_newest_first_filtered_and_limited,
            rt2_a_deleted_account_leaves_nothing_keyed_by_it,
            tr2_rows_kept_for_a_time_are_purged,
            ac3_correction_requests_and_own_traces_are_kept_per_account,
            ac1_staff_roles_keep_their_scope_one_per_role,
            id1_self_registrations_are_stored_confirmed_once_and_queued,
            id5_ac3_announcements_open_or_end_with_an_objection,
            ms4_concurrent_deliveries_land_once_each_with_a_verifying_chain,
            ms4_a_failing_delivery_in_a_group_fails_alone,
            ms4_a_failed_group_commit_fails_every_waiter_and_stores_nothing,
        );
    };
    (@tests $make:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                conformance::$name($make().await).await;
            }
        )*
    };
}
