//! The documents check (contract section 4.2): the parts and document kinds the subspecies
//! requires, well-formed digests, the applicant's own passport valid through the permit,
//! and no document in the invalid-documents registry. Returns every failure it finds.

use crate::domain::reason::{Failure, ReasonCode};
use crate::domain::request::{DocumentEntry, ERequest};
use crate::domain::rules::{Part, Rules};

use super::facts::{Facts, InvalidDocument};

pub fn check(request: &ERequest, facts: &Facts, rules: &Rules) -> Vec<Failure> {
    let mut failures = Vec::new();
    required_parts(request, rules, &mut failures);
    required_kinds(request, rules, &mut failures);
    passport(request, &mut failures);
    contract_number(request, &mut failures);
    registry_hits(request, &facts.invalid_documents, &mut failures);
    failures
}

fn required_parts(request: &ERequest, rules: &Rules, failures: &mut Vec<Failure>) {
    let rule = rules.subspecies(request.subspecies);
    for part in &rule.required_parts {
        let present = match part {
            Part::Employer => request.employer.is_some(),
            Part::Host => request.host.is_some(),
            Part::Institution => request.institution.is_some(),
        };
        if !present {
            failures.push(Failure::new(
                ReasonCode::DocumentsMissing,
                format!(
                    "{} is required for {} and is missing",
                    part.as_str(),
                    request.subspecies.as_str()
                ),
            ));
        }
    }
    let contract_missing = request
        .employer
        .as_ref()
        .is_some_and(|e| e.contract.is_none());
    if rule.term_within_contract && contract_missing {
        failures.push(Failure::new(
            ReasonCode::DocumentsMissing,
            "employer.contract is required and is missing",
        ));
    }
}

fn required_kinds(request: &ERequest, rules: &Rules, failures: &mut Vec<Failure>) {
    for kind in rules.required_documents(request.subspecies) {
        let mut entries = request
            .documents
            .iter()
            .filter(|d| d.kind == kind)
            .peekable();
        if entries.peek().is_none() {
            failures.push(Failure::new(
                ReasonCode::DocumentsMissing,
                format!("no {kind} document is listed"),
            ));
        }
        for entry in entries {
            if let Err(why) = &entry.sha256 {
                failures.push(Failure::new(
                    ReasonCode::DocumentsInvalidDigest,
                    format!("the sha256 of the {kind} document {why}"),
                ));
            }
        }
    }
}

/// Passport and document numbers compare without case and surrounding space.
fn same_number(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn passport(request: &ERequest, failures: &mut Vec<Failure>) {
    let own = &request.applicant.passport;
    for entry in request.documents.iter().filter(|d| d.kind == "passport") {
        let matches = entry
            .number
            .as_deref()
            .is_some_and(|n| same_number(n, &own.number));
        if !matches {
            failures.push(Failure::new(
                ReasonCode::DocumentsInconsistent,
                "the passport listed in documents is not the applicant's passport",
            ));
        }
    }
    if own.expires_on < request.permit.until {
        failures.push(Failure::new(
            ReasonCode::DocumentsPassportExpires,
            format!(
                "the passport expires on {}, before the permit would end on {}",
                own.expires_on, request.permit.until
            ),
        ));
    }
}

fn contract_number(request: &ERequest, failures: &mut Vec<Failure>) {
    let Some(contract) = request.employer.as_ref().and_then(|e| e.contract.as_ref()) else {
        return;
    };
    let listed = request
        .documents
        .iter()
        .filter(|d| d.kind == "employment_contract");
    let differs = listed
        .filter_map(|d| d.number.as_deref())
        .any(|n| !same_number(n, &contract.number));
    if differs {
        failures.push(Failure::new(
            ReasonCode::DocumentsInconsistent,
            "the employment contract listed in documents is not the one named in employer.contract",
        ));
    }
}

/// A registry row matches a listed document of its kind on the number or on the digest.
fn is_listed(
    row: &InvalidDocument,
    kind: &str,
    number: Option<&str>,
    entry: Option<&DocumentEntry>,
) -> bool {
    let number_hit = matches!((&row.number, number), (Some(a), Some(b)) if same_number(a, b));
    let digest = entry.and_then(|e| e.sha256.as_ref().ok());
    let digest_hit = matches!((&row.sha256, digest), (Some(a), Some(b)) if a == b);
    row.kind == kind && (number_hit || digest_hit)
}

fn registry_hits(request: &ERequest, rows: &[InvalidDocument], failures: &mut Vec<Failure>) {
    let mut hits: Vec<&str> = Vec::new();
    for entry in &request.documents {
        if rows
            .iter()
            .any(|r| is_listed(r, &entry.kind, entry.number.as_deref(), Some(entry)))
        {
            hits.push(&entry.kind);
        }
    }
    // The applicant's passport counts even where `documents` does not list it.
    let passport = request.applicant.passport.number.as_str();
    if rows
        .iter()
        .any(|r| is_listed(r, "passport", Some(passport), None))
        && !hits.contains(&"passport")
    {
        hits.push("passport");
    }
    for kind in hits {
        failures.push(Failure::new(
            ReasonCode::DocumentsUnreliable,
            format!("the {kind} document is listed in the invalid-documents registry"),
        ));
    }
}

#[cfg(test)]
#[path = "documents_tests.rs"]
mod tests;
