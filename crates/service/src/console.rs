//! The `caduceus` command's own login (AC-2, TR-1; seed 000 art. 2-3 and art. 4:
//! administrators are identified physical persons whose actions are traced, acting
//! within their missions).
//!
//! Every administrative command runs for a named member of the operator's staff who
//! authenticated: `caduceus login <address>` proves a strong login (password and a
//! one-time code) of an active account holding a staff role and opens a console
//! session; each later command presents its token and acts under the least powerful
//! of the person's roles that holds the command's duty, traced `op:<role>:acct:<n>`
//! from `cli` (the person and their function). No one holds a staff role in a new
//! data directory: until the first role is granted, the commands run as the
//! *bootstrap operator*, named by `--operator`, to create the first administrator;
//! from then on a command without a session is refused, and the refusal traced.

use caduceus_audit::{Marker, Object, OperatorName};
use caduceus_core::{Duty, Requirement, SecretString};

use crate::Service;
use crate::actor::{Caller, Desk};
use crate::auth::Authenticated;
use crate::error::{Result, ServiceError};

/// The source console sessions and their actions are traced from.
pub const CONSOLE_SOURCE: &str = "cli";

/// How a `caduceus` command says who runs it.
#[derive(Clone, Debug)]
pub enum ConsoleLogin {
    /// A console session opened by [`Service::console_login`].
    Session(SecretString),
    /// No session: the bootstrap operator, accepted only while no one holds a staff
    /// role, named for the trace.
    Bootstrap(OperatorName),
}

impl Service {
    /// Opens a console session for `login` (made from [`CONSOLE_SOURCE`]) and returns
    /// its token, shown once: only for a strong login of a person holding a staff
    /// role (AC-1, AC-2); anyone else is refused, and traced. The session ends like a
    /// web session (idle, lifetime, account no longer active, `caduceus logout`).
    pub async fn console_login(&self, login: &Authenticated) -> Result<SecretString> {
        if self.staff_roles(login.account().id).await?.is_empty() {
            let object = Object::of(Marker::OperatorDuty);
            self.trace_denied(&login.caller(), object, Requirement::Ac2)
                .await?;
            return Err(ServiceError::Denied {
                requirement: Requirement::Ac2,
                reason: "the command line is for the operator's staff: this account holds \
                         no staff role"
                    .into(),
            });
        }
        self.open_session(login).await
    }

    /// The caller a `caduceus` command acts as for `duty` (AC-1, AC-2, TR-1): the
    /// session's staff member under the least powerful of their roles that holds
    /// `duty`, or the bootstrap operator while no one holds a staff role. Refused,
    /// and traced, otherwise.
    pub async fn console_caller(&self, login: &ConsoleLogin, duty: Duty) -> Result<Caller> {
        match login {
            ConsoleLogin::Session(token) => {
                let login = self.session(token, CONSOLE_SOURCE).await?;
                self.staff_for_at(&login, duty, Desk::CommandLine).await
            }
            ConsoleLogin::Bootstrap(name) => {
                let caller = Caller::operator(name.clone());
                if self.store.staff_members().await? == 0 {
                    return Ok(caller);
                }
                let object = Object::of(Marker::OperatorDuty);
                self.trace_denied(&caller, object, Requirement::Ac2).await?;
                Err(ServiceError::Denied {
                    requirement: Requirement::Ac2,
                    reason: "administrative commands run for a staff member who logged in: \
                             `caduceus login <address>`, then CADUCEUS_SESSION=<token>"
                        .into(),
                })
            }
        }
    }

    /// Ends the console session `token` (`caduceus logout`).
    pub async fn console_logout(&self, token: &SecretString) -> Result<()> {
        let login = self.session(token, CONSOLE_SOURCE).await?;
        self.close_session(token, &login).await
    }
}
