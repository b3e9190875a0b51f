//! The decision (contract section 5): approved when all three checks pass, else refused
//! with every reason; due at the end of the first working day after submission.

use time::{Date, OffsetDateTime};

use super::calendar::{Calendar, CalendarError};
use super::reason::{CheckName, Failure, Reason};
use super::request::ERequest;
use super::rules::Subspecies;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Approved,
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Refused => "refused",
        }
    }
}

/// The instant an EDS signer's certificate was judged at, and where it came from: stored
/// with the signature check, shown by `explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningTime {
    /// No verified time-stamp token: the envelope's `submitted_at`.
    SubmittedAt(OffsetDateTime),
    /// A verified signature time-stamp token's `genTime`, vouched for by the TSA named.
    TimeStamp {
        gen_time: OffsetDateTime,
        tsa: String,
    },
}

/// What one check found. A check that could not be assessed (eligibility of a document
/// that cannot be read) has not passed, though it adds no reason of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub name: CheckName,
    pub failures: Vec<Failure>,
    pub assessed: bool,
    /// For the signature check of an EDS: the time its certificate was judged at.
    pub signing_time: Option<SigningTime>,
}

impl CheckReport {
    pub fn assessed(name: CheckName, failures: Vec<Failure>) -> Self {
        Self {
            name,
            failures,
            assessed: true,
            signing_time: None,
        }
    }

    pub fn not_assessed(name: CheckName) -> Self {
        Self {
            name,
            failures: Vec::new(),
            assessed: false,
            signing_time: None,
        }
    }

    pub fn passed(&self) -> bool {
        self.assessed && self.failures.is_empty()
    }
}

/// The permit an approval grants; the store gives it its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermitGrant {
    pub subspecies: Subspecies,
    pub valid_from: Date,
    pub valid_until: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Outcome,
    /// Every reason, in the order of the checks.
    pub reasons: Vec<Reason>,
    pub checks: [CheckReport; 3],
    pub decided_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    pub permit: Option<PermitGrant>,
}

/// Decides from the three reports, in the order signature, documents, eligibility.
pub fn decide(
    document: Result<&ERequest, &Failure>,
    checks: [CheckReport; 3],
    submitted_at: OffsetDateTime,
    decided_at: OffsetDateTime,
    calendar: &Calendar,
) -> Result<Decision, CalendarError> {
    debug_assert!(checks.iter().map(|c| c.name).eq(CheckName::ALL));
    let due_at = calendar.due_at(submitted_at)?;
    let approved_request = match document {
        Ok(request) if checks.iter().all(CheckReport::passed) => Some(request),
        _ => None,
    };
    let reasons = checks
        .iter()
        .flat_map(|c| c.failures.iter().cloned().map(Reason::from))
        .collect();
    Ok(Decision {
        outcome: match approved_request {
            Some(_) => Outcome::Approved,
            None => Outcome::Refused,
        },
        reasons,
        permit: approved_request.map(|r| PermitGrant {
            subspecies: r.subspecies,
            valid_from: r.permit.from,
            valid_until: r.permit.until,
        }),
        checks,
        decided_at,
        due_at,
    })
}
