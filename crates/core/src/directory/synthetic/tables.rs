//! The fixed tables the synthetic extracts draw from: names, professions,
//! specialties, places and streets.
//!
//! The codes have the shape of the national nomenclatures (professions of
//! TRE_G15, specialties of TRE_R38); the specialty codes other than `SM04`
//! and `SM26` are illustrative, not a reference table.

/// A profession the generator assigns, with how often and how.
pub(super) struct Profession {
    /// `Code profession`.
    pub(super) code: &'static str,
    /// `Libellé profession`.
    pub(super) label: &'static str,
    /// `Autorité d'enregistrement` of people registered in the RPPS.
    pub(super) authority: &'static str,
    /// Whether the person practises as `DR` (Docteur).
    pub(super) doctor: bool,
    /// Relative weight among professions.
    pub(super) weight: u64,
    /// Percentage of people of this profession identified by ADELI rather
    /// than RPPS.
    pub(super) adeli_percent: u64,
    /// Percentage of people with a specialty.
    pub(super) specialty_percent: u64,
    /// Specialties with their weights.
    pub(super) specialties: &'static [(&'static str, &'static str, u64)],
    /// How a private practice of this profession is called.
    pub(super) practice: &'static str,
}

/// Médecin.
pub(super) const MEDECIN: &Profession = &PROFESSIONS[0];

/// The professions, with their weights.
pub(super) const PROFESSIONS: [Profession; 9] = [
    Profession {
        code: "10",
        label: "Médecin",
        authority: "CNOM/CNOM/CNOM",
        doctor: true,
        weight: 35,
        adeli_percent: 0,
        specialty_percent: 100,
        specialties: MEDECIN_SPECIALTIES,
        practice: "Cabinet médical",
    },
    Profession {
        code: "21",
        label: "Pharmacien",
        authority: "CNOP/CNOP/CNOP",
        doctor: true,
        weight: 10,
        adeli_percent: 0,
        specialty_percent: 0,
        specialties: &[],
        practice: "Pharmacie",
    },
    Profession {
        code: "40",
        label: "Chirurgien-Dentiste",
        authority: "CNOCD/CNOCD/CNOCD",
        doctor: true,
        weight: 7,
        adeli_percent: 0,
        specialty_percent: 30,
        specialties: &[
            ("SCD01", "Orthopédie Dento-Faciale", 2),
            ("SCD02", "Chirurgie Orale", 1),
            ("SCD03", "Médecine Bucco-Dentaire", 1),
        ],
        practice: "Cabinet dentaire",
    },
    Profession {
        code: "50",
        label: "Sage-Femme",
        authority: "CNOSF/CNOSF/CNOSF",
        doctor: false,
        weight: 4,
        adeli_percent: 0,
        specialty_percent: 0,
        specialties: &[],
        practice: "Cabinet de sage-femme",
    },
    Profession {
        code: "60",
        label: "Infirmier",
        authority: "CNOI/CNOI/CNOI",
        doctor: false,
        weight: 25,
        adeli_percent: 20,
        specialty_percent: 0,
        specialties: &[],
        practice: "Cabinet infirmier",
    },
    Profession {
        code: "70",
        label: "Masseur-Kinésithérapeute",
        authority: "CNOMK/CNOMK/CNOMK",
        doctor: false,
        weight: 10,
        adeli_percent: 15,
        specialty_percent: 0,
        specialties: &[],
        practice: "Cabinet de kinésithérapie",
    },
    Profession {
        code: "80",
        label: "Pédicure-Podologue",
        authority: "CNOPP/CNOPP/CNOPP",
        doctor: false,
        weight: 3,
        adeli_percent: 20,
        specialty_percent: 0,
        specialties: &[],
        practice: "Cabinet de podologie",
    },
    Profession {
        code: "91",
        label: "Orthophoniste",
        authority: "ARS/ARS/ARS",
        doctor: false,
        weight: 4,
        adeli_percent: 50,
        specialty_percent: 0,
        specialties: &[],
        practice: "Cabinet d'orthophonie",
    },
    Profession {
        code: "92",
        label: "Orthoptiste",
        authority: "ARS/ARS/ARS",
        doctor: false,
        weight: 2,
        adeli_percent: 50,
        specialty_percent: 0,
        specialties: &[],
        practice: "Cabinet d'orthoptie",
    },
];

/// The registration authority of people identified by ADELI.
pub(super) const ADELI_AUTHORITY: &str = "ARS/ARS/ARS";

