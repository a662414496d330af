//! FETCH answered a batch at a time (RFC 9051 §6.4.5).
//!
//! The messages asked for are cut into batches, bounded in count and in stored
//! size. While one batch's responses are handed to the stream, the next batch is
//! read and unsealed by a task of its own (through the service, which checks and
//! traces it: AC-1, TR-1): the store and the network work at the same time, and a
//! FETCH of a whole mailbox never holds more than two batches in memory.
//!
//! The session's loop asks for more ([`Session::fetch_more`]) each time the stream
//! has taken a piece of the output; batches are answered while little is left
//! waiting. No other command is read before the FETCH's tagged answer is queued:
//! the protocol state is only consulted once nothing of ours waits, and by then
//! the next batch is queued.

use std::borrow::Cow;
use std::cell::LazyCell;
use std::collections::VecDeque;
use std::num::NonZeroU32;

use caduceus_core::FlagChange;
use caduceus_service::ServiceError;
use caduceus_service::folders::Opening;
use caduceus_service::listing_cache::Listed;
use caduceus_service::messages::ReadMessage;
use caduceus_service::model::{MessageId, MessageSummary};
use imap_next::imap_types::core::{Tag, Vec1};
use imap_next::imap_types::fetch::{MacroOrMessageDataItemNames, MessageDataItemName};
use imap_next::imap_types::response::{Code, Data, Status};
use tokio::task::JoinHandle;

use crate::commands::FetchArgs;
use crate::fetch;
use crate::object_id::ObjectItems;
use crate::partial::Partial;
use crate::rendered;
use crate::reply::{Kind, code, from_service, status};
use crate::selected::Selected;
use crate::session::Session;
use crate::state::State;
use crate::wire::Wire;

/// A batch holds at most this many messages…
const BATCH_MESSAGES: usize = 500;
/// …the first one this many, each next one four times the one before until
/// [`BATCH_MESSAGES`]: the answer starts after a few messages are read, the client
/// reading it while the next, larger batch is read (a client waited for a whole
/// batch of 500 before its first byte, ten times Dovecot's wait: docs/benchmarks.md).
const FIRST_BATCH_MESSAGES: usize = 32;
/// …and at most this many bytes of messages (their stored sizes), one message at
/// least.
const BATCH_BYTES: i64 = 8 * 1024 * 1024;

/// The next batch is answered once fewer bytes than this wait to be written.
pub(crate) const LOW_WATER: usize = 256 * 1024;

/// What reading a batch gives: `None` for a message another session expunged
/// meanwhile (RFC 2180 §4.1.2: the FETCH still succeeds, without its content).
enum Contents {
    /// Messages opened (bodies, or their metadata for a SEARCH-like item).
    Opened(Vec<Option<ReadMessage>>),
    /// A listing's structures (ENVELOPE, BODYSTRUCTURE), from the service's listing
    /// cache or opened.
    Listed(Vec<Option<Listed>>),
}

impl Contents {
    /// The `n`th message's bytes (empty for a listing) and structure, when it was
    /// read.
    fn message(&self, n: usize) -> Option<(&[u8], fetch::Structure<'_>)> {
        match self {
            Contents::Opened(opened) => opened[n].as_ref().map(|m| {
                let structure: fetch::Structure = LazyCell::new(Box::new(|| m.structure()));
                (m.raw.as_slice(), structure)
            }),
            Contents::Listed(listed) => listed[n].as_ref().map(|m| {
                let structure: fetch::Structure =
                    LazyCell::new(Box::new(|| Cow::Borrowed(m.structure())));
                (&[][..], structure)
            }),
        }
    }

    /// The `n`th message of a listing, when it was listed.
    fn listed(&self, n: usize) -> Option<&Listed> {
        match self {
            Contents::Listed(listed) => listed[n].as_ref(),
            Contents::Opened(_) => None,
        }
    }
}

/// A batch being read.
type Reading = Result<Contents, ServiceError>;

