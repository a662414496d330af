//! Out-of-office replies (RFC 3834; MS-6, issue 22 item 12) and the signature, as
//! pure rules: whether an absence is active at an instant in its holder's zone
//! ([`Absence::active_at`]), whether a message delivered must be answered
//! ([`must_reply`]: never a null sender, an automatic message, a list or bulk message,
//! a "noreply" sender, the holder themself, nor a sender outside the chosen
//! [`Audience`]), at most once per sender per [`REPLY_PERIOD`] (the senders answered
//! kept by the store, keyed), and what the answer's subject is ([`reply_subject`]). The signature
//! ([`check_signature`], [`signed_body`]) follows the RFC 3676 §4.3 delimiter.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::local_time::Zone;
use crate::outbound::{header_section, names_field};
use crate::{MailAddress, Timestamp, days};

/// How long a sender who got a reply gets no other (RFC 3834 §2 recommends 7 days).
pub const REPLY_PERIOD: Duration = days(7);

/// The longest subject a holder may give, in characters.
pub const MAX_SUBJECT: usize = 200;

/// The longest reply text, in characters.
pub const MAX_TEXT: usize = 4000;

/// The longest signature, in characters and in lines ("a few lines").
pub const MAX_SIGNATURE: (usize, usize) = (600, 8);

/// The signature delimiter, on its own line (RFC 3676 §4.3).
pub const SIGNATURE_DELIMITER: &str = "-- ";

crate::codes! {
    /// The language a reply is written in (the holder's, when they set it).
    Language {
        /// French (the default: the service is French).
        French => "fr",
        /// English.
        English => "en",
    }
}

crate::codes! {
    /// Who gets an automatic reply.
    Audience {
        /// Every sender.
        Everyone => "everyone",
        /// Professionals only (any address but a patient's mailbox, MS-8).
        Professionals => "professionals",
        /// Patients only.
        Patients => "patients",
    }
}

/// A calendar day, as the holder typed it (`YYYY-MM-DD`), in their zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    year: i32,
    month: u8,
    day: u8,
}

impl Day {
    /// The day of `text` (`YYYY-MM-DD`), if it is one.
    pub fn parse(text: &str) -> Option<Day> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        let month_of_year = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month_of_year, day).ok()?;
        Some(Day { year, month, day })
    }

    /// The day `at` falls on in `zone`.
    pub fn of(at: Timestamp, zone: Zone) -> Day {
        let local = zone.local(at);
        Day {
            year: local.year,
            month: local.month,
            day: local.day,
        }
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// An account holder's out-of-office setting; kept (sealed) as JSON with codes for
/// its zone, language and audience.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Kept", try_from = "Kept")]
pub struct Absence {
    /// Whether it is turned on.
    pub on: bool,
    /// The first day it answers, if any (in `zone`).
    pub start: Option<Day>,
    /// The last day it answers, if any (in `zone`).
    pub end: Option<Day>,
    /// The holder's time zone, in which the days are read.
    pub zone: Zone,
    /// The language of the reply's subject prefix.
    pub language: Language,
    /// Who gets a reply.
    pub audience: Audience,
    /// The reply's subject, before the original's ("Absent", "Out of office").
    pub subject: String,
    /// The reply's text.
    pub text: String,
}

/// An [`Absence`] as kept: its days, zone, language and audience as codes.
#[derive(Clone, Serialize, Deserialize)]
struct Kept {
    on: bool,
    start: Option<String>,
    end: Option<String>,
    zone: String,
    language: String,
    audience: String,
    subject: String,
    text: String,
}

impl From<Absence> for Kept {
    fn from(a: Absence) -> Kept {
        Kept {
            on: a.on,
            start: a.start.map(|d| d.to_string()),
            end: a.end.map(|d| d.to_string()),
            zone: a.zone.name().to_owned(),
            language: a.language.as_str().to_owned(),
            audience: a.audience.as_str().to_owned(),
            subject: a.subject,
            text: a.text,
        }
    }
}

impl TryFrom<Kept> for Absence {
    type Error = String;

    fn try_from(k: Kept) -> Result<Absence, String> {
        let day = |d: Option<String>| match d {
            None => Ok(None),
            Some(d) => Day::parse(&d).map(Some).ok_or(format!("not a day: {d}")),
        };
        Ok(Absence {
            on: k.on,
            start: day(k.start)?,
            end: day(k.end)?,
            zone: Zone::parse(&k.zone).ok_or("unknown zone")?,
            language: Language::parse(&k.language).ok_or("unknown language")?,
            audience: Audience::parse(&k.audience).ok_or("unknown audience")?,
            subject: k.subject,
            text: k.text,
        })
    }
}

/// Why an absence setting cannot be kept, in words for its holder.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AbsenceError {
    /// The subject is empty, too long or spans lines.
    #[error("the subject must be one line of 1 to {MAX_SUBJECT} characters")]
    Subject,
    /// The text is empty or too long.
    #[error("the text must hold 1 to {MAX_TEXT} characters")]
    Text,
    /// The last day is before the first.
    #[error("the last day is before the first day")]
    Dates,
    /// A day is not written `YYYY-MM-DD`.
    #[error("a day is written YYYY-MM-DD, for example 2026-08-03")]
    Day,
    /// An unknown time zone, language or audience.
    #[error("unknown choice of time zone, language or audience")]
    Choice,
    /// The signature is too long.
    #[error("the signature must be at most {} characters on {} lines", MAX_SIGNATURE.0, MAX_SIGNATURE.1)]
    Signature,
}

