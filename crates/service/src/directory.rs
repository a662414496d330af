//! The directory (ID-4): importing the national extracts (with their difference on
//! re-import), searching it, its FHIR shape, and each holder's choices.
//!
//! Imports read the extracts with `caduceus-core`'s header-mapped reader; every
//! invalid line is reported with its number and reason. When an extract has invalid
//! lines, removals are withheld: an entry is never deleted because its line was
//! corrupted.

use std::collections::HashMap;

use caduceus_audit::{Action, Counter, Detail, DirectoryPart, Fact, Id, Object};
use caduceus_core::directory::reconcile::{Listed, Reconciliation, reconcile};
use caduceus_core::directory::{
    Changes, Coded, DirectoryEntry, EntryParts, ExtractHeader, Fingerprint, Keyed, LineError,
    MailboxEntry, MailboxHeader, MailboxKind, PersonActivity, PersonActivityHeader,
    PersonActivityKey, SearchQuery, StructureRef, diff, fold, is_blank,
};
use caduceus_core::{MailAddress, NationalId};
use caduceus_store::{
    AccountId, DirectoryChanges, DirectoryPerson, DirectoryPreferences, DirectoryQuery,
    DirectoryRow, SearchKeys,
};

use crate::Service;
use crate::actor::Caller;
use crate::error::{Result, ServiceError};

/// Most entries one search returns.
pub const MAX_RESULTS: i64 = 200;

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Lines read (header excluded, blank lines skipped).
    pub lines: usize,
    /// Records added.
    pub added: usize,
    /// Records changed.
    pub changed: usize,
    /// Records removed (gone from the extract).
    pub removed: usize,
    /// Records unchanged.
    pub unchanged: usize,
    /// Removals not applied because some lines were invalid.
    pub removals_withheld: usize,
    /// Keys seen twice; the first line counted.
    pub duplicates: usize,
    /// Invalid lines, with their number and reason; never silently dropped.
    pub errors: Vec<LineError>,
    /// Professional accounts closed because their holder left the register (RT-2).
    pub closed: usize,
    /// For the mailbox extract: its entries of this operator's domain read against the
    /// operator's active mailboxes (seed 004 §7.4).
    pub reconciliation: Option<Reconciliation>,
}

/// Reads an extract: the valid records and the invalid lines.
fn read<H: ExtractHeader>(text: &str) -> Result<(usize, Vec<H::Record>, Vec<LineError>)> {
    let mut lines = text.lines().enumerate();
    let header = lines
        .by_ref()
        .find(|(_, l)| !is_blank(l))
        .map(|(_, l)| H::parse(l))
        .ok_or_else(|| ServiceError::Invalid("the extract is empty".into()))?
        .map_err(|e| ServiceError::Invalid(format!("extract header: {e}")))?;
    let (mut count, mut records, mut errors) = (0, Vec::new(), Vec::new());
    for (index, line) in lines.filter(|(_, l)| !is_blank(l)) {
        count += 1;
        match header.parse_line(index + 1, line) {
            Ok(record) => records.push(record),
            Err(error) => errors.push(error),
        }
    }
    Ok((count, records, errors))
}

fn fingerprints<K: std::hash::Hash + Eq>(
    stored: Vec<(String, Vec<u8>)>,
    key: impl Fn(&str) -> Option<K>,
) -> Vec<(K, Fingerprint)> {
    stored
        .into_iter()
        .filter_map(|(k, f)| {
            Some((
                key(&k)?,
                Fingerprint::from_bytes(f.as_slice().try_into().ok()?),
            ))
        })
        .collect()
}

fn report<R: Keyed>(lines: usize, changes: &Changes<R>, errors: Vec<LineError>) -> ImportReport {
    let withheld = !errors.is_empty();
    ImportReport {
        lines,
        added: changes.added.len(),
        changed: changes.changed.len(),
        removed: if withheld { 0 } else { changes.removed.len() },
        unchanged: changes.unchanged,
        removals_withheld: if withheld { changes.removed.len() } else { 0 },
        duplicates: changes.duplicates.len(),
        errors,
        closed: 0,
        reconciliation: None,
    }
}

