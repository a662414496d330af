//! Synthetic national extracts: realistic-looking, valid, deterministic
//! (ID-4).
//!
//! The demo, the tests and the benchmarks need extracts in the published
//! format without using real people's data. [`person_activity_extract`] and
//! [`mailbox_extract`] write them line by line from a seed, with a small
//! deterministic generator of their own (splitmix64): the same seed gives
//! the same text on every machine, and nothing here reads a clock or an
//! entropy source.
//!
//! Every generated identifier passes its check (Luhn keys are computed for
//! RPPS, ADELI, FINESS, SIREN and SIRET); names carry French accents;
//! professions, specialties, communes and postal codes come from the tables
//! of the private `tables` module. The first records are always the demo people:
//!
//! | record | identifier | what | place | mailbox |
//! |---|---|---|---|---|
//! | Alice Martin | RPPS `10003090833` | Médecin, cardiologie (SM04) | Paris 75013, FINESS `750048886` | `alice.martin@<domain>` |
//! | Bruno Durand | RPPS `10000000009` | Médecin, general practice (SM26) | Lyon 69003, private practice | `bruno.durand@<domain>` |
//! | cardiology secretariat | FINESS `750048886` | ORG mailbox, service `Cardiologie` | Paris 75013 | `secretariat.cardiologie@<domain>` |
//!
//! Both extracts draw on the same people: with the same seed, person `i` of
//! the person extract is the owner of the personal mailboxes of the mailbox
//! extract that name them. About one person in five has a second practice
//! site (a second line), about one mailbox in twenty-five is on the liste
//! rouge. Identifiers are unique for up to a million people.
//!
//! [`demo_person_activity_extract`] and [`demo_mailbox_extract`] are the
//! committed fixtures `fixtures/directory/*_demo.txt`.

mod mailboxes;
mod tables;

use mailboxes::*;

use tables::{
    ADELI_AUTHORITY, APPLICATIONS, CARDIOLOGY, FAMILY_NAMES, GENERAL_PRACTICE, GIVEN_NAMES,
    HOSPITAL_NAMES, LYON_3, MEDECIN, PARIS_13, PLACES, PROFESSIONS, Place, Profession, SERVICES,
    STREET_TYPES, STREETS,
};

use super::fold::fold;
use crate::address::Domain;
use crate::ident::luhn;

/// The columns of the person extract, in the order the synthetic extract
/// writes them: those of a published `PS_LibreAcces_Personne_activite`.
pub const PERSON_ACTIVITY_COLUMNS: &[&str] = &[
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Code civilité d'exercice",
    "Libellé civilité d'exercice",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Code profession",
    "Libellé profession",
    "Code catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Code mode exercice",
    "Libellé mode exercice",
    "Numéro SIRET site",
    "Numéro SIREN site",
    "Numéro FINESS site",
    "Numéro FINESS établissement juridique",
    "Identifiant technique de la structure",
    "Raison sociale site",
    "Enseigne commerciale site",
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)",
    "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)",
    "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)",
    "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)",
    "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)",
    "Code commune (coord. structure)",
    "Libellé commune (coord. structure)",
    "Code pays (coord. structure)",
    "Libellé pays (coord. structure)",
    "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)",
    "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)",
    "Code Département (structure)",
    "Libellé Département (structure)",
    "Ancien identifiant de la structure",
    "Autorité d'enregistrement",
    "Code secteur d'activité",
    "Libellé secteur d'activité",
    "Code section tableau pharmaciens",
    "Libellé section tableau pharmaciens",
];

/// The columns of the mailbox extract, in the order the synthetic extract
/// writes them, `Liste rouge` included.
pub const MAILBOX_COLUMNS: &[&str] = &[
    "Type de BAL",
    "Adresse BAL",
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Type d'identifiant structure",
    "Identification Structure",
    "Service de rattachement",
    "Civilité d'exercice",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code profession",
    "Libellé profession",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Dématérialisation",
    "Raison sociale structure BAL",
    "Enseigne commerciale structure BAL",
    "Complément localisation structure BAL",
    "Complément distribution structure BAL",
    "Numéro voie structure BAL",
    "Complément numéro voie structure BAL",
    "Type voie structure BAL",
    "Libellé voie structure BAL",
    "Lieu-dit structure BAL",
    "Ligne acheminement structure BAL",
    "Code postal structure BAL",
    "Département structure BAL",
    "Pays structure BAL",
    "Responsable BAL",
    "Date MAJ",
    "Liste rouge",
];

