//! The documents check, one behaviour at a time.

use serde_json::json;

use super::check;
use crate::checks::facts::InvalidDocument;
use crate::checks::testkit::{facts, remove, request, request_with, rules, set};
use crate::domain::ids::Sha256;
use crate::domain::reason::ReasonCode;

fn codes(failures: &[crate::domain::reason::Failure]) -> Vec<ReasonCode> {
    failures.iter().map(|f| f.code).collect()
}

#[test]
fn the_sample_passes() {
    assert_eq!(check(&request(), &facts(), &rules()), vec![]);
}

#[test]
fn missing_parts_by_subspecies() {
    let cases = [
        ("employment", "employer"),
        ("family_reunification", "host"),
        ("study", "institution"),
    ];
    for (subspecies, part) in cases {
        let r = request_with(|v| {
            set(v, "subspecies", json!(subspecies));
            remove(v, "employer");
        });
        let failures = check(&r, &facts(), &rules());
        let missing: Vec<_> = failures
            .iter()
            .filter(|f| f.code == ReasonCode::DocumentsMissing)
            .collect();
        assert!(
            missing.iter().any(|f| f.detail.starts_with(part)),
            "{subspecies}: {failures:?}"
        );
    }
    // Business needs no part, only its own document kind.
    let r = request_with(|v| {
        set(v, "subspecies", json!("business"));
        remove(v, "employer");
    });
    let failures = check(&r, &facts(), &rules());
    assert_eq!(codes(&failures), [ReasonCode::DocumentsMissing]);
    assert_eq!(
        failures[0].detail,
        "no business_registration document is listed"
    );
}

#[test]
fn employment_needs_the_contract() {
    let r = request_with(|v| remove(v, "employer/contract"));
    let failures = check(&r, &facts(), &rules());
    assert_eq!(codes(&failures), [ReasonCode::DocumentsMissing]);
    assert!(failures[0].detail.contains("employer.contract"));
}

#[test]
fn every_required_kind_is_named_when_missing() {
    for (index, kind) in [(0, "passport"), (1, "photo"), (2, "employment_contract")] {
        let r = request_with(|v| remove(v, &format!("documents/{index}")));
        let failures = check(&r, &facts(), &rules());
        assert_eq!(codes(&failures), [ReasonCode::DocumentsMissing], "{kind}");
        assert_eq!(failures[0].detail, format!("no {kind} document is listed"));
    }
}

#[test]
fn ill_formed_or_missing_digest_of_a_required_kind() {
    let r = request_with(|v| {
        set(v, "documents/1/sha256", json!("1234"));
        remove(v, "documents/2/sha256");
    });
    let failures = check(&r, &facts(), &rules());
    assert_eq!(codes(&failures), [ReasonCode::DocumentsInvalidDigest; 2]);
    assert!(failures[0].detail.contains("photo"));
    assert!(failures[1].detail.contains("employment_contract"));
}

#[test]
fn another_persons_passport_is_inconsistent() {
    for number in [json!("FB7654321"), serde_json::Value::Null] {
        let r = request_with(|v| set(v, "documents/0/number", number.clone()));
        let failures = check(&r, &facts(), &rules());
        assert_eq!(
            codes(&failures),
            [ReasonCode::DocumentsInconsistent],
            "{number}"
        );
        assert!(!failures[0].detail.contains("FB7654321"));
    }
    // Case and surrounding space do not matter.
    let r = request_with(|v| set(v, "documents/0/number", json!(" fa1234567 ")));
    assert_eq!(check(&r, &facts(), &rules()), vec![]);
}

#[test]
fn another_contract_is_inconsistent() {
    let r = request_with(|v| set(v, "documents/2/number", json!("ED-78")));
    assert_eq!(
        codes(&check(&r, &facts(), &rules())),
        [ReasonCode::DocumentsInconsistent]
    );
}

#[test]
fn passport_must_outlast_the_permit() {
    let r = request_with(|v| set(v, "applicant/passport/expires_on", json!("2027-11-29")));
    let failures = check(&r, &facts(), &rules());
    assert_eq!(codes(&failures), [ReasonCode::DocumentsPassportExpires]);
    assert!(failures[0].detail.contains("2027-11-29"));
    // Expiring on the permit's last day is enough.
    let r = request_with(|v| set(v, "applicant/passport/expires_on", json!("2027-11-30")));
    assert_eq!(check(&r, &facts(), &rules()), vec![]);
}

