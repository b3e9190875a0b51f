//! The signature check (contract section 4, check 1): an EDS (CMS SignedData) verified
//! against the configured national CA, or a one-time password attested by the portal.
//!
//! One verification path for every algorithm: webpki builds and checks the chain, RustCrypto's
//! `cms` reads the SignedData, and [`algorithms`] is the one place algorithms enter.

pub mod algorithms;
pub mod ber;
pub mod ca_path;
pub mod certificate;
pub mod eds;
pub mod gost;
pub mod otp;
pub mod revocation;
pub mod signed_data;
pub mod timestamp;
pub mod trust;
pub mod tst_info;
pub mod verified_once;

pub use otp::{OtpKey, OtpKeyError, OtpSettings};
pub use revocation::{CrlGap, MissingCrls};
pub use timestamp::{TimeStamp, Timestamps};
pub use trust::{TrustError, TrustStore};

use time::OffsetDateTime;

use super::Facts;
use crate::domain::decision::SigningTime;
use crate::domain::envelope::{Envelope, SignatureClaim};
use crate::domain::reason::Failure;

/// Keeps the first failure of each code, in order: the decision lists a code once, and the
/// first found names the detail.
pub(crate) fn one_per_code(found: impl IntoIterator<Item = Option<Failure>>) -> Vec<Failure> {
    let mut failures: Vec<Failure> = Vec::new();
    for failure in found.into_iter().flatten() {
        if failures.iter().all(|f| f.code != failure.code) {
            failures.push(failure);
        }
    }
    failures
}

/// What the signature check reads.
pub struct SignatureInput<'a> {
    pub envelope: &'a Envelope,
    /// The applicant's IIN as the e-request states it; `None` when the document cannot be
    /// read. Then the certificate's IIN and the phone's holder are not compared: the
    /// application is refused anyway (`documents.malformed`).
    pub applicant_iin: Option<&'a str>,
    pub facts: &'a Facts,
    /// When the check runs: a CRL whose `nextUpdate` is before it is stale.
    pub now: OffsetDateTime,
}

/// What the signature check found: the failures, and whether they can be decided on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Every failure found (at most one per code); empty when the signature passed.
    pub failures: Vec<Failure>,
    /// The CAs whose CRL the signer's revocation status waits for (missing or stale).
    /// While it is not empty the application must not be decided on this verdict, neither
    /// approved nor refused: it waits for fresh CRLs (`docs/signatures.md`).
    pub waiting_for: Vec<CrlGap>,
    /// The signer's time-stamp token when one verified: its `genTime` is the signing time
    /// the chain was judged at. `None`: judged at `submitted_at` (or an OTP).
    pub timestamp: Option<TimeStamp>,
}

impl Verdict {
    /// Failures that can be decided on (nothing to wait for).
    pub fn decided(failures: Vec<Failure>) -> Self {
        Self {
            failures,
            waiting_for: Vec::new(),
            timestamp: None,
        }
    }

    /// The time an EDS signer's certificate was judged at, for the record; `None` for an
    /// OTP.
    pub fn signing_time(&self, envelope: &Envelope) -> Option<SigningTime> {
        match (&envelope.signature, &self.timestamp) {
            (SignatureClaim::Otp(_), _) => None,
            (SignatureClaim::Eds { .. }, Some(stamp)) => Some(SigningTime::TimeStamp {
                gen_time: stamp.gen_time,
                tsa: stamp.tsa.clone(),
            }),
            (SignatureClaim::Eds { .. }, None) => {
                Some(SigningTime::SubmittedAt(envelope.submitted_at()))
            }
        }
    }

    /// Whether an application may be decided on this verdict.
    pub fn is_decidable(&self) -> bool {
        self.waiting_for.is_empty()
    }
}

/// The signature check: every failure found (at most one per code), and the CRLs an EDS
/// signer's revocation status waits for. An OTP never waits.
pub fn check(input: &SignatureInput<'_>, trust: &TrustStore, otp: &OtpSettings) -> Verdict {
    let envelope = input.envelope;
    match &envelope.signature {
        SignatureClaim::Eds { cms } => eds::check(
            &eds::EdsInput {
                cms,
                document: &envelope.document,
                submitted_at: envelope.submitted_at(),
                applicant_iin: input.applicant_iin,
            },
            trust,
            input.now,
        ),
        SignatureClaim::Otp(claim) => Verdict::decided(otp::verify(
            &otp::OtpInput {
                claim,
                document_sha256: &envelope.document_sha256,
                submitted_at: envelope.submitted_at(),
                applicant_iin: input.applicant_iin,
                phone_holder_iin: input.facts.phone_holder_iin.as_deref(),
            },
            otp,
        )),
    }
}
