//! Folder commands and the selected mailbox's announcements: folder names, STATUS,
//! SELECT and EXAMINE, and what a refresh tells the client (EXPUNGE,
//! FETCH FLAGS, EXISTS, new keywords, HIGHESTMODSEQ).

use super::*;

impl Session {
    /// The name of the folder a client names, decoded from modified UTF-7 (UTF-8
    /// under IMAP4rev2). A name no folder can have is no syntax error: it names no
    /// folder, `NO [NONEXISTENT]`, as Dovecot answers.
    pub(super) fn folder_name(
        &self,
        tag: &Tag<'static>,
        mailbox: &ImapMailbox<'_>,
    ) -> Result<String, Status<'static>> {
        let decoded = match mailbox {
            ImapMailbox::Inbox => return Ok("INBOX".to_owned()),
            // RFC 9051 §5.1, RFC 6855 §3: UTF-8 once IMAP4rev2 or UTF8=ACCEPT is
            // enabled.
            ImapMailbox::Other(other) if self.utf8_names() => {
                String::from_utf8(other.as_ref().to_vec())
                    .map_err(|_| "the folder name is not UTF-8 (RFC 9051 section 5.1)")
            }
            ImapMailbox::Other(other) => utf7::decode(other.as_ref())
                .ok_or("the folder name is not valid modified UTF-7 (RFC 3501 section 5.1.3)"),
        };
        decoded.map_err(|text| {
            status(
                Kind::No,
                Some(tag.clone()),
                Some(code("NONEXISTENT")),
                &format!("no such folder: {text}"),
            )
        })
    }

    /// The name a client gives a folder it creates or renames to: a name no
    /// folder can have reads `NO [CANNOT]` (RFC 5530).
    pub(super) fn new_folder_name(
        &self,
        tag: &Tag<'static>,
        mailbox: &ImapMailbox<'_>,
    ) -> Result<String, Status<'static>> {
        self.folder_name(tag, mailbox).map_err(|mut answer| {
            if let Status::Tagged(t) = &mut answer {
                t.body.code = Some(code("CANNOT"));
            }
            answer
        })
    }

    /// The folder a client names, and where it is: in the login's own mailbox or
    /// in one it acts for (ID-3, ID-7, [`crate::shared`]).
    pub(super) async fn named_folder(
        &self,
        login: &Login,
        tag: &Tag<'static>,
        mailbox: &ImapMailbox<'_>,
    ) -> Result<(Place, Mailbox), Status<'static>> {
        let place = self.place(login, tag, mailbox).await?;
        match self.service.find_folder(&place.access, &place.name).await {
            Ok(Some(folder)) => Ok((place, folder)),
            Ok(None) => Err(status(
                Kind::No,
                Some(tag.clone()),
                Some(code("NONEXISTENT")),
                "no such folder",
            )),
            Err(error) => Err(from_service(tag.clone(), &error)),
        }
    }

    /// The folder APPEND, COPY or MOVE puts messages in: when missing, `NO
    /// [TRYCREATE]` for a name CREATE would accept (RFC 9051 §6.3.12, §6.4.7), `NO
    /// [NONEXISTENT]` for a name no folder can have (MS-6).
    pub(super) async fn target_folder(
        &self,
        login: &Login,
        tag: &Tag<'static>,
        mailbox: &ImapMailbox<'_>,
    ) -> Result<(Place, Mailbox), Status<'static>> {
        self.named_folder(login, tag, mailbox)
            .await
            .map_err(|mut answer| {
                let creatable = self
                    .folder_name(tag, mailbox)
                    .is_ok_and(|name| caduceus_core::check_folder_name(&name).is_ok());
                if creatable {
                    try_create(&mut answer);
                }
                answer
            })
    }

    /// STATUS (RFC 9051 §6.3.11).
    pub(super) async fn status(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        login: &Login,
        selected: Option<&Selected>,
        mailbox: &ImapMailbox<'static>,
        names: &[StatusDataItemName],
    ) {
        let (place, folder) = match self.named_folder(login, &tag, mailbox).await {
            Ok(found) => found,
            Err(answer) => {
                out.enqueue_status(answer);
                return;
            }
        };
        let (folder, messages) = match self.service.folder_state(&place.access, folder.id).await {
            Ok(state) => state,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let recent = self.recent_count(&place.access, selected, &folder, &messages, names);
        let recent = match recent.await {
            Ok(recent) => recent,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let extras = std::mem::take(&mut self.status_extras);
        let items = status_items(&folder, &messages, recent, names);
        let limit = self.service.config().max_message_size;
        crate::extras::enqueue_status(out, mailbox.clone(), items, extras, &folder, limit);
        out.enqueue_status(status(Kind::Ok, Some(tag), None, "STATUS completed"));
    }

    /// STATUS RECENT of `folder` holding `messages` (0 when `names` does not ask for
    /// it): the messages no session selecting it has been told of, and those recent
    /// in this session when it is the selected one.
    pub(super) async fn recent_count(
        &self,
        access: &MailboxAccess,
        selected: Option<&Selected>,
        folder: &Mailbox,
        messages: &[caduceus_service::model::MessageSummary],
        names: &[StatusDataItemName],
    ) -> Result<u32, caduceus_service::ServiceError> {
        if !names.contains(&StatusDataItemName::Recent) {
            return Ok(0);
        }
        let mark = self.service.recent_claimed(access, folder.id).await?;
        let own = selected
            .filter(|s| s.mailbox.id == folder.id)
            .map(|s| &s.recent);
        let recent = messages
            .iter()
            .filter(|m| m.uid > mark || own.is_some_and(|own| own.contains(&m.uid)))
            .count();
        Ok(recent as u32)
    }

    /// Closes `previous`, the mailbox selected before a SELECT or EXAMINE: even a
    /// failed one leaves none selected (RFC 9051 §6.3.2); IMAP4rev2 and QRESYNC
    /// clients are told (RFC 7162 §3.2.11).
    pub(super) fn close_for_select(&mut self, out: &mut Wire, previous: Option<Selected>) {
        if previous.is_some() && (self.rev2 || self.qresync) {
            out.enqueue_status(status(
                Kind::Ok,
                None,
                Some(Code::Closed),
                "previous mailbox closed",
            ));
        }
        self.watcher = None;
    }

    /// SELECT or EXAMINE with their RFC 7162 parameters: CONDSTORE, or QRESYNC
    /// (only once enabled), which also reports what vanished and what changed since
    /// the client's MODSEQ when its UIDVALIDITY still holds. Returns the mailbox
    /// selected, `None` once a failure was answered.
    pub(super) async fn select_with(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        login: &Login,
        mailbox: &ImapMailbox<'static>,
        read_only: bool,
        parameters: &[SelectParameter],
    ) -> Option<Selected> {
        self.condstore |= parameters.contains(&SelectParameter::CondStore);
        let resync = parameters.iter().find_map(|p| match p {
            SelectParameter::QResync {
                uid_validity,
                mod_sequence_value,
                known_uids,
                ..
            } => Some((
                uid_validity.get(),
                mod_sequence_value.get(),
                known_uids.clone(),
            )),
            _ => None,
        });
        if resync.is_some() && !self.qresync {
            out.enqueue_status(status(
                Kind::Bad,
                Some(tag),
                None,
                "ENABLE QRESYNC first (RFC 7162 section 3.2.5)",
            ));
            return None;
        }
        let (ok, selected) = self
            .select(out, tag.clone(), login, mailbox, read_only)
            .await?;
        if let Some((validity, since, known)) = resync
            && i64::from(validity) == selected.mailbox.uidvalidity
        {
            let since = since as i64;
            let folder = selected.mailbox.id;
            let mut vanished = match self
                .service
                .expunged_since(&selected.place.access, folder, since)
                .await
            {
                Ok(vanished) => vanished,
                Err(error) => {
                    out.enqueue_status(from_service(tag, &error));
                    self.watcher = None;
                    return None;
                }
            };
            if let Some(known) = known {
                vanished.retain(|&u| contains_uid(&known, u));
            }
            if let Some(uids) = uid_set(&vanished) {
                out.enqueue_data(Data::Vanished {
                    earlier: true,
                    known_uids: uids,
                });
            }
            for (index, message) in selected.messages.iter().enumerate() {
                if message.modseq > since {
                    let uid = selected.uid(index);
                    let recent = selected.is_recent(index);
                    let items = vec![
                        MessageDataItem::Uid(uid),
                        MessageDataItem::Flags(fetch::flags(message, recent)),
                        fetch::summary_item(&MessageDataItemName::ModSeq, message, uid, recent)
                            .expect("MODSEQ is a summary item"),
                    ];
                    out.enqueue_data(Data::Fetch {
                        seq: NonZeroU32::new(index as u32 + 1).expect("positions start at 1"),
                        items: Vec1::try_from(items).expect("not empty"),
                    });
                }
            }
        }
        out.enqueue_status(ok);
        Some(selected)
    }

    /// Selects a folder and sends its untagged responses; returns the tagged OK to
    /// send (after any QRESYNC responses) and the mailbox, or `None` once a failure
    /// was answered.
    pub(super) async fn select(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        login: &Login,
        mailbox: &ImapMailbox<'static>,
        read_only: bool,
    ) -> Option<(Status<'static>, Selected)> {
        let (place, folder) = match self.named_folder(login, &tag, mailbox).await {
            Ok(found) => found,
            Err(answer) => {
                out.enqueue_status(answer);
                return None;
            }
        };
        let opened = self.service.open_folder(&place.access, &folder.name).await;
        let (folder, messages) = match opened {
            Ok(opened) => opened,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return None;
            }
        };
        let mut selected = Selected::new(place, folder, read_only, messages);
        let folder = selected.mailbox.id;
        let watched = async {
            let access = &selected.place.access;
            if !self.rev2 {
                let last = selected.last_uid();
                let mark = self.recent_mark(access, folder, read_only, last).await?;
                selected.note_recent(mark);
            }
            self.service
                .watch_folder(&selected.place.access, folder)
                .await
        };
        match watched.await {
            Ok(watcher) => self.watcher = Some(watcher),
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return None;
            }
        }
        out.enqueue_data(Data::Flags(defined_flags(&selected)));
        out.enqueue_data(Data::Exists(selected.exists()));
        if self.rev2 {
            // RFC 9051 §6.3.2: the folder's name as LIST gives it; no RECENT.
            let shown = selected.place.shown(&selected.mailbox.name);
            if let Ok(name) = ImapMailbox::try_from(shown) {
                out.enqueue_data(Data::List {
                    items: vec![],
                    delimiter: Some(QuotedChar::try_from(DELIMITER).expect("valid delimiter")),
                    mailbox: name,
                });
            }
        } else {
            out.enqueue_data(Data::Recent(selected.recent_count()));
        }
        let untagged = |code: Code<'static>, text: &str| status(Kind::Ok, None, Some(code), text);
        out.enqueue_status(untagged(
            Code::UidValidity(non_zero(selected.mailbox.uidvalidity)),
            "UIDs valid",
        ));
        out.enqueue_status(untagged(
            Code::UidNext(non_zero(selected.mailbox.uidnext)),
            "predicted next UID",
        ));
        out.enqueue_status(permanent_flags(&selected));
        out.enqueue_status(highest_modseq(&selected.mailbox));
        out.enqueue_status(untagged(
            crate::object_id::mailbox_code(&selected.mailbox),
            "the folder's object id (RFC 8474)",
        ));
        let code = if read_only {
            Code::ReadOnly
        } else {
            Code::ReadWrite
        };
        let ok = status(Kind::Ok, Some(tag), Some(code), "SELECT completed");
        Some((ok, selected))
    }

    /// Turns CONDSTORE on for the rest of the session (RFC 7162 §3.1): the first
    /// CONDSTORE-enabling command in a selected mailbox is answered with its
    /// `OK [HIGHESTMODSEQ n]`.
    pub(crate) fn enable_condstore(&mut self, out: &mut Wire, selected: Option<&Selected>) {
        if std::mem::replace(&mut self.condstore, true) {
            return;
        }
        if let Some(selected) = selected {
            out.enqueue_status(highest_modseq(&selected.mailbox));
        }
    }

    /// The UID above which the messages of `folder` up to UID `last` are `\Recent`
    /// to this session (RFC 3501 §2.3.2): claimed for it when it selected the
    /// folder read-write, only looked at under EXAMINE (which takes nothing from
    /// the next session).
    async fn recent_mark(
        &self,
        access: &MailboxAccess,
        folder: caduceus_service::model::MailboxId,
        read_only: bool,
        last: i64,
    ) -> Result<i64, caduceus_service::ServiceError> {
        if read_only {
            self.service.recent_claimed(access, folder).await
        } else {
            self.service.claim_recent(access, folder, last).await
        }
    }

    /// NOOP, CHECK, IDLE: what changed in the selected mailbox, if one is,
    /// announced (see [`Session::announce_changes`]).
    pub(crate) async fn refresh(
        &mut self,
        out: &mut Wire,
    ) -> Result<(), caduceus_service::ServiceError> {
        match self.state.take() {
            State::Selected(login, mut selected) => {
                let refreshed = match self.still_allowed(&login, &selected.place).await {
                    Ok(()) => self.announce_changes(out, &mut selected, true).await,
                    Err(refused) => {
                        // A delegation withdrawn (ID-3, AC-1): the mailbox is closed.
                        self.close_refused(out, &mut selected);
                        Err(refused)
                    }
                };
                self.state = State::after(login, Some(*selected));
                refreshed
            }
            other => {
                self.state = other;
                Ok(())
            }
        }
    }

    /// Sends what changed in `selected` since the client last looked: EXPUNGE
    /// (only when `allow_expunge`), FETCH of changed flags, EXISTS. A failure to
    /// read the mailbox is the caller's to answer (NO, or BYE when no command
    /// waits): the client must not be told all is well when it was told nothing. A
    /// folder deleted by another session is closed (`OK [CLOSED]`, RFC 9051 §7.1):
    /// the session is authenticated again once the command ends.
    pub(crate) async fn announce_changes(
        &mut self,
        out: &mut Wire,
        selected: &mut Selected,
        allow_expunge: bool,
    ) -> Result<(), caduceus_service::ServiceError> {
        let since = selected.mailbox.highest_modseq;
        let access = selected.place.access.clone();
        let state = self
            .service
            .folder_changes(&access, selected.mailbox.id, since)
            .await;
        let changes = match state {
            Ok(state) => state,
            Err(error) => {
                if let caduceus_service::ServiceError::NotFound(_) = error {
                    selected.closed = true;
                    self.watcher = None;
                    out.enqueue_status(status(
                        Kind::Ok,
                        None,
                        Some(Code::Closed),
                        "the selected folder was deleted",
                    ));
                }
                return Err(error);
            }
        };
        let before = selected.last_uid();
        let changes = selected.refresh(changes, allow_expunge);
        let last = selected.last_uid();
        if !self.rev2 && last > before {
            // RFC 3501 §2.3.2: new messages are recent to the session that sees
            // them first.
            let folder = selected.mailbox.id;
            let mark = if selected.read_only {
                self.service.recent_claimed(&access, folder).await?
            } else {
                self.service.claim_recent(&access, folder, last).await?
            };
            selected.note_recent(mark.max(before));
        }
        if changes.keywords {
            // RFC 3501 §7.2.6: a keyword is announced before any FETCH shows it.
            out.enqueue_data(Data::Flags(defined_flags(selected)));
            out.enqueue_status(permanent_flags(selected));
        }
        if self.qresync {
            // RFC 7162 §3.2.10: VANISHED instead of EXPUNGE once QRESYNC is enabled.
            if let Some(uids) = uid_set(&changes.vanished) {
                out.enqueue_data(Data::Vanished {
                    earlier: false,
                    known_uids: uids,
                });
            }
        } else {
            for seq in changes.expunged {
                out.enqueue_data(Data::Expunge(
                    NonZeroU32::new(seq).expect("positions start at 1"),
                ));
            }
        }
        for seq in changes.flags {
            let index = seq as usize - 1;
            let summary = &selected.messages[index];
            let recent = selected.is_recent(index);
            let mut items = vec![
                MessageDataItem::Uid(selected.uid(index)),
                MessageDataItem::Flags(fetch::flags(summary, recent)),
            ];
            if self.condstore {
                let uid = selected.uid(index);
                items.push(
                    fetch::summary_item(&MessageDataItemName::ModSeq, summary, uid, recent)
                        .expect("MODSEQ is a summary item"),
                );
            }
            out.enqueue_data(Data::Fetch {
                seq: NonZeroU32::new(seq).expect("positions start at 1"),
                items: Vec1::try_from(items).expect("not empty"),
            });
        }
        if let Some(exists) = changes.exists {
            out.enqueue_data(Data::Exists(exists));
            if !self.rev2 {
                // RFC 3501 §7.3.2: RECENT with the new size (none under IMAP4rev2).
                out.enqueue_data(Data::Recent(selected.recent_count()));
            }
        }
        Ok(())
    }
}

