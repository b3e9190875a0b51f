//! The JSON stored with a decision: the checks as they ran and the registry facts used.
//! Both hold personal data (facts: fingerprint record, phone holder): stored, never logged.

use serde_json::{json, Value};

use crate::checks::Facts;
use crate::domain::decision::{CheckReport, SigningTime};
use crate::domain::instant::rfc3339;

pub(super) fn checks(reports: &[CheckReport]) -> Value {
    reports
        .iter()
        .map(|c| {
            let mut check = json!({
                "name": c.name.as_str(),
                "passed": c.passed(),
                "assessed": c.assessed,
                "failures": c.failures,
            });
            if let Some(time) = &c.signing_time {
                check["signing_time"] = signing_time(time);
            }
            check
        })
        .collect()
}

/// `{"at", "source": "submitted_at"}` or `{"at", "source": "timestamp", "tsa"}`.
fn signing_time(time: &SigningTime) -> Value {
    match time {
        SigningTime::SubmittedAt(at) => json!({"at": rfc3339(*at), "source": "submitted_at"}),
        SigningTime::TimeStamp { gen_time, tsa } => json!({
            "at": rfc3339(*gen_time),
            "source": "timestamp",
            "tsa": tsa,
        }),
    }
}

pub(super) fn facts(facts: &Facts) -> Value {
    json!({
        "fingerprint": facts.fingerprint.as_ref().map(|f| json!({
            "record": f.record,
            "registered_on": f.registered_on.to_string(),
        })),
        "invalid_documents": facts.invalid_documents.iter().map(|d| json!({
            "kind": d.kind,
            "number": d.number,
            "sha256": d.sha256.map(|s| s.to_hex()),
        })).collect::<Vec<_>>(),
        "household_permits_held": facts.household_permits_held,
        "phone_holder_iin": facts.phone_holder_iin,
    })
}
