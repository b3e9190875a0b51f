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

/// Sets the value at a slash-separated path of a sample (`applicant/passport/number`,
/// `documents/0/sha256`), creating the last key of an object where it is absent.
///
/// # Panics
/// Where the path leads nowhere: it is for building test and demo cases, where a wrong
/// path is a mistake in the case.
#[track_caller]
pub fn set(v: &mut Value, path: &str, value: Value) {
    match parent(v, path) {
        (Value::Object(map), key) => {
            map.insert(key.to_owned(), value);
        }
        (Value::Array(items), key) => {
            match key.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(item) => *item = value,
                None => panic!("{path}: no such item"),
            }
        }
        _ => panic!("{path} has no parent object or list"),
    }
}

/// Removes the key (or list item) at a slash-separated path of a sample.
///
/// # Panics
/// Where there is nothing at the path.
#[track_caller]
pub fn remove(v: &mut Value, path: &str) {
    let removed = match parent(v, path) {
        (Value::Object(map), key) => map.remove(key).is_some(),
        (Value::Array(items), key) => match key.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    };
    assert!(removed, "{path}: nothing to remove");
}

#[track_caller]
fn parent<'a, 'p>(v: &'a mut Value, path: &'p str) -> (&'a mut Value, &'p str) {
    let (parent, key) = path.rsplit_once('/').unwrap_or(("", path));
    if parent.is_empty() {
        return (v, key);
    }
    match v.pointer_mut(&format!("/{parent}")) {
        Some(target) => (target, key),
        None => panic!("{path}: no {parent}"),
    }
}
