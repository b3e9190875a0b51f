//! The three checks, all of one shape: parsed application and registry facts in, failures
//! out. [`run`] runs documents and eligibility after the signature, always all three, so
//! that the applicant learns every reason at once.

pub mod documents;
pub mod eligibility;
pub mod facts;
pub mod signature;

pub use facts::Facts;

#[cfg(test)]
pub(crate) mod testkit;

use time::Date;

use crate::domain::decision::CheckReport;
use crate::domain::reason::{CheckName, Failure};
use crate::domain::request::ERequest;
use crate::domain::rules::Rules;

/// The three reports in order. `signature` is what the signature check found (it needs the
/// trust store, so it runs first, outside). A document that cannot be read fails the
/// documents check with `documents.malformed`, and eligibility cannot be assessed.
pub fn run(
    signature: Vec<Failure>,
    document: Result<&ERequest, &Failure>,
    submitted_on: Date,
    facts: &Facts,
    rules: &Rules,
) -> [CheckReport; 3] {
    let signature = CheckReport::assessed(CheckName::Signature, signature);
    match document {
        Ok(request) => [
            signature,
            CheckReport::assessed(
                CheckName::Documents,
                documents::check(request, facts, rules),
            ),
            CheckReport::assessed(
                CheckName::Eligibility,
                eligibility::check(request, submitted_on, facts, rules),
            ),
        ],
        Err(malformed) => [
            signature,
            CheckReport::assessed(CheckName::Documents, vec![malformed.clone()]),
            CheckReport::not_assessed(CheckName::Eligibility),
        ],
    }
}
