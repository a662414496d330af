//! The commands of the authenticated and selected states (RFC 9051 §6.3, §6.4):
//! what each asks of the service, and the responses it gives. Every read, flag
//! change and deletion goes through the service, which checks and traces it.

use std::num::{NonZeroU32, NonZeroU64};

use crate::wire::Wire;
use caduceus_core::FlagChange;
use caduceus_service::folders::Opening;
use caduceus_service::messages::ReadMessage;
use caduceus_service::model::{Mailbox, MessageId};
use imap_next::imap_types::command::{CommandBody, FetchModifier, SelectParameter, StoreModifier};
use imap_next::imap_types::core::{AString, Atom, QuotedChar, Tag, Vec1};
use imap_next::imap_types::extensions::enable::CapabilityEnable;
use imap_next::imap_types::extensions::namespace::Namespace;
use imap_next::imap_types::extensions::quota::{QuotaGet, Resource};
use imap_next::imap_types::extensions::sort::SortCriterion;
use imap_next::imap_types::extensions::uidplus::{UidElement, UidSet};
use imap_next::imap_types::fetch::{MessageDataItem, MessageDataItemName};
use imap_next::imap_types::flag::{Flag, FlagNameAttribute, FlagPerm, StoreResponse, StoreType};
use imap_next::imap_types::mailbox::{ListMailbox, Mailbox as ImapMailbox};
use imap_next::imap_types::response::{Code, Data, Status};
use imap_next::imap_types::search::SearchKey;
use imap_next::imap_types::sequence::SequenceSet;
use imap_next::imap_types::status::{StatusDataItem, StatusDataItemName};

use crate::extended::{Extended, ListOptions, SearchReturn};
use crate::reply::{Kind, code, from_service, status};
use crate::search::Candidate;
use crate::selected::Selected;
use crate::session::{Flow, Session};
use crate::{fetch, search, sort, utf7};

/// The hierarchy delimiter of folder names.
const DELIMITER: char = '/';

/// FETCH and SEARCH open messages in batches of this many.
const BATCH: usize = 500;

