//! How many connections a listener serves at once, in all and per source address,
//! and how long it gives them on stop.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The bounds of one listener. [`Caps::default`] is fit for production.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caps {
    /// Connections served at once by the listener; one more is refused.
    pub per_listener: usize,
    /// Connections served at once for one source (an IPv4 address, an IPv6 /64); one
    /// more is refused, so that one client cannot take the whole listener. Clients
    /// behind one NAT share it: set it to what such a site needs.
    pub per_source: usize,
    /// On stop, how long open connections have to finish; then they are cut.
    pub shutdown: Duration,
}

impl Default for Caps {
    /// 1000 connections, 500 per source, 10 seconds to finish on stop.
    fn default() -> Self {
        Self {
            per_listener: 1000,
            per_source: 500,
            shutdown: Duration::from_secs(10),
        }
    }
}

/// Which cap a refused connection is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Over {
    /// The listener serves [`Caps::per_listener`] connections already.
    Listener,
    /// Its source has [`Caps::per_source`] connections open already.
    Source,
}

/// The connections open per source, shared by a listener's connections.
#[derive(Debug)]
pub struct Sources {
    limit: usize,
    listener: Arc<Semaphore>,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl Sources {
    /// Counts for a listener bounded by `caps`.
    pub fn new(caps: &Caps) -> Arc<Self> {
        Arc::new(Self {
            limit: caps.per_source,
            listener: Arc::new(Semaphore::new(caps.per_listener)),
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A slot for one more connection from `address`, or the cap it is over.
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Result<Slot, Over> {
        let source = source_of(address);
        let permit = self
            .listener
            .clone()
            .try_acquire_owned()
            .map_err(|_| Over::Listener)?;
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(source).or_insert(0);
        if *count >= self.limit {
            return Err(Over::Source);
        }
        *count += 1;
        Ok(Slot {
            sources: self.clone(),
            source,
            _permit: permit,
        })
    }
}

/// One admitted connection's place under the caps, given back when dropped.
#[derive(Debug)]
pub struct Slot {
    sources: Arc<Sources>,
    source: IpAddr,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .sources
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.source) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.source);
            }
        }
    }
}

/// What a connection is counted under: its IPv4 address (an IPv4-mapped IPv6 one as
/// IPv4), or its IPv6 /64, the smallest network a site is usually given.
fn source_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(per_listener: usize, per_source: usize) -> Caps {
        Caps {
            per_listener,
            per_source,
            shutdown: Duration::from_secs(1),
        }
    }

    #[test]
    fn au3_a_source_over_its_cap_is_refused_while_others_are_served() {
        let sources = Sources::new(&caps(10, 2));
        let one: IpAddr = "127.0.0.1".parse().unwrap();
        let two: IpAddr = "127.0.0.2".parse().unwrap();
        let first = sources.admit(one).unwrap();
        let _second = sources.admit(one).unwrap();
        assert_eq!(sources.admit(one).unwrap_err(), Over::Source);
        let _other = sources.admit(two).unwrap();
        drop(first);
        assert!(
            sources.admit(one).is_ok(),
            "a slot given back is free again"
        );
    }

    #[test]
    fn au3_the_listener_cap_holds_whatever_the_sources() {
        let sources = Sources::new(&caps(2, 5));
        let _a = sources.admit("10.0.0.1".parse().unwrap()).unwrap();
        let _b = sources.admit("10.0.0.2".parse().unwrap()).unwrap();
        let refused = sources.admit("10.0.0.3".parse().unwrap()).unwrap_err();
        assert_eq!(refused, Over::Listener);
        let open = sources.open.lock().unwrap();
        assert!(!open.contains_key(&"10.0.0.3".parse::<IpAddr>().unwrap()));
    }

    #[test]
    fn au3_an_ipv6_64_is_one_source_and_a_mapped_ipv4_is_its_address() {
        let sources = Sources::new(&caps(10, 1));
        let _a = sources.admit("2001:db8::1".parse().unwrap()).unwrap();
        let refused = sources.admit("2001:db8::ffff:2".parse().unwrap());
        assert_eq!(refused.unwrap_err(), Over::Source);
        let _v4 = sources.admit("192.0.2.1".parse().unwrap()).unwrap();
        let mapped = sources.admit("::ffff:192.0.2.1".parse().unwrap());
        assert_eq!(mapped.unwrap_err(), Over::Source);
    }
}
