//! The commands of the authenticated and selected states (RFC 9051 §6.3, §6.4):
//! what each asks of the service, and the responses it gives. Every read, flag
//! change and deletion goes through the service, which checks and traces it.
//!
//! This module reads a command and hands it on; [`folders`] holds the folder
//! commands and what a refresh announces, [`listing`] LIST and LSUB, [`messages`]
//! the message commands.

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

mod folders;
mod listing;
mod messages;

pub(crate) use folders::after_refresh;
use folders::folder_answer;
use listing::Listing;

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
            CommandBody::Subscribe { ref mailbox } | CommandBody::Unsubscribe { ref mailbox } => {
                let subscribe = matches!(body, CommandBody::Subscribe { .. });
                let answer = match self.folder_name(&tag, mailbox) {
                    Ok(name) => {
                        let done = self
                            .service
                            .set_subscribed(self.access(), &name, subscribe)
                            .await;
                        folder_answer(tag, done, "completed")
                    }
                    Err(answer) => answer,
                };
                out.enqueue_status(answer);
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
                    let vanished = self.service.expunged_since(self.access(), folder, since);
                    let mut vanished = match vanished.await {
                        Ok(vanished) => vanished,
                        Err(error) => {
                            out.enqueue_status(from_service(tag, &error));
                            return Flow::Continue;
                        }
                    };
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
}

/// A STORE command's arguments.
pub(super) struct Store<'a> {
    set: &'a SequenceSet,
    kind: StoreType,
    response: StoreResponse,
    flags: Vec<Flag<'static>>,
    uid: bool,
    /// UNCHANGEDSINCE (RFC 7162): messages changed after it are left alone.
    unchanged_since: Option<i64>,
}

/// The refusal of a change in a mailbox opened with EXAMINE.
pub(super) fn read_only(tag: Tag<'static>) -> Status<'static> {
    status(
        Kind::No,
        Some(tag),
        None,
        "the mailbox is read-only (EXAMINE)",
    )
}

/// The QUOTA response of the account's one root, "" (STORAGE in KiB), when it has a
/// quota.
pub(super) fn quota_data(usage: &caduceus_service::quota::Usage) -> Option<Data<'static>> {
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
pub(super) fn uid_set(uids: &[i64]) -> Option<SequenceSet> {
    let text = uids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    SequenceSet::try_from(text.as_str()).ok()
}

/// Whether `uid` is in `set` (a set of UIDs, `*` standing for any).
pub(super) fn contains_uid(set: &SequenceSet, uid: i64) -> bool {
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
pub(super) fn non_zero(value: i64) -> NonZeroU32 {
    NonZeroU32::new(u32::try_from(value).unwrap_or(u32::MAX).max(1)).expect("max(1) is not zero")
}

/// The BAD answer to FETCH or STORE (RFC 9051 §6.4.5, §6.4.6) when `set`, naming
/// nothing in `selected` (`positions` is what it resolved to), holds a sequence
/// number beyond the mailbox; `None` otherwise, and always for UIDs.
pub(crate) fn beyond_mailbox(
    tag: &Tag<'static>,
    set: &SequenceSet,
    uid: bool,
    positions: &[usize],
    selected: &Selected,
) -> Option<Status<'static>> {
    (!uid && positions.is_empty() && !set_within(set, selected.exists())).then(|| {
        status(
            Kind::Bad,
            Some(tag.clone()),
            None,
            "no such message sequence number",
        )
    })
}

/// Whether every sequence number of `set` (other than `*`) is at most `exists`:
/// RFC 9051 §6.4.5 wants BAD for a number beyond the mailbox.
fn set_within(set: &SequenceSet, exists: u32) -> bool {
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
