//! The directory (ID-4): imported mailboxes and activities, searches, and holders'
//! preferences (liste rouge, phone consent).

use caduceus_audit::Event;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::SqlStore;
use super::db::{BATCH, WriteTx};
use super::traces::append;
use crate::error::Result;
use crate::model::*;
use caduceus_core::enrolment::RegisterRecord;

const COLUMNS: &str =
    "m.address, m.fingerprint, m.kind, m.display_name, m.family_name, m.given_name,
    m.profession_code, m.profession_label, m.specialty_code, m.specialty_label, m.service,
    m.site_name, m.postal_code, m.commune, m.national_id, m.structure_kind, m.structure_value,
    m.liste_rouge, m.name_key, m.profession_key, m.specialty_key, m.place_key,
    CASE WHEN COALESCE(p.phone_consent, 0) = 1 THEN
        (SELECT dp.phone FROM directory_people dp
         WHERE dp.national_id = m.national_id AND dp.phone IS NOT NULL ORDER BY dp.key LIMIT 1)
    END AS phone";

const FROM: &str =
    "FROM directory_mailboxes m LEFT JOIN directory_preferences p ON p.address = m.address";

fn row_from(row: &AnyRow) -> Result<DirectoryRow> {
    Ok(DirectoryRow {
        address: row.try_get("address")?,
        fingerprint: row.try_get("fingerprint")?,
        kind: row.try_get("kind")?,
        display_name: row.try_get("display_name")?,
        family_name: row.try_get("family_name")?,
        given_name: row.try_get("given_name")?,
        profession_code: row.try_get("profession_code")?,
        profession_label: row.try_get("profession_label")?,
        specialty_code: row.try_get("specialty_code")?,
        specialty_label: row.try_get("specialty_label")?,
        service: row.try_get("service")?,
        site_name: row.try_get("site_name")?,
        postal_code: row.try_get("postal_code")?,
        commune: row.try_get("commune")?,
        national_id: row.try_get("national_id")?,
        structure_kind: row.try_get("structure_kind")?,
        structure_value: row.try_get("structure_value")?,
        liste_rouge: row.try_get::<i64, _>("liste_rouge")? != 0,
        keys: SearchKeys {
            name: row.try_get("name_key")?,
            profession: row.try_get("profession_key")?,
            specialty: row.try_get("specialty_key")?,
            place: row.try_get("place_key")?,
        },
        phone: row.try_get("phone")?,
    })
}

pub(super) async fn mailbox_fingerprints(store: &SqlStore) -> Result<Vec<(String, Vec<u8>)>> {
    Ok(
        sqlx::query_as("SELECT address, fingerprint FROM directory_mailboxes")
            .fetch_all(&store.db.pool)
            .await?,
    )
}

pub(super) async fn people_fingerprints(store: &SqlStore) -> Result<Vec<(String, Vec<u8>)>> {
    Ok(
        sqlx::query_as("SELECT key, fingerprint FROM directory_people")
            .fetch_all(&store.db.pool)
            .await?,
    )
}

async fn upsert_mailbox(tx: &mut WriteTx, m: &DirectoryRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO directory_mailboxes (address, fingerprint, kind, display_name, family_name,
           given_name, profession_code, profession_label, specialty_code, specialty_label, service,
           site_name, postal_code, commune, national_id, structure_kind, structure_value,
           liste_rouge, name_key, profession_key, specialty_key, place_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
           $19, $20, $21, $22)
         ON CONFLICT (address) DO UPDATE SET fingerprint = $2, kind = $3, display_name = $4,
           family_name = $5, given_name = $6, profession_code = $7, profession_label = $8,
           specialty_code = $9, specialty_label = $10, service = $11, site_name = $12,
           postal_code = $13, commune = $14, national_id = $15, structure_kind = $16,
           structure_value = $17, liste_rouge = $18, name_key = $19, profession_key = $20,
           specialty_key = $21, place_key = $22",
    )
    .bind(&m.address)
    .bind(&m.fingerprint)
    .bind(&m.kind)
    .bind(&m.display_name)
    .bind(&m.family_name)
    .bind(&m.given_name)
    .bind(&m.profession_code)
    .bind(&m.profession_label)
    .bind(&m.specialty_code)
    .bind(&m.specialty_label)
    .bind(&m.service)
    .bind(&m.site_name)
    .bind(&m.postal_code)
    .bind(&m.commune)
    .bind(&m.national_id)
    .bind(&m.structure_kind)
    .bind(&m.structure_value)
    .bind(i64::from(m.liste_rouge))
    .bind(&m.keys.name)
    .bind(&m.keys.profession)
    .bind(&m.keys.specialty)
    .bind(&m.keys.place)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

