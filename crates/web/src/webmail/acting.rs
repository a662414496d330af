//! Acting for another mailbox in the webmail (ID-3, ID-7): a delegate opens the
//! organisational mailbox, a representative the patient's, at `/mail/as/{account}/…`
//! — the same pages as `/mail/…`, on the mailbox the address names. The choice lives
//! in the address only, never in the session: each request asks the service again
//! ([`caduceus_service::Service::authorize`], in [`super::WebUser`]'s extractor), so a
//! withdrawn delegation or an ended representation is refused at the next page
//! (traced `access.denied` by the service).

use axum::extract::Request;
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::Response;
use caduceus_service::mandates::{Basis, Mandate};
use caduceus_service::messages::MailboxAccess;
use caduceus_service::model::{Account, AccountId};

use super::i18n::Texts;

/// Where the pages acting for another mailbox live.
const PREFIX: &str = "/mail/as/";

/// The mailbox a request's address asks to act for (`/mail/as/{account}/…`).
#[derive(Clone, Copy, Debug)]
pub struct AsRequested(pub AccountId);

/// Routes `/mail/as/{account}/rest` as `/mail/rest`, the account named kept in the
/// request ([`AsRequested`]) for the user's extractor to have allowed by the
/// service. Runs before routing; anything else passes unchanged.
pub async fn rewrite(mut request: Request, next: Next) -> Response {
    if let Some((account, uri)) = split(request.uri()) {
        request.extensions_mut().insert(AsRequested(account));
        *request.uri_mut() = uri;
    }
    next.run(request).await
}

/// The account named by `/mail/as/{account}/rest` and the address `/mail/rest`.
fn split(uri: &Uri) -> Option<(AccountId, Uri)> {
    let after = uri.path().strip_prefix(PREFIX)?;
    let (id, rest) = after.split_once('/').unwrap_or((after, ""));
    let id: i64 = id.parse().ok()?;
    let mut path = format!("/mail/{rest}");
    if rest.is_empty() {
        path.pop();
    }
    if let Some(query) = uri.query() {
        path = format!("{path}?{query}");
    }
    Some((AccountId(id), path.parse().ok()?))
}

/// The root of the pages on `account`'s mailbox acting for it, or of one's own.
pub fn base(acting: Option<AccountId>) -> String {
    acting.map_or_else(|| "/mail".to_owned(), |id| format!("{PREFIX}{}", id.0))
}

/// The mailbox a user acts for in this request, as the service allowed it now.
pub struct Acting {
    /// The service's access to it, `acting_for` set (traced with the person).
    pub access: MailboxAccess,
    /// Whose mailbox it is.
    pub account: Account,
    /// Why the user may.
    pub basis: Basis,
}

/// A line of the mailbox switcher.
pub struct SwitchLink {
    /// The mailbox's inbox.
    pub href: String,
    /// Whose, and why the user may open it.
    pub label: String,
    /// Whether it is the one shown.
    pub current: bool,
}

/// The switcher of a user who acts for `acted_for`: their own mailbox first, then
/// each other; none for a user who acts for nobody.
pub fn switcher(
    t: &Texts,
    own: &Account,
    acted_for: &[Mandate],
    shown: AccountId,
) -> Vec<SwitchLink> {
    if acted_for.is_empty() {
        return Vec::new();
    }
    let link = |account: &Account, why: &str, acting: Option<AccountId>| SwitchLink {
        href: format!("{}/folder/INBOX", base(acting)),
        label: format!("{} ({why})", account.display_name),
        current: account.id == shown,
    };
    std::iter::once(link(own, t.boxes.own_mailbox, None))
        .chain(acted_for.iter().map(|a| {
            let why = match a.basis {
                Basis::Delegate => t.boxes.as_delegate,
                Basis::Representative => t.boxes.as_representative,
            };
            link(&a.account, why, Some(a.account.id))
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id3_an_address_acting_for_a_mailbox_routes_as_the_same_page() {
        let uri: Uri = "/mail/as/42/folder/INBOX?q=x".parse().unwrap();
        let (id, to) = split(&uri).unwrap();
        assert_eq!(
            (id, to.to_string()),
            (AccountId(42), "/mail/folder/INBOX?q=x".into())
        );
        let (_, to) = split(&"/mail/as/7".parse().unwrap()).unwrap();
        assert_eq!(to.path(), "/mail");
        assert!(split(&"/mail/as/x/folder/INBOX".parse().unwrap()).is_none());
        assert!(split(&"/mail/folder/INBOX".parse().unwrap()).is_none());
        assert_eq!(base(Some(AccountId(42))), "/mail/as/42");
        assert_eq!(base(None), "/mail");
    }
}