/// A FETCH whose answer is being written.
pub(crate) struct Fetching {
    tag: Tag<'static>,
    names: Vec<MessageDataItemName<'static>>,
    uid: bool,
    /// How the messages are opened; `None` when the summaries answer everything.
    opening: Option<Opening>,
    /// Positions in the selected snapshot still to answer, batch by batch.
    batches: VecDeque<Vec<usize>>,
    /// The contents of the first of `batches`, being read.
    ahead: Option<JoinHandle<Reading>>,
    /// A body item without PEEK sets `\Seen` (RFC 9051 §6.4.5).
    marks_seen: bool,
    /// The messages to mark `\Seen` once every batch is answered.
    seen_now: Vec<(MessageId, FlagChange)>,
    /// The object ids asked for (RFC 8474 §5).
    object_ids: ObjectItems,
}

/// What a FETCH asks beyond imap-codec's grammar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FetchExtras {
    /// Object ids in each response (RFC 8474 §5).
    pub object_ids: ObjectItems,
    /// Only this page of the messages asked for (RFC 9394 §4).
    pub partial: Option<Partial>,
}

impl Session {
    /// Answers FETCH and UID FETCH: checks the set, then answers the first batch;
    /// the session's loop asks for the others.
    pub(crate) async fn fetch(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        selected: &mut Selected,
        fetch: FetchArgs<'_>,
    ) {
        let FetchArgs {
            set,
            names,
            uid,
            changed_since,
        } = fetch;
        let mut names = match names {
            MacroOrMessageDataItemNames::Macro(m) => m
                .expand()
                .into_iter()
                .map(imap_next::imap_types::IntoStatic::into_static)
                .collect(),
            MacroOrMessageDataItemNames::MessageDataItemNames(names) => names,
        };
        if uid && !names.contains(&MessageDataItemName::Uid) {
            names.insert(0, MessageDataItemName::Uid);
        }
        if names
            .iter()
            .any(|n| matches!(n, MessageDataItemName::ModSeq))
        {
            self.enable_condstore(out, Some(selected));
        }
        if self.condstore && !names.contains(&MessageDataItemName::ModSeq) {
            names.push(MessageDataItemName::ModSeq);
        }
        let mut positions = selected.resolve(set, uid);
        if let Some(bad) = crate::commands::beyond_mailbox(&tag, set, uid, &positions, selected) {
            out.enqueue_status(bad);
            return;
        }
        if let Some(since) = changed_since {
            positions.retain(|&i| selected.messages[i].modseq > since);
        }
        let extras = std::mem::take(&mut self.fetch_extras);
        if let Some(partial) = extras.partial {
            // RFC 9394 §4: the page of the messages the set (and CHANGEDSINCE) gave.
            positions = partial.page(&positions);
        }
        let sizes: Vec<i64> = positions
            .iter()
            .map(|&i| selected.messages[i].size)
            .collect();
        self.fetching = Some(Fetching {
            marks_seen: fetch::reads_body(&names) && !selected.read_only,
            opening: fetch::opening(&names),
            batches: batches(&positions, &sizes),
            tag,
            names,
            uid,
            ahead: None,
            seen_now: Vec::new(),
            object_ids: extras.object_ids,
        });
        // The first batch alone: it is written while the next one is read (unless
        // it gave nothing to write, e.g. all of it expunged meanwhile).
        if let Some(job) = self.fetching.take() {
            self.fetch_batch(out, selected, job).await;
        }
        if out.waiting() == 0 {
            self.fetch_batches(out, selected).await;
        }
    }

    /// Answers the next batches of the FETCH in progress, if any, once the stream
    /// took some of the output: with the selected mailbox it was started in (no
    /// command is read before a FETCH is answered).
    pub(crate) async fn fetch_more(&mut self, out: &mut Wire) {
        if self.fetching.is_none() {
            return;
        }
        match self.state.take() {
            State::Selected(login, mut selected) => {
                self.fetch_batches(out, &mut selected).await;
                self.state = State::after(login, Some(*selected));
            }
            other => {
                self.state = other;
                if let Some(job) = self.fetching.take() {
                    out.enqueue_status(status(
                        Kind::No,
                        Some(job.tag),
                        None,
                        "the mailbox was closed during the FETCH",
                    ));
                }
            }
        }
    }

    /// Answers the next batches of the FETCH in progress on `selected`, or ends
    /// it, until enough output waits for the stream.
    async fn fetch_batches(&mut self, out: &mut Wire, selected: &mut Selected) {
        while out.waiting() < LOW_WATER {
            let Some(job) = self.fetching.take() else {
                return;
            };
            self.fetch_batch(out, selected, job).await;
        }
    }