async fn upsert_person(tx: &mut WriteTx, p: &DirectoryPerson) -> Result<()> {
    sqlx::query(
        "INSERT INTO directory_people
           (key, fingerprint, national_id, phone, family_name, given_name, profession_code,
            profession_label)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (key) DO UPDATE SET fingerprint = $2, national_id = $3, phone = $4,
           family_name = $5, given_name = $6, profession_code = $7, profession_label = $8",
    )
    .bind(&p.key)
    .bind(&p.fingerprint)
    .bind(&p.national_id)
    .bind(&p.phone)
    .bind(&p.register.family_name)
    .bind(&p.register.given_name)
    .bind(&p.register.profession_code)
    .bind(&p.register.profession_label)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// Applies an import's changes and its trace in one transaction: a reader sees the
/// old directory or the new one, never half of each.
pub(super) async fn apply(
    store: &SqlStore,
    changes: &DirectoryChanges,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    for m in &changes.upsert_mailboxes {
        upsert_mailbox(&mut tx, m).await?;
    }
    for address in &changes.remove_mailboxes {
        sqlx::query("DELETE FROM directory_mailboxes WHERE address = $1")
            .bind(address)
            .execute(&mut *tx.tx)
            .await?;
    }
    for p in &changes.upsert_people {
        upsert_person(&mut tx, p).await?;
    }
    for key in &changes.remove_people {
        sqlx::query("DELETE FROM directory_people WHERE key = $1")
            .bind(key)
            .execute(&mut *tx.tx)
            .await?;
    }
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

/// `%text%` for LIKE, with the wildcards in `text` taken literally.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Searches the visible directory: liste rouge entries (from the extract or the
/// holder's choice) are left out (ID-4).
pub(super) async fn search(
    store: &SqlStore,
    query: &DirectoryQuery,
    limit: i64,
) -> Result<Vec<DirectoryRow>> {
    let mut sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE m.liste_rouge = 0 AND COALESCE(p.liste_rouge, 0) = 0"
    );
    let mut binds: Vec<String> = Vec::new();
    for (column, value) in [
        ("m.name_key", &query.name),
        ("m.profession_key", &query.profession),
        ("m.specialty_key", &query.specialty),
        ("m.place_key", &query.place),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            binds.push(contains_pattern(value));
            sql.push_str(&format!(" AND {column} LIKE ${} ESCAPE '\\'", binds.len()));
        }
    }
    if !query.identifiers.is_empty() {
        let first = binds.len() + 1;
        binds.extend(query.identifiers.iter().cloned());
        let list = (first..=binds.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        sql.push_str(&format!(
            " AND (m.national_id IN ({list}) OR m.structure_value IN ({list}))"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY m.name_key, m.address LIMIT ${}",
        binds.len() + 1
    ));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for value in &binds {
        q = q.bind(value);
    }
    let rows = q.bind(limit).fetch_all(&store.db.pool).await?;
    rows.iter().map(row_from).collect()
}

/// One directory mailbox, liste rouge or not (delivery still finds it).
pub(super) async fn entry(store: &SqlStore, address: &str) -> Result<Option<DirectoryRow>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE m.address = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(address)
        .fetch_optional(&store.db.pool)
        .await?;
    row.as_ref().map(row_from).transpose()
}

/// See [`crate::Store::directory_entries`].
pub(super) async fn entries(
    store: &SqlStore,
    addresses: &[String],
) -> Result<Vec<(DirectoryRow, bool)>> {
    let mut found = Vec::new();
    for chunk in addresses.chunks(BATCH) {
        let sql = format!(
            "SELECT {COLUMNS}, COALESCE(p.liste_rouge, 0) AS chosen_liste_rouge {FROM}
             WHERE m.address IN ({})",
            store.db.placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for address in chunk {
            query = query.bind(address);
        }
        for row in query.fetch_all(&store.db.pool).await? {
            let chosen = row.try_get::<i64, _>("chosen_liste_rouge")? != 0;
            found.push((row_from(&row)?, chosen));
        }
    }
    Ok(found)
}

pub(super) async fn set_preferences(
    store: &SqlStore,
    address: &str,
    prefs: DirectoryPreferences,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO directory_preferences (address, liste_rouge, phone_consent) VALUES ($1, $2, $3)
         ON CONFLICT (address) DO UPDATE SET liste_rouge = $2, phone_consent = $3",
    )
    .bind(address)
    .bind(i64::from(prefs.liste_rouge))
    .bind(i64::from(prefs.phone_consent))
    .execute(&mut *tx.tx)
    .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn preferences(store: &SqlStore, address: &str) -> Result<DirectoryPreferences> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT liste_rouge, phone_consent FROM directory_preferences WHERE address = $1",
    )
    .bind(address)
    .fetch_optional(&store.db.pool)
    .await?;
    Ok(row.map_or_else(DirectoryPreferences::default, |(l, p)| {
        DirectoryPreferences {
            liste_rouge: l != 0,
            phone_consent: p != 0,
        }
    }))
}

/// See [`crate::Store::register_records`].
pub(super) async fn register_records(
    store: &SqlStore,
    national_id: &str,
) -> Result<Vec<RegisterRecord>> {
    let rows = sqlx::query(
        "SELECT family_name, given_name, profession_code, profession_label FROM directory_people
         WHERE national_id = $1 AND family_name IS NOT NULL ORDER BY key",
    )
    .bind(national_id)
    .fetch_all(&store.db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(RegisterRecord {
                family_name: row.try_get("family_name")?,
                given_name: row.try_get("given_name")?,
                profession_code: row
                    .try_get::<Option<String>, _>("profession_code")?
                    .unwrap_or_default(),
                profession_label: row
                    .try_get::<Option<String>, _>("profession_label")?
                    .unwrap_or_default(),
            })
        })
        .collect()
}
