//! The contract's sample e-request and envelope, valid as they stand, for tests, the demo
//! and benchmarks: change one field to make the case at hand.

use base64::Engine as _;
use serde_json::{json, Value};

use super::envelope::SCHEMA;
use super::ids::Sha256;

/// The e-request of contract section 3, every digest well-formed: an employment permit
/// for 12 months from 2026-12-01 that passes the documents and eligibility checks (given a
/// fingerprint fact) when submitted on 2026-11-24.
pub fn request() -> Value {
    let digest = |s: &str| Sha256::digest(s.as_bytes()).to_hex();
    json!({
        "service": "trp",
        "subspecies": "employment",
        "language": "ru",
        "applicant": {
            "iin": "900517310006",
            "surname": "KARIMOV",
            "given_name": "AZIZ",
            "patronymic": null,
            "birth_date": "1990-05-17",
            "sex": "male",
            "citizenship": "UZB",
            "passport": { "number": "FA1234567", "country": "UZB",
                          "issued_on": "2021-03-01", "expires_on": "2031-02-28" },
            "contacts": { "phone": "+77011234567", "email": "aziz.karimov@example.org",
                          "channels": ["sms", "email"] }
        },
        "permit": { "from": "2026-12-01", "until": "2027-11-30" },
        "biometrics": { "fingerprint_record": "FP-2026-7731902" },
        "employer": { "bin": "180240012342", "name": "TOO Example", "household": false,
                      "contract": { "number": "ED-77", "signed_on": "2026-11-01",
                                    "valid_until": "2027-11-30" } },
        "documents": [
            { "kind": "passport", "number": "FA1234567", "sha256": digest("passport") },
            { "kind": "photo", "sha256": digest("photo") },
            { "kind": "employment_contract", "number": "ED-77", "sha256": digest("contract") }
        ],
        "payment": null
    })
}

/// An envelope around `document` (the exact bytes), submitted at 2026-11-24 10:15 +05:00.
pub fn envelope(application_id: &str, document: &[u8], signature: Value) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD;
    json!({
        "schema": SCHEMA,
        "message_id": uuid::Uuid::new_v4().to_string(),
        "application_id": application_id,
        "submitted_at": "2026-11-24T10:15:00+05:00",
        "document": b64.encode(document),
        "signature": signature,
    })
}