/// General practice, Bruno Durand's specialty.
pub(super) const GENERAL_PRACTICE: (&str, &str) = ("SM26", "Qualifié en Médecine Générale");
/// Cardiology, Alice Martin's specialty.
pub(super) const CARDIOLOGY: (&str, &str) = ("SM04", "Cardiologie et maladies vasculaires");

/// The specialties of physicians, with their weights.
const MEDECIN_SPECIALTIES: &[(&str, &str, u64)] = &[
    (GENERAL_PRACTICE.0, GENERAL_PRACTICE.1, 40),
    ("SM53", "Spécialiste en Médecine Générale", 15),
    (CARDIOLOGY.0, CARDIOLOGY.1, 6),
    ("SM02", "Anesthésie-réanimation", 5),
    ("SM15", "Dermatologie et vénéréologie", 4),
    ("SM20", "Gynécologie-obstétrique", 5),
    ("SM33", "Ophtalmologie", 5),
    ("SM40", "Pédiatrie", 6),
    ("SM42", "Psychiatrie", 7),
    ("SM44", "Radiodiagnostic et imagerie médicale", 5),
];

/// A commune with a postal code and its department.
pub(super) struct Place {
    /// `Libellé commune`.
    pub(super) commune: &'static str,
    /// `Code postal`.
    pub(super) postal_code: &'static str,
    /// The department's name.
    pub(super) department: &'static str,
    /// The first two digits of the region's phone numbers.
    pub(super) phone_prefix: &'static str,
}

/// Builds a [`Place`].
const fn place(
    commune: &'static str,
    postal_code: &'static str,
    department: &'static str,
    phone_prefix: &'static str,
) -> Place {
    Place {
        commune,
        postal_code,
        department,
        phone_prefix,
    }
}

/// Paris 13e, Alice Martin's place.
pub(super) const PARIS_13: &Place = &PLACES[0];
/// Lyon 3e, Bruno Durand's place.
pub(super) const LYON_3: &Place = &PLACES[1];

/// The places, first the demo ones.
pub(super) const PLACES: [Place; 40] = [
    place("Paris", "75013", "Paris", "01"),
    place("Lyon", "69003", "Rhône", "04"),
    place("Paris", "75015", "Paris", "01"),
    place("Paris", "75018", "Paris", "01"),
    place("Paris", "75005", "Paris", "01"),
    place("Lyon", "69007", "Rhône", "04"),
    place("Villeurbanne", "69100", "Rhône", "04"),
    place("Marseille", "13005", "Bouches-du-Rhône", "04"),
    place("Aix-en-Provence", "13100", "Bouches-du-Rhône", "04"),
    place("Toulouse", "31000", "Haute-Garonne", "05"),
    place("Nice", "06000", "Alpes-Maritimes", "04"),
    place("Nantes", "44000", "Loire-Atlantique", "02"),
    place("Strasbourg", "67000", "Bas-Rhin", "03"),
    place("Montpellier", "34000", "Hérault", "04"),
    place("Bordeaux", "33000", "Gironde", "05"),
    place("Lille", "59000", "Nord", "03"),
    place("Rennes", "35000", "Ille-et-Vilaine", "02"),
    place("Reims", "51100", "Marne", "03"),
    place("Saint-Étienne", "42000", "Loire", "04"),
    place("Le Havre", "76600", "Seine-Maritime", "02"),
    place("Rouen", "76000", "Seine-Maritime", "02"),
    place("Toulon", "83000", "Var", "04"),
    place("Grenoble", "38000", "Isère", "04"),
    place("Dijon", "21000", "Côte-d'Or", "03"),
    place("Angers", "49000", "Maine-et-Loire", "02"),
    place("Nîmes", "30000", "Gard", "04"),
    place("Clermont-Ferrand", "63000", "Puy-de-Dôme", "04"),
    place("Le Mans", "72000", "Sarthe", "02"),
    place("Brest", "29200", "Finistère", "02"),
    place("Tours", "37000", "Indre-et-Loire", "02"),
    place("Amiens", "80000", "Somme", "03"),
    place("Limoges", "87000", "Haute-Vienne", "05"),
    place("Besançon", "25000", "Doubs", "03"),
    place("Orléans", "45000", "Loiret", "02"),
    place("Mulhouse", "68100", "Haut-Rhin", "03"),
    place("Caen", "14000", "Calvados", "02"),
    place("Nancy", "54000", "Meurthe-et-Moselle", "03"),
    place("Metz", "57000", "Moselle", "03"),
    place("Perpignan", "66000", "Pyrénées-Orientales", "04"),
    place("La Rochelle", "17000", "Charente-Maritime", "05"),
];

