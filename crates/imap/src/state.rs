//! The protocol states of RFC 9051 §3 as types: not authenticated, authenticated
//! (a [`Login`]), selected (a login and a [`Selected`] mailbox).
//!
//! A command is handed what its state holds, moved out of the session for the
//! time it runs ([`State::take`]): commands of the authenticated state get the
//! login, those of the selected state the selected mailbox as well, so none can run
//! without it; a command ends by putting the state back, changed or not
//! ([`State::after`]).

use std::time::Instant;

use caduceus_service::auth::Authenticated;
use caduceus_service::messages::MailboxAccess;

use crate::selected::Selected;

/// A logged-in user and the mailbox access their login grants.
pub(crate) struct Login {
    /// Who logged in, and how.
    pub auth: Authenticated,
    /// Their own mailboxes.
    pub access: MailboxAccess,
    /// When they logged in ([`crate::Limits::max_login`]).
    pub since: Instant,
    /// When the service last said the login still holds.
    pub checked: Instant,
}

/// Where a session is (RFC 9051 §3).
#[derive(Default)]
pub(crate) enum State {
    /// Before a login (§3.1): CAPABILITY, NOOP, LOGOUT, STARTTLS, LOGIN,
    /// AUTHENTICATE. Also what the session holds while a command runs with its
    /// state moved out.
    #[default]
    NotAuthenticated,
    /// Logged in, no mailbox selected (§3.2).
    Authenticated(Login),
    /// Logged in with a mailbox selected (§3.3); boxed, the snapshot being the
    /// larger part.
    Selected(Login, Box<Selected>),
}

impl State {
    /// The state after a command that was handed `login` and `selected`: the
    /// selected state while a mailbox is still selected, else the authenticated
    /// one (a mailbox whose folder was deleted elsewhere is closed).
    pub fn after(login: Login, selected: Option<Selected>) -> State {
        match selected.filter(|s| !s.closed) {
            Some(selected) => State::Selected(login, Box::new(selected)),
            None => State::Authenticated(login),
        }
    }

    /// Moves the state out, leaving [`State::NotAuthenticated`] until it is put back.
    pub fn take(&mut self) -> State {
        std::mem::take(self)
    }

    /// The login, when logged in.
    pub fn login(&self) -> Option<&Login> {
        match self {
            State::NotAuthenticated => None,
            State::Authenticated(login) | State::Selected(login, _) => Some(login),
        }
    }

    /// The login, to record a check of it.
    pub fn login_mut(&mut self) -> Option<&mut Login> {
        match self {
            State::NotAuthenticated => None,
            State::Authenticated(login) | State::Selected(login, _) => Some(login),
        }
    }

    /// The selected mailbox, when one is.
    pub fn selected(&self) -> Option<&Selected> {
        match self {
            State::Selected(_, selected) => Some(selected),
            _ => None,
        }
    }

    /// Whether a user is logged in.
    pub fn logged_in(&self) -> bool {
        self.login().is_some()
    }
}
