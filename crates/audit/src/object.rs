//! Who acted and on what, as typed values (TR-5).
//!
//! A trace's actor is a [`Who`], its object an [`Object`]: a short list of [`Id`]s, each
//! a number, a validated domain, an address or an enum. None of them is built from an
//! arbitrary `&str` or `String`, so a subject, a body or a patient's name or INS cannot
//! reach a trace in any build. They are rendered to the stored text (`acct:3 msg:12`)
//! only where the chain is hashed ([`crate::Entry::chain`]).
//!
//! ```
//! use caduceus_audit::{AccountRef, Id, Object};
//! let object = Object::of(AccountRef(3)).and(Id::Message(12));
//! assert_eq!(object.to_string(), "acct:3 msg:12");
//! ```
//!
//! A subject or an INS is not an identifier, and does not compile as one:
//!
//! ```compile_fail
//! use caduceus_audit::Object;
//! let subject = String::from("Compte rendu de Mme Dupont");
//! let _ = Object::of(subject);
//! ```
//!
//! ```compile_fail
//! use caduceus_audit::Object;
//! let _ = Object::of("295109912611193");
//! ```
//!
//! ```compile_fail
//! use caduceus_audit::Who;
//! let _: Who = "Jean Dupont".into();
//! ```

use std::fmt;
use std::net::IpAddr;

use caduceus_core::{AccountKind, Domain, Duty, Role, Scope};

/// An account's database id; `acct:N` in traces. The store's `AccountId` converts
/// into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AccountRef(pub i64);

impl fmt::Display for AccountRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "acct:{}", self.0)
    }
}

/// An outbound queue reference: 128 random bits, `queue:<32 hex digits>` in traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QueueRef(u128);

impl QueueRef {
    /// The reference written as 32 lowercase hex digits (what the store generates),
    /// or `None`: nothing else is a queue reference.
    pub fn parse(hex: &str) -> Option<QueueRef> {
        let lowercase_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        (hex.len() == 32 && hex.bytes().all(lowercase_hex))
            .then(|| u128::from_str_radix(hex, 16).ok().map(QueueRef))
            .flatten()
    }
}

impl fmt::Display for QueueRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// An operator's name at the command line (`op:<name>` in traces): 1 to 32 lowercase
/// ASCII letters, digits, `.`, `_` or `-`, starting with a letter, and no run of more
/// than six digits (a NIR or an INS has 13 to 15). A login, never a person's full name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OperatorName(String);

/// A name refused as an [`OperatorName`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "an operator name is 1 to 32 lowercase letters, digits, '.', '_' or '-', starting with a letter, with no more than 6 digits in a row (TR-5)"
)]
pub struct BadOperatorName;

impl OperatorName {
    /// Longest name accepted.
    const MAX: usize = 32;
    /// Longest run of digits accepted.
    const MAX_DIGITS: usize = 6;

    /// `name` if it is an operator's login (see [`OperatorName`]).
    pub fn parse(name: &str) -> Result<OperatorName, BadOperatorName> {
        let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b);
        let longest_digits = name
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        let ok = (1..=Self::MAX).contains(&name.len())
            && name.as_bytes()[0].is_ascii_lowercase()
            && name.bytes().all(allowed)
            && longest_digits <= Self::MAX_DIGITS;
        ok.then(|| OperatorName(name.to_owned()))
            .ok_or(BadOperatorName)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for OperatorName {
    type Err = BadOperatorName;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        OperatorName::parse(name)
    }
}

impl fmt::Display for OperatorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who acted, as traced (TR-1): the physical person, an operator, a peer, the server.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    /// A user logged in to this account: `acct:N`.
    Account(AccountRef),
    /// An operator at the command line: `op:<name>`.
    Operator(OperatorName),
    /// A staff member under a role (AC-1): `op:<role>:acct:N` for an operator-wide
    /// role (as entries were written before scopes existed), `op:<role>@<scope>:acct:N`
    /// for a role limited to a structure or a region (`op:ra@structure-1750048886:acct:4`).
    Staff {
        /// The person's own account.
        account: AccountRef,
        /// The role acted under.
        role: Role,
        /// Where the role applies.
        scope: Scope,
    },
    /// Another operator of the trust space, by its domain (MS-5): `peer:<domain>`.
    Peer(Domain),
    /// A peer refused before a listed certificate identified it: `peer:unidentified`.
    UnidentifiedPeer,
    /// A scheduled job or the server itself: `system`.
    System,
}

