//! The eligibility check (contract section 4.3): not a citizen; IIN valid and agreeing with
//! birth date and sex; fingerprints registered; the permit term; the household quota.
//! Returns every failure it finds.

use time::{Date, Duration, Month};

use crate::domain::reason::{Failure, ReasonCode};
use crate::domain::request::ERequest;
use crate::domain::rules::Rules;

use super::facts::Facts;

/// `submitted_on` is the submission's calendar date in Kazakhstan (+05:00).
pub fn check(request: &ERequest, submitted_on: Date, facts: &Facts, rules: &Rules) -> Vec<Failure> {
    let mut failures = Vec::new();
    if request.applicant.citizenship.is_kazakhstan() {
        failures.push(Failure::new(
            ReasonCode::EligibilityCitizen,
            "the applicant is a citizen of Kazakhstan and needs no residence permit",
        ));
    }
    iin(request, &mut failures);
    fingerprints(request, facts, &mut failures);
    term(request, submitted_on, rules, &mut failures);
    household_quota(request, facts, rules, &mut failures);
    failures
}

fn iin(request: &ERequest, failures: &mut Vec<Failure>) {
    let applicant = &request.applicant;
    let iin = match applicant.iin.parsed() {
        Ok(iin) => iin,
        Err(why) => {
            failures.push(Failure::new(
                ReasonCode::EligibilityIinInvalid,
                format!("the applicant's IIN {why}"),
            ));
            return;
        }
    };
    if iin.birth_date() != applicant.birth_date {
        failures.push(Failure::new(
            ReasonCode::EligibilityIinMismatch,
            "the birth date encoded in the IIN differs from applicant.birth_date",
        ));
    }
    if iin.sex() != applicant.sex {
        failures.push(Failure::new(
            ReasonCode::EligibilityIinMismatch,
            "the sex encoded in the IIN differs from applicant.sex",
        ));
    }
}

fn fingerprints(request: &ERequest, facts: &Facts, failures: &mut Vec<Failure>) {
    let detail = match (&facts.fingerprint, &request.fingerprint_record) {
        (None, _) => "no fingerprint registration is found for the applicant's IIN",
        (Some(fact), Some(named)) if fact.record.trim() != named.trim() => {
            "the fingerprint record named in the request is not the one registered for the IIN"
        }
        _ => return,
    };
    failures.push(Failure::new(
        ReasonCode::EligibilityFingerprintsMissing,
        detail,
    ));
}

/// `date` plus `months` calendar months, the day kept where the month has it and the
/// month's last day otherwise; the flag says whether the day was cut.
pub fn add_months(date: Date, months: u32) -> Option<(Date, bool)> {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months as i32;
    let (year, month) = (
        index.div_euclid(12),
        Month::try_from(index.rem_euclid(12) as u8 + 1).ok()?,
    );
    let last = month.length(year);
    let day = date.day().min(last);
    Some((
        Date::from_calendar_date(year, month, day).ok()?,
        day < date.day(),
    ))
}

/// The last day a permit of `months` months starting on `from` may run to: the day before
/// the same date `months` later, or the month's last day where that month is too short.
pub fn last_day_of_term(from: Date, months: u32) -> Option<Date> {
    let (same_date, cut) = add_months(from, months)?;
    if cut {
        Some(same_date)
    } else {
        same_date.checked_sub(Duration::DAY)
    }
}

fn term(request: &ERequest, submitted_on: Date, rules: &Rules, failures: &mut Vec<Failure>) {
    let permit = request.permit;
    let rule = rules.subspecies(request.subspecies);
    let mut fail =
        |detail: String| failures.push(Failure::new(ReasonCode::EligibilityTerm, detail));
    if permit.from < submitted_on {
        fail(format!(
            "the permit would start on {}, before the submission date {submitted_on}",
            permit.from
        ));
    }
    if permit.until < permit.from {
        fail(format!(
            "the permit would end on {}, before it starts on {}",
            permit.until, permit.from
        ));
    }
    let months = u32::from(rule.max_term_months);
    if last_day_of_term(permit.from, months).is_none_or(|last| permit.until > last) {
        fail(format!(
            "the term from {} to {} is longer than the {months} months allowed for {}",
            permit.from,
            permit.until,
            request.subspecies.as_str()
        ));
    }
    let contract = request.employer.as_ref().and_then(|e| e.contract.as_ref());
    if let (true, Some(contract)) = (rule.term_within_contract, contract) {
        if permit.until > contract.valid_until {
            fail(format!(
                "the permit would end on {}, after the employment contract ends on {}",
                permit.until, contract.valid_until
            ));
        }
    }
}

fn household_quota(request: &ERequest, facts: &Facts, rules: &Rules, failures: &mut Vec<Failure>) {
    let household = request.employer.as_ref().is_some_and(|e| e.household);
    if household && facts.household_permits_held >= rules.household_quota {
        // The employer is named without its BIN: a household employer is most often a
        // private person, whose BIN is their IIN (another person's data).
        failures.push(Failure::new(
            ReasonCode::EligibilityHouseholdQuota,
            format!(
                "the employer already holds {} valid permits for household work (the limit is {})",
                facts.household_permits_held, rules.household_quota
            ),
        ));
    }
}

#[cfg(test)]
#[path = "eligibility_tests.rs"]
mod tests;
