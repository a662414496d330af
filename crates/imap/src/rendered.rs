//! A listing's FETCH responses written from content items encoded once (issue 20
//! item 4): a message's `ENVELOPE (…)`, `BODYSTRUCTURE (…)` and `BODY (…)` are
//! encoded by imap-codec the first time its content is listed, from the same values
//! as any FETCH ([`fetch::content_item`]), and kept with its entry in the service's
//! listing cache ([`Listed::rendered`]); the next listings copy those bytes between
//! the summary items (FLAGS, UID, INTERNALDATE…), which imap-codec encodes as
//! always, in the order asked. The bytes are those of a FETCH answered without the
//! cache (tests/listing_cache.rs).

use std::borrow::Cow;
use std::cell::LazyCell;
use std::num::NonZeroU32;

use caduceus_service::ingest::MessageStructure;
use caduceus_service::listing_cache::Listed;
use imap_codec::ResponseCodec;
use imap_codec::encode::Encoder;
use imap_next::imap_types::core::Vec1;
use imap_next::imap_types::fetch::{MessageDataItem, MessageDataItemName};
use imap_next::imap_types::response::{Data, Response};

use crate::fetch;

/// A content's listing items as they go on the wire.
pub(crate) struct Rendered {
    envelope: Option<Vec<u8>>,
    body_structure: Option<Vec<u8>>,
    body: Option<Vec<u8>>,
}

impl Rendered {
    /// Encodes the listing items of `structure`.
    fn new(structure: &MessageStructure) -> Self {
        let structure: fetch::Structure = LazyCell::new(Box::new(|| Cow::Borrowed(structure)));
        let encode = |name: MessageDataItemName<'static>| {
            let item = fetch::content_item(&name, &[], &structure).ok()??;
            items(ONE, vec![item])
        };
        Self {
            envelope: encode(MessageDataItemName::Envelope),
            body_structure: encode(MessageDataItemName::BodyStructure),
            body: encode(MessageDataItemName::Body),
        }
    }

    /// The item `name`, when it is one of a listing's.
    fn item(&self, name: &MessageDataItemName<'_>) -> Option<&[u8]> {
        match name {
            MessageDataItemName::Envelope => self.envelope.as_deref(),
            MessageDataItemName::BodyStructure => self.body_structure.as_deref(),
            MessageDataItemName::Body => self.body.as_deref(),
            _ => None,
        }
    }
}

/// The sequence number the items are encoded under, then cut off.
const ONE: NonZeroU32 = NonZeroU32::MIN;

/// The FETCH response of message `seq` for `names`, without its CRLF: each name's
/// item from `summary_item` (encoded by imap-codec, a run of them at once) or from
/// what was rendered of `listed`'s content. `None` when a name is neither (the
/// caller answers it the usual way).
pub(crate) fn fetch_line(
    seq: NonZeroU32,
    names: &[MessageDataItemName<'static>],
    listed: &Listed,
    summary_item: impl Fn(&MessageDataItemName<'_>) -> Option<MessageDataItem<'static>>,
) -> Option<Vec<u8>> {
    let rendered = listed.rendered(Rendered::new)?;
    let mut line = format!("* {seq} FETCH (").into_bytes();
    let mut run = Vec::new();
    for name in names {
        if let Some(item) = summary_item(name) {
            run.push(item);
            continue;
        }
        let bytes = rendered.item(name)?;
        append(&mut line, items(seq, std::mem::take(&mut run)).as_deref());
        append(&mut line, Some(bytes));
    }
    append(&mut line, items(seq, run).as_deref());
    line.push(b')');
    Some(line)
}

/// Appends `bytes` to the items of `line`, after a space unless they are the first.
fn append(line: &mut Vec<u8>, bytes: Option<&[u8]>) {
    let Some(bytes) = bytes else {
        return;
    };
    if line.last() != Some(&b'(') {
        line.push(b' ');
    }
    line.extend_from_slice(bytes);
}

/// `items` as imap-codec writes them in a FETCH response of `seq` (between its
/// parentheses); `None` for none.
fn items(seq: NonZeroU32, items: Vec<MessageDataItem<'static>>) -> Option<Vec<u8>> {
    let items = Vec1::try_from(items).ok()?;
    let mut bytes = ResponseCodec::default()
        .encode(&Response::Data(Data::Fetch { seq, items }))
        .dump();
    let start = format!("* {seq} FETCH (").len();
    let end = bytes.len().checked_sub(")\r\n".len())?;
    bytes.truncate(end);
    Some(bytes.split_off(start))
}