impl Who {
    /// The actor that `text` renders, or `None`: the inverse of [`Who`]'s `Display`,
    /// for the incident detectors that read actors back from stored entries (TR-3).
    /// Accepts only what the typed values render, so it lets no free text through.
    pub fn parse(text: &str) -> Option<Who> {
        if text == "system" {
            return Some(Who::System);
        }
        if let Some(account) = parse_account(text) {
            return Some(Who::Account(account));
        }
        if let Some(peer) = text.strip_prefix("peer:") {
            return match peer {
                "unidentified" => Some(Who::UnidentifiedPeer),
                domain => Domain::parse(domain).ok().map(Who::Peer),
            };
        }
        let operator = text.strip_prefix("op:")?;
        if let Some((role, account)) = operator.split_once(':') {
            let (role, scope) = match role.split_once('@') {
                Some((role, scope)) => {
                    (role, Scope::parse(scope).ok().filter(|s| !s.is_operator())?)
                }
                None => (role, Scope::Operator),
            };
            let role = Role::ALL.into_iter().find(|r| r.as_str() == role)?;
            let account = parse_account(account)?;
            return Some(Who::Staff {
                account,
                role,
                scope,
            });
        }
        OperatorName::parse(operator).ok().map(Who::Operator)
    }
}

fn parse_account(text: &str) -> Option<AccountRef> {
    let digits = text.strip_prefix("acct:")?;
    let n: i64 = digits.parse().ok()?;
    (n.to_string() == digits).then_some(AccountRef(n))
}

impl From<AccountRef> for Who {
    fn from(account: AccountRef) -> Self {
        Who::Account(account)
    }
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Account(account) => account.fmt(f),
            Who::Operator(name) => write!(f, "op:{name}"),
            Who::Staff {
                account,
                role,
                scope: Scope::Operator,
            } => write!(f, "op:{role}:{account}"),
            Who::Staff {
                account,
                role,
                scope,
            } => write!(f, "op:{role}@{scope}:{account}"),
            Who::Peer(domain) => write!(f, "peer:{domain}"),
            Who::UnidentifiedPeer => f.write_str("peer:unidentified"),
            Who::System => f.write_str("system"),
        }
    }
}

codes! {
    /// A protocol mail clients connect with: `proto:<code>`.
    Protocol {
        /// SMTP submission (587, 465).
        Submission => "submission",
        /// IMAP (143, 993).
        Imap => "imap",
        /// LDAP, the mail clients' address book (389 with StartTLS, 636).
        Ldap => "ldap",
    }
}

codes! {
    /// The part of the national directory an import replaced: `directory:<code>`.
    DirectoryPart {
        /// The mailbox extract.
        Mailboxes => "mailboxes",
        /// The people (and their activities) extract.
        People => "people",
    }
}

codes! {
    /// An object with no id of its own, by a fixed code.
    Marker {
        /// A message refused before it was stored.
        NoMessage => "msg:none",
        /// A login whose user name names no account.
        UnknownLogin => "login:unknown",
        /// The trace chain as a whole (verification).
        TraceChain => "trace:chain",
        /// The traces past retention (purge).
        TraceRetention => "trace:retention",
        /// The traces an auditor read.
        TraceRead => "trace:read",
        /// The security alerts an operator or a staff member read (TR-3).
        AlertRead => "alert:read",
        /// The list of accounts an operator or a staff member read (ID-2).
        AccountList => "accounts:list",
        /// The queue of professionals' own registrations a staff member read (ID-1).
        RegistrationQueue => "registrations:list",
        /// The announced patient mailboxes a staff member read (ID-5).
        AnnouncementList => "announcements:list",
        /// The service's status (trust list, directory imports) a staff member read
        /// (ID-4).
        StatusRead => "status:read",
        /// The operator's mailboxes exported for the national directory (ID-4).
        DirectoryExport => "directory:export",
        /// The personal-data breach register as a whole, read (TR-6).
        BreachRegister => "breach:register",
        /// A patient named by an INS that has no account here (never the INS, TR-5).
        UnregisteredPatient => "patient:unregistered",
        /// An incident subject the detectors could not read back as an id.
        UnreadableSubject => "subject:unreadable",
        /// What only the operator at the command line does (AC-1), asked by someone else.
        OperatorDuty => "duty:operator",
        /// The data database's schema (an upgrade, docs/upgrades.md).
        DataSchema => "schema:data",
        /// The keyring database's schema (an upgrade, docs/upgrades.md).
        KeyringSchema => "schema:keyring",
    }
}

