//! From envelope bytes to decision, for every reason code: each row changes the sample in
//! one way and expects exactly that code, its ground and a refusal.

use crate::support;

use serde_json::{json, Value};
use time::macros::{date, datetime};

use support::{decide_bytes, decide_sample, facts, rules, set};
use trp_worker::checks::facts::{Facts, InvalidDocument};
use trp_worker::domain::decision::Outcome;
use trp_worker::domain::reason::{CheckName, Failure, Ground, ReasonCode};
use trp_worker::domain::rules::Subspecies;

#[test]
fn the_sample_is_approved_and_due_the_next_working_day() {
    let d = decide_sample(|_, _| {});
    assert_eq!(d.outcome, Outcome::Approved);
    assert!(d.reasons.is_empty());
    assert!(d.checks.iter().all(|c| c.passed()));
    let permit = d.permit.expect("approved gets a permit");
    assert_eq!(permit.subspecies, Subspecies::Employment);
    assert_eq!(
        (permit.valid_from, permit.valid_until),
        (date!(2026 - 12 - 01), date!(2027 - 11 - 30))
    );
    // Submitted Tuesday 2026-11-24: due Wednesday at 18:00 Astana time.
    assert_eq!(d.due_at, datetime!(2026-11-25 18:00 +5));
}

type Change = fn(&mut Value, &mut Facts);

/// One row a code: what to change, and the check and ground the code must come with.
fn table() -> Vec<(ReasonCode, Change)> {
    vec![
        (ReasonCode::DocumentsMalformed, |v, _| {
            set(v, "permit", json!("one year"))
        }),
        (ReasonCode::DocumentsMissing, |v, _| {
            v["documents"].as_array_mut().unwrap().truncate(2)
        }),
        (ReasonCode::DocumentsInvalidDigest, |v, _| {
            set(v, "documents/1/sha256", json!("00"))
        }),
        (ReasonCode::DocumentsPassportExpires, |v, _| {
            set(v, "applicant/passport/expires_on", json!("2027-06-30"))
        }),
        (ReasonCode::DocumentsUnreliable, |_, f| {
            f.invalid_documents = vec![InvalidDocument {
                kind: "passport".into(),
                number: Some("FA1234567".into()),
                sha256: None,
            }]
        }),
        (ReasonCode::DocumentsInconsistent, |v, _| {
            set(v, "documents/0/number", json!("FB0000001"))
        }),
        (ReasonCode::EligibilityCitizen, |v, _| {
            set(v, "applicant/citizenship", json!("KAZ"))
        }),
        (ReasonCode::EligibilityIinInvalid, |v, _| {
            set(v, "applicant/iin", json!("900517310007"))
        }),
        (ReasonCode::EligibilityIinMismatch, |v, _| {
            set(v, "applicant/birth_date", json!("1991-05-17"))
        }),
        (ReasonCode::EligibilityFingerprintsMissing, |_, f| {
            f.fingerprint = None
        }),
        (ReasonCode::EligibilityTerm, |v, _| {
            set(v, "permit/from", json!("2026-11-01"))
        }),
        (ReasonCode::EligibilityHouseholdQuota, |v, f| {
            set(v, "employer/household", json!(true));
            f.household_permits_held = 5;
        }),
    ]
}

#[test]
fn every_documents_and_eligibility_code_refuses_with_its_ground() {
    let table = table();
    for &code in ReasonCode::ALL
        .iter()
        .filter(|c| c.check() != CheckName::Signature)
    {
        let (_, change) = table
            .iter()
            .find(|(c, _)| *c == code)
            .unwrap_or_else(|| panic!("no row for {code}"));
        let d = decide_sample(change);
        assert_eq!(d.outcome, Outcome::Refused, "{code}");
        assert!(d.permit.is_none(), "{code}");
        let found: Vec<ReasonCode> = d.reasons.iter().map(|r| r.code).collect();
        assert_eq!(found, [code], "{code}");
        let reason = &d.reasons[0];
        assert_eq!(reason.ground, code.ground(), "{code}");
        assert_eq!(reason.basis, code.ground().basis());
        assert!(
            !reason.detail.is_empty() && !reason.detail.contains('\n'),
            "{code}"
        );
        let failed: Vec<CheckName> = d
            .checks
            .iter()
            .filter(|c| !c.passed())
            .map(|c| c.name)
            .collect();
        let expect_failed = match code {
            // An unreadable document leaves eligibility unassessed, so it fails too.
            ReasonCode::DocumentsMalformed => vec![CheckName::Documents, CheckName::Eligibility],
            _ => vec![code.check()],
        };
        assert_eq!(failed, expect_failed, "{code}");
    }
}

#[test]
fn grounds_follow_the_contract() {
    assert_eq!(
        ReasonCode::EligibilityHouseholdQuota.ground(),
        Ground::HouseholdQuota
    );
    assert_eq!(
        ReasonCode::DocumentsUnreliable.ground(),
        Ground::UnreliableData
    );
    assert_eq!(
        ReasonCode::DocumentsInconsistent.ground(),
        Ground::UnreliableData
    );
    assert!(ReasonCode::ALL
        .iter()
        .filter(|c| c.check() == CheckName::Signature)
        .all(|c| c.ground() == Ground::UnreliableData));
}

#[test]
fn a_signature_failure_refuses_and_the_other_checks_still_run() {
    let bytes = serde_json::to_vec(&{
        let mut v = trp_worker::domain::sample::request();
        set(&mut v, "applicant/citizenship", json!("KAZ"));
        v
    })
    .unwrap();
    for &code in ReasonCode::ALL
        .iter()
        .filter(|c| c.check() == CheckName::Signature)
    {
        let d = decide_bytes(
            &bytes,
            vec![Failure::new(code, "as the signature check found")],
            &facts(),
            &rules(),
        );
        assert_eq!(d.outcome, Outcome::Refused);
        let found: Vec<ReasonCode> = d.reasons.iter().map(|r| r.code).collect();
        assert_eq!(found, [code, ReasonCode::EligibilityCitizen], "{code}");
        let passed: Vec<bool> = d.checks.iter().map(|c| c.passed()).collect();
        assert_eq!(passed, [false, true, false]);
    }
}

#[test]
fn a_document_that_is_not_json_is_refused_as_malformed() {
    let d = decide_bytes(b"%PDF-1.7", Vec::new(), &facts(), &rules());
    assert_eq!(d.outcome, Outcome::Refused);
    assert_eq!(d.reasons.len(), 1);
    assert_eq!(d.reasons[0].code, ReasonCode::DocumentsMalformed);
    assert_eq!(d.due_at, datetime!(2026-11-25 18:00 +5));
}