/// `done`, the answer to a command that changed the selected mailbox, unless
/// reading the mailbox back after it failed (`refreshed`): then NO, since the
/// client was not told what changed.
pub(crate) fn after_refresh(
    tag: Tag<'static>,
    refreshed: Result<(), caduceus_service::ServiceError>,
    done: Status<'static>,
) -> Status<'static> {
    match refreshed {
        Ok(()) => done,
        Err(error) => from_service(tag, &error),
    }
}

/// The untagged `OK [HIGHESTMODSEQ n]` of `mailbox` (RFC 7162 §3.1.2.1).
pub(super) fn highest_modseq(mailbox: &Mailbox) -> Status<'static> {
    let modseq = NonZeroU64::new(mailbox.highest_modseq.max(1) as u64).expect("not zero");
    status(
        Kind::Ok,
        None,
        Some(Code::HighestModSeq(modseq)),
        "highest modseq",
    )
}

/// The flags defined in `selected` (RFC 3501 §7.2.6): the system flags, then
/// every keyword announced so far.
pub(super) fn defined_flags(selected: &Selected) -> Vec<Flag<'static>> {
    let system = [
        Flag::Answered,
        Flag::Flagged,
        Flag::Deleted,
        Flag::Seen,
        Flag::Draft,
    ];
    let keywords = selected
        .keywords
        .iter()
        .filter_map(|k| Flag::try_from(k.as_str()).ok())
        .map(imap_next::imap_types::IntoStatic::into_static);
    system.into_iter().chain(keywords).collect()
}

