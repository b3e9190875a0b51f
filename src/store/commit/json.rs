//! The JSON stored with an application and its decision: the envelope's signature, the
//! checks as they ran and the registry facts used. The signature and the facts hold personal
//! data (phone, fingerprint record, phone holder): stored, never logged.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::checks::Facts;
use crate::domain::decision::{CheckReport, SigningTime};
use crate::domain::envelope::SignatureClaim;
use crate::domain::instant::rfc3339;

/// The envelope's `signature` object as the portal sent it (contract section 2): the OTP
/// strings exactly as they stood (the MAC covers them), the binary parts in standard
/// base64, which gives back the bytes sent. `explain --replay` parses it again.
pub(crate) fn signature(claim: &SignatureClaim) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD;
    match claim {
        SignatureClaim::Eds { cms } => json!({"method": "eds", "cms": b64.encode(cms)}),
        SignatureClaim::Otp(otp) => json!({
            "method": "otp",
            "otp_id": otp.otp_id,
            "phone": otp.phone_raw,
            "issued_at": otp.issued_at.raw(),
            "confirmed_at": otp.confirmed_at.raw(),
            "mac": b64.encode(&otp.mac),
        }),
    }
}

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

pub(crate) fn facts(facts: &Facts) -> Value {
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
