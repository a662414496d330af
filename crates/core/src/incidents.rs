//! Incident detectors over the trace (TR-3), as pure functions of trace facts and
//! thresholds: brute force on an account, credential stuffing from a source, unusual
//! reading volume, administrative actions outside working hours, a fan-out of mail to
//! many recipients across messages (MS-12), many refused accesses (AC-1).

use std::collections::{BTreeMap, BTreeSet};

/// What a detector sees of one trace entry (ids only, TR-5).
#[derive(Clone, Copy, Debug)]
pub struct TraceFact<'a> {
    /// When, in milliseconds since the epoch (UTC).
    pub at_ms: i64,
    /// Who: `acct:N`, `op:NAME`, `system`, `peer:DOMAIN`.
    pub actor: &'a str,
    /// The action code, such as `auth.failure`.
    pub action: &'a str,
    /// The object, such as `acct:N`.
    pub object: &'a str,
    /// Where from (`ip:port`), if known.
    pub source: Option<&'a str>,
}

/// The detectors' thresholds (`[incidents]` in the configuration).
#[derive(Clone, Debug, PartialEq)]
pub struct Thresholds {
    /// Failed logins on one account within a run's window that make a brute force.
    pub failures_per_account: usize,
    /// Distinct accounts failing from one source that make credential stuffing.
    pub accounts_per_source: usize,
    /// Reads in a day above `volume_factor` × the account's daily average…
    pub volume_factor: f64,
    /// …and above this floor, make unusual volume.
    pub volume_min: u64,
    /// Working hours for administrative actions, UTC: from this hour…
    pub work_start_hour: u32,
    /// …to this hour (exclusive), Monday to Friday.
    pub work_end_hour: u32,
    /// Recipients one account sends to within a run's window (every message
    /// together) that make a fan-out (MS-12): below the hourly cap on messages, above
    /// what a practice sends.
    pub recipients_per_account: usize,
    /// Refused accesses (`access.denied`) of one actor within a run's window that make
    /// probing (AC-1).
    pub refusals_per_actor: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            failures_per_account: 20,
            accounts_per_source: 10,
            volume_factor: 5.0,
            volume_min: 500,
            work_start_hour: 7,
            work_end_hour: 20,
            recipients_per_account: 100,
            refusals_per_actor: 20,
        }
    }
}

/// What a detector found (TR-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IncidentKind {
    /// Many failed logins on one account.
    BruteForce,
    /// Failed logins on many accounts from one source.
    CredentialStuffing,
    /// An account reading far more than usual.
    UnusualVolume,
    /// Administrative actions outside working hours.
    AdminOffHours,
    /// Mail to many recipients across messages in a short time (MS-12).
    FanOut,
    /// Many refused accesses to others' data (AC-1).
    RefusedAccesses,
    /// A personal-data breach not notified 72 hours after its detection (TR-6).
    BreachOverdue,
}

impl IncidentKind {
    /// The stable code: `incident.brute_force`, `incident.credential_stuffing`,
    /// `incident.unusual_volume`, `incident.admin_off_hours`, `incident.fan_out`,
    /// `incident.refused_accesses`, `incident.breach_overdue`.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::BruteForce => "incident.brute_force",
            IncidentKind::CredentialStuffing => "incident.credential_stuffing",
            IncidentKind::UnusualVolume => "incident.unusual_volume",
            IncidentKind::AdminOffHours => "incident.admin_off_hours",
            IncidentKind::FanOut => "incident.fan_out",
            IncidentKind::RefusedAccesses => "incident.refused_accesses",
            IncidentKind::BreachOverdue => "incident.breach_overdue",
        }
    }

    /// What [`Incident::count`] counts: `failures`, `accounts`, `reads`, `actions`,
    /// `recipients`, `refusals`, `hours` (late).
    pub fn counts(self) -> &'static str {
        match self {
            IncidentKind::BruteForce => "failures",
            IncidentKind::CredentialStuffing => "accounts",
            IncidentKind::UnusualVolume => "reads",
            IncidentKind::AdminOffHours => "actions",
            IncidentKind::FanOut => "recipients",
            IncidentKind::RefusedAccesses => "refusals",
            IncidentKind::BreachOverdue => "hours",
        }
    }
}

/// An incident to raise: its kind, who or what it concerns, how many (ids only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    /// What was found.
    pub kind: IncidentKind,
    /// `acct:N`, `ip:ADDRESS` or `op:NAME`.
    pub subject: String,
    /// How many of what [`IncidentKind::counts`] names.
    pub count: u64,
}

impl Incident {
    /// The figure as a `key:value` token, such as `failures:20`.
    pub fn detail(&self) -> String {
        format!("{}:{}", self.kind.counts(), self.count)
    }
}

/// The address of a `source` without its port.
fn host(source: &str) -> &str {
    match source.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => {
            host.trim_matches(['[', ']'])
        }
        _ => source,
    }
}