/// Street types: code and label.
pub(super) const STREET_TYPES: [(&str, &str); 8] = [
    ("R", "Rue"),
    ("AV", "Avenue"),
    ("BD", "Boulevard"),
    ("PL", "Place"),
    ("CHE", "Chemin"),
    ("ALL", "Allée"),
    ("IMP", "Impasse"),
    ("QUAI", "Quai"),
];

/// Street names.
pub(super) const STREETS: [&str; 24] = [
    "de la République",
    "Victor Hugo",
    "Jean Jaurès",
    "des Lilas",
    "du Général de Gaulle",
    "Pasteur",
    "de l'Église",
    "Émile Zola",
    "des Écoles",
    "Gambetta",
    "de la Gare",
    "Voltaire",
    "Jules Ferry",
    "de la Paix",
    "du Moulin",
    "des Tilleuls",
    "Sainte-Thérèse",
    "Aristide Briand",
    "de Verdun",
    "des Frères Lumière",
    "Marie Curie",
    "du Château",
    "Saint-Honoré",
    "de la Libération",
];

/// Family names.
pub(super) const FAMILY_NAMES: [&str; 96] = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Roche",
    "Noël",
    "Meyer",
    "Lucas",
    "Meunier",
    "Pérez",
    "Marchand",
    "Dufour",
    "Blanchard",
    "Barbier",
    "Brun",
    "Dumas",
    "Brunet",
    "Schmitt",
    "Leroux",
    "Colin",
    "Renard",
    "Arnaud",
    "Caron",
    "Aubert",
    "Giraud",
    "Leclerc",
    "Vidal",
    "Bourgeois",
    "Lemoine",
    "Picard",
    "Gaillard",
    "Lacroix",
    "Fabre",
    "Da Silva",
    "Rivière",
    "Le Gall",
    "Ménard",
    "Prévost",
    "Carré",
    "Rémy",
    "Lecœur",
    "Benoît",
    "Lemaître",
];

/// Given names.
pub(super) const GIVEN_NAMES: [&str; 64] = [
    "Camille",
    "Chloé",
    "Émile",
    "Élodie",
    "Hélène",
    "Jérôme",
    "Loïc",
    "Noémie",
    "Zoé",
    "Gaëlle",
    "Anaïs",
    "Benoît",
    "François",
    "Françoise",
    "Cécile",
    "Agnès",
    "Clémence",
    "Mathéo",
    "Léa",
    "Inès",
    "Raphaël",
    "Maëlle",
    "Joël",
    "Thérèse",
    "Frédéric",
    "Stéphane",
    "Sébastien",
    "Aurélie",
    "Valérie",
    "Amélie",
    "Rémi",
    "Régis",
    "Solène",
    "Ève",
    "Céline",
    "Denis",
    "Hugo",
    "Louis",
    "Manon",
    "Jules",
    "Nathalie",
    "Pierre",
    "Sophie",
    "Thomas",
    "Julie",
    "Nicolas",
    "Isabelle",
    "Marc",
    "Claire",
    "Paul",
    "Anne",
    "Yves",
    "Océane",
    "Mélanie",
    "Irène",
    "Léon",
    "Jean-Luc",
    "Marie-Christine",
    "Bérénice",
    "Grégoire",
    "Séverine",
    "Hervé",
    "Ségolène",
    "Timothée",
];

/// Hospital name patterns; `{}` is the commune.
pub(super) const HOSPITAL_NAMES: [&str; 4] = [
    "Centre hospitalier de {}",
    "Centre hospitalier universitaire de {}",
    "Hôpital privé de {}",
    "Clinique Sainte-Anne de {}",
];

/// Services of organisational mailboxes.
pub(super) const SERVICES: [&str; 12] = [
    "Cardiologie",
    "Urgences",
    "Radiologie",
    "Pédiatrie",
    "Maternité",
    "Oncologie",
    "Laboratoire",
    "Pharmacie",
    "Secrétariat médical",
    "Bloc opératoire",
    "Médecine interne",
    "Gériatrie",
];

/// Local parts of applicative mailboxes.
pub(super) const APPLICATIONS: [&str; 5] = [
    "dpi",
    "laboratoire-resultats",
    "imagerie-pacs",
    "lettres-de-sortie",
    "pharmacie-automate",
];