/// One identifier in a trace's object (TR-5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Id {
    /// An account: `acct:N`.
    Account(AccountRef),
    /// A mailbox (folder): `mbx:N`.
    Mailbox(i64),
    /// A stored message copy: `msg:N`.
    Message(i64),
    /// A device credential (AU-2): `dev:N`.
    Device(i64),
    /// A passkey (AU-1, MS-18): `passkey:N`.
    Passkey(i64),
    /// A health alert broadcast (MS-15): `broadcast:N`.
    Broadcast(i64),
    /// A personal-data breach of the register (TR-6): `breach:N`.
    Breach(i64),
    /// An outbound queue item (MS-16): `queue:<hex>`.
    Queue(QueueRef),
    /// A domain of the trust space or beyond: `domain:<domain>`.
    Domain(Domain),
    /// A source address, without its port (AU-3, TR-3): `ip:<address>`.
    Ip(IpAddr),
    /// A protocol connected to (AU-3): `proto:<code>`.
    Protocol(Protocol),
    /// A kind of account (ID-1): `kind:<kind>`.
    Kind(AccountKind),
    /// A staff duty asked for (AC-1): `duty:<Duty>`.
    Duty(Duty),
    /// A staff role asked for (AC-1): `role:<role>`.
    Role(Role),
    /// A delegate granted an organisational mailbox (ID-3): `delegate:acct:N`.
    Delegate(AccountRef),
    /// A delegate removed from an organisational mailbox (ID-3): `undelegate:acct:N`.
    Undelegate(AccountRef),
    /// A part of the national directory (ID-4): `directory:<code>`.
    Directory(DirectoryPart),
    /// An actor as the subject of an incident (TR-3).
    Actor(Who),
    /// An object with no id of its own.
    Marker(Marker),
}

impl From<AccountRef> for Id {
    fn from(account: AccountRef) -> Self {
        Id::Account(account)
    }
}

impl From<Marker> for Id {
    fn from(marker: Marker) -> Self {
        Id::Marker(marker)
    }
}

impl From<Protocol> for Id {
    fn from(protocol: Protocol) -> Self {
        Id::Protocol(protocol)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Account(account) => account.fmt(f),
            Id::Mailbox(n) => write!(f, "mbx:{n}"),
            Id::Message(n) => write!(f, "msg:{n}"),
            Id::Device(n) => write!(f, "dev:{n}"),
            Id::Passkey(n) => write!(f, "passkey:{n}"),
            Id::Broadcast(n) => write!(f, "broadcast:{n}"),
            Id::Breach(n) => write!(f, "breach:{n}"),
            Id::Queue(queue) => write!(f, "queue:{queue}"),
            Id::Domain(domain) => write!(f, "domain:{domain}"),
            Id::Ip(ip) => write!(f, "ip:{ip}"),
            Id::Protocol(protocol) => write!(f, "proto:{protocol}"),
            Id::Kind(kind) => write!(f, "kind:{}", kind.as_str()),
            Id::Duty(duty) => write!(f, "duty:{duty:?}"),
            Id::Role(role) => write!(f, "role:{}", role.as_str()),
            Id::Delegate(account) => write!(f, "delegate:{account}"),
            Id::Undelegate(account) => write!(f, "undelegate:{account}"),
            Id::Directory(part) => write!(f, "directory:{part}"),
            Id::Actor(who) => who.fmt(f),
            Id::Marker(marker) => marker.fmt(f),
        }
    }
}

/// What a trace is about: one or more [`Id`]s, written space-separated (TR-5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Object(Vec<Id>);

impl Object {
    /// An object of one id.
    pub fn of(id: impl Into<Id>) -> Object {
        Object(vec![id.into()])
    }

