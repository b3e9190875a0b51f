//! What exactly went wrong, read out of a reason's `detail`: which date, which document,
//! which limit. The details are one-line English for the back office (`docs/reasons.md`);
//! the applicant never sees them as they are. Only whitelisted pieces are taken from them
//! (dates of the applicant's own application, a known document kind or part, a small
//! number), so nothing else a detail might hold can reach a message. A detail this module
//! does not recognise gives no specifics, and the reason's general words stand alone.

use time::macros::format_description;
use time::Date;

use crate::domain::reason::ReasonCode;

/// A document kind of the shipped rules (`config/rules.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Passport,
    Photo,
    EmploymentContract,
    BusinessRegistration,
    KinshipProof,
    EnrolmentLetter,
    HumanitarianGrounds,
    ClinicInvitation,
    ReligiousInvitation,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Passport,
        Kind::Photo,
        Kind::EmploymentContract,
        Kind::BusinessRegistration,
        Kind::KinshipProof,
        Kind::EnrolmentLetter,
        Kind::HumanitarianGrounds,
        Kind::ClinicInvitation,
        Kind::ReligiousInvitation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Passport => "passport",
            Kind::Photo => "photo",
            Kind::EmploymentContract => "employment_contract",
            Kind::BusinessRegistration => "business_registration",
            Kind::KinshipProof => "kinship_proof",
            Kind::EnrolmentLetter => "enrolment_letter",
            Kind::HumanitarianGrounds => "humanitarian_grounds",
            Kind::ClinicInvitation => "clinic_invitation",
            Kind::ReligiousInvitation => "religious_invitation",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A part of the application a subspecies may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Employer,
    Host,
    Institution,
    /// `employer.contract`: the employment contract's number and end date.
    Contract,
}

/// The specifics of one reason, each one the words of `specifics_words.rs` can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Specific {
    TermStartsEarly {
        from: Date,
        submitted: Date,
    },
    TermEndsBeforeStart {
        from: Date,
        until: Date,
    },
    TermTooLong {
        from: Date,
        until: Date,
        months: u16,
    },
    TermPastContract {
        until: Date,
        contract_ends: Date,
    },
    PassportExpires {
        expires: Date,
        until: Date,
    },
    PartMissing(Part),
    KindMissing(Kind),
    DigestBad(Kind),
    KindListedInvalid(Kind),
    PassportNotYours,
    ContractNotTheNamedOne,
    IinBirthDate,
    IinSex,
    FingerprintsNone,
    FingerprintsOtherRecord,
    Quota {
        held: u16,
        limit: u16,
    },
}