/// An absence as typed in a form or a request: days `YYYY-MM-DD` or empty, the
/// zone's IANA name, the language's and the audience's codes.
#[derive(Clone, Copy, Debug)]
pub struct Typed<'a> {
    /// Whether it is turned on.
    pub on: bool,
    /// The first day, or empty.
    pub start: &'a str,
    /// The last day, or empty.
    pub end: &'a str,
    /// The zone's IANA name (`Europe/Paris`).
    pub zone: &'a str,
    /// The language's code (`fr`, `en`).
    pub language: &'a str,
    /// The audience's code (`everyone`, `professionals`, `patients`).
    pub audience: &'a str,
    /// The subject.
    pub subject: &'a str,
    /// The text.
    pub text: &'a str,
}

impl Typed<'_> {
    /// The setting typed, checked ([`Absence::check`]).
    pub fn parse(&self) -> Result<Absence, AbsenceError> {
        let day = |text: &str| match text.trim() {
            "" => Ok(None),
            text => Day::parse(text).map(Some).ok_or(AbsenceError::Day),
        };
        let absence = Absence {
            on: self.on,
            start: day(self.start)?,
            end: day(self.end)?,
            zone: Zone::parse(self.zone).ok_or(AbsenceError::Choice)?,
            language: Language::parse(self.language).ok_or(AbsenceError::Choice)?,
            audience: Audience::parse(self.audience).ok_or(AbsenceError::Choice)?,
            subject: self.subject.trim().to_owned(),
            text: self.text.replace("\r\n", "\n"),
        };
        absence.check()?;
        Ok(absence)
    }
}

impl Absence {
    /// The setting a holder starts from: off, no dates, everyone, the default subject
    /// and text in `language`.
    pub fn defaults(language: Language, zone: Zone) -> Absence {
        Absence {
            on: false,
            start: None,
            end: None,
            zone,
            language,
            audience: Audience::Everyone,
            subject: default_subject(language).to_owned(),
            text: default_text(language).to_owned(),
        }
    }

    /// Whether the setting can be kept.
    pub fn check(&self) -> Result<(), AbsenceError> {
        let subject = self.subject.trim();
        if subject.is_empty()
            || subject.chars().count() > MAX_SUBJECT
            || subject.contains(['\r', '\n'])
        {
            return Err(AbsenceError::Subject);
        }
        if self.text.trim().is_empty() || self.text.chars().count() > MAX_TEXT {
            return Err(AbsenceError::Text);
        }
        if let (Some(start), Some(end)) = (self.start, self.end)
            && end < start
        {
            return Err(AbsenceError::Dates);
        }
        Ok(())
    }

    /// Whether it answers at `at`: on, and `at` falls, in the holder's zone, between
    /// the first and the last day (both included) when they are given.
    pub fn active_at(&self, at: Timestamp) -> bool {
        let today = Day::of(at, self.zone);
        self.on
            && self.start.is_none_or(|start| start <= today)
            && self.end.is_none_or(|end| today <= end)
    }
}

/// The default subject in `language`.
pub fn default_subject(language: Language) -> &'static str {
    match language {
        Language::French => "Absent",
        Language::English => "Out of office",
    }
}

/// The default text in `language`.
pub fn default_text(language: Language) -> &'static str {
    match language {
        Language::French => {
            "Bonjour,\n\nJe suis absent et ne lirai pas votre message avant mon retour. \
             En cas d'urgence, appelez le 15 ou le 112.\n\nCordialement"
        }
        Language::English => {
            "Hello,\n\nI am away and will not read your message until I return. \
             In an emergency, call 15 or 112.\n\nKind regards"
        }
    }
}

/// Why a message gets no automatic reply (RFC 3834 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// The absence is off, or outside its days.
    Inactive,
    /// No envelope sender: a bounce or a report (RFC 3834 §2).
    NullSender,
    /// `Auto-Submitted` other than `no` (RFC 3834 §2, §5).
    Automatic,
    /// `Precedence: bulk`, `list` or `junk` (RFC 3834 §2).
    Bulk,
    /// A mailing list's message (`List-Id`, `List-*`, RFC 2369/2919).
    List,
    /// A sender that takes no mail (MAILER-DAEMON, noreply…).
    NoReplySender,
    /// The holder themself.
    Own,
    /// A sender outside the chosen audience.
    Audience,
}

