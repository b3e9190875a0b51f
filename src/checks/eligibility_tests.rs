//! The eligibility check, one behaviour at a time.

use serde_json::json;
use time::macros::date;

use super::{add_months, check, last_day_of_term};
use crate::checks::facts::FingerprintFact;
use crate::checks::testkit::{facts, request, request_with, rules, set, SUBMITTED_ON};
use crate::domain::reason::{Failure, ReasonCode};

fn codes(failures: &[Failure]) -> Vec<ReasonCode> {
    failures.iter().map(|f| f.code).collect()
}

fn check_sample(change: impl FnOnce(&mut serde_json::Value)) -> Vec<Failure> {
    check(&request_with(change), SUBMITTED_ON, &facts(), &rules())
}

#[test]
fn the_sample_passes() {
    assert_eq!(check(&request(), SUBMITTED_ON, &facts(), &rules()), vec![]);
}

#[test]
fn citizens_of_kazakhstan_need_no_permit() {
    let found = check_sample(|v| set(v, "applicant/citizenship", json!("KAZ")));
    assert_eq!(codes(&found), [ReasonCode::EligibilityCitizen]);
    // A stateless person may apply.
    assert_eq!(
        check_sample(|v| set(v, "applicant/citizenship", json!("XXA"))),
        vec![]
    );
}

#[test]
fn iin_check_digit_century_and_date() {
    for iin in [
        "900517310007",
        "90051731000",
        "900517010006",
        "901317310006",
    ] {
        let found = check_sample(|v| set(v, "applicant/iin", json!(iin)));
        assert!(
            codes(&found).contains(&ReasonCode::EligibilityIinInvalid),
            "{iin}: {found:?}"
        );
        assert!(found.iter().all(|f| !f.detail.contains(iin)));
    }
}

#[test]
fn iin_must_agree_with_birth_date_and_sex() {
    let found = check_sample(|v| set(v, "applicant/birth_date", json!("1990-05-18")));
    assert_eq!(codes(&found), [ReasonCode::EligibilityIinMismatch]);
    assert!(found[0].detail.contains("birth date"));
    let found = check_sample(|v| set(v, "applicant/sex", json!("female")));
    assert_eq!(codes(&found), [ReasonCode::EligibilityIinMismatch]);
    assert!(found[0].detail.contains("sex"));
}

#[test]
fn fingerprints_must_be_registered() {
    let mut f = facts();
    f.fingerprint = None;
    let found = check(&request(), SUBMITTED_ON, &f, &rules());
    assert_eq!(codes(&found), [ReasonCode::EligibilityFingerprintsMissing]);
    f.fingerprint = Some(FingerprintFact {
        record: "FP-OTHER".into(),
        registered_on: date!(2025 - 01 - 01),
    });
    let found = check(&request(), SUBMITTED_ON, &f, &rules());
    assert_eq!(codes(&found), [ReasonCode::EligibilityFingerprintsMissing]);
    // A request that names no record relies on the registry alone.
    let r = request_with(|v| set(v, "biometrics", serde_json::Value::Null));
    assert_eq!(check(&r, SUBMITTED_ON, &f, &rules()), vec![]);
}

#[test]
fn term_starts_no_earlier_than_submission() {
    let found = check_sample(|v| set(v, "permit/from", json!("2026-11-23")));
    assert_eq!(codes(&found), [ReasonCode::EligibilityTerm]);
    assert!(check_sample(|v| set(v, "permit/from", json!("2026-11-24"))).is_empty());
}

#[test]
fn term_ends_after_it_starts() {
    let found = check_sample(|v| set(v, "permit/until", json!("2026-11-30")));
    assert_eq!(codes(&found), [ReasonCode::EligibilityTerm]);
}

#[test]
fn term_is_no_longer_than_the_subspecies_allows() {
    // Employment: 36 months, but the sample's contract ends 2027-11-30.
    let long = check_sample(|v| set(v, "permit/until", json!("2027-12-01")));
    assert_eq!(codes(&long), [ReasonCode::EligibilityTerm]);
    assert!(long[0].detail.contains("employment contract"));
    let longer = check_sample(|v| {
        set(v, "employer/contract/valid_until", json!("2031-01-01"));
        set(v, "permit/until", json!("2029-12-01"));
    });
    assert_eq!(codes(&longer), [ReasonCode::EligibilityTerm]);
    assert!(longer[0].detail.contains("36 months"));
    let exactly_36 = check_sample(|v| {
        set(v, "employer/contract/valid_until", json!("2031-01-01"));
        set(v, "permit/until", json!("2029-11-30"));
    });
    assert_eq!(exactly_36, vec![]);
    // Medical treatment: six months.
    let medical = |until: &str| {
        check_sample(|v| {
            set(v, "subspecies", json!("medical_treatment"));
            set(v, "employer", serde_json::Value::Null);
            set(v, "permit/until", json!(until));
        })
    };
    assert_eq!(medical("2027-05-31"), vec![]);
    assert_eq!(codes(&medical("2027-06-01")), [ReasonCode::EligibilityTerm]);
}