/// The stored row of a directory entry, with its folded search keys.
fn row_of(entry: &DirectoryEntry, fingerprint: &Fingerprint) -> DirectoryRow {
    let p = entry.parts();
    let coded = |c: &Option<Coded>| c.as_ref().map(|c| fold(&format!("{} {}", c.code, c.label)));
    DirectoryRow {
        address: p.address.as_str().to_owned(),
        fingerprint: fingerprint.as_bytes().to_vec(),
        kind: p.kind.code().to_owned(),
        display_name: p.display_name.clone(),
        family_name: p.family_name.clone(),
        given_name: p.given_name.clone(),
        profession_code: p.profession.as_ref().map(|c| c.code.clone()),
        profession_label: p.profession.as_ref().map(|c| c.label.clone()),
        specialty_code: p.specialty.as_ref().map(|c| c.code.clone()),
        specialty_label: p.specialty.as_ref().map(|c| c.label.clone()),
        service: p.service.clone(),
        site_name: p.site_name.clone(),
        postal_code: p.postal_code.clone(),
        commune: p.commune.clone(),
        national_id: p.national_id.as_ref().map(ToString::to_string),
        structure_kind: p.structure.as_ref().map(|s| s.kind_code().to_owned()),
        structure_value: p.structure.as_ref().map(|s| s.value().to_owned()),
        liste_rouge: p.liste_rouge,
        keys: SearchKeys {
            name: SearchQuery::search_name(entry),
            profession: coded(&p.profession).unwrap_or_default(),
            specialty: coded(&p.specialty).unwrap_or_default(),
            place: fold(&format!(
                "{} {}",
                p.postal_code.as_deref().unwrap_or(""),
                p.commune.as_deref().unwrap_or("")
            )),
        },
        phone: None,
    }
}

/// The directory entry a stored row describes.
pub(crate) fn entry_of(row: DirectoryRow) -> Result<DirectoryEntry> {
    let corrupt = |what: &str| {
        ServiceError::Invalid(format!("stored directory entry {}: {what}", row.address))
    };
    let coded = |code: &Option<String>, label: &Option<String>| match (code, label) {
        (Some(code), Some(label)) => Some(Coded::new(code, label)),
        _ => None,
    };
    let structure = match (&row.structure_kind, &row.structure_value) {
        (Some(kind), Some(value)) => Some(match kind.as_str() {
            "1" => StructureRef::Finess(value.parse().map_err(|_| corrupt("FINESS"))?),
            "3" => StructureRef::Siret(value.parse().map_err(|_| corrupt("SIRET"))?),
            _ => StructureRef::Other {
                kind: kind.clone(),
                value: value.clone(),
            },
        }),
        _ => None,
    };
    let parts = EntryParts {
        address: MailAddress::parse(&row.address).map_err(|_| corrupt("address"))?,
        kind: MailboxKind::from_code(&row.kind).ok_or_else(|| corrupt("kind"))?,
        display_name: row.display_name.clone(),
        family_name: row.family_name.clone(),
        given_name: row.given_name.clone(),
        profession: coded(&row.profession_code, &row.profession_label),
        specialty: coded(&row.specialty_code, &row.specialty_label),
        service: row.service.clone(),
        site_name: row.site_name.clone(),
        postal_code: row.postal_code.clone(),
        commune: row.commune.clone(),
        national_id: row
            .national_id
            .as_deref()
            .map(NationalId::parse)
            .transpose()
            .map_err(|_| corrupt("national identifier"))?,
        structure,
        phone: row.phone.clone(),
        liste_rouge: row.liste_rouge,
    };
    DirectoryEntry::new(parts).map_err(|e| corrupt(&e.to_string()))
}

/// The identifier forms a typed identifier may be stored under: as typed, without
/// its one-digit prefix, and with each national prefix.
fn identifier_forms(typed: &str) -> Vec<String> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.is_empty() {
        return Vec::new();
    }
    let mut forms = vec![typed.clone()];
    // Identifiers are ASCII: anything else is kept whole, to match nothing.
    if typed.len() > 9 && typed.is_ascii() {
        forms.push(typed[1..].to_owned());
    }
    forms.extend(["8", "0", "1", "3"].iter().map(|p| format!("{p}{typed}")));
    forms
}

