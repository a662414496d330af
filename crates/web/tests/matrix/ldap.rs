//! The matrix's cells through the LDAP directory (`caduceus_testkit::ldap` over
//! implicit TLS): a session per party, bound with its device credential; one per cell
//! for those whose session ends (suspended, closed, bound before) or never binds
//! (nobody logged in). Each cell searches the owner's entry by address.

use std::collections::HashMap;
use std::path::PathBuf;

use caduceus_core::authz::Expected;
use caduceus_testkit::ldap::{self, Connection};
use ldap3_proto::proto::LdapResultCode;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::{Cast, Cell, Person, RECIPIENT};

/// The LDAP listener's sessions.
pub struct Ldap {
    port: u16,
    ca: PathBuf,
    sessions: HashMap<String, Connection<TlsStream<TcpStream>>>,
    /// The last message id sent.
    sent: i32,
}

impl Ldap {
    /// The sessions of the listener on `port`, whose certificate `ca` issued.
    pub fn new(port: u16, ca: PathBuf) -> Self {
        Self {
            port,
            ca,
            sessions: HashMap::new(),
            sent: 0,
        }
    }

    /// Opens `session`, bound as `person` (none: never bound); the bind's result.
    pub async fn open(&mut self, session: &str, person: Option<&Person>) -> LdapResultCode {
        let tcp = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let mut connection = ldap::tls(tcp, &self.ca).await;
        let code = match person {
            Some(person) => {
                self.sent += 1;
                let bind = ldap::bind(&person.address(), &person.device);
                ldap::code(&ldap::ask(&mut connection, self.sent, bind).await[0])
            }
            None => LdapResultCode::Success,
        };
        self.sessions.insert(session.to_owned(), connection);
        code
    }

    /// The search of `cell` in its session: the result and the DNs found.
    pub async fn ask(&mut self, cast: &Cast, cell: &Cell) -> (LdapResultCode, Vec<String>) {
        let (session, person) = cast.session(cell);
        if !self.sessions.contains_key(&session) {
            self.open(&session, person).await;
        }
        self.sent += 1;
        let connection = self.sessions.get_mut(&session).unwrap();
        let answers = ldap::ask(connection, self.sent, ldap::search_mail(RECIPIENT)).await;
        (ldap::code(answers.last().unwrap()), ldap::dns(&answers))
    }
}

/// Whether the search's answer is what `expected` says: the owner's entry when
/// allowed; "bind first" (`insufficientAccessRights`) and nothing when not logged in.
pub fn judge(expected: Expected, (code, dns): (LdapResultCode, Vec<String>)) -> Result<(), String> {
    let found = dns.iter().any(|dn| dn.contains(RECIPIENT));
    let fine = match expected {
        Expected::Allowed => code == LdapResultCode::Success && found,
        Expected::Unauthenticated => code == LdapResultCode::InsufficentAccessRights && !found,
        Expected::Denied(_) => false,
    };
    if fine {
        Ok(())
    } else {
        Err(format!("{code:?} {dns:?}"))
    }
}