    /// Answers the next batch of `job`, or ends it.
    async fn fetch_batch(&mut self, out: &mut Wire, selected: &mut Selected, mut job: Fetching) {
        let Some(batch) = job.batches.pop_front() else {
            self.fetch_done(out, selected, job).await;
            return;
        };
        let reading = job
            .ahead
            .take()
            .or_else(|| self.read(selected, &job, &batch));
        let contents = match reading {
            Some(reading) => match reading.await {
                Ok(Ok(contents)) => Some(contents),
                Ok(Err(error)) => {
                    out.enqueue_status(from_service(job.tag, &error));
                    return;
                }
                Err(_panicked) => {
                    out.enqueue_status(status(
                        Kind::No,
                        Some(job.tag),
                        Some(code("SERVERBUG")),
                        "the server could not read these messages; try again later",
                    ));
                    return;
                }
            },
            None => None,
        };
        if let Some(next) = job.batches.front() {
            job.ahead = self.read(selected, &job, next);
        }
        if let Err(refusal) = answer_batch(out, selected, &mut job, &batch, contents.as_ref()) {
            out.enqueue_status(refusal);
            return;
        }
        if job.batches.is_empty() {
            self.fetch_done(out, selected, job).await;
        } else {
            self.fetching = Some(job);
        }
    }

    /// Starts reading the messages at `positions`, when the items need more than
    /// their summaries.
    fn read(
        &self,
        selected: &Selected,
        job: &Fetching,
        positions: &[usize],
    ) -> Option<JoinHandle<Reading>> {
        let opening = job.opening?;
        let ids: Vec<MessageId> = positions.iter().map(|&i| selected.messages[i].id).collect();
        let service = self.service.clone();
        let access = selected.place.access.clone();
        let folder = selected.mailbox.id;
        Some(tokio::spawn(async move {
            match opening {
                // A listing: from the listing cache where it can (issue 20 item 4).
                Opening::Headers => service
                    .list_messages_still_there(&access, folder, &ids)
                    .await
                    .map(Contents::Listed),
                _ => service
                    .open_messages_still_there(&access, folder, &ids, opening)
                    .await
                    .map(Contents::Opened),
            }
        }))
    }

    /// Ends a FETCH whose batches are all answered: the bodies read become `\Seen`,
    /// announced as unsolicited FETCH responses, then the tagged OK.
    async fn fetch_done(&mut self, out: &mut Wire, selected: &mut Selected, job: Fetching) {
        if !job.seen_now.is_empty() {
            let folder = selected.mailbox.id;
            if let Err(error) = self
                .service
                .set_flags_in(&selected.place.access, folder, &job.seen_now, None)
                .await
            {
                out.enqueue_status(from_service(job.tag, &error));
                return;
            }
            if let Err(error) = self.announce_changes(out, selected, false).await {
                out.enqueue_status(from_service(job.tag, &error));
                return;
            }
        }
        out.enqueue_status(status(Kind::Ok, Some(job.tag), None, "FETCH completed"));
    }
}