impl Session {
    /// Answers a command of the authenticated or selected state.
    pub(crate) async fn mail_command(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        body: CommandBody<'static>,
    ) -> Flow {
        match body {
            CommandBody::Enable { capabilities } => {
                let mut enabled = Vec::new();
                for capability in capabilities.into_inner() {
                    let name = capability.to_string();
                    if name.eq_ignore_ascii_case("IMAP4rev2") {
                        // RFC 9051 §6.3.1: IMAP4rev2's responses from now on (ESEARCH,
                        // UTF-8 folder names, no RECENT).
                        self.rev2 = true;
                        enabled.push(capability);
                        continue;
                    }
                    let qresync = name.eq_ignore_ascii_case("QRESYNC");
                    if matches!(capability, CapabilityEnable::CondStore) || qresync {
                        // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
                        self.enable_condstore(out);
                        self.qresync |= qresync;
                        enabled.push(capability);
                    }
                }
                out.enqueue_data(Data::Enabled {
                    capabilities: enabled,
                });
                out.enqueue_status(status(Kind::Ok, Some(tag), None, "ENABLE completed"));
            }
            CommandBody::Namespace => {
                out.enqueue_data(Data::Namespace {
                    personal: vec![Namespace {
                        prefix: "".try_into().expect("valid prefix"),
                        delimiter: Some(QuotedChar::try_from(DELIMITER).expect("valid char")),
                        extensions: vec![],
                    }],
                    other: vec![],
                    shared: vec![],
                });
                out.enqueue_status(status(Kind::Ok, Some(tag), None, "NAMESPACE completed"));
            }
            CommandBody::List {
                reference,
                mailbox_wildcard,
            } => {
                self.list(out, tag, &reference, &[mailbox_wildcard], Listing::List)
                    .await
            }
            CommandBody::Lsub {
                reference,
                mailbox_wildcard,
            } => {
                self.list(out, tag, &reference, &[mailbox_wildcard], Listing::Lsub)
                    .await
            }
            CommandBody::GetQuotaRoot { mailbox } => {
                // One quota root, "", over all the account's folders (RFC 9208).
                if let Err(answer) = self.named_folder(&tag, &mailbox).await {
                    out.enqueue_status(answer);
                    return Flow::Continue;
                }
                let answer = match self.service.usage(self.access()).await {
                    Ok(usage) => {
                        let roots = if usage.limit.is_some() {
                            vec![AString::try_from("").expect("empty root")]
                        } else {
                            vec![]
                        };
                        out.enqueue_data(Data::QuotaRoot { mailbox, roots });
                        if let Some(quota) = quota_data(&usage) {
                            out.enqueue_data(quota);
                        }
                        status(Kind::Ok, Some(tag), None, "GETQUOTAROOT completed")
                    }
                    Err(error) => from_service(tag, &error),
                };
                out.enqueue_status(answer);
            }
            CommandBody::GetQuota { root } => {
                let usage = self.service.usage(self.access()).await;
                let answer = match usage.as_ref().map(quota_data) {
                    Ok(Some(quota)) if root.as_ref().is_empty() => {
                        out.enqueue_data(quota);
                        status(Kind::Ok, Some(tag), None, "GETQUOTA completed")
                    }
                    Ok(_) => status(
                        Kind::No,
                        Some(tag),
                        Some(code("NONEXISTENT")),
                        "no such quota root",
                    ),
                    Err(error) => from_service(tag, error),
                };
                out.enqueue_status(answer);
            }
            CommandBody::SetQuota { .. } => {
                out.enqueue_status(status(
                    Kind::No,
                    Some(tag),
                    Some(code("NOPERM")),
                    "quotas are set by the operator (limits.mailbox_quota_mb)",
                ));
            }
            CommandBody::Subscribe { .. } | CommandBody::Unsubscribe { .. } => {
                // Every folder is always subscribed: there is nothing to hide.
                out.enqueue_status(status(Kind::Ok, Some(tag), None, "completed"));
            }
            CommandBody::Status {
                mailbox,
                item_names,
            } => self.status(out, tag, &mailbox, &item_names).await,
            CommandBody::Select {
                mailbox,
                parameters,
            } => {
                self.select_with(out, tag, &mailbox, false, &parameters)
                    .await
            }
            CommandBody::Examine {
                mailbox,
                parameters,
            } => {
                self.select_with(out, tag, &mailbox, true, &parameters)
                    .await
            }
            CommandBody::Append {
                mailbox,
                flags,
                date,
                message,
            } => {
                let raw = match &message {
                    imap_next::imap_types::extensions::binary::LiteralOrLiteral8::Literal(l) => {
                        l.data().to_vec()
                    }
                    imap_next::imap_types::extensions::binary::LiteralOrLiteral8::Literal8(l) => {
                        l.data.to_vec()
                    }
                };
                self.append(out, tag, &mailbox, flags, date, raw).await;
            }
            CommandBody::Create { mailbox } => {
                let answer = match self.new_folder_name(&tag, &mailbox) {
                    Ok(name) => {
                        // RFC 9051 §6.3.4: a trailing delimiter only says more will come.
                        let name = name.trim_end_matches(caduceus_core::folder::DELIMITER);
                        let done = self.service.create_folder(self.access(), name).await;
                        folder_answer(tag, done.map(|_| ()), "CREATE completed")
                    }
                    Err(answer) => answer,
                };
                out.enqueue_status(answer);
            }
            CommandBody::Delete { mailbox } => {
                let answer = match self.folder_name(&tag, &mailbox) {
                    Ok(name) => {
                        if self
                            .selected
                            .as_ref()
                            .is_some_and(|s| s.mailbox.name == name)
                        {
                            self.selected = None;
                        }
                        let done = self.service.delete_folder(self.access(), &name).await;
                        folder_answer(tag, done, "DELETE completed")
                    }
                    Err(answer) => answer,
                };
                out.enqueue_status(answer);
            }
            CommandBody::Rename { from, to } => {
                let names = self
                    .folder_name(&tag, &from)
                    .and_then(|f| self.new_folder_name(&tag, &to).map(|t| (f, t)));
                let answer = match names {
                    Ok((from, to)) => {
                        let done = self.service.rename_folder(self.access(), &from, &to).await;
                        folder_answer(tag, done, "RENAME completed")
                    }
                    Err(answer) => answer,
                };
                out.enqueue_status(answer);
            }
            body if self.selected.is_none() => {
                out.enqueue_status(status(
                    Kind::Bad,
                    Some(tag),
                    None,
                    &format!("{} needs a selected mailbox: SELECT one first", body.name()),
                ));
            }
            CommandBody::Close | CommandBody::Unselect => {
                let expunge = matches!(body, CommandBody::Close);
                if expunge && let Err(status) = self.expunge_deleted(tag.clone(), None).await {
                    out.enqueue_status(status);
                    return Flow::Continue;
                }
                self.selected = None;
                self.watcher = None;
                out.enqueue_status(status(Kind::Ok, Some(tag), None, "completed"));
            }
            CommandBody::Expunge => self.expunge(out, tag, None).await,
            CommandBody::ExpungeUid { sequence_set } => {
                self.expunge(out, tag, Some(sequence_set)).await;
            }
            CommandBody::Fetch {
                sequence_set,
                macro_or_item_names,
                uid,
                modifiers,
            } => {
                // RFC 7162 §3.1.4: only messages changed after this MODSEQ.
                let changed_since = modifiers.iter().find_map(|m| match m {
                    FetchModifier::ChangedSince(n) => Some(n.get() as i64),
                    _ => None,
                });
                if changed_since.is_some() {
                    self.enable_condstore(out);
                }
                if modifiers.contains(&FetchModifier::Vanished) {
                    // RFC 7162 §3.2.6: UID FETCH … (CHANGEDSINCE n VANISHED), once
                    // QRESYNC is enabled: what vanished from the set since n, first.
                    let (Some(since), true, true) = (changed_since, uid, self.qresync) else {
                        out.enqueue_status(status(
                            Kind::Bad,
                            Some(tag),
                            None,
                            "VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC",
                        ));
                        return Flow::Continue;
                    };
                    let folder = self.selected.as_ref().expect("selected").mailbox.id;
                    let mut vanished = self
                        .service
                        .expunged_since(self.access(), folder, since)
                        .await
                        .unwrap_or_default();
                    vanished.retain(|&u| contains_uid(&sequence_set, u));
                    if let Some(uids) = uid_set(&vanished) {
                        out.enqueue_data(Data::Vanished {
                            earlier: true,
                            known_uids: uids,
                        });
                    }
                }
                self.fetch(
                    out,
                    tag,
                    &sequence_set,
                    macro_or_item_names,
                    uid,
                    changed_since,
                )
                .await;
            }
            CommandBody::Store {
                sequence_set,
                kind,
                response,
                flags,
                uid,
                modifiers,
            } => {
                // RFC 7162 §3.1.3: leave alone what changed after this MODSEQ.
                let unchanged_since = modifiers.iter().find_map(|m| match m {
                    StoreModifier::UnchangedSince(n) => Some(*n as i64),
                    #[allow(unreachable_patterns)]
                    _ => None,
                });
                if unchanged_since.is_some() {
                    self.enable_condstore(out);
                }
                let store = Store {
                    set: &sequence_set,
                    kind,
                    response,
                    flags,
                    uid,
                    unchanged_since,
                };
                self.store(out, tag, store).await
            }
            CommandBody::Search { criteria, uid, .. } => {
                self.search(out, tag, criteria, uid, None).await
            }
            CommandBody::Sort {
                sort_criteria,
                search_criteria,
                uid,
                ..
            } => {
                self.sort(out, tag, sort_criteria, search_criteria, uid)
                    .await
            }
            CommandBody::Copy {
                sequence_set,
                mailbox,
                uid,
            } => {
                self.copy_or_move(out, tag, &sequence_set, &mailbox, uid, false)
                    .await
            }
            CommandBody::Move {
                sequence_set,
                mailbox,
                uid,
            } => {
                self.copy_or_move(out, tag, &sequence_set, &mailbox, uid, true)
                    .await
            }
            other => {
                out.enqueue_status(status(
                    Kind::Bad,
                    Some(tag),
                    None,
                    &format!("{} is not supported", other.name()),
                ));
            }
        }
        Flow::Continue
    }

