//! Reasons for tests, with details as the checks write them (`src/checks/`): for every
//! code the longest detail it can carry, and every detail a code can carry.

use crate::domain::reason::{Failure, Reason, ReasonCode};

/// Every detail the checks write for `code`, with realistic dates and kinds; the first is
/// the one the snapshots show.
pub fn details(code: ReasonCode) -> Vec<&'static str> {
    use ReasonCode::*;
    match code {
        SignatureInvalid => vec!["the signature value does not verify under the signer's key"],
        SignatureUntrusted => vec!["the certificate does not chain to a configured trust anchor"],
        SignatureExpired => vec!["the certificate was no longer valid at submitted_at"],
        SignatureRevoked => vec!["a configured CRL revokes the certificate"],
        SignatureSignerMismatch => vec!["the certificate's serialNumber is not IIN followed by the applicant's IIN"],
        SignatureKeyUsage => vec!["key usage allows neither digital signature nor non-repudiation"],
        SignatureOtpInvalid => vec!["the OTP MAC does not verify"],
        SignatureOtpExpired => vec!["confirmed_at - issued_at is 412 s, over the 300 s lifetime"],
        SignaturePhoneNotRegistered => vec!["the OTP's phone is not registered to the applicant's IIN"],
        DocumentsMalformed => vec!["permit.until is missing"],
        DocumentsMissing => vec![
            "no employment_contract document is listed",
            "employer is required for employment and is missing",
            "host is required for family_reunification and is missing",
            "institution is required for study and is missing",
            "employer.contract is required and is missing",
            "no religious_invitation document is listed",
        ],
        DocumentsInvalidDigest => vec!["the sha256 of the kinship_proof document is not 64 hexadecimal digits"],
        DocumentsPassportExpires => vec!["the passport expires on 2027-11-29, before the permit would end on 2027-11-30"],
        DocumentsUnreliable => vec![
            "the passport document is listed in the invalid-documents registry",
            "the humanitarian_grounds document is listed in the invalid-documents registry",
        ],
        DocumentsInconsistent => vec![
            "the passport listed in documents is not the applicant's passport",
            "the employment contract listed in documents is not the one named in employer.contract",
        ],
        EligibilityCitizen => vec!["the applicant is a citizen of Kazakhstan and needs no residence permit"],
        EligibilityIinInvalid => vec!["the applicant's IIN has a wrong check digit"],
        EligibilityIinMismatch => vec![
            "the birth date encoded in the IIN differs from applicant.birth_date",
            "the sex encoded in the IIN differs from applicant.sex",
        ],
        EligibilityFingerprintsMissing => vec![
            "no fingerprint registration is found for the applicant's IIN",
            "the fingerprint record named in the request is not the one registered for the IIN",
        ],
        EligibilityTerm => vec![
            "the term from 2026-12-01 to 2029-12-31 is longer than the 36 months allowed for employment",
            "the permit would start on 2026-11-20, before the submission date 2026-11-24",
            "the permit would end on 2026-11-30, before it starts on 2026-12-01",
            "the permit would end on 2029-11-30, after the employment contract ends on 2028-06-30",
        ],
        EligibilityHouseholdQuota => vec!["the employer already holds 5 valid permits for household work (the limit is 5)"],
    }
}

/// One reason per code, with the code's first detail.
pub fn reasons(codes: &[ReasonCode]) -> Vec<Reason> {
    codes
        .iter()
        .map(|&code| Reason::from(Failure::new(code, details(code)[0])))
        .collect()
}

/// Every reason the checks can give: each code with each of its details.
pub fn every_reason() -> Vec<Reason> {
    ReasonCode::ALL
        .iter()
        .flat_map(|&code| details(code).into_iter().map(move |d| (code, d)))
        .map(|(code, d)| Reason::from(Failure::new(code, d)))
        .collect()
}