impl Service {
    /// Imports the MSSanté mailbox extract (`Extraction_Correspondance_MSSante`),
    /// applying its difference to the stored directory (ID-4). Operators only.
    pub async fn import_mailboxes(&self, caller: &Caller, text: &str) -> Result<ImportReport> {
        self.require_duty(caller, caduceus_core::Duty::ImportDirectory)
            .await?;
        let (lines, records, mut errors) = read::<MailboxHeader>(text)?;
        let mut entries: HashMap<MailAddress, DirectoryEntry> = HashMap::new();
        let mut valid: Vec<MailboxEntry> = Vec::with_capacity(records.len());
        for record in records {
            match DirectoryEntry::from_mailbox(&record) {
                Ok(entry) => {
                    entries.insert(record.key(), entry);
                    valid.push(record);
                }
                Err(e) => errors.push(LineError::new(
                    0,
                    format!("{}: {e}", record.address.as_str()),
                )),
            }
        }
        let domain = &self.config.domain;
        let ours: Vec<Listed> = valid
            .iter()
            .filter(|m| m.address.domain() == domain)
            .map(|m| Listed {
                address: m.address.clone(),
                liste_rouge: m.liste_rouge,
            })
            .collect();
        let stored = self.store.directory_mailbox_fingerprints().await?;
        let changes = diff(fingerprints(stored, |k| MailAddress::parse(k).ok()), valid);
        let report = report(lines, &changes, errors);
        let upsert = changes
            .added
            .iter()
            .chain(&changes.changed)
            .map(|m| row_of(&entries[&m.key()], &m.fingerprint()))
            .collect();
        let remove = if report.removals_withheld > 0 {
            Vec::new()
        } else {
            changes
                .removed
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect()
        };
        let batch = DirectoryChanges {
            upsert_mailboxes: upsert,
            remove_mailboxes: remove,
            ..DirectoryChanges::default()
        };
        self.apply_import(caller, batch, DirectoryPart::Mailboxes, &report)
            .await?;
        let mut report = report;
        report.reconciliation = Some(reconcile(&ours, &self.published_mailboxes().await?));
        Ok(report)
    }

    /// Imports the people extract (`PS_LibreAcces_Personne_activite`): practice
    /// sites and their phones, shown only with consent (ID-4, ID-6). Operators only.
    pub async fn import_people(&self, caller: &Caller, text: &str) -> Result<ImportReport> {
        self.require_duty(caller, caduceus_core::Duty::ImportDirectory)
            .await?;
        let (lines, records, errors) = read::<PersonActivityHeader>(text)?;
        let present: std::collections::HashSet<String> =
            records.iter().map(|r| r.national_id.to_string()).collect();
        let stored = self.store.directory_people_fingerprints().await?;
        let changes = diff(
            fingerprints(stored, |k| k.parse::<PersonActivityKey>().ok()),
            records,
        );
        let mut report = report(lines, &changes, errors);
        // People with no activity left in the register stopped practising (RT-2).
        let gone: std::collections::BTreeSet<String> = if report.removals_withheld > 0 {
            Default::default()
        } else {
            changes
                .removed
                .iter()
                .map(|key| key.national_id.to_string())
                .filter(|id| !present.contains(id))
                .collect()
        };
        let person = |p: &PersonActivity| DirectoryPerson {
            key: p.key().to_string(),
            fingerprint: p.fingerprint().as_bytes().to_vec(),
            national_id: p.national_id.to_string(),
            phone: p.phone.as_ref().map(|phone| phone.stored_form().to_owned()),
            register: caduceus_core::enrolment::RegisterRecord {
                family_name: p.family_name.clone(),
                given_name: p.given_name.clone(),
                profession_code: p.profession.code.clone(),
                profession_label: p.profession.label.clone(),
            },
        };
        let batch = DirectoryChanges {
            upsert_people: changes
                .added
                .iter()
                .chain(&changes.changed)
                .map(person)
                .collect(),
            remove_people: if report.removals_withheld > 0 {
                Vec::new()
            } else {
                changes.removed.iter().map(ToString::to_string).collect()
            },
            ..DirectoryChanges::default()
        };
        self.apply_import(caller, batch, DirectoryPart::People, &report)
            .await?;
        report.closed = self.close_departed(caller, &gone).await?;
        Ok(report)
    }

