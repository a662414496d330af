//! The messages the generator submits: realistic RFC 5322 text of an exact body size.
//!
//! Every message is distinct (its own `Message-ID`, `Subject` and body words), so that
//! no server can take a shortcut on repeated content. Bodies are plain ASCII words on
//! lines of at most 76 characters ending in CRLF; no line starts with a dot, so the
//! text needs no dot-stuffing on the wire.

use std::time::{SystemTime, UNIX_EPOCH};

use caduceus_core::{Clock, SystemClock};

/// Longest body line, CRLF not counted (RFC 5322 §2.1.1 recommends 78).
pub const LINE: usize = 76;

/// Words the bodies are made of: the vocabulary of a discharge letter, ASCII only.
const WORDS: &[&str] = &[
    "patient",
    "consultation",
    "compte",
    "rendu",
    "examen",
    "clinique",
    "biologie",
    "resultat",
    "normal",
    "tension",
    "arterielle",
    "traitement",
    "poursuivi",
    "sortie",
    "hospitalisation",
    "service",
    "cardiologie",
    "suivi",
    "medecin",
    "traitant",
    "ordonnance",
    "jointe",
    "bilan",
    "sanguin",
    "controle",
    "semaines",
    "echographie",
    "sans",
    "anomalie",
    "antecedents",
    "allergie",
    "connue",
    "posologie",
    "matin",
    "soir",
    "le",
    "la",
    "de",
    "du",
    "et",
    "avec",
    "pour",
    "une",
    "un",
    "dans",
    "avis",
    "confrere",
    "cordialement",
];

/// A small deterministic generator (xorshift64*), seeded per message.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // Never zero: xorshift would stay at zero.
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn word(&mut self) -> &'static str {
        WORDS[(self.next() % WORDS.len() as u64) as usize]
    }
}

/// What a message is built from, besides its number.
#[derive(Clone, Debug)]
pub struct Template {
    /// The `From:` address.
    pub from: String,
    /// Body size in bytes, line ends included.
    pub size: usize,
    /// A token unique to this run, part of every `Message-ID`.
    pub run: String,
}

impl Template {
    /// A template for messages from `from` with bodies of `size` bytes; the run token
    /// is taken from the clock.
    pub fn new(from: &str, size: usize) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Self {
            from: from.to_owned(),
            size,
            run: format!("{nanos:x}"),
        }
    }

    /// The whole message (headers, blank line, body), CRLF line ends, ready to be sent
    /// after `DATA` (the terminating `.` line is not included). `connection` and `seq`
    /// make it unique.
    pub fn build(&self, to: &[&str], connection: usize, seq: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size + 512);
        let date = SystemClock.now().rfc5322();
        let headers = format!(
            "From: {from}\r\n\
             To: {to}\r\n\
             Subject: Compte rendu de consultation {connection}-{seq}\r\n\
             Date: {date}\r\n\
             Message-ID: <{run}.{connection}.{seq}@caduceus-load.invalid>\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=us-ascii\r\n\
             Content-Transfer-Encoding: 7bit\r\n\
             \r\n",
            from = self.from,
            to = to.join(", "),
            run = self.run,
        );
        out.extend_from_slice(headers.as_bytes());
        body(
            &mut out,
            self.size,
            ((connection as u64) << 32) ^ seq as u64,
        );
        out
    }
}

/// Appends `size` bytes of text to `out`: words on lines of at most [`LINE`]
/// characters, each ended by CRLF. Sizes under 2 give an empty body (a line needs its
/// CRLF).
fn body(out: &mut Vec<u8>, size: usize, seed: u64) {
    if size < 2 {
        return;
    }
    let mut rng = Rng::new(seed);
    let mut left = size;
    while left > 0 {
        // The last line takes what remains, so the total is exact.
        let width = if left <= LINE + 2 {
            left - 2
        } else {
            // Leave at least 2 bytes (room for a last line and its CRLF).
            (left - 4).min(LINE)
        };
        let line = line(&mut rng, width, left <= LINE + 2);
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
        left -= line.len() + 2;
    }
}

/// One line of words, at most `width` characters; exactly `width` when `exact`.
/// Never starts with a dot or a space.
fn line(rng: &mut Rng, width: usize, exact: bool) -> String {
    let mut line = String::with_capacity(width);
    loop {
        let word = rng.word();
        let sep = usize::from(!line.is_empty());
        if line.len() + sep + word.len() > width {
            if exact {
                // Fill what is left with the start of a word (the line ends mid-word).
                if line.len() + sep < width {
                    if sep == 1 {
                        line.push(' ');
                    }
                    let room = width - line.len();
                    line.push_str(&word[..room.min(word.len())]);
                }
                while line.len() < width {
                    line.push('x');
                }
            } else if line.is_empty() {
                line.push_str(&word[..width]);
            }
            return line;
        }
        if sep == 1 {
            line.push(' ');
        }
        line.push_str(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(message: &[u8]) -> (&str, &str) {
        let text = std::str::from_utf8(message).unwrap();
        text.split_once("\r\n\r\n").unwrap()
    }

    #[test]
    fn body_has_the_exact_size_and_short_lines() {
        let template = Template::new("a@example.org", 0);
        for size in [0, 1, 2, 3, 10, 77, 78, 79, 80, 155, 156, 157, 4600, 50_000] {
            let template = Template {
                size,
                ..template.clone()
            };
            let message = template.build(&["b@example.org"], 1, 7);
            let (_, body) = split(&message);
            let expected = if size < 2 { 0 } else { size };
            assert_eq!(body.len(), expected, "size {size}");
            for line in body.split_terminator("\r\n") {
                assert!(line.len() <= LINE, "{size}: {line:?}");
                assert!(!line.starts_with('.') && !line.starts_with(' '));
                assert!(!line.contains('\r') && !line.contains('\n'));
            }
            if expected > 0 {
                assert!(body.ends_with("\r\n"));
            }
        }
    }

    #[test]
    fn messages_are_distinct_and_carry_the_headers() {
        let template = Template::new("alice@example.org", 300);
        let a = template.build(&["b@example.org", "c@example.org"], 0, 1);
        let b = template.build(&["b@example.org"], 0, 2);
        let (head_a, body_a) = split(&a);
        let (head_b, body_b) = split(&b);
        assert_ne!(body_a, body_b);
        for name in [
            "From: alice@example.org",
            "To: b@example.org, c@example.org",
            "Subject: ",
            "Date: ",
            "Message-ID: <",
        ] {
            assert!(head_a.contains(name), "{name} missing in {head_a}");
        }
        assert_ne!(
            head_a.lines().find(|l| l.starts_with("Message-ID")),
            head_b.lines().find(|l| l.starts_with("Message-ID"))
        );
    }
}