    /// This object with `id` after its ids.
    pub fn and(mut self, id: impl Into<Id>) -> Object {
        self.push(id);
        self
    }

    /// Adds `id` after the ids already there (the store names what it created: the
    /// message, the device, the queue item).
    pub fn push(&mut self, id: impl Into<Id>) {
        self.0.push(id.into());
    }

    /// The ids, in order.
    pub fn ids(&self) -> &[Id] {
        &self.0
    }
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_spaced(f, &self.0)
    }
}

/// Writes `items` separated by single spaces.
pub(crate) fn write_spaced<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    items: &[T],
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        item.fmt(f)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tr5_objects_render_the_stored_text() {
        let object = Object::of(AccountRef(3))
            .and(Id::Mailbox(4))
            .and(Id::Message(12))
            .and(Id::Device(5))
            .and(Id::Queue(
                QueueRef::parse("00ff00ff00ff00ff00ff00ff00ff00ff").unwrap(),
            ));
        assert_eq!(
            object.to_string(),
            "acct:3 mbx:4 msg:12 dev:5 queue:00ff00ff00ff00ff00ff00ff00ff00ff"
        );
        assert_eq!(Object::of(Marker::NoMessage).to_string(), "msg:none");
        assert_eq!(Object::of(Protocol::Imap).to_string(), "proto:imap");
        assert_eq!(Id::Duty(Duty::ReadTraces).to_string(), "duty:ReadTraces");
        assert_eq!(
            Id::Ip("2001:db8::1".parse().unwrap()).to_string(),
            "ip:2001:db8::1"
        );
        assert_eq!(Id::Kind(AccountKind::Patient).to_string(), "kind:patient");
    }

    #[test]
    fn tr5_operator_names_are_logins_not_names() {
        for good in ["ra-test", "night-shift", "operator", "dupont.j", "agent42"] {
            assert_eq!(OperatorName::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "Jean Dupont",
            "dupont jean",
            "Dupont",
            "héloïse",
            "p295109912611193",
            "1abc",
            &"a".repeat(33),
        ] {
            assert_eq!(OperatorName::parse(bad), Err(BadOperatorName), "{bad:?}");
        }
    }

    #[test]
    fn tr5_actors_read_back_only_what_they_render() {
        let actors = [
            Who::Account(AccountRef(7)),
            Who::Operator(OperatorName::parse("ra-test").unwrap()),
            Who::Staff {
                account: AccountRef(2),
                role: Role::Auditor,
                scope: Scope::Operator,
            },
            Who::Staff {
                account: AccountRef(3),
                role: Role::RegistrationAuthority,
                scope: Scope::structure("1750048886").unwrap(),
            },
            Who::Staff {
                account: AccountRef(4),
                role: Role::AlertSender,
                scope: Scope::region("84").unwrap(),
            },
            Who::Peer(Domain::parse("autre-operateur.test").unwrap()),
            Who::UnidentifiedPeer,
            Who::System,
        ];
        for who in actors {
            assert_eq!(Who::parse(&who.to_string()), Some(who));
        }
        for bad in [
            "acct:007",
            "acct:x",
            "op:Jean Dupont",
            "op:nobody:acct:1",
            "op:ra@operator:acct:1",
            "op:ra@structure-123:acct:1",
            "op:alerts@region-85:acct:1",
            "peer:x",
            "Dupont",
        ] {
            assert_eq!(Who::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn tr1_an_entry_written_before_scopes_reads_as_an_operator_wide_role() {
        let old = "op:ra:acct:3";
        let who = Who::parse(old).unwrap();
        assert_eq!(
            who,
            Who::Staff {
                account: AccountRef(3),
                role: Role::RegistrationAuthority,
                scope: Scope::Operator,
            }
        );
        assert_eq!(
            who.to_string(),
            old,
            "the chain's old entries render unchanged"
        );
    }

    #[test]
    fn queue_refs_are_32_lowercase_hex_digits() {
        let hex = "0123456789abcdef0123456789abcdef";
        assert_eq!(QueueRef::parse(hex).unwrap().to_string(), hex);
        for bad in [
            "0123456789ABCDEF0123456789ABCDEF",
            "0123",
            "+123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(QueueRef::parse(bad), None, "{bad:?}");
        }
    }
}
