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
pub mod signed_data;
pub mod trust;
pub mod verified_once;

pub use otp::{OtpKey, OtpKeyError, OtpSettings};
pub use trust::{TrustError, TrustStore};

use super::Facts;
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
}

/// Every failure the signature check finds (at most one per code); empty when it passes.
pub fn check(input: &SignatureInput<'_>, trust: &TrustStore, otp: &OtpSettings) -> Vec<Failure> {
    let envelope = input.envelope;
    match &envelope.signature {
        SignatureClaim::Eds { cms } => eds::verify(
            &eds::EdsInput {
                cms,
                document: &envelope.document,
                submitted_at: envelope.submitted_at(),
                applicant_iin: input.applicant_iin,
            },
            trust,
        ),
        SignatureClaim::Otp(claim) => otp::verify(
            &otp::OtpInput {
                claim,
                document_sha256: &envelope.document_sha256,
                submitted_at: envelope.submitted_at(),
                applicant_iin: input.applicant_iin,
                phone_holder_iin: input.facts.phone_holder_iin.as_deref(),
            },
            otp,
        ),
    }
}