/// The seed of the demo extracts.
pub const DEMO_SEED: u64 = 20_240_613;
/// How many lines the demo person extract has (after its header).
pub const DEMO_ACTIVITY_LINES: usize = 200;
/// How many lines the demo mailbox extract has (after its header).
pub const DEMO_MAILBOXES: usize = 250;
/// The mail domain of the demo mailboxes.
pub const DEMO_DOMAIN: &str = "caduceus.test";

/// The header line and then `n` activity lines of a synthetic
/// `PS_LibreAcces_Personne_activite` extract, each line ending with `|` and
/// without a line break. The first lines are Alice Martin's and Bruno
/// Durand's.
///
/// ```
/// use caduceus_core::directory::synthetic;
/// let lines: Vec<String> = synthetic::person_activity_extract(1, 2).collect();
/// assert_eq!(lines.len(), 3);
/// assert!(lines[0].starts_with("Type d'identifiant PP|Identifiant PP|"));
/// assert!(lines[1].starts_with("8|10003090833|810003090833|DR|Docteur|Martin|Alice|10|"));
/// ```
pub fn person_activity_extract(seed: u64, n: usize) -> impl Iterator<Item = String> {
    std::iter::once(header(PERSON_ACTIVITY_COLUMNS))
        .chain((0u64..).flat_map(move |i| Person::generate(seed, i).activity_lines()))
        .take(n.saturating_add(1))
}

/// The header line and then `n` lines of a synthetic
/// `Extraction_Correspondance_MSSante` extract at `domain`, each line
/// ending with `|` and without a line break. The first lines are Alice
/// Martin's, Bruno Durand's and the cardiology secretariat's mailboxes.
///
/// ```
/// use caduceus_core::directory::synthetic;
/// use caduceus_core::Domain;
/// let domain = Domain::parse("caduceus.test")?;
/// let lines: Vec<String> = synthetic::mailbox_extract(1, 3, &domain).collect();
/// assert!(lines[1].starts_with("PER|alice.martin@caduceus.test|8|10003090833|"));
/// assert!(lines[3].starts_with("ORG|secretariat.cardiologie@caduceus.test||||1|1750048886|Cardiologie|"));
/// # Ok::<(), caduceus_core::AddressError>(())
/// ```
pub fn mailbox_extract(seed: u64, n: usize, domain: &Domain) -> impl Iterator<Item = String> {
    let domain = domain.clone();
    std::iter::once(header(MAILBOX_COLUMNS))
        .chain((0u64..).map(move |i| mailbox_line(seed, i, &domain)))
        .take(n.saturating_add(1))
}

/// The demo person extract, as committed in
/// `fixtures/directory/PS_LibreAcces_Personne_activite_demo.txt`: every line
/// followed by `\n`.
pub fn demo_person_activity_extract() -> String {
    join_lines(person_activity_extract(DEMO_SEED, DEMO_ACTIVITY_LINES))
}

/// The demo mailbox extract at `caduceus.test`, as committed in
/// `fixtures/directory/Extraction_Correspondance_MSSante_demo.txt`: every
/// line followed by `\n`.
pub fn demo_mailbox_extract() -> String {
    match Domain::parse(DEMO_DOMAIN) {
        Ok(domain) => join_lines(mailbox_extract(DEMO_SEED, DEMO_MAILBOXES, &domain)),
        Err(_) => String::new(),
    }
}

/// The lines, each followed by `\n`.
fn join_lines(lines: impl Iterator<Item = String>) -> String {
    lines.fold(String::new(), |mut text, line| {
        text.push_str(&line);
        text.push('\n');
        text
    })
}

/// A header line: the names, each followed by `|`.
pub(in crate::directory) fn header(columns: &[&str]) -> String {
    record(columns)
}

/// A line: the fields, each followed by `|`.
pub(in crate::directory) fn record(fields: &[&str]) -> String {
    let len = fields.iter().map(|f| f.len() + 1).sum();
    let mut line = String::with_capacity(len);
    for field in fields {
        line.push_str(field);
        line.push('|');
    }
    line
}

/// The splitmix64 generator: tiny, fast, and the same everywhere.
struct Rng(u64);