/// A message just delivered to the holder of an absence.
#[derive(Clone, Copy, Debug)]
pub struct Incoming<'a> {
    /// The envelope sender (Return-Path); `None` for the null sender.
    pub sender: Option<&'a MailAddress>,
    /// The message (its header section is read).
    pub raw: &'a [u8],
}

/// Whether `incoming`, delivered at `at` to `holder` whose setting is `absence`, gets
/// an automatic reply (RFC 3834 §2), and why not.
pub fn must_reply(
    absence: &Absence,
    holder: &MailAddress,
    at: Timestamp,
    incoming: &Incoming<'_>,
) -> Result<(), Skip> {
    if !absence.active_at(at) {
        return Err(Skip::Inactive);
    }
    let Some(sender) = incoming.sender else {
        return Err(Skip::NullSender);
    };
    let headers = header_section(incoming.raw);
    if header_values(headers, "Auto-Submitted").any(|v| !v.eq_ignore_ascii_case("no")) {
        return Err(Skip::Automatic);
    }
    if header_values(headers, "Precedence").any(|v| {
        ["bulk", "list", "junk"]
            .iter()
            .any(|p| v.eq_ignore_ascii_case(p))
    }) {
        return Err(Skip::Bulk);
    }
    let list = headers.split(|&b| b == b'\n').any(|line| {
        line.len() > 5 && line[..5].eq_ignore_ascii_case(b"list-") && line.contains(&b':')
    });
    if list {
        return Err(Skip::List);
    }
    if takes_no_mail(sender) {
        return Err(Skip::NoReplySender);
    }
    if sender == holder {
        return Err(Skip::Own);
    }
    let patient = sender.patient_ins().is_some();
    match (absence.audience, patient) {
        (Audience::Everyone, _) | (Audience::Professionals, false) | (Audience::Patients, true) => {
            Ok(())
        }
        _ => Err(Skip::Audience),
    }
}

/// Whether `sender` names a mailbox that takes no mail: MAILER-DAEMON, postmaster's
/// robots, `noreply`-like local parts, list owners (RFC 3834 §2).
fn takes_no_mail(sender: &MailAddress) -> bool {
    let local = sender.local_part().to_ascii_lowercase();
    let bare: String = local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    [
        "mailerdaemon",
        "noreply",
        "donotreply",
        "nepasrepondre",
        "bounce",
    ]
    .iter()
    .any(|robot| bare.starts_with(robot))
        || local.starts_with("owner-")
        || local.ends_with("-request")
}

/// The unfolded values of the fields named `name` in the header section `headers`.
fn header_values<'a>(headers: &'a [u8], name: &'a str) -> impl Iterator<Item = String> + 'a {
    let lines: Vec<&[u8]> = headers.split(|&b| b == b'\n').collect();
    let mut values = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !names_field(line, name) {
            continue;
        }
        let mut value = String::from_utf8_lossy(&line[name.len() + 1..]).into_owned();
        for next in lines[i + 1..]
            .iter()
            .take_while(|l| l.first().is_some_and(|b| *b == b' ' || *b == b'\t'))
        {
            value.push_str(&String::from_utf8_lossy(next));
        }
        let value = value.split(['(', ';']).next().unwrap_or_default();
        values.push(value.trim().to_owned());
    }
    values.into_iter()
}

/// The reply's subject: the holder's subject, then the original's when it had one
/// ("Absent : Résultats", "Out of office: Results"), as typography wants in each
/// language.
pub fn reply_subject(absence: &Absence, original: Option<&str>) -> String {
    let prefix = absence.subject.trim();
    match original.map(str::trim).filter(|s| !s.is_empty()) {
        None => prefix.to_owned(),
        Some(original) => match absence.language {
            Language::French => format!("{prefix}\u{202F}: {original}"),
            Language::English => format!("{prefix}: {original}"),
        },
    }
}

/// `text` as a signature: line ends made `\n`, trailing blanks off; refused when
/// longer than [`MAX_SIGNATURE`]. Empty means none.
pub fn check_signature(text: &str) -> Result<String, AbsenceError> {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let signature = lines.join("\n").trim_matches('\n').to_owned();
    if signature.chars().count() > MAX_SIGNATURE.0 || signature.lines().count() > MAX_SIGNATURE.1 {
        return Err(AbsenceError::Signature);
    }
    Ok(signature)
}

/// A letter's starting text with `signature` (RFC 3676 §4.3: `-- ` on its own line
/// before it), above `quoted` (a reply's or a forward's quoted text, if any), as
/// the compose form offers it; `body` alone when there is no signature.
pub fn signed_body(body: &str, signature: &str, quoted: &str) -> String {
    let mut text = body.to_owned();
    if !signature.is_empty() {
        text.push_str(&format!("\n\n{SIGNATURE_DELIMITER}\n{signature}"));
    }
    if !quoted.is_empty() {
        text.push_str("\n\n");
        text.push_str(quoted);
    }
    text
}

#[cfg(test)]
mod tests;
