//! Folder names on the wire: modified UTF-7 (RFC 3501 §5.1.3), the names IMAP4rev1
//! clients send and expect; the store keeps UTF-8. Decoding is strict: anything a
//! conforming client would not send is refused, so two spellings never name one
//! folder.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/// Encodes a UTF-8 folder name: printable ASCII as itself (`&` as `&-`), everything
/// else as `&` + modified base64 of UTF-16 + `-`.
pub(crate) fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for ch in name.chars() {
        if (' '..='~').contains(&ch) {
            flush(&mut pending, &mut out);
            if ch == '&' {
                out.push_str("&-");
            } else {
                out.push(ch);
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(ch.encode_utf16(&mut units));
        }
    }
    flush(&mut pending, &mut out);
    out
}

fn flush(pending: &mut Vec<u16>, out: &mut String) {
    if pending.is_empty() {
        return;
    }
    let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
    out.push('&');
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out.push('-');
    pending.clear();
}

/// Decodes a modified UTF-7 folder name; `None` if it is not valid (unshifted
/// non-printable bytes, a bad base64 run, non-zero padding bits, printable ASCII
/// encoded in a run, an unpaired surrogate) or not the one spelling [`encode`] gives
/// (a run encoding nothing, a whole unused sextet, a run right after another): two
/// spellings must never name one folder (found by `scripts/fuzz.sh imap_folder_name`).
pub(crate) fn decode(wire: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(wire.len());
    let mut i = 0;
    let mut after_run = false;
    while i < wire.len() {
        let b = wire[i];
        if !(0x20..=0x7e).contains(&b) {
            return None;
        }
        if b != b'&' {
            out.push(b as char);
            i += 1;
            after_run = false;
            continue;
        }
        let end = i + 1 + wire[i + 1..].iter().position(|c| *c == b'-')?;
        let run = &wire[i + 1..end];
        i = end + 1;
        if run.is_empty() {
            out.push('&');
            after_run = false;
            continue;
        }
        if after_run {
            return None;
        }
        after_run = true;
        let (mut acc, mut bits, mut bytes) = (0u32, 0u32, Vec::new());
        for c in run {
            acc = (acc << 6) | ALPHABET.iter().position(|x| x == c)? as u32;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                bytes.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        if acc != 0 || bits >= 6 || bytes.is_empty() || bytes.len() % 2 != 0 {
            return None;
        }
        let units = bytes.chunks(2).map(|p| u16::from_be_bytes([p[0], p[1]]));
        for ch in char::decode_utf16(units) {
            let ch = ch.ok()?;
            if (' '..='~').contains(&ch) {
                return None;
            }
            out.push(ch);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3501_examples_round_trip() {
        let cases = [
            ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
            ("A&B", "A&-B"),
            ("Entwürfe", "Entw&APw-rfe"),
            ("Éléments envoyés", "&AMk-l&AOk-ments envoy&AOk-s"),
            ("🩺 Cardio", "&2D7eeg- Cardio"),
            ("INBOX", "INBOX"),
        ];
        for (utf8, wire) in cases {
            assert_eq!(encode(utf8), wire, "{utf8}");
            assert_eq!(decode(wire.as_bytes()).as_deref(), Some(utf8), "{wire}");
        }
    }

    #[test]
    fn invalid_spellings_are_refused() {
        for wire in [
            &b"&Jjo"[..],   // unterminated
            b"&AGE-",       // 'a' encoded: must be written plainly
            b"caf\xc3\xa9", // raw 8-bit
            b"&2D3-",       // lone surrogate
            b"&U,BTF2-",    // non-zero padding bits
            b"&*-",         // not in the alphabet
            b"tab\there",   // control character
            b"&A-B",        // a run encoding nothing (fuzzing)
            b"&AOkA6QDpA-", // a whole unused sextet (fuzzing)
            b"&AOk-&AOk-",  // a run right after another: one run is the spelling
        ] {
            assert_eq!(decode(wire), None, "{:?}", String::from_utf8_lossy(wire));
        }
    }

    #[test]
    fn every_string_round_trips() {
        for name in ["", "&", "&&", "a&b&", "Ω", "日本語 & 🚑", "x\u{7f}y", "é-é"] {
            assert_eq!(
                decode(encode(name).as_bytes()).as_deref(),
                Some(name),
                "{name:?}"
            );
        }
    }
}
