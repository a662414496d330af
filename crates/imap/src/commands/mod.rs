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
use crate::shared::Place;
use crate::state::{Login, State};
use crate::{fetch, search, sort, utf7};
use caduceus_service::messages::MailboxAccess;

mod acl;
mod folders;
mod listing;
mod messages;
mod shared;

pub(crate) use acl::CAPABILITY as RIGHTS_CAPABILITY;
pub(crate) use folders::after_refresh;
use folders::folder_answer;
use listing::{ListArgs, Listing, quoted};

/// The hierarchy delimiter of folder names.
const DELIMITER: char = '/';

/// FETCH and SEARCH open messages in batches of this many.
const BATCH: usize = 500;

impl Session {
    /// Answers a command of the authenticated or selected state for `login`, with
    /// the mailbox `selected`, if any; returns the mailbox selected after it.
    pub(crate) async fn mail_command(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        body: CommandBody<'static>,
        login: &Login,
        mut selected: Option<Selected>,
    ) -> (Flow, Option<Selected>) {
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
                    if name.eq_ignore_ascii_case("UTF8=ACCEPT") {
                        // RFC 6855 §3: UTF-8 folder names, APPEND's UTF8 data.
                        self.utf8 = true;
                        out.accept_utf8();
                        enabled.push(capability);
                        continue;
                    }
                    let qresync = name.eq_ignore_ascii_case("QRESYNC");
                    if matches!(capability, CapabilityEnable::CondStore) || qresync {
                        // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
                        self.enable_condstore(out, selected.as_ref());
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
                // RFC 2342: the login's own folders, no other users', and the
                // mailboxes it acts for under `Shared/` when it has any (ID-3, ID-7).
                let mandates = match self.service.mandates(&login.auth.caller()).await {
                    Ok(mandates) => mandates,
                    Err(error) => {
                        out.enqueue_status(from_service(tag, &error));
                        return (Flow::Continue, selected);
                    }
                };
                let namespace = |prefix: String| Namespace {
                    prefix: prefix.try_into().expect("valid prefix"),
                    delimiter: Some(QuotedChar::try_from(DELIMITER).expect("valid char")),
                    extensions: vec![],
                };
                let shared = if mandates.is_empty() {
                    vec![]
                } else {
                    vec![namespace(format!("{}{DELIMITER}", crate::shared::PREFIX))]
                };
                out.enqueue_data(Data::Namespace {
                    personal: vec![namespace(String::new())],
                    other: vec![],
                    shared,
                });
                out.enqueue_status(status(Kind::Ok, Some(tag), None, "NAMESPACE completed"));
            }
            CommandBody::List {
                reference,
                mailbox_wildcard,
            } => {
                let args = ListArgs {
                    reference: &reference,
                    patterns: &[mailbox_wildcard],
                    listing: Listing::List,
                };
                self.list(out, tag, login, selected.as_ref(), args).await
            }
            CommandBody::Lsub {
                reference,
                mailbox_wildcard,
            } => {
                let args = ListArgs {
                    reference: &reference,
                    patterns: &[mailbox_wildcard],
                    listing: Listing::Lsub,
                };
                self.list(out, tag, login, selected.as_ref(), args).await
            }
            CommandBody::GetQuotaRoot { mailbox } => {
                // One quota root, "", over all the account's folders (RFC 9208).
                let place = match self.named_folder(login, &tag, &mailbox).await {
                    Ok((place, _)) => place,
                    Err(answer) => {
                        out.enqueue_status(answer);
                        return (Flow::Continue, selected);
                    }
                };
                let answer = match self.service.usage(&place.access).await {
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
                let usage = self.service.usage(&login.access).await;
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
                            .set_subscribed(&login.access, &name, subscribe)
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
            } => {
                self.status(out, tag, login, selected.as_ref(), &mailbox, &item_names)
                    .await
            }
            CommandBody::Select {
                mailbox,
                parameters,
            } => {
                self.close_for_select(out, selected.take());
                selected = self
                    .select_with(out, tag, login, &mailbox, false, &parameters)
                    .await;
            }
            CommandBody::Examine {
                mailbox,
                parameters,
            } => {
                self.close_for_select(out, selected.take());
                selected = self
                    .select_with(out, tag, login, &mailbox, true, &parameters)
                    .await;
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
                let append = Append {
                    mailbox: &mailbox,
                    flags,
                    date,
                    raw,
                };
                self.append(out, tag, login, selected.as_mut(), append)
                    .await;
            }
            CommandBody::Create { mailbox } => {
                let answer = match self.new_place(login, &tag, &mailbox).await {
                    Ok(place) => {
                        // RFC 9051 §6.3.4: a trailing delimiter only says more will come.
                        let name = place
                            .name
                            .trim_end_matches(caduceus_core::folder::DELIMITER);
                        match self.service.create_folder(&place.access, name).await {
                            // RFC 8474 §4.1: the new folder's object id.
                            Ok(folder) => status(
                                Kind::Ok,
                                Some(tag),
                                Some(crate::object_id::mailbox_code(&folder)),
                                "CREATE completed",
                            ),
                            Err(error) => folder_answer(tag, Err(error), "CREATE completed"),
                        }
                    }
                    Err(answer) => answer,
                };
                out.enqueue_status(answer);
            }
            CommandBody::Delete { mailbox } => {
                let answer = match self.place(login, &tag, &mailbox).await {
                    Ok(place) => {
                        let owner = place.access.owner();
                        if selected.as_ref().is_some_and(|s| {
                            s.place.access.owner() == owner && s.mailbox.name == place.name
                        }) {
                            selected = None;
                            self.watcher = None;
                        }
                        let done = self.service.delete_folder(&place.access, &place.name).await;
                        folder_answer(tag, done, "DELETE completed")
                    }
                    Err(answer) => answer,
                };
                out.enqueue_status(answer);
            }
            CommandBody::Rename { from, to } => {
                let places = match self.place(login, &tag, &from).await {
                    Ok(from) => self.new_place(login, &tag, &to).await.map(|to| (from, to)),
                    Err(answer) => Err(answer),
                };
                let answer = match places {
                    Ok((from, to)) if from.access.owner() != to.access.owner() => status(
                        Kind::No,
                        Some(tag),
                        Some(code("CANNOT")),
                        "a folder is renamed within its mailbox, not into another's (ID-3)",
                    ),
                    Ok((from, to)) => {
                        let done = self
                            .service
                            .rename_folder(&from.access, &from.name, &to.name)
                            .await;
                        folder_answer(tag, done, "RENAME completed")
                    }
                    Err(answer) => answer,
                };
                out.enqueue_status(answer);
            }
            body => {
                let Some(mut current) = selected else {
                    out.enqueue_status(status(
                        Kind::Bad,
                        Some(tag),
                        None,
                        &format!("{} needs a selected mailbox: SELECT one first", body.name()),
                    ));
                    return (Flow::Continue, None);
                };
                if let Err(refused) = self.still_allowed(login, &current.place).await {
                    // A delegation withdrawn since the last command (ID-3, AC-1).
                    self.close_refused(out, &mut current);
                    out.enqueue_status(from_service(tag, &refused));
                    return (Flow::Continue, None);
                }
                let kept = self
                    .selected_command(out, tag, body, login, &mut current)
                    .await;
                return (Flow::Continue, kept.then_some(current));
            }
        }
        (Flow::Continue, selected)
    }