/// Many failed logins on one account (brute force).
pub fn brute_force(facts: &[TraceFact<'_>], t: &Thresholds) -> Vec<Incident> {
    let mut per_account: BTreeMap<&str, usize> = BTreeMap::new();
    for f in facts
        .iter()
        .filter(|f| f.action == "auth.failure" && f.object.starts_with("acct:"))
    {
        *per_account.entry(f.object).or_default() += 1;
    }
    per_account
        .into_iter()
        .filter(|(_, n)| *n >= t.failures_per_account)
        .map(|(account, n)| Incident {
            kind: IncidentKind::BruteForce,
            subject: account.to_owned(),
            count: n as u64,
        })
        .collect()
}

/// Failed logins on many accounts from one source (credential stuffing).
pub fn credential_stuffing(facts: &[TraceFact<'_>], t: &Thresholds) -> Vec<Incident> {
    let mut per_source: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for f in facts.iter().filter(|f| f.action == "auth.failure") {
        if let Some(source) = f.source {
            per_source.entry(host(source)).or_default().insert(f.object);
        }
    }
    per_source
        .into_iter()
        .filter(|(_, accounts)| accounts.len() >= t.accounts_per_source)
        .map(|(source, accounts)| Incident {
            kind: IncidentKind::CredentialStuffing,
            subject: format!("ip:{source}"),
            count: accounts.len() as u64,
        })
        .collect()
}

/// An account reading far more than usual: `today` is each actor's reads over the
/// last day, `baseline` their average reads per day before.
pub fn unusual_volume(
    today: &[(String, u64)],
    baseline: &[(String, f64)],
    t: &Thresholds,
) -> Vec<Incident> {
    let usual: BTreeMap<&str, f64> = baseline.iter().map(|(a, n)| (a.as_str(), *n)).collect();
    today
        .iter()
        .filter(|(actor, reads)| {
            let average = usual.get(actor.as_str()).copied().unwrap_or(0.0);
            *reads >= t.volume_min && (*reads as f64) > t.volume_factor * average.max(1.0)
        })
        .map(|(actor, reads)| Incident {
            kind: IncidentKind::UnusualVolume,
            subject: actor.clone(),
            count: *reads,
        })
        .collect()
}

/// Per actor, the facts whose action is one of `actions`, when they reach `at_least`,
/// as incidents of `kind`.
fn per_actor(
    facts: &[TraceFact<'_>],
    actions: &[&str],
    at_least: usize,
    kind: IncidentKind,
) -> Vec<Incident> {
    let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
    for f in facts.iter().filter(|f| actions.contains(&f.action)) {
        *counted.entry(f.actor).or_default() += 1;
    }
    counted
        .into_iter()
        .filter(|(_, n)| *n >= at_least)
        .map(|(actor, n)| Incident {
            kind,
            subject: actor.to_owned(),
            count: n as u64,
        })
        .collect()
}

/// An account sending to many recipients across messages (MS-12): each recipient is
/// one trace of its delivery (`message.deliver`, local) or of its queueing
/// (`message.submit`, at another operator). Only accounts: a peer operator's relay and
/// the system's notices are not people sending.
pub fn fan_out(facts: &[TraceFact<'_>], t: &Thresholds) -> Vec<Incident> {
    let actions = ["message.deliver", "message.submit"];
    let mut found = per_actor(
        facts,
        &actions,
        t.recipients_per_account,
        IncidentKind::FanOut,
    );
    found.retain(|i| i.subject.starts_with("acct:"));
    found
}

/// An actor refused again and again on others' data (`access.denied`, AC-1).
pub fn refused_accesses(facts: &[TraceFact<'_>], t: &Thresholds) -> Vec<Incident> {
    let kind = IncidentKind::RefusedAccesses;
    per_actor(facts, &["access.denied"], t.refusals_per_actor, kind)
}

/// Administrative actions outside working hours (weekends, or outside the hours).
pub fn admin_off_hours(facts: &[TraceFact<'_>], t: &Thresholds) -> Vec<Incident> {
    let mut per_operator: BTreeMap<&str, usize> = BTreeMap::new();
    for f in facts.iter().filter(|f| f.actor.starts_with("op:")) {
        let Some(at) = time::OffsetDateTime::from_unix_timestamp(f.at_ms.div_euclid(1000)).ok()
        else {
            continue;
        };
        let weekend = matches!(
            at.weekday(),
            time::Weekday::Saturday | time::Weekday::Sunday
        );
        let hour = u32::from(at.hour());
        if weekend || hour < t.work_start_hour || hour >= t.work_end_hour {
            *per_operator.entry(f.actor).or_default() += 1;
        }
    }
    per_operator
        .into_iter()
        .map(|(operator, n)| Incident {
            kind: IncidentKind::AdminOffHours,
            subject: operator.to_owned(),
            count: n as u64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Monday 2026-11-23 10:00 UTC.
    const MONDAY_10H: i64 = 1_795_428_000_000;
    const HOUR: i64 = 3_600_000;

    fn fact<'a>(action: &'a str, object: &'a str, source: &'a str) -> TraceFact<'a> {
        TraceFact {
            at_ms: MONDAY_10H,
            actor: "system",
            action,
            object,
            source: Some(source),
        }
    }

    #[test]
    fn tr3_brute_force_fires_at_the_threshold_only() {
        let t = Thresholds::default();
        let attack: Vec<_> = (0..20)
            .map(|_| fact("auth.failure", "acct:7", "203.0.113.5:4000"))
            .collect();
        let found = brute_force(&attack, &t);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, IncidentKind::BruteForce);
        assert_eq!(found[0].detail(), "failures:20");
        assert_eq!(brute_force(&attack[..19], &t), []);
        let quiet = [
            fact("auth.success", "acct:7", "x:1"),
            fact("auth.failure", "acct:7", "x:1"),
        ];
        assert_eq!(brute_force(&quiet, &t), []);
    }

    fn by<'a>(actor: &'a str, action: &'a str) -> TraceFact<'a> {
        TraceFact {
            actor,
            ..fact(action, "acct:1", "x:1")
        }
    }

    #[test]
    fn ms12_tr3_a_fan_out_across_messages_is_an_incident_before_any_cap() {
        let t = Thresholds::default();
        // 100 recipients: 60 here, 40 at other operators, in 5 messages of 20.
        let mut sent: Vec<_> = (0..60).map(|_| by("acct:3", "message.deliver")).collect();
        sent.extend((0..40).map(|_| by("acct:3", "message.submit")));
        let found = fan_out(&sent, &t);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].subject.as_str(), found[0].count), ("acct:3", 100));
        assert_eq!(found[0].detail(), "recipients:100");
        assert_eq!(fan_out(&sent[..99], &t), []);
        // A peer's relay and the system's notices are no one sending.
        let relayed: Vec<_> = (0..200)
            .map(|n| {
                by(
                    if n % 2 == 0 { "peer:x.test" } else { "system" },
                    "message.deliver",
                )
            })
            .collect();
        assert_eq!(fan_out(&relayed, &t), []);
    }

    #[test]
    fn ac1_tr3_refused_accesses_are_counted_per_actor() {
        let t = Thresholds::default();
        let probing: Vec<_> = (0..20).map(|_| by("acct:9", "access.denied")).collect();
        let found = refused_accesses(&probing, &t);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind.as_str(), "incident.refused_accesses");
        assert_eq!(refused_accesses(&probing[..19], &t), []);
    }

    #[test]
    fn tr3_credential_stuffing_counts_accounts_per_source_not_ports() {
        let t = Thresholds::default();
        let objects: Vec<String> = (0..10).map(|n| format!("acct:{n}")).collect();
        let ports: Vec<String> = (0..10)
            .map(|n| format!("203.0.113.5:{}", 4000 + n))
            .collect();
        let attack: Vec<_> = (0..10)
            .map(|n| fact("auth.failure", &objects[n], &ports[n]))
            .collect();
        let found = credential_stuffing(&attack, &t);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "ip:203.0.113.5");
        // The same account many times is not stuffing.
        let one: Vec<_> = (0..10)
            .map(|n| fact("auth.failure", "acct:1", &ports[n]))
            .collect();
        assert_eq!(credential_stuffing(&one, &t), []);
    }

    #[test]
    fn tr3_unusual_volume_needs_both_the_factor_and_the_floor() {
        let t = Thresholds::default();
        let baseline = vec![("acct:1".to_owned(), 200.0), ("acct:2".to_owned(), 10.0)];
        let today = vec![
            ("acct:1".to_owned(), 900),
            ("acct:2".to_owned(), 400),
            ("acct:3".to_owned(), 600),
        ];
        let found: Vec<String> = unusual_volume(&today, &baseline, &t)
            .into_iter()
            .map(|i| i.subject)
            .collect();
        // acct:1: under 5x its usual; acct:2: under the floor; acct:3: no history.
        assert_eq!(found, ["acct:3"]);
        assert_eq!(
            unusual_volume(&[("acct:1".into(), 1001)], &baseline, &t).len(),
            1
        );
    }

    #[test]
    fn tr3_admin_actions_outside_working_hours() {
        let t = Thresholds::default();
        let at = |ms: i64, actor| TraceFact {
            at_ms: ms,
            actor,
            action: "account.create",
            object: "acct:1",
            source: None,
        };
        let facts = [
            at(MONDAY_10H, "op:ra"),
            at(MONDAY_10H + 12 * HOUR, "op:night"),
            at(MONDAY_10H + 5 * 24 * HOUR, "op:weekend"),
            at(MONDAY_10H + 12 * HOUR, "acct:5"),
        ];
        let found: Vec<String> = admin_off_hours(&facts, &t)
            .into_iter()
            .map(|i| i.subject)
            .collect();
        assert_eq!(found, ["op:night", "op:weekend"]);
    }
}
