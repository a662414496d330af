//! The regions of France and their departments (MS-15, AC-1): a health alert sender
//! may be granted one region, and broadcasts only to a department inside it. The 18
//! regions since 2016 by their INSEE code, and the 101 departments (`01`–`95` without
//! `20`, Corsica's `2A` and `2B`, overseas `971`–`974` and `976`). Saint-Pierre-et-
//! Miquelon (`975`) is an overseas collectivity, in no region.

codes! {
    /// A region of France, by its INSEE code (`84` Auvergne-Rhône-Alpes).
    Region {
        /// Guadeloupe (971).
        Guadeloupe => "01",
        /// Martinique (972).
        Martinique => "02",
        /// Guyane (973).
        Guyane => "03",
        /// La Réunion (974).
        LaReunion => "04",
        /// Mayotte (976).
        Mayotte => "06",
        /// Île-de-France.
        IleDeFrance => "11",
        /// Centre-Val de Loire.
        CentreValDeLoire => "24",
        /// Bourgogne-Franche-Comté.
        BourgogneFrancheComte => "27",
        /// Normandie.
        Normandie => "28",
        /// Hauts-de-France.
        HautsDeFrance => "32",
        /// Grand Est.
        GrandEst => "44",
        /// Pays de la Loire.
        PaysDeLaLoire => "52",
        /// Bretagne.
        Bretagne => "53",
        /// Nouvelle-Aquitaine.
        NouvelleAquitaine => "75",
        /// Occitanie.
        Occitanie => "76",
        /// Auvergne-Rhône-Alpes.
        AuvergneRhoneAlpes => "84",
        /// Provence-Alpes-Côte d'Azur.
        ProvenceAlpesCoteDAzur => "93",
        /// Corse.
        Corse => "94",
    }
}

impl Region {
    /// The departments of the region, by their codes.
    pub fn departments(self) -> &'static [&'static str] {
        match self {
            Region::Guadeloupe => &["971"],
            Region::Martinique => &["972"],
            Region::Guyane => &["973"],
            Region::LaReunion => &["974"],
            Region::Mayotte => &["976"],
            Region::IleDeFrance => &["75", "77", "78", "91", "92", "93", "94", "95"],
            Region::CentreValDeLoire => &["18", "28", "36", "37", "41", "45"],
            Region::BourgogneFrancheComte => &["21", "25", "39", "58", "70", "71", "89", "90"],
            Region::Normandie => &["14", "27", "50", "61", "76"],
            Region::HautsDeFrance => &["02", "59", "60", "62", "80"],
            Region::GrandEst => &["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"],
            Region::PaysDeLaLoire => &["44", "49", "53", "72", "85"],
            Region::Bretagne => &["22", "29", "35", "56"],
            Region::NouvelleAquitaine => &[
                "16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87",
            ],
            Region::Occitanie => &[
                "09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82",
            ],
            Region::AuvergneRhoneAlpes => &[
                "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74",
            ],
            Region::ProvenceAlpesCoteDAzur => &["04", "05", "06", "13", "83", "84"],
            Region::Corse => &["2A", "2B"],
        }
    }

    /// The region of department `code` (`2a` and `2A` alike), or `None` for what is
    /// not a department of a region (`975`, `20`, `99`).
    pub fn of_department(code: &str) -> Option<Region> {
        let code = code.trim().to_ascii_uppercase();
        Region::ALL
            .iter()
            .copied()
            .find(|r| r.departments().contains(&code.as_str()))
    }

    /// Whether department `code` lies in this region.
    pub fn contains(self, department: &str) -> bool {
        Region::of_department(department) == Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms15_eighteen_regions_hold_the_101_departments_each_once() {
        assert_eq!(Region::ALL.len(), 18);
        let mut all: Vec<&str> = Region::ALL
            .iter()
            .flat_map(|r| r.departments().iter().copied())
            .collect();
        assert_eq!(all.len(), 101);
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 101, "a department in two regions");
        let metropolitan: Vec<String> = (1..=95)
            .filter(|n| *n != 20)
            .map(|n| format!("{n:02}"))
            .chain(["2A".to_owned(), "2B".to_owned()])
            .collect();
        for code in &metropolitan {
            assert!(Region::of_department(code).is_some(), "{code}");
        }
        for code in ["971", "972", "973", "974", "976"] {
            assert!(Region::of_department(code).is_some(), "{code}");
        }
    }

    #[test]
    fn ms15_departments_fall_in_their_region() {
        for (department, region) in [
            ("69", Region::AuvergneRhoneAlpes),
            ("75", Region::IleDeFrance),
            ("2a", Region::Corse),
            ("2B", Region::Corse),
            ("974", Region::LaReunion),
            ("976", Region::Mayotte),
            ("13", Region::ProvenceAlpesCoteDAzur),
            ("29", Region::Bretagne),
            ("90", Region::BourgogneFrancheComte),
        ] {
            assert_eq!(
                Region::of_department(department),
                Some(region),
                "{department}"
            );
            assert!(region.contains(department));
        }
        assert!(!Region::AuvergneRhoneAlpes.contains("75"));
        for none in ["975", "20", "00", "96", "99", "", "7"] {
            assert_eq!(Region::of_department(none), None, "{none:?}");
        }
    }

    #[test]
    fn region_codes_round_trip() {
        for region in Region::ALL {
            assert_eq!(Region::parse(region.as_str()), Some(*region));
        }
        assert_eq!("84".parse::<Region>(), Ok(Region::AuvergneRhoneAlpes));
        assert!("85".parse::<Region>().is_err());
    }
}