/// The specifics of a reason with this `code` and `detail`, when the detail is one the
/// checks write (`src/checks/`) and says more than the code does.
pub fn read(code: ReasonCode, detail: &str) -> Option<Specific> {
    use ReasonCode::*;
    use Specific::*;
    let d = detail.trim();
    match code {
        EligibilityTerm => {
            if let Some(rest) = d.strip_prefix("the permit would start on ") {
                let (from, submitted) = rest.split_once(", before the submission date ")?;
                return Some(TermStartsEarly {
                    from: date(from)?,
                    submitted: date(submitted)?,
                });
            }
            if let Some(rest) = d.strip_prefix("the term from ") {
                let (from, rest) = rest.split_once(" to ")?;
                let (until, rest) = rest.split_once(" is longer than the ")?;
                let (months, _) = rest.split_once(" months allowed for ")?;
                return Some(TermTooLong {
                    from: date(from)?,
                    until: date(until)?,
                    months: number(months)?,
                });
            }
            let rest = d.strip_prefix("the permit would end on ")?;
            if let Some((until, from)) = rest.split_once(", before it starts on ") {
                return Some(TermEndsBeforeStart {
                    from: date(from)?,
                    until: date(until)?,
                });
            }
            let (until, ends) = rest.split_once(", after the employment contract ends on ")?;
            Some(TermPastContract {
                until: date(until)?,
                contract_ends: date(ends)?,
            })
        }
        DocumentsPassportExpires => {
            let rest = d.strip_prefix("the passport expires on ")?;
            let (expires, until) = rest.split_once(", before the permit would end on ")?;
            Some(PassportExpires {
                expires: date(expires)?,
                until: date(until)?,
            })
        }
        DocumentsMissing => {
            if d == "employer.contract is required and is missing" {
                return Some(PartMissing(Part::Contract));
            }
            if let Some(kind) = d.strip_prefix("no ") {
                return Some(KindMissing(Kind::parse(
                    kind.strip_suffix(" document is listed")?,
                )?));
            }
            let (part, _) = d.split_once(" is required for ")?;
            Some(PartMissing(match part {
                "employer" => Part::Employer,
                "host" => Part::Host,
                "institution" => Part::Institution,
                _ => return None,
            }))
        }
        DocumentsInvalidDigest => {
            let rest = d.strip_prefix("the sha256 of the ")?;
            let (kind, _) = rest.split_once(" document ")?;
            Some(DigestBad(Kind::parse(kind)?))
        }
        DocumentsUnreliable => {
            let rest = d.strip_prefix("the ")?;
            let kind = rest.strip_suffix(" document is listed in the invalid-documents registry")?;
            Some(KindListedInvalid(Kind::parse(kind)?))
        }
        DocumentsInconsistent => match d {
            "the passport listed in documents is not the applicant's passport" => {
                Some(PassportNotYours)
            }
            "the employment contract listed in documents is not the one named in employer.contract" => {
                Some(ContractNotTheNamedOne)
            }
            _ => None,
        },
        EligibilityIinMismatch => match d {
            "the birth date encoded in the IIN differs from applicant.birth_date" => {
                Some(IinBirthDate)
            }
            "the sex encoded in the IIN differs from applicant.sex" => Some(IinSex),
            _ => None,
        },
        EligibilityFingerprintsMissing => match d {
            "no fingerprint registration is found for the applicant's IIN" => {
                Some(FingerprintsNone)
            }
            "the fingerprint record named in the request is not the one registered for the IIN" => {
                Some(FingerprintsOtherRecord)
            }
            _ => None,
        },
        EligibilityHouseholdQuota => {
            let rest = d.strip_prefix("the employer already holds ")?;
            let (held, rest) = rest.split_once(" valid permits for household work (the limit is ")?;
            Some(Quota {
                held: number(held)?,
                limit: number(rest.strip_suffix(')')?)?,
            })
        }
        _ => None,
    }
}

fn date(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

/// A count or a limit: a few digits, nothing else.
fn number(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::texts::samples;

    #[test]
    fn every_detail_the_checks_write_with_specifics_is_read() {
        use ReasonCode::*;
        let with_specifics = [
            DocumentsMissing,
            DocumentsInvalidDigest,
            DocumentsPassportExpires,
            DocumentsUnreliable,
            DocumentsInconsistent,
            EligibilityIinMismatch,
            EligibilityFingerprintsMissing,
            EligibilityTerm,
            EligibilityHouseholdQuota,
        ];
        for reason in samples::every_reason() {
            let read = read(reason.code, &reason.detail);
            assert_eq!(
                read.is_some(),
                with_specifics.contains(&reason.code),
                "{}: {}",
                reason.code,
                reason.detail
            );
        }
    }

    #[test]
    fn only_whitelisted_pieces_are_taken() {
        let code = ReasonCode::DocumentsUnreliable;
        let listed = "the FA1234567 document is listed in the invalid-documents registry";
        assert_eq!(read(code, listed), None, "an unknown kind is not echoed");
        let quota = "the employer already holds 180240012342 valid permits for household work (the limit is 5)";
        assert_eq!(read(ReasonCode::EligibilityHouseholdQuota, quota), None);
        let term = "the permit would start on 2026-13-01, before the submission date 2026-11-24";
        assert_eq!(read(ReasonCode::EligibilityTerm, term), None);
    }
}
