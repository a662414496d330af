//! Change notices per mailbox, so an idling IMAP session learns of a delivery, a flag
//! change or an expunge as it is committed instead of polling. In one process a watch
//! channel per watched mailbox; across nodes sharing PostgreSQL, every change also
//! sends `NOTIFY caduceus_mailbox, '<id>'` in its transaction and each node's listener
//! relays what it hears to its own watchers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::model::MailboxId;

/// The PostgreSQL channel changes are announced on.
pub(crate) const CHANNEL: &str = "caduceus_mailbox";

/// Watchers by mailbox; cheap to clone.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChangeHub {
    watchers: Arc<Mutex<HashMap<i64, watch::Sender<u64>>>>,
}

impl ChangeHub {
    /// A receiver that changes whenever `mailbox` does.
    pub fn watch(&self, mailbox: MailboxId) -> watch::Receiver<u64> {
        let mut watchers = self.watchers.lock().expect("change hub lock");
        watchers
            .entry(mailbox.0)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    /// Tells the watchers of `mailbox`; forgets a mailbox nobody watches any more.
    pub fn touch(&self, mailbox: i64) {
        let mut watchers = self.watchers.lock().expect("change hub lock");
        if let Some(sender) = watchers.get(&mailbox) {
            if sender.receiver_count() == 0 {
                watchers.remove(&mailbox);
            } else {
                sender.send_modify(|n| *n = n.wrapping_add(1));
            }
        }
    }

    /// Tells every watcher to look again.
    fn touch_all(&self) {
        let ids: Vec<i64> = self
            .watchers
            .lock()
            .expect("change hub lock")
            .keys()
            .copied()
            .collect();
        for id in ids {
            self.touch(id);
        }
    }

    /// Relays the notices of other nodes sharing the PostgreSQL database at `url`,
    /// reconnecting after a failure.
    pub fn listen_postgres(&self, url: String) -> JoinHandle<()> {
        let hub = self.clone();
        tokio::spawn(async move {
            loop {
                match sqlx::postgres::PgListener::connect(&url).await {
                    Ok(mut listener) => {
                        if let Err(error) = listener.listen(CHANNEL).await {
                            tracing::warn!(%error, "cannot LISTEN for mailbox changes");
                        } else {
                            // Notices sent while no one listened are lost: have every
                            // watcher look again.
                            hub.touch_all();
                            while let Ok(notice) = listener.recv().await {
                                if let Ok(id) = notice.payload().parse::<i64>() {
                                    hub.touch(id);
                                }
                            }
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "cannot connect to LISTEN for mailbox changes")
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn watchers_see_their_mailbox_only_and_are_forgotten_when_gone() {
        let hub = ChangeHub::default();
        let mut one = hub.watch(MailboxId(1));
        let two = hub.watch(MailboxId(2));
        hub.touch(1);
        assert!(one.has_changed().unwrap());
        assert!(!two.has_changed().unwrap());
        one.mark_unchanged();
        drop(two);
        hub.touch(2);
        assert!(!hub.watchers.lock().unwrap().contains_key(&2));
        assert!(!one.has_changed().unwrap());
    }
}