    /// Answers a command of the selected state, on the mailbox `selected`; false
    /// when it closed the mailbox (CLOSE, UNSELECT).
    async fn selected_command(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        body: CommandBody<'static>,
        login: &Login,
        selected: &mut Selected,
    ) -> bool {
        match body {
            CommandBody::Close | CommandBody::Unselect => {
                let expunge = matches!(body, CommandBody::Close);
                if expunge
                    && let Err(status) = self.expunge_deleted(tag.clone(), selected, None).await
                {
                    out.enqueue_status(status);
                    return true;
                }
                self.watcher = None;
                out.enqueue_status(status(Kind::Ok, Some(tag), None, "completed"));
                return false;
            }
            CommandBody::Expunge => self.expunge(out, tag, selected, None).await,
            CommandBody::ExpungeUid { sequence_set } => {
                self.expunge(out, tag, selected, Some(sequence_set)).await;
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
                    self.enable_condstore(out, Some(selected));
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
                        return true;
                    };
                    let folder = selected.mailbox.id;
                    let access = &selected.place.access;
                    let vanished = self.service.expunged_since(access, folder, since);
                    let mut vanished = match vanished.await {
                        Ok(vanished) => vanished,
                        Err(error) => {
                            out.enqueue_status(from_service(tag, &error));
                            return true;
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
                let fetch = FetchArgs {
                    set: &sequence_set,
                    names: macro_or_item_names,
                    uid,
                    changed_since,
                };
                self.fetch(out, tag, selected, fetch).await;
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
                    self.enable_condstore(out, Some(selected));
                }
                let store = Store {
                    set: &sequence_set,
                    kind,
                    response,
                    flags,
                    uid,
                    unchanged_since,
                };
                self.store(out, tag, selected, store).await
            }
            CommandBody::Search { criteria, uid, .. } => {
                let search = Search {
                    criteria,
                    uid,
                    returns: None,
                };
                self.search(out, tag, selected, search).await
            }
            CommandBody::Sort {
                sort_criteria,
                search_criteria,
                uid,
                ..
            } => {
                let sort = Sort {
                    criteria: sort_criteria,
                    search: search_criteria,
                    uid,
                };
                self.sort(out, tag, selected, sort).await
            }
            CommandBody::Copy {
                ref sequence_set,
                ref mailbox,
                uid,
            }
            | CommandBody::Move {
                ref sequence_set,
                ref mailbox,
                uid,
            } => {
                let copy = Copy {
                    set: sequence_set,
                    mailbox,
                    uid,
                    moving: matches!(body, CommandBody::Move { .. }),
                };
                self.copy_or_move(out, tag, login, selected, copy).await
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
        true
    }

    /// Answers a command read by [`crate::extended`] (IMAP4rev2's ESEARCH,
    /// SEARCHRES and LIST-EXTENDED).
    pub(crate) async fn extended_command(&mut self, out: &mut Wire, command: Extended) {
        let (login, mut selected) = match self.state.take() {
            State::Authenticated(login) => (login, None),
            State::Selected(login, selected) => (login, Some(*selected)),
            State::NotAuthenticated => {
                // Only read once logged in (session::protocol_error).
                let tag = command.tag().clone();
                out.enqueue_status(status(Kind::No, Some(tag), None, "log in first"));
                return;
            }
        };
        let needs_selection = |tag| {
            status(
                Kind::Bad,
                Some(tag),
                None,
                "this command needs a selected mailbox: SELECT one first",
            )
        };
        match command {
            Extended::Command(command) => {
                // `$` written out: the base command, as parsed by imap-codec.
                self.state = State::after(login, selected);
                let _ = self.command(out, command).await;
                return;
            }
            Extended::List {
                tag,
                reference,
                patterns,
                options,
            } => {
                let args = ListArgs {
                    reference: &reference,
                    patterns: &patterns,
                    listing: Listing::Extended(&options),
                };
                self.list(out, tag, &login, selected.as_ref(), args).await
            }
            Extended::OnNothing { tag } if selected.is_some() => {
                out.enqueue_status(status(
                    Kind::Ok,
                    Some(tag),
                    None,
                    "completed: the saved result ($) is empty",
                ));
            }
            Extended::OnNothing { tag } => out.enqueue_status(needs_selection(tag)),
            Extended::Status { extras, status } => {
                // STATUS without its MAILBOXID and APPENDLIMIT items, which its
                // answer adds (RFC 8474 §4.2, RFC 7889 §2).
                self.state = State::after(login, selected);
                self.status_extras = extras;
                let _ = self.command(out, status).await;
                self.status_extras = crate::extras::StatusExtras::default();
                return;
            }
            Extended::Fetch { extras, fetch } => {
                // The FETCH without its object-id items (RFC 8474 §5) and PARTIAL
                // modifier (RFC 9394 §4), which its answer applies.
                self.state = State::after(login, selected);
                self.fetch_extras = extras;
                Box::pin(self.extended_command(out, *fetch)).await;
                self.fetch_extras = crate::fetching::FetchExtras::default();
                return;
            }
            Extended::Acl { tag, command } => self.acl(out, tag, &login, command).await,
            Extended::Search {
                tag,
                uid,
                criteria,
                returns,
            } => match selected.as_mut() {
                Some(current) => match self.still_allowed(&login, &current.place).await {
                    Ok(()) => {
                        let search = Search {
                            criteria,
                            uid,
                            returns: Some(returns),
                        };
                        self.search(out, tag, current, search).await
                    }
                    Err(refused) => {
                        self.close_refused(out, current);
                        out.enqueue_status(from_service(tag, &refused));
                    }
                },
                None => out.enqueue_status(needs_selection(tag)),
            },
        }
        self.state = State::after(login, selected);
    }

    /// The messages at `positions` of the selected mailbox, opened as `opening`
    /// says (`None` for one another session expunged meanwhile); `None` when no
    /// content is needed.
    async fn contents(
        &self,
        selected: &Selected,
        positions: &[usize],
        opening: Option<Opening>,
    ) -> Result<Option<Vec<Option<ReadMessage>>>, caduceus_service::ServiceError> {
        let Some(opening) = opening else {
            return Ok(None);
        };
        let ids: Vec<MessageId> = positions.iter().map(|&i| selected.messages[i].id).collect();
        let folder = selected.mailbox.id;
        self.service
            .open_messages_still_there(&selected.place.access, folder, &ids, opening)
            .await
            .map(Some)
    }
}

/// An APPEND command's arguments.
pub(super) struct Append<'a> {
    mailbox: &'a ImapMailbox<'static>,
    flags: Vec<Flag<'static>>,
    date: Option<imap_next::imap_types::datetime::DateTime>,
    raw: Vec<u8>,
}

/// A SEARCH command's arguments (ESEARCH's `returns`, when given).
pub(super) struct Search {
    criteria: Vec1<SearchKey<'static>>,
    uid: bool,
    returns: Option<SearchReturn>,
}

/// A SORT command's arguments.
pub(super) struct Sort {
    criteria: Vec1<SortCriterion>,
    search: Vec1<SearchKey<'static>>,
    uid: bool,
}

/// A COPY or MOVE command's arguments.
pub(super) struct Copy<'a> {
    set: &'a SequenceSet,
    mailbox: &'a ImapMailbox<'static>,
    uid: bool,
    moving: bool,
}

/// A FETCH command's arguments.
pub(crate) struct FetchArgs<'a> {
    pub set: &'a SequenceSet,
    pub names: imap_next::imap_types::fetch::MacroOrMessageDataItemNames<'static>,
    pub uid: bool,
    /// CHANGEDSINCE (RFC 7162 §3.1.4): only messages changed after this MODSEQ.
    pub changed_since: Option<i64>,
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
