//! Reason codes: why an application is refused, each with its legal ground and basis.
//!
//! One enum with stable dotted names (contract section 4). `docs/reasons.md` lists every
//! code; a test keeps the two equal.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The check a reason belongs to, in the order the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    Signature,
    Documents,
    Eligibility,
}

impl CheckName {
    pub const ALL: [CheckName; 3] = [Self::Signature, Self::Documents, Self::Eligibility];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signature => "signature",
            Self::Documents => "documents",
            Self::Eligibility => "eligibility",
        }
    }
}

/// The legal ground for refusal that a reason falls under (contract section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ground {
    /// Documents or data are unreliable: bad or untrusted signature, registry hit,
    /// data that contradict each other.
    UnreliableData,
    /// The applicant or the data do not meet the requirements of the Rules.
    NonCompliance,
    /// The employer already holds the most permits for household work the law allows.
    HouseholdQuota,
}

impl Ground {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnreliableData => "unreliable_data",
            Self::NonCompliance => "non_compliance",
            Self::HouseholdQuota => "household_quota",
        }
    }

    /// The legal basis cited in the decision, in English as the contract's example does.
    pub fn basis(self) -> &'static str {
        match self {
            Self::UnreliableData => RULES_GROUND_1,
            Self::NonCompliance => RULES_GROUND_2,
            Self::HouseholdQuota => {
                "Law of the Republic of Kazakhstan \"On population migration\", art. 43-2, para. 5"
            }
        }
    }
}

const RULES_GROUND_1: &str = "Rules for the public service \"Issuance or extension of temporary \
residence permits to foreigners and stateless persons\", grounds for refusal, ground (1): \
unreliable documents or data";
const RULES_GROUND_2: &str = "Rules for the public service \"Issuance or extension of temporary \
residence permits to foreigners and stateless persons\", grounds for refusal, ground (2): \
non-compliance with the requirements of the Rules";

macro_rules! reason_codes {
    ($( $variant:ident => $name:literal, $check:ident, $ground:ident; )*) => {
        /// Every reason an application can be refused for. The dotted names are stable:
        /// consumers of `trp.decision.v1` and the metrics rely on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ReasonCode {
            $( $variant, )*
        }

        impl ReasonCode {
            /// Every code, in the order the checks report them.
            pub const ALL: &'static [ReasonCode] = &[$( ReasonCode::$variant, )*];

            /// The stable dotted name, e.g. `signature.invalid`.
            pub fn as_str(self) -> &'static str {
                match self { $( ReasonCode::$variant => $name, )* }
            }

            /// The check that reports this code.
            pub fn check(self) -> CheckName {
                match self { $( ReasonCode::$variant => CheckName::$check, )* }
            }

            /// The ground for refusal this code falls under.
            pub fn ground(self) -> Ground {
                match self { $( ReasonCode::$variant => Ground::$ground, )* }
            }

            /// The code with this dotted name, if there is one.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $( $name => Some(ReasonCode::$variant), )* _ => None }
            }
        }
    };
}

reason_codes! {
    SignatureInvalid => "signature.invalid", Signature, UnreliableData;
    SignatureUntrusted => "signature.untrusted", Signature, UnreliableData;
    SignatureExpired => "signature.expired", Signature, UnreliableData;
    SignatureRevoked => "signature.revoked", Signature, UnreliableData;
    SignatureSignerMismatch => "signature.signer_mismatch", Signature, UnreliableData;
    SignatureKeyUsage => "signature.key_usage", Signature, UnreliableData;
    SignatureOtpInvalid => "signature.otp_invalid", Signature, UnreliableData;
    SignatureOtpExpired => "signature.otp_expired", Signature, UnreliableData;
    SignaturePhoneNotRegistered => "signature.phone_not_registered", Signature, UnreliableData;
    DocumentsMalformed => "documents.malformed", Documents, NonCompliance;
    DocumentsMissing => "documents.missing", Documents, NonCompliance;
    DocumentsInvalidDigest => "documents.invalid_digest", Documents, NonCompliance;
    DocumentsPassportExpires => "documents.passport_expires", Documents, NonCompliance;
    DocumentsUnreliable => "documents.unreliable", Documents, UnreliableData;
    DocumentsInconsistent => "documents.inconsistent", Documents, UnreliableData;
    EligibilityCitizen => "eligibility.citizen", Eligibility, NonCompliance;
    EligibilityIinInvalid => "eligibility.iin_invalid", Eligibility, NonCompliance;
    EligibilityIinMismatch => "eligibility.iin_mismatch", Eligibility, UnreliableData;
    EligibilityFingerprintsMissing => "eligibility.fingerprints_missing", Eligibility, NonCompliance;
    EligibilityTerm => "eligibility.term", Eligibility, NonCompliance;
    EligibilityHouseholdQuota => "eligibility.household_quota", Eligibility, HouseholdQuota;
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ReasonCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ReasonCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Self::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown reason code {name:?}")))
    }
}

/// One failure a check found: the code and a one-line detail. The detail speaks of the
/// applicant's own application only, never of another person's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub code: ReasonCode,
    pub detail: String,
}

impl Failure {
    pub fn new(code: ReasonCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }
}

/// A reason as it appears in `trp.decision.v1`: code, ground, basis and detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    pub ground: Ground,
    pub basis: String,
    pub detail: String,
}

impl From<Failure> for Reason {
    fn from(failure: Failure) -> Self {
        let ground = failure.code.ground();
        Self {
            code: failure.code,
            ground,
            basis: ground.basis().to_owned(),
            detail: failure.detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_dotted_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &code in ReasonCode::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            let (check, rest) = name.split_once('.').expect("dotted");
            assert_eq!(check, code.check().as_str(), "{name} names its check");
            assert!(rest.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert_eq!(ReasonCode::from_name(name), Some(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(serde_json::from_str::<ReasonCode>(&json).unwrap(), code);
        }
        assert_eq!(ReasonCode::from_name("signature.nonsense"), None);
    }

    #[test]
    fn household_quota_cites_the_migration_law() {
        let reason = Reason::from(Failure::new(ReasonCode::EligibilityHouseholdQuota, "x"));
        assert_eq!(reason.ground, Ground::HouseholdQuota);
        assert_eq!(
            reason.basis,
            "Law of the Republic of Kazakhstan \"On population migration\", art. 43-2, para. 5"
        );
    }

    #[test]
    fn contract_codes_all_exist() {
        // The list of contract section 4, verbatim.
        let listed = "signature.invalid signature.untrusted signature.expired signature.revoked \
            signature.signer_mismatch signature.key_usage signature.otp_invalid \
            signature.otp_expired signature.phone_not_registered documents.malformed \
            documents.missing documents.invalid_digest documents.passport_expires \
            documents.unreliable documents.inconsistent eligibility.citizen \
            eligibility.iin_invalid eligibility.iin_mismatch eligibility.fingerprints_missing \
            eligibility.term eligibility.household_quota";
        let names: Vec<&str> = listed.split_whitespace().collect();
        assert_eq!(names.len(), ReasonCode::ALL.len());
        for name in names {
            assert!(ReasonCode::from_name(name).is_some(), "{name} missing");
        }
    }
}