/// The untagged `OK [PERMANENTFLAGS …]` of `selected`: its flags and `\*` (any new
/// keyword is kept, RFC 3501 §2.3.2), nothing under EXAMINE.
pub(super) fn permanent_flags(selected: &Selected) -> Status<'static> {
    let mut permanent: Vec<FlagPerm> = Vec::new();
    if !selected.read_only {
        permanent = defined_flags(selected)
            .into_iter()
            .map(FlagPerm::Flag)
            .collect();
        permanent.push(FlagPerm::Asterisk);
    }
    status(
        Kind::Ok,
        None,
        Some(Code::PermanentFlags(permanent)),
        "flags kept",
    )
}

/// RFC 9051 §6.3.12, §6.4.7: TRYCREATE when the target folder does not exist.
fn try_create(answer: &mut Status<'static>) {
    if let Status::Tagged(t) = answer
        && t.body
            .code
            .as_ref()
            .is_some_and(|c| c == &code("NONEXISTENT"))
    {
        t.body.code = Some(Code::TryCreate);
    }
}

/// The answer to CREATE, DELETE or RENAME: a name taken reads `NO [ALREADYEXISTS]`,
/// a refused name `NO [CANNOT]` with the rule (RFC 5530).
pub(super) fn folder_answer(
    tag: Tag<'static>,
    done: Result<(), caduceus_service::ServiceError>,
    text: &str,
) -> Status<'static> {
    use caduceus_service::ServiceError;
    match done {
        Ok(()) => status(Kind::Ok, Some(tag), None, text),
        Err(ServiceError::Store(caduceus_service::model::StoreError::Conflict {
            detail, ..
        })) => status(Kind::No, Some(tag), Some(code("ALREADYEXISTS")), &detail),
        Err(ServiceError::Invalid(reason)) => status(
            Kind::No,
            Some(tag),
            Some(code("CANNOT")),
            &format!("{reason} (MS-6)"),
        ),
        Err(error) => from_service(tag, &error),
    }
}

