//! Registry facts a decision rests on, read by the store before the checks run. The checks
//! are pure functions of the parsed application and these facts.

use time::Date;

use crate::domain::ids::Sha256;

/// What the registries say about one application.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The biometrics registry's row for the applicant's IIN.
    pub fingerprint: Option<FingerprintFact>,
    /// Rows of the invalid-documents registry whose kind is one the application lists;
    /// the documents check decides which of them match.
    pub invalid_documents: Vec<InvalidDocument>,
    /// Valid household-work permits the employer holds on the submission date: those in the
    /// `permits` registry plus those this worker issued.
    pub household_permits_held: u32,
    /// For an OTP signature: the IIN the mobile citizens registry gives for the phone.
    pub phone_holder_iin: Option<String>,
}

impl Facts {
    /// The registry facts under which [`crate::domain::sample::request`] passes every check:
    /// for tests, the demo and benchmarks, as the sample itself is.
    #[cfg(any(test, feature = "testkit"))]
    pub fn sample() -> Self {
        Self {
            fingerprint: Some(FingerprintFact {
                record: "FP-2026-7731902".into(),
                registered_on: time::macros::date!(2026 - 10 - 01),
            }),
            invalid_documents: Vec::new(),
            household_permits_held: 0,
            phone_holder_iin: Some("900517310006".into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerprintFact {
    pub record: String,
    pub registered_on: Date,
}

/// One row of the invalid-documents registry: `kind` and at least one of number and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidDocument {
    pub kind: String,
    pub number: Option<String>,
    pub sha256: Option<Sha256>,
}
