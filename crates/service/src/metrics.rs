//! The figures an operator watches (through the `metrics` facade; `caduceus serve`
//! installs the Prometheus recorder): messages accepted and refused by reason,
//! delivery latency, logins by outcome. Labels are fixed codes — a path, a
//! requirement id, an outcome — never an address or anything from a message.

use std::time::Duration;

use caduceus_store::Delivered;

use crate::actor::{Actor, Caller};
use crate::error::ServiceError;

/// Messages accepted, by path (`submission`, `relay`, `local`).
pub const MESSAGES_ACCEPTED: &str = "caduceus_messages_accepted_total";
/// Messages (or recipients) refused, by path and reason (a requirement id, or
/// `unavailable`, `over_quota`, `error`).
pub const MESSAGES_REFUSED: &str = "caduceus_messages_refused_total";
/// Seconds from a message's policy checks to its durable storage, by path.
pub const DELIVERY_SECONDS: &str = "caduceus_delivery_seconds";
/// Login attempts by outcome (`success`, `failure`, `throttled`, `locked`).
pub const LOGINS: &str = "caduceus_logins_total";
/// Recipients waiting in the outbound queue (set when the metrics are read).
pub const QUEUE_DEPTH: &str = "caduceus_outbound_queue_depth";
/// Gauge: 1 when every message is scanned for viruses, 0 when the operator let the
/// server run without an antivirus (`antivirus.required = false`, MS-13).
pub const ANTIVIRUS_SCANNING: &str = "caduceus_antivirus_scanning";
/// Gauge: contents kept in the IMAP listing cache (set when the metrics are read).
pub const LISTING_CACHE_ENTRIES: &str = "caduceus_imap_listing_cache_entries";
/// Gauge: their weight in bytes, against `[imap] listing_cache_mb`.
pub const LISTING_CACHE_BYTES: &str = "caduceus_imap_listing_cache_bytes";
/// Seconds to answer an HTTP request, by route and status class.
pub const HTTP_SECONDS: &str = "caduceus_http_request_seconds";

fn path(caller: &Caller) -> &'static str {
    match caller.actor {
        Actor::Peer(_) => "relay",
        Actor::Account(_) => "submission",
        _ => "local",
    }
}

/// The reason label of a refusal.
fn reason(error: &ServiceError) -> &'static str {
    match error {
        ServiceError::Refused(refusal) => refusal.requirement.as_str(),
        ServiceError::RateLimited { .. } => "MS-13",
        ServiceError::Unavailable(_) => "unavailable",
        ServiceError::OverQuota(_) => "over_quota",
        _ => "error",
    }
}

/// Counts a delivery attempt's outcome and, when accepted, its latency.
pub(crate) fn delivery(
    caller: &Caller,
    result: &Result<Vec<Delivered>, ServiceError>,
    elapsed: Duration,
) {
    let path = path(caller);
    match result {
        Ok(_) => {
            metrics::counter!(MESSAGES_ACCEPTED, "path" => path).increment(1);
            metrics::histogram!(DELIVERY_SECONDS, "path" => path).record(elapsed.as_secs_f64());
        }
        Err(error) => refused(path, error),
    }
}

/// Counts a refusal on `path` (a recipient refused as it is named counts too).
pub(crate) fn refused(path: &'static str, error: &ServiceError) {
    metrics::counter!(MESSAGES_REFUSED, "path" => path, "reason" => reason(error)).increment(1);
}

/// Counts a login attempt's outcome.
pub(crate) fn login(outcome: &'static str) {
    metrics::counter!(LOGINS, "outcome" => outcome).increment(1);
}
