//! An LDAP client for tests, as a mail client's address book speaks to the directory:
//! requests encoded by `ldap3_proto`'s codec over a TCP or TLS stream (rustls,
//! trusting the world's development CA).

use std::path::Path;

use futures::{SinkExt, StreamExt};
use ldap3_proto::LdapCodec;
use ldap3_proto::proto::{
    LdapBindCred, LdapBindRequest, LdapDerefAliases, LdapFilter, LdapMsg, LdapOp, LdapResultCode,
    LdapSearchRequest, LdapSearchScope,
};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_util::codec::Framed;

/// An LDAP connection.
pub type Connection<S> = Framed<S, LdapCodec>;

/// The base DN of the `caduceus.test` directory.
pub const BASE: &str = "ou=directory,dc=caduceus,dc=test";

/// A plain connection to 127.0.0.1:`port`.
pub async fn connect(port: u16) -> Connection<TcpStream> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    Framed::new(tcp, LdapCodec::default())
}

/// TLS over `tcp` (implicit, or after StartTLS), trusting the CA in `ca`.
pub async fn tls(tcp: TcpStream, ca: &Path) -> Connection<TlsStream<TcpStream>> {
    let client = caduceus_pki::client_config(ca, None).unwrap();
    let tls = tokio_rustls::TlsConnector::from(client)
        .connect("localhost".try_into().unwrap(), tcp)
        .await
        .unwrap();
    Framed::new(tls, LdapCodec::default())
}

/// Sends `op` as message `id` and reads until its final answer; the answers, entries
/// first.
pub async fn ask<S: AsyncRead + AsyncWrite + Unpin>(
    connection: &mut Connection<S>,
    id: i32,
    op: LdapOp,
) -> Vec<LdapOp> {
    connection.send(LdapMsg::new(id, op)).await.unwrap();
    let mut answers = Vec::new();
    while let Some(reply) = connection.next().await {
        let reply = reply.unwrap();
        assert_eq!(reply.msgid, id, "{reply:?}");
        let last = !matches!(reply.op, LdapOp::SearchResultEntry(_));
        answers.push(reply.op);
        if last {
            break;
        }
    }
    answers
}

/// The result code of a final answer.
pub fn code(op: &LdapOp) -> LdapResultCode {
    match op {
        LdapOp::BindResponse(r) => r.res.code.clone(),
        LdapOp::SearchResultDone(r) | LdapOp::ModifyResponse(r) | LdapOp::DelResponse(r) => {
            r.code.clone()
        }
        LdapOp::ExtendedResponse(r) => r.res.code.clone(),
        other => panic!("not a final answer: {other:?}"),
    }
}

/// A simple bind.
pub fn bind(user: &str, secret: &str) -> LdapOp {
    LdapOp::BindRequest(LdapBindRequest {
        version: 3,
        dn: user.into(),
        cred: LdapBindCred::Simple(secret.into()),
    })
}

/// A search under `base` with `scope`, for `attrs`.
pub fn search(base: &str, scope: LdapSearchScope, filter: LdapFilter, attrs: &[&str]) -> LdapOp {
    LdapOp::SearchRequest(LdapSearchRequest {
        base: base.into(),
        scope,
        aliases: LdapDerefAliases::Never,
        sizelimit: 0,
        timelimit: 0,
        typesonly: false,
        filter,
        attrs: attrs.iter().map(|a| (*a).to_owned()).collect(),
    })
}

/// A subtree search of the directory for the entry of `address`.
pub fn search_mail(address: &str) -> LdapOp {
    let filter = LdapFilter::Equality("mail".into(), address.into());
    search(BASE, LdapSearchScope::Subtree, filter, &["cn", "mail"])
}

/// The DNs of a search's entries.
pub fn dns(answers: &[LdapOp]) -> Vec<String> {
    answers
        .iter()
        .filter_map(|op| match op {
            LdapOp::SearchResultEntry(entry) => Some(entry.dn.clone()),
            _ => None,
        })
        .collect()
}