    /// Closes the active professional accounts of people who left the register
    /// (RT-2): their data is deleted at once or after the closure grace.
    async fn close_departed(
        &self,
        caller: &Caller,
        national_ids: &std::collections::BTreeSet<String>,
    ) -> Result<usize> {
        let mut closed = 0;
        for id in national_ids {
            let Ok(national) = caduceus_core::NationalId::parse(id) else {
                continue;
            };
            let identity = caduceus_core::RegistryId::National(national);
            for account in self.store.accounts_by_identity(&identity).await? {
                if account.kind == caduceus_core::AccountKind::Professional
                    && account.state != caduceus_core::AccountState::Closed
                {
                    self.close_account(caller, account.id).await?;
                    tracing::info!(account = %account.id, "account closed: left the register (RT-2)");
                    closed += 1;
                }
            }
        }
        Ok(closed)
    }

    async fn apply_import(
        &self,
        caller: &Caller,
        batch: DirectoryChanges,
        part: DirectoryPart,
        report: &ImportReport,
    ) -> Result<()> {
        let mut trace = caller.event(
            self.now_ms(),
            Action::DirectoryImport,
            Object::of(Id::Directory(part)),
        );
        let count = |counter, n: usize| Fact::Count(counter, n as u64);
        trace.detail = Some(
            Detail::of(count(Counter::Added, report.added))
                .and(count(Counter::Changed, report.changed))
                .and(count(Counter::Removed, report.removed))
                .and(count(Counter::Invalid, report.errors.len())),
        );
        self.store.apply_directory(&batch, &trace).await?;
        self.last_import.forget();
        Ok(())
    }

    /// Searches the directory (ID-4): by name, profession, specialty, place,
    /// identifier. Liste rouge entries are never returned; patients are never in it.
    pub async fn search_directory(&self, query: &SearchQuery) -> Result<Vec<DirectoryEntry>> {
        self.search_rows(query, MAX_RESULTS).await
    }

    /// The entries a query finds, at most `limit` (liste rouge entries never).
    pub(crate) async fn search_rows(
        &self,
        query: &SearchQuery,
        limit: i64,
    ) -> Result<Vec<DirectoryEntry>> {
        let folded = |v: &Option<String>| v.as_deref().map(fold).filter(|v| !v.is_empty());
        let store_query = DirectoryQuery {
            name: folded(&query.name),
            profession: folded(&query.profession),
            specialty: folded(&query.specialty),
            place: folded(&query.place),
            identifiers: query
                .identifier
                .as_deref()
                .map(identifier_forms)
                .unwrap_or_default(),
        };
        let rows = self.store.search_directory(&store_query, limit).await?;
        rows.into_iter().map(entry_of).collect()
    }

    /// One directory entry by address, even on the liste rouge (delivery and
    /// replies find it; search does not).
    pub async fn directory_entry(&self, address: &MailAddress) -> Result<Option<DirectoryEntry>> {
        self.store
            .directory_entry(address.as_str())
            .await?
            .map(entry_of)
            .transpose()
    }

    /// An account holder's directory choices, for the holder or an operator.
    pub async fn directory_preferences(
        &self,
        caller: &Caller,
        account: AccountId,
    ) -> Result<DirectoryPreferences> {
        self.require_holder(caller, account).await?;
        let holder = self.store.account(account).await?;
        Ok(self
            .store
            .directory_preferences(holder.address.as_str())
            .await?)
    }

    /// Records an account holder's directory choices (ID-4, AC-3): hide from search,
    /// show the practice phone. The holder or an operator.
    pub async fn set_directory_preferences(
        &self,
        caller: &Caller,
        account: AccountId,
        preferences: DirectoryPreferences,
    ) -> Result<()> {
        self.require_holder(caller, account).await?;
        let holder = self.store.account(account).await?;
        let trace = caller.event(
            self.now_ms(),
            Action::DirectoryPreferences,
            Object::of(account),
        );
        Ok(self
            .store
            .set_directory_preferences(holder.address.as_str(), preferences, &trace)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::identifier_forms;

    #[test]
    fn id4_identifiers_are_looked_up_with_and_without_prefix() {
        let forms = identifier_forms("10003090833");
        assert!(forms.contains(&"810003090833".to_owned()));
        let forms = identifier_forms("810003090833");
        assert!(
            forms.contains(&"10003090833".to_owned()) && forms.contains(&"810003090833".to_owned())
        );
        assert!(identifier_forms("  ").is_empty());
    }
}