    /// Answers a command read by [`crate::extended`] (IMAP4rev2's ESEARCH,
    /// SEARCHRES and LIST-EXTENDED).
    pub(crate) async fn extended_command(&mut self, out: &mut Wire, command: Extended) {
        match command {
            Extended::Command(command) => {
                // `$` written out: the base command, as parsed by imap-codec.
                let _ = self.command(out, command).await;
            }
            Extended::List {
                tag,
                reference,
                patterns,
                options,
            } => {
                self.list(out, tag, &reference, &patterns, Listing::Extended(&options))
                    .await
            }
            Extended::OnNothing { tag } | Extended::Search { tag, .. }
                if self.selected.is_none() =>
            {
                out.enqueue_status(status(
                    Kind::Bad,
                    Some(tag),
                    None,
                    "this command needs a selected mailbox: SELECT one first",
                ));
            }
            Extended::OnNothing { tag } => {
                out.enqueue_status(status(
                    Kind::Ok,
                    Some(tag),
                    None,
                    "completed: the saved result ($) is empty",
                ));
            }
            Extended::Search {
                tag,
                uid,
                criteria,
                returns,
            } => self.search(out, tag, criteria, uid, Some(returns)).await,
        }
    }

    /// The messages at `positions` of the selected mailbox, opened as `opening`
    /// says (`None` for one another session expunged meanwhile); `None` when no
    /// content is needed.
    async fn contents(
        &self,
        folder: caduceus_service::model::MailboxId,
        positions: &[usize],
        opening: Option<Opening>,
    ) -> Result<Option<Vec<Option<ReadMessage>>>, caduceus_service::ServiceError> {
        let Some(opening) = opening else {
            return Ok(None);
        };
        let selected = self.selected.as_ref().expect("selected");
        let ids: Vec<MessageId> = positions.iter().map(|&i| selected.messages[i].id).collect();
        self.service
            .open_messages_still_there(self.access(), folder, &ids, opening)
            .await
            .map(Some)
    }

    pub(crate) fn access(&self) -> &caduceus_service::messages::MailboxAccess {
        &self.login.as_ref().expect("logged in").access
    }

