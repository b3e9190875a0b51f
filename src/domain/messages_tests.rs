//! The published bodies have the contract's shape, field for field.

use serde_json::{json, Value};
use time::macros::{date, datetime};

use super::*;
use crate::domain::decision::{CheckReport, PermitGrant};
use crate::domain::reason::{CheckName, Failure, Reason, ReasonCode};
use crate::domain::rules::Subspecies;

fn app() -> ApplicationId {
    ApplicationId::parse("TRP-2026-000123").unwrap()
}

fn refused() -> Decision {
    let failure = Failure::new(
        ReasonCode::EligibilityHouseholdQuota,
        "the employer already holds 5",
    );
    Decision {
        outcome: Outcome::Refused,
        reasons: vec![Reason::from(failure.clone()), Reason::from(failure.clone())],
        checks: [
            CheckReport::assessed(CheckName::Signature, vec![]),
            CheckReport::assessed(CheckName::Documents, vec![]),
            CheckReport::assessed(CheckName::Eligibility, vec![failure]),
        ],
        decided_at: datetime!(2026-11-24 05:15:00.412 UTC),
        due_at: datetime!(2026-11-25 18:00 +5),
        permit: None,
    }
}

fn body(out: &Outgoing) -> Value {
    serde_json::from_slice(&out.body).unwrap()
}

#[test]
fn refusal_has_the_contract_shape() {
    let id = Uuid::new_v4();
    let out = decision(&app(), &refused(), None, id);
    assert_eq!(out.routing_key, "decision.refused");
    assert_eq!(
        (out.destination, out.schema, out.message_id),
        (Destination::Decisions, DECISION_SCHEMA, id)
    );
    let b = body(&out);
    assert_eq!(b["schema"], "trp.decision.v1");
    assert_eq!(b["message_id"], id.to_string());
    assert_eq!(b["application_id"], "TRP-2026-000123");
    assert_eq!(b["outcome"], "refused");
    assert_eq!(b["decided_at"], "2026-11-24T10:15:00.412+05:00");
    assert_eq!(b["due_at"], "2026-11-25T18:00:00+05:00");
    assert_eq!(b["permit"], Value::Null);
    assert_eq!(b["reasons"][0]["code"], "eligibility.household_quota");
    assert_eq!(b["reasons"][0]["ground"], "household_quota");
    assert_eq!(
        b["reasons"][0]["basis"],
        "Law of the Republic of Kazakhstan \"On population migration\", art. 43-2, para. 5"
    );
    assert_eq!(
        b["checks"],
        json!([{"name": "signature", "passed": true}, {"name": "documents", "passed": true},
               {"name": "eligibility", "passed": false}])
    );
}

#[test]
fn approval_carries_the_permit() {
    let mut d = refused();
    d.outcome = Outcome::Approved;
    d.reasons.clear();
    d.checks[2].failures.clear();
    d.permit = Some(PermitGrant {
        subspecies: Subspecies::Employment,
        valid_from: date!(2026 - 12 - 01),
        valid_until: date!(2027 - 11 - 30),
    });
    let out = decision(&app(), &d, Some("TRP-P-0000001"), Uuid::new_v4());
    assert_eq!(out.routing_key, "decision.approved");
    let b = body(&out);
    assert_eq!(
        b["permit"],
        json!({"number": "TRP-P-0000001", "subspecies": "employment",
               "valid_from": "2026-12-01", "valid_until": "2027-11-30"})
    );
    assert_eq!(b["reasons"], json!([]));
    let notice = decision_notice(&d, Some("TRP-P-0000001"));
    assert!(matches!(
        notice,
        Notice::Approved {
            permit_number: "TRP-P-0000001",
            ..
        }
    ));
}

#[test]
fn status_events_carry_three_languages() {
    let at = datetime!(2026-11-24 05:15:00.12 UTC);
    let out = status(
        &app(),
        &Notice::Received {
            due_at: datetime!(2026-11-25 18:00 +5),
        },
        at,
        Uuid::new_v4(),
    );
    assert_eq!(
        (out.routing_key.as_str(), out.destination),
        ("status.received", Destination::Status)
    );
    let b = body(&out);
    assert_eq!(b["schema"], "trp.status.v1");
    assert_eq!(b["state"], "received");
    assert_eq!(b["at"], "2026-11-24T10:15:00.12+05:00");
    for lang in ["kk", "ru", "en"] {
        assert!(
            b["text"][lang]
                .as_str()
                .unwrap()
                .contains("TRP-2026-000123"),
            "{lang}"
        );
    }
}

#[test]
fn the_notice_names_each_code_once() {
    let decision = refused();
    let notice = decision_notice(&decision, None);
    // The notice carries the reasons as the decision has them, details and all ...
    let Notice::Refused { reasons } = notice else {
        panic!("a refusal")
    };
    assert_eq!(reasons, decision.reasons.as_slice());
    // ... and the short texts name a code found twice once.
    let phrase = texts::reason_phrase(
        crate::domain::ids::Language::Ru,
        ReasonCode::EligibilityHouseholdQuota,
    );
    let status = texts::status_text(&app(), &notice);
    assert_eq!(status.ru.matches(phrase).count(), 1, "{}", status.ru);
    let sms = texts::sms(crate::domain::ids::Language::Ru, &app(), &notice);
    assert_eq!(sms.matches(phrase).count(), 1, "{sms}");
}
