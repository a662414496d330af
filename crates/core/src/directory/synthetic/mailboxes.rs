//! The mailbox extract's lines: personal, organisational and applicative mailboxes,
//! with the delivery line, update date and structure fields they share with nothing
//! else.

use super::*;

/// A name as it appears in an address: folded, spaces turned into `-`.
pub(super) fn slug(name: &str) -> String {
    fold(name).replace(' ', "-")
}

/// The delivery line of a place: postal code and commune, upper case
/// without accents.
pub(super) fn delivery_line(place: &Place) -> String {
    format!(
        "{} {}",
        place.postal_code,
        fold(place.commune).to_uppercase()
    )
}

/// The date of the last update, `updated` days after 1 January 2025.
pub(super) fn update_date(updated: u64) -> String {
    const DAYS: [u64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut day = updated % 365;
    let mut month = 0;
    while month < 11 && day >= DAYS[month] {
        day -= DAYS[month];
        month += 1;
    }
    format!("2025-{:02}-{:02}", month + 1, day + 1)
}

/// The fields of a mailbox line that describe its structure.
pub(super) struct StructureFields {
    /// `Type d'identifiant structure`.
    kind: &'static str,
    /// `Identification Structure`.
    id: String,
}

/// Mailbox `i` of the mailbox extract.
pub(super) fn mailbox_line(seed: u64, i: u64, domain: &Domain) -> String {
    match i {
        0 => personal_line(&Person::generate(seed, 0), "alice.martin", domain),
        1 => personal_line(&Person::generate(seed, 1), "bruno.durand", domain),
        2 => organisational_line(
            "ORG",
            &Site::hospital(seed, 0),
            "Cardiologie",
            "secretariat.cardiologie",
            domain,
            40,
        ),
        _ => {
            let mut rng = Rng::new(seed, MAILBOXES, i);
            let roll = rng.below(100);
            if roll < 84 {
                let person = Person::generate(seed, i - 1);
                let local = format!("{}.{}.{i}", slug(person.given), slug(person.family));
                personal_line(&person, &local, domain)
            } else {
                let site = Site::hospital(seed, rng.below(HOSPITAL_COUNT));
                let updated = rng.below(365);
                if roll < 96 {
                    let service = rng.pick(&SERVICES);
                    let local = format!("{}.{i}", slug(service));
                    organisational_line("ORG", &site, service, &local, domain, updated)
                } else {
                    let application = rng.pick(&APPLICATIONS);
                    let local = format!("{application}.{i}");
                    organisational_line("APP", &site, "", &local, domain, updated)
                }
            }
        }
    }
}

/// The structure fields for a site: FINESS when it has one, else SIRET.
pub(super) fn structure_of(site: &Site) -> StructureFields {
    if site.finess.is_empty() {
        StructureFields {
            kind: "3",
            id: format!("3{}", site.siret),
        }
    } else {
        StructureFields {
            kind: "1",
            id: format!("1{}", site.finess),
        }
    }
}

/// The line of a person's mailbox, attached to their first site.
pub(super) fn personal_line(person: &Person, local: &str, domain: &Domain) -> String {
    let address = format!("{local}@{domain}");
    let national = person.national_id();
    let site = person.sites.first();
    let structure = site.map(structure_of);
    let (civility, _) = person.civility();
    let (specialty_code, specialty_label) = person.specialty.unwrap_or(("", ""));
    let delivery = site.map(|s| delivery_line(s.place)).unwrap_or_default();
    let updated = update_date(person.updated);
    let fields: [&str; 34] = [
        "PER",
        &address,
        person.id.kind,
        &person.id.number,
        &national,
        structure.as_ref().map_or("", |s| s.kind),
        structure.as_ref().map_or("", |s| &s.id),
        "",
        civility,
        person.family,
        person.given,
        "C",
        "Civil",
        person.profession.code,
        person.profession.label,
        specialty_code,
        specialty_label,
        "O",
        site.map_or("", |s| &s.name),
        site.map_or("", |s| &s.brand),
        "",
        "",
        site.map_or("", |s| &s.number),
        site.map_or("", |s| s.repeat),
        site.map_or("", |s| s.street_type.1),
        site.map_or("", |s| s.street),
        "",
        &delivery,
        site.map_or("", |s| s.place.postal_code),
        site.map_or("", |s| department(s.place)),
        "FRANCE",
        "",
        &updated,
        if person.liste_rouge { "O" } else { "N" },
    ];
    record(&fields)
}

/// The line of an organisational (`ORG`) or applicative (`APP`) mailbox of
/// a site.
pub(super) fn organisational_line(
    kind: &str,
    site: &Site,
    service: &str,
    local: &str,
    domain: &Domain,
    updated: u64,
) -> String {
    let address = format!("{local}@{domain}");
    let structure = structure_of(site);
    let delivery = delivery_line(site.place);
    let manager = format!("Direction des systèmes d'information, {}", site.name);
    let updated = update_date(updated);
    let fields: [&str; 34] = [
        kind,
        &address,
        "",
        "",
        "",
        structure.kind,
        &structure.id,
        service,
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "O",
        &site.name,
        &site.brand,
        "",
        "",
        &site.number,
        site.repeat,
        site.street_type.1,
        site.street,
        "",
        &delivery,
        site.place.postal_code,
        department(site.place),
        "FRANCE",
        &manager,
        &updated,
        "N",
    ];
    record(&fields)
}