#[test]
fn month_arithmetic_at_month_ends() {
    assert_eq!(
        add_months(date!(2026 - 01 - 31), 1),
        Some((date!(2026 - 02 - 28), true))
    );
    assert_eq!(
        add_months(date!(2026 - 12 - 01), 12),
        Some((date!(2027 - 12 - 01), false))
    );
    assert_eq!(
        last_day_of_term(date!(2026 - 12 - 01), 12),
        Some(date!(2027 - 11 - 30))
    );
    assert_eq!(
        last_day_of_term(date!(2027 - 01 - 31), 1),
        Some(date!(2027 - 02 - 28))
    );
    assert_eq!(
        last_day_of_term(date!(2027 - 03 - 01), 1),
        Some(date!(2027 - 03 - 31))
    );
    assert_eq!(
        last_day_of_term(date!(2027 - 08 - 31), 6),
        Some(date!(2028 - 02 - 29))
    );
    assert_eq!(last_day_of_term(time::Date::MAX, 12), None);
}

#[test]
fn household_quota_counts_the_employers_permits() {
    let household = request_with(|v| set(v, "employer/household", json!(true)));
    let mut f = facts();
    for held in 0..5 {
        f.household_permits_held = held;
        assert_eq!(
            check(&household, SUBMITTED_ON, &f, &rules()),
            vec![],
            "{held}"
        );
    }
    f.household_permits_held = 5;
    let found = check(&household, SUBMITTED_ON, &f, &rules());
    assert_eq!(codes(&found), [ReasonCode::EligibilityHouseholdQuota]);
    assert!(!found[0].detail.contains("180240012342"));
    // Not household work: the quota does not apply.
    assert_eq!(check(&request(), SUBMITTED_ON, &f, &rules()), vec![]);
}

#[test]
fn every_failure_is_reported_at_once() {
    let r = request_with(|v| {
        set(v, "applicant/citizenship", json!("KAZ"));
        set(v, "applicant/sex", json!("female"));
        set(v, "permit/from", json!("2026-01-01"));
        set(v, "employer/household", json!(true));
    });
    let mut f = facts();
    f.fingerprint = None;
    f.household_permits_held = 7;
    let found = codes(&check(&r, SUBMITTED_ON, &f, &rules()));
    let expected = [
        ReasonCode::EligibilityCitizen,
        ReasonCode::EligibilityIinMismatch,
        ReasonCode::EligibilityFingerprintsMissing,
        ReasonCode::EligibilityTerm,
        ReasonCode::EligibilityHouseholdQuota,
    ];
    assert_eq!(found, expected);
}

/// The applicant's texts read the exact dates and limits out of the details this check
/// writes (`texts::specifics`), not the general words of the code.
#[test]
fn the_applicant_reads_the_exact_term_fault() {
    use crate::domain::ids::Language;
    use crate::domain::reason::Reason;
    use crate::domain::texts::{reason_in_full, reason_text};
    let in_full = |failures: Vec<Failure>| {
        assert_eq!(failures.len(), 1, "{failures:?}");
        let reason = Reason::from(failures.into_iter().next().expect("one"));
        let text = reason_in_full(Language::En, &reason);
        let general = reason_text(Language::En, reason.code);
        let first = general.split(". ").next().expect("a sentence");
        assert!(!text.contains(first), "general words: {text}");
        text
    };
    let early = in_full(check_sample(|v| set(v, "permit/from", json!("2026-11-23"))));
    assert!(early.contains("23 November 2026") && early.contains("24 November 2026"));
    let contract = in_full(check_sample(|v| {
        set(v, "permit/until", json!("2027-12-01"))
    }));
    assert!(contract.contains("1 December 2027") && contract.contains("30 November 2027"));
    let longer = in_full(check_sample(|v| {
        set(v, "employer/contract/valid_until", json!("2031-01-01"));
        set(v, "permit/until", json!("2029-12-01"));
    }));
    assert!(longer.contains("36 months"), "{longer}");
    let household = request_with(|v| set(v, "employer/household", json!(true)));
    let mut f = facts();
    f.household_permits_held = 5;
    let quota = in_full(check(&household, SUBMITTED_ON, &f, &rules()));
    assert!(
        quota.contains("holds 5") && quota.contains("Article 43-2"),
        "{quota}"
    );
}