#[test]
fn registry_hits_match_on_kind_and_number_or_digest() {
    let photo = Sha256::digest(b"photo");
    let row = |kind: &str, number: Option<&str>, sha256: Option<Sha256>| InvalidDocument {
        kind: kind.into(),
        number: number.map(Into::into),
        sha256,
    };
    let hit_cases = [
        row("passport", Some("fa1234567"), None),
        row("photo", None, Some(photo)),
        row(
            "employment_contract",
            Some("ED-77"),
            Some(Sha256::digest(b"other")),
        ),
    ];
    for registered in hit_cases {
        let mut f = facts();
        f.invalid_documents = vec![registered.clone()];
        let failures = check(&request(), &f, &rules());
        assert_eq!(
            codes(&failures),
            [ReasonCode::DocumentsUnreliable],
            "{registered:?}"
        );
        assert!(failures[0].detail.contains(&registered.kind));
    }
    let miss_cases = [
        row("photo", Some("FA1234567"), None),
        row("passport", Some("FA1234568"), Some(photo)),
        row("passport", None, None),
    ];
    for registered in miss_cases {
        let mut f = facts();
        f.invalid_documents = vec![registered.clone()];
        assert_eq!(check(&request(), &f, &rules()), vec![], "{registered:?}");
    }
}

#[test]
fn the_applicants_own_passport_counts_when_documents_omit_it() {
    let r = request_with(|v| remove(v, "documents/0"));
    let mut f = facts();
    f.invalid_documents = vec![InvalidDocument {
        kind: "passport".into(),
        number: Some("FA1234567".into()),
        sha256: None,
    }];
    let found = codes(&check(&r, &f, &rules()));
    assert_eq!(
        found,
        [
            ReasonCode::DocumentsMissing,
            ReasonCode::DocumentsUnreliable
        ]
    );
}

#[test]
fn every_failure_is_reported_at_once() {
    let r = request_with(|v| {
        set(v, "documents/0/number", json!("X1"));
        set(v, "documents/2/sha256", json!("zz"));
        remove(v, "documents/1");
        set(v, "applicant/passport/expires_on", json!("2027-01-01"));
    });
    let found = codes(&check(&r, &facts(), &rules()));
    assert_eq!(
        found,
        [
            ReasonCode::DocumentsMissing,
            ReasonCode::DocumentsInvalidDigest,
            ReasonCode::DocumentsInconsistent,
            ReasonCode::DocumentsPassportExpires,
        ]
    );
}

/// The applicant's texts read which date and which document out of the details this check
/// writes (`texts::specifics`), in the applicant's language.
#[test]
fn the_applicant_reads_the_exact_document_fault() {
    use crate::domain::ids::Language;
    use crate::domain::reason::Reason;
    use crate::domain::texts::reason_in_full;
    let in_full = |r: &crate::domain::request::ERequest, language| {
        let failures = check(r, &facts(), &rules());
        assert_eq!(failures.len(), 1, "{failures:?}");
        let reason = Reason::from(failures.into_iter().next().expect("one"));
        reason_in_full(language, &reason)
    };
    let passport = request_with(|v| set(v, "applicant/passport/expires_on", json!("2027-11-29")));
    let ru = in_full(&passport, Language::Ru);
    assert!(
        ru.contains("29.11.2027") && ru.contains("30.11.2027"),
        "{ru}"
    );
    let no_contract = request_with(|v| remove(v, "documents/2"));
    let kk = in_full(&no_contract, Language::Kk);
    assert!(kk.contains("еңбек шарты"), "{kk}");
    assert!(!kk.contains("employment_contract"), "{kk}");
    for (subspecies, part, words) in [
        ("family_reunification", "host", "принимающей стороне"),
        ("study", "institution", "учебном заведении"),
    ] {
        let r = request_with(|v| {
            set(v, "subspecies", json!(subspecies));
            remove(v, "employer");
            remove(v, "documents/2");
        });
        let failures = check(&r, &facts(), &rules());
        let missing = failures
            .into_iter()
            .find(|f| f.detail.starts_with(part))
            .expect("the part is named");
        let ru = reason_in_full(Language::Ru, &Reason::from(missing));
        assert!(ru.contains(words), "{ru}");
    }
}