/// Queues the FETCH responses of one batch of `selected`; a refusal ends the
/// command.
fn answer_batch(
    out: &mut Wire,
    selected: &Selected,
    job: &mut Fetching,
    batch: &[usize],
    contents: Option<&Contents>,
) -> Result<(), Status<'static>> {
    for (n, &index) in batch.iter().enumerate() {
        let summary = &selected.messages[index];
        let uid_value = selected.uid(index);
        if job.marks_seen && !summary.flags.iter().any(|f| f == "\\Seen") {
            job.seen_now
                .push((summary.id, FlagChange::Add(vec!["\\Seen".into()])));
        }
        let seq = NonZeroU32::new(index as u32 + 1).expect("positions start at 1");
        let recent = selected.is_recent(index);
        // A listing: its content items copied as rendered once (issue 20 item 4).
        let line = contents.and_then(|c| c.listed(n)).and_then(|listed| {
            rendered::fetch_line(seq, &job.names, listed, |name| {
                fetch::summary_item(name, summary, uid_value, recent)
            })
        });
        if let Some(line) = line {
            write_line(out, job, line, summary);
            continue;
        }
        let mut items = Vec::with_capacity(job.names.len() + 1);
        let message = contents.and_then(|c| c.message(n));
        let mut partials = Vec::new();
        for name in &job.names {
            if let Some(item) = fetch::summary_item(name, summary, uid_value, recent) {
                items.push(item);
            } else if let Some((raw, structure)) = &message {
                let uid_named = job.uid.then_some(uid_value.get());
                let item = match fetch::partial_binary(seq.get(), uid_named, name, raw, structure) {
                    Some(line) => line.map(|line| {
                        partials.push(line);
                        None
                    }),
                    None => fetch::content_item(name, raw, structure),
                };
                match item {
                    Ok(Some(item)) => items.push(item),
                    Ok(None) => {}
                    Err(fetch::UnknownCte) => {
                        return Err(status(
                            Kind::No,
                            Some(job.tag.clone()),
                            Some(Code::UnknownCte),
                            "a part's transfer encoding cannot be decoded; fetch it with BODY[]",
                        ));
                    }
                }
            }
        }
        if let Ok(items) = Vec1::try_from(items) {
            let data = Data::Fetch { seq, items };
            if job.object_ids.any() {
                let line = out.encode_without_crlf(data);
                write_line(out, job, line, summary);
            } else {
                out.enqueue_data(data);
            }
        }
        for line in partials {
            out.enqueue_line(&line);
        }
    }
    Ok(())
}

/// Queues the FETCH response `line` (without its CRLF) of `summary`'s message, with
/// the object ids `job` asks for.
fn write_line(out: &mut Wire, job: &Fetching, mut line: Vec<u8>, summary: &MessageSummary) {
    if job.object_ids.any() {
        out.enqueue_line(&job.object_ids.written_into(line, summary));
    } else {
        line.extend_from_slice(b"\r\n");
        out.enqueue_line(&line);
    }
}

/// Cuts `positions` into batches of at most [`BATCH_MESSAGES`] messages and
/// [`BATCH_BYTES`] bytes (`sizes[i]` is the size of the message at `positions[i]`),
/// each holding one message at least.
fn batches(positions: &[usize], sizes: &[i64]) -> VecDeque<Vec<usize>> {
    let mut batches = VecDeque::new();
    let mut batch = Vec::new();
    let mut bytes = 0;
    let mut most = FIRST_BATCH_MESSAGES;
    for (&position, &size) in positions.iter().zip(sizes) {
        if !batch.is_empty() && (batch.len() == most || bytes + size > BATCH_BYTES) {
            batches.push_back(std::mem::take(&mut batch));
            bytes = 0;
            most = (most * 4).min(BATCH_MESSAGES);
        }
        batch.push(position);
        bytes += size;
    }
    if !batch.is_empty() {
        batches.push_back(batch);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(sizes: &[i64]) -> Vec<Vec<usize>> {
        let positions: Vec<usize> = (0..sizes.len()).collect();
        batches(&positions, sizes).into_iter().collect()
    }

    #[test]
    fn nothing_makes_no_batch() {
        assert!(cut(&[]).is_empty());
    }

    #[test]
    fn batches_grow_from_the_first_to_batch_messages() {
        let total = 32 + 128 + 2 * BATCH_MESSAGES + 1;
        let got = cut(&vec![10; total]);
        let lengths: Vec<usize> = got.iter().map(Vec::len).collect();
        assert_eq!(
            lengths,
            [FIRST_BATCH_MESSAGES, 128, BATCH_MESSAGES, BATCH_MESSAGES, 1]
        );
        let flat: Vec<usize> = got.into_iter().flatten().collect();
        assert_eq!(flat, (0..total).collect::<Vec<_>>());
    }

    #[test]
    fn batches_hold_at_most_batch_bytes() {
        let half = BATCH_BYTES / 2;
        assert_eq!(cut(&[half, half, 1]), [vec![0, 1], vec![2]]);
        assert_eq!(cut(&[half, half + 1, 1]), [vec![0], vec![1, 2]]);
    }

    #[test]
    fn a_message_over_batch_bytes_is_a_batch_of_its_own() {
        assert_eq!(cut(&[1, BATCH_BYTES * 3, 1]), [vec![0], vec![1], vec![2]]);
    }
}
