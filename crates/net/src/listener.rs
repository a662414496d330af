//! The accept loop: one task per admitted connection, a refusal for one over a cap,
//! a failed accept retried, and a stop that drains within a deadline.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{debug, info, warn};

use crate::caps::{Caps, Over, Sources};

/// Connection ids, unique in the process (logs, SMTP `Received:` headers).
static CONNECTIONS: AtomicU64 = AtomicU64::new(1);

/// How long the loop waits after a failed accept before the next one: a listener
/// out of file descriptors would otherwise spin.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Where connections come from: a listening socket, or a test's stand-in that can
/// fail on demand.
pub trait Incoming: Send {
    /// One accepted connection.
    type Conn: Send + 'static;
    /// The next connection and its peer's address.
    fn accept(&mut self) -> impl Future<Output = io::Result<(Self::Conn, SocketAddr)>> + Send;
}

impl Incoming for TcpListener {
    type Conn = TcpStream;

    async fn accept(&mut self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, peer) = TcpListener::accept(self).await?;
        // Replies are small and each one is awaited: no Nagle delay.
        let _ = stream.set_nodelay(true);
        Ok((stream, peer))
    }
}

/// Serves `incoming` until `stop` turns `true`.
///
/// Each connection admitted under `caps` runs `run(connection, peer, id)` in a task
/// of its own, holding its place under the caps until it ends. A connection over a
/// cap runs `refuse(connection, peer, over)` instead (the front end's `421` or
/// `BYE`; it should be short). A failed accept is logged and retried after
/// [`ACCEPT_BACKOFF`]: it never ends the listener.
///
/// On stop the listener stops accepting and waits for its connections, which
/// receive the same `stop` and end themselves (an idle session at once, a busy one
/// after its command); those still open after [`Caps::shutdown`] are cut. Returns
/// once no connection is left. A closed `stop` channel (its sender dropped) never
/// stops the listener.
pub async fn serve<L, Run, Session, Refuse, Refusal>(
    mut incoming: L,
    kind: &'static str,
    caps: &Caps,
    mut stop: watch::Receiver<bool>,
    mut run: Run,
    refuse: Refuse,
) where
    L: Incoming,
    Run: FnMut(L::Conn, SocketAddr, u64) -> Session,
    Session: Future<Output = ()> + Send + 'static,
    Refuse: Fn(L::Conn, SocketAddr, Over) -> Refusal,
    Refusal: Future<Output = ()> + Send + 'static,
{
    let sources = Sources::new(caps);
    let mut sessions = JoinSet::new();
    info!(kind, "listener started");
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            Some(ended) = sessions.join_next(), if !sessions.is_empty() => {
                if let Err(error) = ended
                    && error.is_panic()
                {
                    warn!(kind, %error, "a connection task failed");
                }
            }
            accepted = incoming.accept() => match accepted {
                Ok((connection, peer)) => match sources.admit(peer.ip()) {
                    Ok(slot) => {
                        let id = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
                        let session = run(connection, peer, id);
                        sessions.spawn(async move {
                            session.await;
                            drop(slot);
                        });
                    }
                    Err(over) => {
                        debug!(kind, %peer, ?over, "connection refused: over the cap");
                        sessions.spawn(refuse(connection, peer, over));
                    }
                },
                Err(error) => {
                    // Out of file descriptors, a connection reset before it was
                    // accepted…: wait a little rather than spin, then go on.
                    warn!(kind, %error, "accept failed; retrying");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
        }
    }
    drop(incoming);
    info!(kind, open = sessions.len(), "listener stopping");
    let drained = tokio::time::timeout(caps.shutdown, async {
        while sessions.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        warn!(
            kind,
            open = sessions.len(),
            "connections still open at the shutdown deadline; cut"
        );
        sessions.shutdown().await;
    }
    info!(kind, "listener stopped");
}

/// Resolves once `stop` holds `true`; never if its sender is gone.
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|stopping| *stopping).await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    use tokio::sync::mpsc;

    use super::*;

    /// Connections from a script: each entry an accept's outcome, then nothing.
    struct Scripted(VecDeque<io::Result<(u32, SocketAddr)>>);

    impl Incoming for Scripted {
        type Conn = u32;

        async fn accept(&mut self) -> io::Result<(u32, SocketAddr)> {
            match self.0.pop_front() {
                Some(outcome) => outcome,
                None => std::future::pending().await,
            }
        }
    }

    fn peer(last: u8) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, last], 40000))
    }

    fn caps(per_source: usize) -> Caps {
        Caps {
            per_listener: 100,
            per_source,
            shutdown: Duration::from_secs(5),
        }
    }

    #[tokio::test]
    async fn au3_failed_accepts_emfile_enfile_aborted_do_not_end_the_listener() {
        let script = Scripted(VecDeque::from([
            Err(io::Error::from_raw_os_error(24)), // EMFILE
            Err(io::Error::from(io::ErrorKind::ConnectionAborted)),
            Ok((1, peer(1))),
            Err(io::Error::from_raw_os_error(23)), // ENFILE
            Ok((2, peer(1))),
        ]));
        let (served_tx, mut served) = mpsc::unbounded_channel();
        let (stop_tx, stop) = watch::channel(false);
        let listener = tokio::spawn(async move {
            serve(
                script,
                "test",
                &caps(10),
                stop,
                move |connection, _, _| {
                    let served = served_tx.clone();
                    async move {
                        let _ = served.send(connection);
                    }
                },
                |_, _, _| async {},
            )
            .await;
        });
        assert_eq!(served.recv().await, Some(1));
        assert_eq!(served.recv().await, Some(2));
        stop_tx.send(true).unwrap();
        listener.await.unwrap();
    }

    #[tokio::test]
    async fn au3_a_source_over_its_cap_is_refused_and_the_stop_cuts_what_is_left_at_the_deadline() {
        let script = Scripted(VecDeque::from([
            Ok((1, peer(1))),
            Ok((2, peer(1))),
            Ok((3, peer(2))),
        ]));
        let refused = Arc::new(Mutex::new(Vec::new()));
        let (started_tx, mut started) = mpsc::unbounded_channel();
        let (stop_tx, stop) = watch::channel(false);
        let refusals = refused.clone();
        let mut caps = caps(1);
        caps.shutdown = Duration::from_millis(10);
        let listener = tokio::spawn(async move {
            serve(
                script,
                "test",
                &caps,
                stop,
                move |connection, _, _| {
                    let started = started_tx.clone();
                    async move {
                        let _ = started.send(connection);
                        // A connection that never ends by itself.
                        std::future::pending::<()>().await;
                    }
                },
                move |connection, _, over| {
                    refusals.lock().unwrap().push((connection, over));
                    async {}
                },
            )
            .await;
        });
        assert_eq!(started.recv().await, Some(1));
        assert_eq!(started.recv().await, Some(3));
        assert_eq!(*refused.lock().unwrap(), [(2, Over::Source)]);
        stop_tx.send(true).unwrap();
        // Returns although both connections would never end: cut at the deadline.
        listener.await.unwrap();
    }
}