/// The STATUS items `names` of `folder` holding `messages`, `recent` of them
/// `\Recent` (RFC 9051 §6.3.11).
pub(super) fn status_items(
    folder: &Mailbox,
    messages: &[caduceus_service::model::MessageSummary],
    recent: u32,
    names: &[StatusDataItemName],
) -> Vec<StatusDataItem> {
    let has =
        |m: &caduceus_service::model::MessageSummary, flag: &str| m.flags.iter().any(|f| f == flag);
    let deleted = || messages.iter().filter(|m| has(m, "\\Deleted"));
    names
        .iter()
        .map(|name| match name {
            StatusDataItemName::Messages => StatusDataItem::Messages(messages.len() as u32),
            StatusDataItemName::Recent => StatusDataItem::Recent(recent),
            StatusDataItemName::UidNext => StatusDataItem::UidNext(non_zero(folder.uidnext)),
            StatusDataItemName::UidValidity => {
                StatusDataItem::UidValidity(non_zero(folder.uidvalidity))
            }
            StatusDataItemName::Unseen => {
                StatusDataItem::Unseen(messages.iter().filter(|m| !has(m, "\\Seen")).count() as u32)
            }
            StatusDataItemName::Deleted => StatusDataItem::Deleted(deleted().count() as u32),
            StatusDataItemName::DeletedStorage => {
                StatusDataItem::DeletedStorage(deleted().map(|m| m.size as u64).sum())
            }
            StatusDataItemName::Size => {
                StatusDataItem::Size(messages.iter().map(|m| m.size as u64).sum())
            }
            StatusDataItemName::HighestModSeq => {
                StatusDataItem::HighestModSeq(folder.highest_modseq as u64)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_beyond_the_mailbox_are_out_of_range() {
        let set = SequenceSet::try_from("1:3").unwrap();
        assert!(set_within(&set, 3));
        assert!(!set_within(&set, 2));
        assert!(set_within(&SequenceSet::try_from("1:*").unwrap(), 0));
    }
}