/// Streams of random numbers, so that people and mailboxes draw
/// independently.
const PEOPLE: u64 = 1;
/// The stream of mailboxes.
const MAILBOXES: u64 = 2;
/// The stream of hospitals.
const HOSPITALS: u64 = 3;
/// How many hospitals the synthetic world has (index 0 is the demo one).
const HOSPITAL_COUNT: u64 = 48;

impl Rng {
    /// The generator for item `index` of `stream` under `seed`.
    fn new(seed: u64, stream: u64, index: u64) -> Self {
        let mut rng = Self(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.0 ^= rng
            .next()
            .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng
    }

    /// The next 64 random bits.
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is `0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Whether an event of probability `percent`% happens.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// An item of a non-empty slice.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len() as u64) as usize;
        &items[i.min(items.len().saturating_sub(1))]
    }

    /// An item drawn by weight.
    fn weighted<'a, T>(&mut self, items: &'a [T], weight: impl Fn(&T) -> u64) -> &'a T {
        let total: u64 = items.iter().map(&weight).sum();
        let mut roll = self.below(total);
        for item in items {
            let w = weight(item);
            if roll < w {
                return item;
            }
            roll -= w;
        }
        self.pick(items)
    }
}

/// `payload` (digits) followed by its Luhn check digit.
fn with_luhn(payload: String) -> String {
    let check = luhn::check_digit(&payload).unwrap_or(0);
    let mut number = payload;
    number.push(char::from(b'0' + check));
    number
}

/// The first two characters of a postal code: the department.
fn department(place: &Place) -> &'static str {
    place.postal_code.get(..2).unwrap_or("75")
}

/// A practice site.
struct Site {
    /// `Identifiant technique de la structure`.
    technical_id: String,
    /// `Numéro SIRET site`.
    siret: String,
    /// `Numéro FINESS site`, empty for a private practice.
    finess: String,
    /// `Numéro FINESS établissement juridique`.
    legal_finess: String,
    /// `Raison sociale site`.
    name: String,
    /// `Enseigne commerciale site`.
    brand: String,
    /// `Numéro Voie`.
    number: String,
    /// `Indice répétition voie`.
    repeat: &'static str,
    /// Street type code and label.
    street_type: (&'static str, &'static str),
    /// `Libellé Voie`.
    street: &'static str,
    /// Commune and postal code.
    place: &'static Place,
    /// `Téléphone`.
    phone: String,
    /// Whether the site is a hospital (else a private practice).
    hospital: bool,
}

impl Site {
    /// Hospital `h` of the synthetic world; hospital 0 is the demo one.
    fn hospital(seed: u64, h: u64) -> Self {
        if h == 0 {
            return Self {
                technical_id: "R10000000000000".to_owned(),
                siret: with_luhn(format!("{}0001", with_luhn("26750001".to_owned()))),
                finess: "750048886".to_owned(),
                legal_finess: with_luhn("75050000".to_owned()),
                name: "Hôpital de démonstration Caduceus".to_owned(),
                brand: String::new(),
                number: "47".to_owned(),
                repeat: "",
                street_type: ("BD", "Boulevard"),
                street: "de l'Hôpital",
                place: PARIS_13,
                phone: "0142160000".to_owned(),
                hospital: true,
            };
        }
        let mut rng = Rng::new(seed, HOSPITALS, h);
        let place = rng.pick(&PLACES);
        let dept = department(place);
        let pattern = rng.pick(&HOSPITAL_NAMES);
        Self {
            technical_id: format!("R1{h:013}"),
            siret: with_luhn(format!(
                "{}{:04}",
                with_luhn(format!("26{:06}", h * 131)),
                1 + h
            )),
            finess: with_luhn(format!("{dept}{:06}", 10_000 + h * 37)),
            legal_finess: with_luhn(format!("{dept}{:06}", 500_000 + h)),
            name: pattern.replace("{}", place.commune),
            brand: String::new(),
            number: (1 + rng.below(120)).to_string(),
            repeat: "",
            street_type: *rng.pick(&STREET_TYPES),
            street: *rng.pick(&STREETS),
            place,
            phone: phone(&mut rng, place),
            hospital: true,
        }
    }

    /// The private practice of activity `a` of person `i`.
    fn practice(rng: &mut Rng, i: u64, a: u64, profession: &Profession, family: &str) -> Self {
        let place = rng.pick(&PLACES);
        let serial = (i * 4 + a) % 10_000_000;
        Self::practice_at(rng, serial, profession, family, place)
    }

    /// A private practice numbered `serial` at `place`.
    fn practice_at(
        rng: &mut Rng,
        serial: u64,
        profession: &Profession,
        family: &str,
        place: &'static Place,
    ) -> Self {
        let brand = if rng.chance(30) {
            format!("{} {}", profession.practice, rng.pick(&STREETS))
        } else {
            String::new()
        };
        Self {
            technical_id: format!("R2{serial:013}"),
            siret: with_luhn(format!("{}0001", with_luhn(format!("8{serial:07}")))),
            finess: String::new(),
            legal_finess: String::new(),
            name: format!("{} {family}", profession.practice),
            brand,
            number: (1 + rng.below(200)).to_string(),
            repeat: if rng.chance(5) { "B" } else { "" },
            street_type: *rng.pick(&STREET_TYPES),
            street: *rng.pick(&STREETS),
            place,
            phone: phone(rng, place),
            hospital: false,
        }
    }
}

/// A phone number of the region of `place`.
fn phone(rng: &mut Rng, place: &Place) -> String {
    format!("{}{:08}", place.phone_prefix, rng.below(100_000_000))
}

/// A person's national identifier.
struct PersonId {
    /// `8` (RPPS) or `0` (ADELI).
    kind: &'static str,
    /// The RPPS or ADELI number.
    number: String,
}

/// A health professional of the synthetic world.
struct Person {
    /// The person's identifier.
    id: PersonId,
    /// `Nom d'exercice`.
    family: &'static str,
    /// `Prénom d'exercice`.
    given: &'static str,
    /// The profession.
    profession: &'static Profession,
    /// The specialty, if any.
    specialty: Option<(&'static str, &'static str)>,
    /// One or two sites; none for the rare person without an activity.
    sites: Vec<Site>,
    /// Whether the person's mailbox is on the liste rouge.
    liste_rouge: bool,
    /// Days after 1 January 2025 of the mailbox's last update.
    updated: u64,
}

impl Person {
    /// Person `i` under `seed`; persons 0 and 1 are Alice Martin and Bruno
    /// Durand.
    fn generate(seed: u64, i: u64) -> Self {
        let mut rng = Rng::new(seed, PEOPLE, i);
        match i {
            0 => {
                return Self {
                    id: PersonId {
                        kind: "8",
                        number: "10003090833".to_owned(),
                    },
                    family: "Martin",
                    given: "Alice",
                    profession: MEDECIN,
                    specialty: Some(CARDIOLOGY),
                    sites: vec![Site::hospital(seed, 0)],
                    liste_rouge: false,
                    updated: 40,
                };
            }
            1 => {
                // Drawn from a fixed seed: the demo people are the same
                // under every seed.
                let mut rng = Rng::new(0, PEOPLE, 1);
                let mut site = Site::practice_at(&mut rng, 1, MEDECIN, "Durand", LYON_3);
                site.number = "12".to_owned();
                site.repeat = "";
                site.street_type = ("R", "Rue");
                site.street = "Paul Bert";
                site.brand = String::new();
                return Self {
                    id: PersonId {
                        kind: "8",
                        number: "10000000009".to_owned(),
                    },
                    family: "Durand",
                    given: "Bruno",
                    profession: MEDECIN,
                    specialty: Some(GENERAL_PRACTICE),
                    sites: vec![site],
                    liste_rouge: false,
                    updated: 75,
                };
            }
            _ => {}
        }
        let profession = rng.weighted(&PROFESSIONS, |p| p.weight);
        let family = *rng.pick(&FAMILY_NAMES);
        let given = *rng.pick(&GIVEN_NAMES);
        let id = if rng.chance(profession.adeli_percent) {
            let dept = department(rng.pick(&PLACES));
            PersonId {
                kind: "0",
                number: with_luhn(format!("{dept}{:06}", i % 1_000_000)),
            }
        } else {
            let offset = (i.wrapping_mul(7_919).wrapping_add(seed)) % 900_000_000;
            PersonId {
                kind: "8",
                number: with_luhn((1_100_000_000 + offset).to_string()),
            }
        };
        let specialty =
            if !profession.specialties.is_empty() && rng.chance(profession.specialty_percent) {
                let (code, label, _) = rng.weighted(profession.specialties, |s| s.2);
                Some((*code, *label))
            } else {
                None
            };
        let mut sites = Vec::with_capacity(2);
        if !rng.chance(1) {
            let first_in_hospital = rng.chance(30);
            if first_in_hospital {
                sites.push(Site::hospital(seed, 1 + rng.below(HOSPITAL_COUNT - 1)));
            } else {
                sites.push(Site::practice(&mut rng, i, 0, profession, family));
            }
            if rng.chance(20) {
                if first_in_hospital || rng.chance(50) {
                    sites.push(Site::practice(&mut rng, i, 1, profession, family));
                } else {
                    sites.push(Site::hospital(seed, 1 + rng.below(HOSPITAL_COUNT - 1)));
                }
            }
        }
        Self {
            id,
            family,
            given,
            profession,
            specialty,
            sites,
            liste_rouge: rng.chance(4),
            updated: rng.below(365),
        }
    }

