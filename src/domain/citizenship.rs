//! Citizenship: an ISO 3166-1 alpha-3 code of an officially assigned country, or `XXA`
//! (stateless person, ICAO Doc 9303).

use std::fmt;

/// The officially assigned ISO 3166-1 alpha-3 codes (249), sorted for binary search.
const ISO_3166_ALPHA3: [&str; 249] = [
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM",
    "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN",
    "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ",
    "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE",
    "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS",
    "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL",
    "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
    "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
    "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL",
    "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY",
    "USA", "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF",
    "ZMB", "ZWE",
];

/// ICAO Doc 9303's code for a stateless person.
const STATELESS: &str = "XXA";

/// A citizenship (or, for passports, issuing state) code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Citizenship([u8; 3]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("is not an ISO 3166-1 alpha-3 code nor XXA")]
pub struct CitizenshipError;

impl Citizenship {
    pub fn parse(s: &str) -> Result<Self, CitizenshipError> {
        let known = s == STATELESS || ISO_3166_ALPHA3.binary_search(&s).is_ok();
        match s.as_bytes() {
            &[a, b, c] if known => Ok(Self([a, b, c])),
            _ => Err(CitizenshipError),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("parsed from ASCII")
    }

    /// A citizen of Kazakhstan needs no residence permit (eligibility).
    pub fn is_kazakhstan(&self) -> bool {
        self.as_str() == "KAZ"
    }

    pub fn is_stateless(&self) -> bool {
        self.as_str() == STATELESS
    }
}

impl fmt::Display for Citizenship {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_unique_and_uppercase() {
        assert!(ISO_3166_ALPHA3.windows(2).all(|w| w[0] < w[1]));
        assert!(ISO_3166_ALPHA3
            .iter()
            .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }

    #[test]
    fn known_and_unknown_codes() {
        for code in ["UZB", "KAZ", "RUS", "CHN", "XXA", "SSD", "BES", "TWN"] {
            assert_eq!(Citizenship::parse(code).unwrap().as_str(), code);
        }
        for code in [
            "", "uzb", "UZ", "UZBK", "XXB", "SUN", "YUG", "ANT", "EUE", "ZZZ",
        ] {
            assert!(Citizenship::parse(code).is_err(), "{code}");
        }
        assert!(Citizenship::parse("KAZ").unwrap().is_kazakhstan());
        assert!(Citizenship::parse("XXA").unwrap().is_stateless());
    }
}
