//! Message commands of the selected state: STORE, SEARCH, SORT, EXPUNGE, COPY and
//! MOVE, and APPEND.

use super::*;

impl Session {
    /// STORE and UID STORE (RFC 9051 §6.4.6, RFC 7162 §3.1.3).
    pub(super) async fn store(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        selected: &mut Selected,
        store: Store<'_>,
    ) {
        if selected.read_only {
            out.enqueue_status(read_only(tag));
            return;
        }
        if store.unchanged_since.is_some() {
            // Decide on the folder as it is now, not as this session last saw it.
            if let Err(error) = self.announce_changes(out, selected, false).await {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        }
        let uid = store.uid;
        let wanted: Vec<String> = store.flags.iter().map(|f| f.to_string()).collect();
        let positions = selected.resolve(store.set, uid);
        if let Some(bad) = beyond_mailbox(&tag, store.set, uid, &positions, selected) {
            out.enqueue_status(bad);
            return;
        }
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
            .set_flags_in(
                &selected.place.access,
                folder,
                &changes,
                store.unchanged_since,
            )
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
        if let Err(error) = self.announce_changes(out, selected, false).await {
            out.enqueue_status(from_service(tag, &error));
            return;
        }
        if matches!(store.response, StoreResponse::Answer) {
            // Messages whose flags did not change still get their FETCH FLAGS.
            for (index, flags) in before {
                if selected.messages[index].flags == flags {
                    let mut items = vec![MessageDataItem::Flags(fetch::flags(
                        &selected.messages[index],
                        selected.is_recent(index),
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
        selected: &mut Selected,
        search: Search,
    ) {
        let Search {
            criteria,
            uid,
            returns,
        } = search;
        let key = SearchKey::And(criteria);
        if uses_modseq(&key) {
            self.enable_condstore(out, Some(selected));
        }
        let returns = returns.or(self.rev2.then_some(SearchReturn::ALL));
        let (found, highest) = match self.matching(selected, &key).await {
            Ok(found) => found,
            Err(error) => {
                // RFC 5182 §2.4: a failed SAVE leaves `$` empty.
                if returns.is_some_and(|r| r.save) {
                    selected.saved.clear();
                }
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let modseq = uses_modseq(&key)
            .then(|| NonZeroU64::new(returned_modseq(selected, &found, highest, returns) as u64))
            .flatten();
        let numbers = numbers(selected, &found, uid);
        let Some(returns) = returns else {
            out.enqueue_data(Data::Search(numbers, modseq));
            out.enqueue_status(status(Kind::Ok, Some(tag), None, "SEARCH completed"));
            return;
        };
        if returns.save {
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
            // RFC 9394 §3.1: with PARTIAL, the page returned.
            if let Some(partial) = returns.partial {
                kept = partial.page(&kept);
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

    /// SORT (RFC 5256): the messages matching the search, in the order asked.
    pub(super) async fn sort(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        selected: &Selected,
        sort: Sort,
    ) {
        let Sort {
            criteria,
            search,
            uid,
        } = sort;
        let key = SearchKey::And(search);
        let found = match self.matching(selected, &key).await {
            Ok((found, _)) => found,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let criteria = criteria.into_inner();
        let needed = sort::needs_metadata(&criteria).then_some(Opening::SearchHeaders);
        let metas = match self.contents(selected, &found, needed).await {
            Ok(metas) => metas,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
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
        out.enqueue_data(Data::Sort(numbers(selected, &order, uid), None));
        out.enqueue_status(status(Kind::Ok, Some(tag), None, "SORT completed"));
    }

    /// The positions of the selected mailbox's messages matching `key`, and their
    /// highest MODSEQ; messages are opened (and each traced, TR-1) only when a key needs their content.
    pub(super) async fn matching(
        &self,
        selected: &Selected,
        key: &SearchKey<'_>,
    ) -> Result<(Vec<usize>, i64), caduceus_service::ServiceError> {
        let needed = search::needs_content(key).then_some(Opening::Search);
        let mut found = Vec::new();
        let mut highest = 0i64;
        let indices: Vec<usize> = (0..selected.messages.len()).collect();
        for chunk in indices.chunks(BATCH) {
            let contents = self.contents(selected, chunk, needed).await?;
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

    /// EXPUNGE and UID EXPUNGE (RFC 9051 §6.4.3, RFC 4315).
    pub(super) async fn expunge(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        selected: &mut Selected,
        only: Option<SequenceSet>,
    ) {
        if let Err(answer) = self.expunge_deleted(tag.clone(), selected, only).await {
            out.enqueue_status(answer);
            return;
        }
        let refreshed = self.announce_changes(out, selected, true).await;
        let done = status(Kind::Ok, Some(tag.clone()), None, "EXPUNGE completed");
        out.enqueue_status(after_refresh(tag, refreshed, done));
    }

    /// Deletes for good the messages marked `\Deleted` (those of `only`, for UID
    /// EXPUNGE): their keys are destroyed (RT-3).
    pub(super) async fn expunge_deleted(
        &mut self,
        tag: Tag<'static>,
        selected: &Selected,
        only: Option<SequenceSet>,
    ) -> Result<(), Status<'static>> {
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
            .expunge(&selected.place.access, folder, &ids)
            .await
            .map_err(|error| from_service(tag, &error))
    }

    /// COPY and MOVE (RFC 9051 §6.4.7, RFC 6851), with COPYUID (RFC 4315).
    pub(super) async fn copy_or_move(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        login: &Login,
        selected: &mut Selected,
        copy: Copy<'_>,
    ) {
        let Copy {
            set,
            mailbox,
            uid,
            moving,
        } = copy;
        // A sequence number beyond the mailbox is BAD, as for FETCH and STORE (RFC 9051
        // §6.4.7, §6.4.8), before the target is looked at.
        let positions = selected.resolve(set, uid);
        if let Some(bad) = beyond_mailbox(&tag, set, uid, &positions, selected) {
            out.enqueue_status(bad);
            return;
        }
        let (place, target) = match self.target_folder(login, &tag, mailbox).await {
            Ok(found) => found,
            Err(answer) => {
                out.enqueue_status(answer);
                return;
            }
        };
        if moving && selected.read_only {
            out.enqueue_status(read_only(tag));
            return;
        }
        if positions.is_empty() {
            out.enqueue_status(status(Kind::Ok, Some(tag), None, "nothing to do"));
            return;
        }
        let ids: Vec<MessageId> = positions.iter().map(|&i| selected.messages[i].id).collect();
        let source_uids: Vec<NonZeroU32> = positions.iter().map(|&i| selected.uid(i)).collect();
        let from = selected.mailbox.id;
        let source = &selected.place.access;
        let done = if source.owner() != place.access.owner() {
            // Between the person's own mailbox and one they act for, or two of
            // those: each side with its own access (ID-3, ID-7).
            let to = &place.access;
            let filed = self
                .service
                .file_across(source, from, &ids, to, target.id, moving);
            filed.await
        } else if moving {
            self.service
                .move_messages(source, from, &ids, target.id)
                .await
        } else {
            self.service
                .copy_messages(source, from, &ids, target.id)
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
            let refreshed = self.announce_changes(out, selected, true).await;
            let done = status(Kind::Ok, Some(tag.clone()), None, "MOVE completed");
            out.enqueue_status(after_refresh(tag, refreshed, done));
        } else {
            let refreshed = if target.id == from {
                self.announce_changes(out, selected, false).await
            } else {
                Ok(())
            };
            let done = status(
                Kind::Ok,
                Some(tag.clone()),
                Some(copy_uid),
                "COPY completed",
            );
            out.enqueue_status(after_refresh(tag, refreshed, done));
        }
    }

    /// APPEND (RFC 9051 §6.3.12), announced at once when it adds to `selected`.
    pub(super) async fn append(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        login: &Login,
        selected: Option<&mut Selected>,
        append: Append<'_>,
    ) {
        let Append {
            mailbox,
            flags,
            date,
            raw,
        } = append;
        let (place, folder) = match self.target_folder(login, &tag, mailbox).await {
            Ok(found) => found,
            Err(answer) => {
                out.enqueue_status(answer);
                return;
            }
        };
        let internal =
            date.map(|d| caduceus_core::Timestamp::from_millis(d.as_ref().timestamp_millis()));
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        match self
            .service
            .append(&place.access, folder.id, &raw, flags, internal)
            .await
        {
            Ok(delivered) => {
                let refreshed = match selected {
                    Some(selected) if selected.mailbox.id == folder.id => {
                        self.announce_changes(out, selected, false).await
                    }
                    _ => Ok(()),
                };
                let done = status(
                    Kind::Ok,
                    Some(tag.clone()),
                    Some(Code::AppendUid {
                        uid_validity: non_zero(folder.uidvalidity),
                        uid: non_zero(delivered.uid),
                    }),
                    "APPEND completed",
                );
                out.enqueue_status(after_refresh(tag, refreshed, done));
            }
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
            }
        }
    }
}

/// The MODSEQ a search answers (RFC 7162 §3.1.5): with MIN or MAX and neither ALL
/// nor COUNT, the highest of the messages returned; else `highest`, that of every
/// message `found`.
fn returned_modseq(
    selected: &Selected,
    found: &[usize],
    highest: i64,
    returns: Option<SearchReturn>,
) -> i64 {
    let Some(r) = returns.filter(|r| (r.min || r.max) && !r.all && !r.count) else {
        return highest;
    };
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

/// Positions of `selected` as UIDs or sequence numbers.
fn numbers(selected: &Selected, positions: &[usize], uid: bool) -> Vec<NonZeroU32> {
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

/// The ESEARCH response (RFC 4731 §3.2) for the sorted `numbers` found, with the
/// items `returns` asks for (none of MIN, MAX, ALL when nothing was found).
pub(super) fn esearch(
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
    // RFC 9394 §3.1: the page asked for, NIL when it holds nothing.
    if let Some(partial) = returns.partial {
        let page = crate::extended::ranges(&partial.page(numbers));
        line.push_str(&format!(
            " PARTIAL ({partial} {})",
            page.as_deref().unwrap_or("NIL")
        ));
    }
    // RFC 7162 §3.1.5: the highest MODSEQ of what was found.
    if let (Some(modseq), false) = (modseq, numbers.is_empty()) {
        line.push_str(&format!(" MODSEQ {modseq}"));
    }
    line.push_str("\r\n");
    line
}

pub(super) fn uses_modseq(key: &SearchKey<'_>) -> bool {
    match key {
        SearchKey::ModSequence { .. } => true,
        SearchKey::And(keys) => keys.as_ref().iter().any(uses_modseq),
        SearchKey::Or(a, b) => uses_modseq(a) || uses_modseq(b),
        SearchKey::Not(k) => uses_modseq(k),
        _ => false,
    }
}