    /// The name of the folder a client names, decoded from modified UTF-7 (UTF-8
    /// under IMAP4rev2). A name no folder can have is no syntax error: it names no
    /// folder, `NO [NONEXISTENT]`, as Dovecot answers.
    fn folder_name(
        &self,
        tag: &Tag<'static>,
        mailbox: &ImapMailbox<'_>,
    ) -> Result<String, Status<'static>> {
        let decoded = match mailbox {
            ImapMailbox::Inbox => return Ok("INBOX".to_owned()),
            // RFC 9051 §5.1: UTF-8 once IMAP4rev2 is enabled.
            ImapMailbox::Other(other) if self.rev2 => String::from_utf8(other.as_ref().to_vec())
                .map_err(|_| "the folder name is not UTF-8 (RFC 9051 section 5.1)"),
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
    fn new_folder_name(
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

    /// The folder a client names.
    async fn named_folder(
        &self,
        tag: &Tag<'static>,
        mailbox: &ImapMailbox<'_>,
    ) -> Result<Mailbox, Status<'static>> {
        let name = self.folder_name(tag, mailbox)?;
        match self.service.find_folder(self.access(), &name).await {
            Ok(Some(folder)) => Ok(folder),
            Ok(None) => Err(status(
                Kind::No,
                Some(tag.clone()),
                Some(code("NONEXISTENT")),
                "no such folder",
            )),
            Err(error) => Err(from_service(tag.clone(), &error)),
        }
    }

    /// LIST, LSUB, and LIST with RFC 5258 options: the folders matching any of
    /// `patterns`, each with its attributes, extended data and, when asked, STATUS
    /// (RFC 5819).
    async fn list(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        reference: &ImapMailbox<'_>,
        patterns: &[ListMailbox<'_>],
        listing: Listing<'_>,
    ) {
        let reference = match reference {
            ImapMailbox::Inbox => "INBOX".to_owned(),
            ImapMailbox::Other(o) => String::from_utf8_lossy(o.as_ref()).into_owned(),
        };
        let patterns: Vec<String> = patterns
            .iter()
            .map(|pattern| {
                let bytes: &[u8] = match pattern {
                    ListMailbox::Token(t) => t.as_ref(),
                    ListMailbox::String(s) => s.as_ref(),
                };
                format!("{reference}{}", String::from_utf8_lossy(bytes))
            })
            .collect();
        let delimiter = QuotedChar::try_from(DELIMITER).expect("valid delimiter");
        if patterns.iter().all(String::is_empty) {
            // RFC 9051 §6.3.9: the delimiter and the root.
            out.enqueue_data(Data::List {
                items: vec![FlagNameAttribute::Noselect],
                delimiter: Some(delimiter),
                mailbox: ImapMailbox::try_from("").expect("empty name"),
            });
            out.enqueue_status(status(Kind::Ok, Some(tag), None, "LIST completed"));
            return;
        }
        let folders = match self.service.mailboxes(self.access()).await {
            Ok(folders) => folders,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let options = match listing {
            Listing::Extended(options) => Some(options),
            _ => None,
        };
        for folder in &folders {
            let old_name = utf7::encode(&folder.name);
            // The client's form: UTF-8 under IMAP4rev2, modified UTF-7 before.
            let wire = if self.rev2 {
                folder.name.clone()
            } else {
                old_name.clone()
            };
            if !patterns
                .iter()
                .any(|p| wildcard_match(p.as_bytes(), wire.as_bytes()))
            {
                continue;
            }
            if options.is_some_and(|o| o.special_use) && folder.special_use.is_none() {
                continue;
            }
            let prefix = format!("{}{DELIMITER}", folder.name);
            let has_children = folders.iter().any(|f| f.name.starts_with(&prefix));
            let children = if has_children {
                "HasChildren"
            } else {
                "HasNoChildren"
            };
            let mut items = vec![FlagNameAttribute::from(
                Atom::try_from(children).expect("valid attribute"),
            )];
            // Every folder is subscribed (SUBSCRIBE changes nothing).
            if options.is_some_and(|o| o.subscribed || o.return_subscribed) {
                items.push(FlagNameAttribute::from(
                    Atom::try_from("Subscribed").expect("valid attribute"),
                ));
            }
            if let Some(atom) = folder
                .special_use
                .as_deref()
                .and_then(|s| s.strip_prefix('\\'))
                .and_then(|s| Atom::try_from(s.to_owned()).ok())
            {
                items.push(FlagNameAttribute::from(atom));
            }
            let Ok(mailbox) = ImapMailbox::try_from(wire.clone()) else {
                continue;
            };
            let mut extended = Vec::new();
            if options.is_some_and(|o| o.recursive && o.subscribed) && has_children {
                extended.push("\"CHILDINFO\" (\"SUBSCRIBED\")".to_owned());
            }
            if self.rev2 && old_name != wire {
                extended.push(format!("\"OLDNAME\" ({})", quoted(&old_name)));
            }
            let data = match listing {
                Listing::Lsub => Data::Lsub {
                    items,
                    delimiter: Some(delimiter),
                    mailbox: mailbox.clone(),
                },
                _ => Data::List {
                    items,
                    delimiter: Some(delimiter),
                    mailbox: mailbox.clone(),
                },
            };
            if extended.is_empty() {
                out.enqueue_data(data);
            } else {
                let mut line = out.encode_without_crlf(data);
                line.extend_from_slice(format!(" ({})\r\n", extended.join(" ")).as_bytes());
                out.enqueue_line(&line);
            }
            if let Some(options) = options.filter(|o| !o.status.is_empty())
                && let Ok((folder, messages)) =
                    self.service.folder_state(self.access(), folder.id).await
            {
                out.enqueue_data(Data::Status {
                    mailbox,
                    items: status_items(&folder, &messages, &options.status).into(),
                });
            }
        }
        out.enqueue_status(status(Kind::Ok, Some(tag), None, "LIST completed"));
    }

    async fn status(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        mailbox: &ImapMailbox<'static>,
        names: &[StatusDataItemName],
    ) {
        let folder = match self.named_folder(&tag, mailbox).await {
            Ok(folder) => folder,
            Err(answer) => {
                out.enqueue_status(answer);
                return;
            }
        };
        let (folder, messages) = match self.service.folder_state(self.access(), folder.id).await {
            Ok(state) => state,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let items = status_items(&folder, &messages, names);
        out.enqueue_data(Data::Status {
            mailbox: mailbox.clone(),
            items: items.into(),
        });
        out.enqueue_status(status(Kind::Ok, Some(tag), None, "STATUS completed"));
    }

    /// SELECT or EXAMINE with their RFC 7162 parameters: CONDSTORE, or QRESYNC
    /// (only once enabled), which also reports what vanished and what changed since
    /// the client's MODSEQ when its UIDVALIDITY still holds.
    async fn select_with(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        mailbox: &ImapMailbox<'static>,
        read_only: bool,
        parameters: &[SelectParameter],
    ) {
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
            return;
        }
        let Some(ok) = self.select(out, tag, mailbox, read_only).await else {
            return;
        };
        if let Some((validity, since, known)) = resync
            && let Some(selected) = &self.selected
            && i64::from(validity) == selected.mailbox.uidvalidity
        {
            let since = since as i64;
            let folder = selected.mailbox.id;
            let mut vanished = self
                .service
                .expunged_since(self.access(), folder, since)
                .await
                .unwrap_or_default();
            if let Some(known) = known {
                vanished.retain(|&u| contains_uid(&known, u));
            }
            if let Some(uids) = uid_set(&vanished) {
                out.enqueue_data(Data::Vanished {
                    earlier: true,
                    known_uids: uids,
                });
            }
            let selected = self.selected.as_ref().expect("selected");
            for (index, message) in selected.messages.iter().enumerate() {
                if message.modseq > since {
                    let uid = selected.uid(index);
                    let items = vec![
                        MessageDataItem::Uid(uid),
                        MessageDataItem::Flags(fetch::flags(message)),
                        fetch::summary_item(&MessageDataItemName::ModSeq, message, uid)
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
    }

    /// Selects a folder and sends its untagged responses; returns the tagged OK to
    /// send (after any QRESYNC responses), or `None` once a failure was answered.
    async fn select(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        mailbox: &ImapMailbox<'static>,
        read_only: bool,
    ) -> Option<Status<'static>> {
        // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected; IMAP4rev2
        // and QRESYNC clients are told the previous one is closed (RFC 7162 §3.2.11).
        if self.selected.is_some() && (self.rev2 || self.qresync) {
            out.enqueue_status(status(
                Kind::Ok,
                None,
                Some(Code::Closed),
                "previous mailbox closed",
            ));
        }
        self.selected = None;
        self.watcher = None;
        let folder = match self.named_folder(&tag, mailbox).await {
            Ok(folder) => folder,
            Err(answer) => {
                out.enqueue_status(answer);
                return None;
            }
        };
        let (folder, messages) = match self.service.open_folder(self.access(), &folder.name).await {
            Ok(opened) => opened,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return None;
            }
        };
        let selected = Selected::new(folder, read_only, messages);
        out.enqueue_data(Data::Flags(defined_flags(&selected)));
        out.enqueue_data(Data::Exists(selected.exists()));
        if self.rev2 {
            // RFC 9051 §6.3.2: the folder's name as LIST gives it; no RECENT.
            if let Ok(name) = ImapMailbox::try_from(selected.mailbox.name.clone()) {
                out.enqueue_data(Data::List {
                    items: vec![],
                    delimiter: Some(QuotedChar::try_from(DELIMITER).expect("valid delimiter")),
                    mailbox: name,
                });
            }
        } else {
            out.enqueue_data(Data::Recent(0));
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
        let code = if read_only {
            Code::ReadOnly
        } else {
            Code::ReadWrite
        };
        self.watcher = self
            .service
            .watch_folder(self.access(), selected.mailbox.id)
            .await
            .ok();
        self.selected = Some(selected);
        Some(status(Kind::Ok, Some(tag), Some(code), "SELECT completed"))
    }

    /// Turns CONDSTORE on for the rest of the session (RFC 7162 §3.1): the first
    /// CONDSTORE-enabling command in a selected mailbox is answered with its
    /// `OK [HIGHESTMODSEQ n]`.
    pub(crate) fn enable_condstore(&mut self, out: &mut Wire) {
        if std::mem::replace(&mut self.condstore, true) {
            return;
        }
        if let Some(selected) = &self.selected {
            out.enqueue_status(highest_modseq(&selected.mailbox));
        }
    }

    /// Sends what changed in the selected mailbox since the client last looked:
    /// EXPUNGE (only when `allow_expunge`), FETCH of changed flags, EXISTS.
    pub(crate) async fn announce_changes(&mut self, out: &mut Wire, allow_expunge: bool) {
        let (Some(login), Some(selected)) = (&self.login, &mut self.selected) else {
            return;
        };
        let Ok((mailbox, current)) = self
            .service
            .folder_state(&login.access, selected.mailbox.id)
            .await
        else {
            return;
        };
        let changes = selected.refresh(mailbox, current, allow_expunge);
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
            let mut items = vec![
                MessageDataItem::Uid(selected.uid(index)),
                MessageDataItem::Flags(fetch::flags(summary)),
            ];
            if self.condstore {
                items.push(
                    fetch::summary_item(&MessageDataItemName::ModSeq, summary, selected.uid(index))
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
        }
    }

    async fn store(&mut self, out: &mut Wire, tag: Tag<'static>, store: Store<'_>) {
        if self.selected.as_ref().expect("selected").read_only {
            out.enqueue_status(read_only(tag));
            return;
        }
        if store.unchanged_since.is_some() {
            // Decide on the folder as it is now, not as this session last saw it.
            self.announce_changes(out, false).await;
        }
        let selected = self.selected.as_ref().expect("selected");
        let uid = store.uid;
        let wanted: Vec<String> = store.flags.iter().map(|f| f.to_string()).collect();
        let positions = selected.resolve(store.set, uid);
        let (positions, mut modified): (Vec<usize>, Vec<usize>) =
            positions.into_iter().partition(|&i| {
                store
                    .unchanged_since
                    .is_none_or(|since| selected.messages[i].modseq <= since)
            });
        // Each change applies to the flags as they are when written, and the
        // UNCHANGEDSINCE test is made again in the same transaction (RFC 7162).
        let changes: Vec<(MessageId, FlagChange)> = positions
            .iter()
            .map(|&i| {
                let change = match store.kind {
                    StoreType::Replace => FlagChange::Replace(wanted.clone()),
                    StoreType::Add => FlagChange::Add(wanted.clone()),
                    StoreType::Remove => FlagChange::Remove(wanted.clone()),
                };
                (selected.messages[i].id, change)
            })
            .collect();
        let folder = selected.mailbox.id;
        let outcome = match self
            .service
            .set_flags_in(self.access(), folder, &changes, store.unchanged_since)
            .await
        {
            Ok(outcome) => outcome,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let positions: Vec<usize> = positions
            .into_iter()
            .filter(|&i| {
                let raced = outcome.modified.contains(&selected.messages[i].id);
                if raced {
                    modified.push(i);
                }
                !raced
            })
            .collect();
        modified.sort_unstable();
        let before: Vec<(usize, Vec<String>)> = positions
            .iter()
            .map(|&i| (i, selected.messages[i].flags.clone()))
            .collect();
        self.announce_changes(out, false).await;
        if matches!(store.response, StoreResponse::Answer) {
            // Messages whose flags did not change still get their FETCH FLAGS.
            let selected = self.selected.as_ref().expect("selected");
            for (index, flags) in before {
                if selected.messages[index].flags == flags {
                    let mut items = vec![MessageDataItem::Flags(fetch::flags(
                        &selected.messages[index],
                    ))];
                    if uid {
                        items.insert(0, MessageDataItem::Uid(selected.uid(index)));
                    }
                    out.enqueue_data(Data::Fetch {
                        seq: NonZeroU32::new(index as u32 + 1).expect("positions start at 1"),
                        items: Vec1::try_from(items).expect("not empty"),
                    });
                }
            }
        }
        if !modified.is_empty() {
            let selected = self.selected.as_ref().expect("selected");
            let numbers: Vec<u32> = modified
                .iter()
                .map(|&i| {
                    if uid {
                        selected.uid(i).get()
                    } else {
                        i as u32 + 1
                    }
                })
                .collect();
            let set = numbers
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",");
            if let Ok(set) = SequenceSet::try_from(set.as_str()) {
                out.enqueue_status(status(
                    Kind::Ok,
                    Some(tag),
                    Some(Code::Modified(set)),
                    "STORE completed; some messages changed since (RFC 7162)",
                ));
                return;
            }
        }
        out.enqueue_status(status(Kind::Ok, Some(tag), None, "STORE completed"));
    }

    /// SEARCH: a SEARCH response, or ESEARCH (RFC 4731) with RETURN options or
    /// under IMAP4rev2; SAVE keeps the result as `$` (RFC 5182).
    pub(crate) async fn search(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        criteria: Vec1<SearchKey<'static>>,
        uid: bool,
        returns: Option<SearchReturn>,
    ) {
        let key = SearchKey::And(criteria);
        if uses_modseq(&key) {
            self.enable_condstore(out);
        }
        let returns = returns.or(self.rev2.then_some(SearchReturn::ALL));
        let (found, highest) = match self.matching(&key).await {
            Ok(found) => found,
            Err(error) => {
                // RFC 5182 §2.4: a failed SAVE leaves `$` empty.
                if returns.is_some_and(|r| r.save)
                    && let Some(selected) = self.selected.as_mut()
                {
                    selected.saved.clear();
                }
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let modseq = uses_modseq(&key)
            .then(|| NonZeroU64::new(self.returned_modseq(&found, highest, returns) as u64))
            .flatten();
        let numbers = self.numbers(&found, uid);
        let Some(returns) = returns else {
            out.enqueue_data(Data::Search(numbers, modseq));
            out.enqueue_status(status(Kind::Ok, Some(tag), None, "SEARCH completed"));
            return;
        };
        if returns.save {
            let selected = self.selected.as_mut().expect("selected");
            let mut kept: Vec<usize> = found.clone();
            // RFC 5182 §2.4: with MIN or MAX and neither ALL nor COUNT, only those.
            if (returns.min || returns.max) && !returns.all && !returns.count {
                kept = [
                    found.first().filter(|_| returns.min),
                    found.last().filter(|_| returns.max),
                ]
                .into_iter()
                .flatten()
                .copied()
                .collect();
                kept.dedup();
            }
            selected.saved = kept.iter().map(|&i| selected.messages[i].uid).collect();
        }
        if returns.answers() {
            let numbers: Vec<u32> = numbers.iter().map(|n| n.get()).collect();
            let line = esearch(&tag, uid, &numbers, &returns, modseq.map(NonZeroU64::get));
            out.enqueue_line(line.as_bytes());
        }
        out.enqueue_status(status(Kind::Ok, Some(tag), None, "SEARCH completed"));
    }

    /// The MODSEQ a search answers (RFC 7162 §3.1.5): with MIN or MAX and neither
    /// ALL nor COUNT, the highest of the messages returned; else `highest`, that of
    /// every message `found`.
    fn returned_modseq(&self, found: &[usize], highest: i64, returns: Option<SearchReturn>) -> i64 {
        let Some(r) = returns.filter(|r| (r.min || r.max) && !r.all && !r.count) else {
            return highest;
        };
        let selected = self.selected.as_ref().expect("selected");
        [
            found.first().filter(|_| r.min),
            found.last().filter(|_| r.max),
        ]
        .into_iter()
        .flatten()
        .map(|&i| selected.messages[i].modseq)
        .max()
        .unwrap_or(highest)
    }

    /// SORT (RFC 5256): the messages matching the search, in the order asked.
    async fn sort(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        criteria: Vec1<SortCriterion>,
        search: Vec1<SearchKey<'static>>,
        uid: bool,
    ) {
        let key = SearchKey::And(search);
        let found = match self.matching(&key).await {
            Ok((found, _)) => found,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let criteria = criteria.into_inner();
        let needed = sort::needs_metadata(&criteria).then_some(Opening::SearchHeaders);
        let folder = self.selected.as_ref().expect("selected").mailbox.id;
        let metas = match self.contents(folder, &found, needed).await {
            Ok(metas) => metas,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let selected = self.selected.as_ref().expect("selected");
        let mut entries: Vec<sort::Entry<'_>> = found
            .iter()
            .enumerate()
            .map(|(n, &position)| sort::Entry {
                position,
                summary: &selected.messages[position],
                meta: metas
                    .as_ref()
                    .and_then(|m| m[n].as_ref())
                    .map(ReadMessage::meta),
            })
            .collect();
        sort::sort(&mut entries, &criteria);
        let order: Vec<usize> = entries.iter().map(|e| e.position).collect();
        out.enqueue_data(Data::Sort(self.numbers(&order, uid), None));
        out.enqueue_status(status(Kind::Ok, Some(tag), None, "SORT completed"));
    }

    /// Positions as UIDs or sequence numbers.
    fn numbers(&self, positions: &[usize], uid: bool) -> Vec<NonZeroU32> {
        let selected = self.selected.as_ref().expect("selected");
        positions
            .iter()
            .map(|&i| {
                if uid {
                    selected.uid(i)
                } else {
                    NonZeroU32::new(i as u32 + 1).expect("positions start at 1")
                }
            })
            .collect()
    }

    /// The positions of the selected mailbox's messages matching `key`, and their
    /// highest MODSEQ; messages are opened (and each traced, TR-1) only when a key needs their content.
    async fn matching(
        &self,
        key: &SearchKey<'_>,
    ) -> Result<(Vec<usize>, i64), caduceus_service::ServiceError> {
        let selected = self.selected.as_ref().expect("selected");
        let folder = selected.mailbox.id;
        let needed = search::needs_content(key).then_some(Opening::Search);
        let mut found = Vec::new();
        let mut highest = 0i64;
        let indices: Vec<usize> = (0..selected.messages.len()).collect();
        for chunk in indices.chunks(BATCH) {
            let contents = self.contents(folder, chunk, needed).await?;
            for (n, &index) in chunk.iter().enumerate() {
                let candidate = Candidate {
                    seq: index as u32 + 1,
                    summary: &selected.messages[index],
                    content: contents.as_ref().and_then(|c| c[n].as_ref()),
                };
                if search::matches(key, &candidate, selected) {
                    highest = highest.max(candidate.summary.modseq);
                    found.push(index);
                }
            }
        }
        Ok((found, highest))
    }

    async fn expunge(&mut self, out: &mut Wire, tag: Tag<'static>, only: Option<SequenceSet>) {
        if let Err(answer) = self.expunge_deleted(tag.clone(), only).await {
            out.enqueue_status(answer);
            return;
        }
        self.announce_changes(out, true).await;
        out.enqueue_status(status(Kind::Ok, Some(tag), None, "EXPUNGE completed"));
    }

    /// Deletes for good the messages marked `\Deleted` (those of `only`, for UID
    /// EXPUNGE): their keys are destroyed (RT-3).
    async fn expunge_deleted(
        &mut self,
        tag: Tag<'static>,
        only: Option<SequenceSet>,
    ) -> Result<(), Status<'static>> {
        let selected = self.selected.as_ref().expect("selected");
        if selected.read_only {
            return Ok(());
        }
        let allowed: Option<Vec<usize>> = only.map(|set| selected.resolve(&set, true));
        let ids: Vec<MessageId> = selected
            .messages
            .iter()
            .enumerate()
            .filter(|(i, m)| {
                m.flags.iter().any(|f| f == "\\Deleted")
                    && allowed.as_ref().is_none_or(|a| a.contains(i))
            })
            .map(|(_, m)| m.id)
            .collect();
        let folder = selected.mailbox.id;
        self.service
            .expunge(self.access(), folder, &ids)
            .await
            .map_err(|error| from_service(tag, &error))
    }

    /// COPY and MOVE (RFC 9051 §6.4.7, RFC 6851), with COPYUID (RFC 4315).
    async fn copy_or_move(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        set: &SequenceSet,
        mailbox: &ImapMailbox<'static>,
        uid: bool,
        moving: bool,
    ) {
        let target = match self.named_folder(&tag, mailbox).await {
            Ok(folder) => folder,
            Err(mut answer) => {
                try_create(&mut answer);
                out.enqueue_status(answer);
                return;
            }
        };
        let selected = self.selected.as_ref().expect("selected");
        if moving && selected.read_only {
            out.enqueue_status(read_only(tag));
            return;
        }
        let positions = selected.resolve(set, uid);
        if positions.is_empty() {
            out.enqueue_status(status(Kind::Ok, Some(tag), None, "nothing to do"));
            return;
        }
        let ids: Vec<MessageId> = positions.iter().map(|&i| selected.messages[i].id).collect();
        let source_uids: Vec<NonZeroU32> = positions.iter().map(|&i| selected.uid(i)).collect();
        let from = selected.mailbox.id;
        let done = if moving {
            self.service
                .move_messages(self.access(), from, &ids, target.id)
                .await
        } else {
            self.service
                .copy_messages(self.access(), from, &ids, target.id)
                .await
        };
        let copies = match done {
            Ok(copies) => copies,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let uid_set = |uids: Vec<NonZeroU32>| {
            let elements: Vec<UidElement> = uids.into_iter().map(UidElement::Single).collect();
            UidSet(Vec1::try_from(elements).expect("at least one message"))
        };
        let copy_uid = Code::CopyUid {
            uid_validity: non_zero(target.uidvalidity),
            source: uid_set(source_uids),
            destination: uid_set(copies.iter().map(|c| non_zero(c.uid)).collect()),
        };
        if moving {
            // RFC 6851 §4.3: COPYUID untagged, then the EXPUNGEs, then OK.
            out.enqueue_status(status(Kind::Ok, None, Some(copy_uid), "moved"));
            self.announce_changes(out, true).await;
            out.enqueue_status(status(Kind::Ok, Some(tag), None, "MOVE completed"));
        } else {
            if target.id == from {
                self.announce_changes(out, false).await;
            }
            out.enqueue_status(status(
                Kind::Ok,
                Some(tag),
                Some(copy_uid),
                "COPY completed",
            ));
        }
    }

    async fn append(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        mailbox: &ImapMailbox<'static>,
        flags: Vec<Flag<'static>>,
        date: Option<imap_next::imap_types::datetime::DateTime>,
        raw: Vec<u8>,
    ) {
        let folder = match self.named_folder(&tag, mailbox).await {
            Ok(folder) => folder,
            Err(mut answer) => {
                try_create(&mut answer);
                out.enqueue_status(answer);
                return;
            }
        };
        let internal =
            date.map(|d| caduceus_core::Timestamp::from_millis(d.as_ref().timestamp_millis()));
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        match self
            .service
            .append(self.access(), folder.id, &raw, flags, internal)
            .await
        {
            Ok(delivered) => {
                if self
                    .selected
                    .as_ref()
                    .is_some_and(|s| s.mailbox.id == folder.id)
                {
                    self.announce_changes(out, false).await;
                }
                out.enqueue_status(status(
                    Kind::Ok,
                    Some(tag),
                    Some(Code::AppendUid {
                        uid_validity: non_zero(folder.uidvalidity),
                        uid: non_zero(delivered.uid),
                    }),
                    "APPEND completed",
                ));
            }
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
            }
        }
    }
}

/// A STORE command's arguments.
struct Store<'a> {
    set: &'a SequenceSet,
    kind: StoreType,
    response: StoreResponse,
    flags: Vec<Flag<'static>>,
    uid: bool,
    /// UNCHANGEDSINCE (RFC 7162): messages changed after it are left alone.
    unchanged_since: Option<i64>,
}

/// The untagged `OK [HIGHESTMODSEQ n]` of `mailbox` (RFC 7162 §3.1.2.1).
fn highest_modseq(mailbox: &Mailbox) -> Status<'static> {
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
fn defined_flags(selected: &Selected) -> Vec<Flag<'static>> {
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
fn permanent_flags(selected: &Selected) -> Status<'static> {
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

/// The refusal of a change in a mailbox opened with EXAMINE.
fn read_only(tag: Tag<'static>) -> Status<'static> {
    status(
        Kind::No,
        Some(tag),
        None,
        "the mailbox is read-only (EXAMINE)",
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
fn folder_answer(
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

/// The STATUS items `names` of `folder` holding `messages` (RFC 9051 §6.3.11).
fn status_items(
    folder: &Mailbox,
    messages: &[caduceus_service::model::MessageSummary],
    names: &[StatusDataItemName],
) -> Vec<StatusDataItem> {
    let has =
        |m: &caduceus_service::model::MessageSummary, flag: &str| m.flags.iter().any(|f| f == flag);
    let deleted = || messages.iter().filter(|m| has(m, "\\Deleted"));
    names
        .iter()
        .map(|name| match name {
            StatusDataItemName::Messages => StatusDataItem::Messages(messages.len() as u32),
            StatusDataItemName::Recent => StatusDataItem::Recent(0),
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

/// The ESEARCH response (RFC 4731 §3.2) for the sorted `numbers` found, with the
/// items `returns` asks for (none of MIN, MAX, ALL when nothing was found).
fn esearch(
    tag: &Tag<'_>,
    uid: bool,
    numbers: &[u32],
    returns: &SearchReturn,
    modseq: Option<u64>,
) -> String {
    let mut line = format!("* ESEARCH (TAG \"{}\")", tag.as_ref());
    if uid {
        line.push_str(" UID");
    }
    if let (true, Some(min)) = (returns.min, numbers.first()) {
        line.push_str(&format!(" MIN {min}"));
    }
    if let (true, Some(max)) = (returns.max, numbers.last()) {
        line.push_str(&format!(" MAX {max}"));
    }
    if let (true, Some(all)) = (returns.all, crate::extended::ranges(numbers)) {
        line.push_str(&format!(" ALL {all}"));
    }
    if returns.count {
        line.push_str(&format!(" COUNT {}", numbers.len()));
    }
    // RFC 7162 §3.1.5: the highest MODSEQ of what was found.
    if let (Some(modseq), false) = (modseq, numbers.is_empty()) {
        line.push_str(&format!(" MODSEQ {modseq}"));
    }
    line.push_str("\r\n");
    line
}

/// `text` as an IMAP quoted string.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Which kind of listing a LIST-like command asks for.
#[derive(Clone, Copy)]
pub(crate) enum Listing<'a> {
    List,
    Lsub,
    /// LIST with RFC 5258 options.
    Extended(&'a ListOptions),
}

/// The QUOTA response of the account's one root, "" (STORAGE in KiB), when it has a
/// quota.
fn quota_data(usage: &caduceus_service::quota::Usage) -> Option<Data<'static>> {
    let limit = usage.limit?;
    Some(Data::Quota {
        root: AString::try_from("").expect("empty root"),
        quotas: Vec1::from(QuotaGet::new(
            Resource::Storage,
            usage.bytes.div_ceil(1024),
            limit / 1024,
        )),
    })
}

/// UIDs as a sequence set (`None` when there are none).
fn uid_set(uids: &[i64]) -> Option<SequenceSet> {
    let text = uids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    SequenceSet::try_from(text.as_str()).ok()
}

/// Whether `uid` is in `set` (a set of UIDs, `*` standing for any).
fn contains_uid(set: &SequenceSet, uid: i64) -> bool {
    use imap_next::imap_types::sequence::{SeqOrUid, Sequence};
    let value = |v: &SeqOrUid| match v {
        SeqOrUid::Value(n) => i64::from(n.get()),
        SeqOrUid::Asterisk => i64::MAX,
    };
    set.0.as_ref().iter().any(|s| match s {
        Sequence::Single(v) => value(v) == uid,
        Sequence::Range(a, b) => {
            let (a, b) = (value(a), value(b));
            a.min(b) <= uid && uid <= a.max(b)
        }
    })
}

/// A positive store counter as a non-zero IMAP number.
fn non_zero(value: i64) -> NonZeroU32 {
    NonZeroU32::new(u32::try_from(value).unwrap_or(u32::MAX).max(1)).expect("max(1) is not zero")
}

/// Whether every sequence number of `set` (other than `*`) is at most `exists`:
/// RFC 9051 §6.4.5 wants BAD for a number beyond the mailbox.
pub(crate) fn set_within(set: &SequenceSet, exists: u32) -> bool {
    use imap_next::imap_types::sequence::{SeqOrUid, Sequence};
    let ok = |v: &SeqOrUid| match v {
        SeqOrUid::Value(n) => n.get() <= exists,
        SeqOrUid::Asterisk => true,
    };
    set.0.as_ref().iter().all(|s| match s {
        Sequence::Single(v) => ok(v),
        // A range reaching `*` names whatever is there, nothing in an empty mailbox.
        Sequence::Range(SeqOrUid::Asterisk, _) | Sequence::Range(_, SeqOrUid::Asterisk) => true,
        Sequence::Range(a, b) => ok(a) && ok(b),
    })
}

fn uses_modseq(key: &SearchKey<'_>) -> bool {
    match key {
        SearchKey::ModSequence { .. } => true,
        SearchKey::And(keys) => keys.as_ref().iter().any(uses_modseq),
        SearchKey::Or(a, b) => uses_modseq(a) || uses_modseq(b),
        SearchKey::Not(k) => uses_modseq(k),
        _ => false,
    }
}

/// LIST wildcard matching (RFC 9051 §6.3.9): `*` matches anything, `%` anything
/// but the hierarchy delimiter; INBOX matches case-insensitively.
pub(crate) fn wildcard_match(pattern: &[u8], name: &[u8]) -> bool {
    if name.eq_ignore_ascii_case(b"INBOX") && pattern.eq_ignore_ascii_case(b"INBOX") {
        return true;
    }
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|i| wildcard_match(rest, &name[i..])),
        Some((b'%', rest)) => (0..=name.len())
            .take_while(|&i| i == 0 || name[i - 1] != DELIMITER as u8)
            .any(|i| wildcard_match(rest, &name[i..])),
        Some((c, rest)) => name.first() == Some(c) && wildcard_match(rest, &name[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_wildcards() {
        assert!(wildcard_match(b"*", b"INBOX"));
        assert!(wildcard_match(b"%", b"Sent"));
        assert!(!wildcard_match(b"%", b"Archive/2026"));
        assert!(wildcard_match(b"Archive/%", b"Archive/2026"));
        assert!(wildcard_match(b"*26", b"Archive/2026"));
        assert!(wildcard_match(b"inbox", b"INBOX"));
        assert!(!wildcard_match(b"Sen", b"Sent"));
        assert!(wildcard_match(b"S%t", b"Sent"));
    }

    #[test]
    fn sequence_numbers_beyond_the_mailbox_are_out_of_range() {
        let set = SequenceSet::try_from("1:3").unwrap();
        assert!(set_within(&set, 3));
        assert!(!set_within(&set, 2));
        assert!(set_within(&SequenceSet::try_from("1:*").unwrap(), 0));
    }
}