    /// `Identification nationale PP`.
    fn national_id(&self) -> String {
        format!("{}{}", self.id.kind, self.id.number)
    }

    /// `DR`/`Docteur` for doctors, nothing otherwise.
    fn civility(&self) -> (&'static str, &'static str) {
        if self.profession.doctor {
            ("DR", "Docteur")
        } else {
            ("", "")
        }
    }

    /// The registration authority.
    fn authority(&self) -> &'static str {
        if self.id.kind == "0" {
            ADELI_AUTHORITY
        } else {
            self.profession.authority
        }
    }

    /// The person's lines of the person extract: one per site, or one
    /// without a site.
    fn activity_lines(&self) -> Vec<String> {
        if self.sites.is_empty() {
            return vec![self.activity_line(None)];
        }
        self.sites
            .iter()
            .map(|site| self.activity_line(Some(site)))
            .collect()
    }

    /// One line of the person extract.
    fn activity_line(&self, site: Option<&Site>) -> String {
        let national = self.national_id();
        let (civility_code, civility_label) = self.civility();
        let (specialty_code, specialty_label) = self.specialty.unwrap_or(("", ""));
        let empty = String::new();
        let (mode_code, mode_label, sector_code, sector_label) = match site {
            Some(s) if s.hospital => ("S", "Salarié", "SA01", "Etablissement public de santé"),
            Some(_) => ("L", "Libéral", "SA07", "Cabinet individuel"),
            None => ("", "", "", ""),
        };
        let (pharmacy_code, pharmacy_label) = match (self.profession.code, site) {
            ("21", Some(s)) if s.hospital => ("H", "Pharmaciens des établissements de santé"),
            ("21", Some(_)) => ("A", "Pharmaciens titulaires d'officine"),
            _ => ("", ""),
        };
        let siren = site.map_or("", |s| s.siret.get(..9).unwrap_or(""));
        let place = site.map(|s| s.place);
        let fields: [&str; 48] = [
            self.id.kind,
            &self.id.number,
            &national,
            civility_code,
            civility_label,
            self.family,
            self.given,
            self.profession.code,
            self.profession.label,
            "C",
            "Civil",
            specialty_code,
            specialty_label,
            mode_code,
            mode_label,
            site.map_or("", |s| &s.siret),
            siren,
            site.map_or("", |s| &s.finess),
            site.map_or("", |s| &s.legal_finess),
            site.map_or("", |s| &s.technical_id),
            site.map_or("", |s| &s.name),
            site.map_or("", |s| &s.brand),
            "",
            "",
            site.map_or("", |s| &s.number),
            site.map_or("", |s| s.repeat),
            site.map_or("", |s| s.street_type.0),
            site.map_or("", |s| s.street_type.1),
            site.map_or("", |s| s.street),
            "",
            "",
            place.map_or("", |p| p.postal_code),
            "",
            place.map_or("", |p| p.commune),
            "",
            "",
            site.map_or(&empty, |s| &s.phone),
            "",
            "",
            "",
            place.map_or("", department),
            place.map_or("", |p| p.department),
            "",
            self.authority(),
            sector_code,
            sector_label,
            pharmacy_code,
            pharmacy_label,
        ];
        record(&fields)
    }
}

#[cfg(test)]
mod tests;
