//! E-request parsing: the sample parses; each missing or ill-formed field is
//! `documents.malformed` naming the field; no input panics.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::domain::sample;

fn parse(v: &Value) -> Result<ERequest, Failure> {
    ERequest::parse(&serde_json::to_vec(v).unwrap())
}

fn malformed_detail(v: &Value) -> String {
    let f = parse(v).expect_err("should be malformed");
    assert_eq!(f.code, ReasonCode::DocumentsMalformed);
    assert!(!f.detail.contains('\n'));
    f.detail
}

use crate::domain::sample::{remove, set};

#[test]
fn sample_parses_into_typed_values() {
    let r = parse(&sample::request()).unwrap();
    assert_eq!(r.subspecies, Subspecies::Employment);
    assert_eq!(r.language, Language::Ru);
    assert_eq!(r.applicant.iin.raw(), "900517310006");
    assert!(r.applicant.iin.parsed().is_ok());
    assert_eq!(r.applicant.citizenship.as_str(), "UZB");
    assert_eq!(
        r.applicant.contacts.channels,
        [Channel::Sms, Channel::Email]
    );
    assert_eq!(r.permit.from, time::macros::date!(2026 - 12 - 01));
    assert_eq!(
        r.employer
            .as_ref()
            .unwrap()
            .contract
            .as_ref()
            .unwrap()
            .number,
        "ED-77"
    );
    assert_eq!(r.documents.len(), 3);
    assert!(r.documents.iter().all(|d| d.sha256.is_ok()));
    assert!(r.host.is_none() && r.institution.is_none());
    assert_eq!(r.fingerprint_record.as_deref(), Some("FP-2026-7731902"));
}

#[test]
fn debug_output_holds_no_personal_data() {
    let r = parse(&sample::request()).unwrap();
    let debug = format!("{r:?}");
    for secret in [
        "900517310006",
        "KARIMOV",
        "AZIZ",
        "77011234567",
        "aziz.karimov",
        "FA1234567",
    ] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
}

#[test]
fn missing_required_fields_are_named() {
    let required = [
        "service",
        "subspecies",
        "language",
        "applicant",
        "permit",
        "documents",
        "applicant/iin",
        "applicant/surname",
        "applicant/given_name",
        "applicant/birth_date",
        "applicant/sex",
        "applicant/citizenship",
        "applicant/passport",
        "applicant/contacts",
        "applicant/passport/number",
        "applicant/passport/country",
        "applicant/passport/expires_on",
        "applicant/contacts/channels",
        "permit/from",
        "permit/until",
        "employer/bin",
        "employer/household",
        "employer/contract/valid_until",
        "documents/0/kind",
    ];
    for path in required {
        let mut v = sample::request();
        remove(&mut v, path);
        let detail = malformed_detail(&v);
        let last = path.rsplit('/').next().unwrap();
        assert!(detail.contains(last), "{path}: {detail}");
        assert!(detail.contains("missing"), "{path}: {detail}");
    }
}

#[test]
fn ill_formed_values_are_named_without_echoing_them() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("service", json!("visa"), "service"),
        ("subspecies", json!("tourism"), "subspecies"),
        ("language", json!("kz"), "language"),
        (
            "applicant/birth_date",
            json!("17.05.1990"),
            "applicant.birth_date",
        ),
        ("applicant/sex", json!("M"), "applicant.sex"),
        (
            "applicant/citizenship",
            json!("UZ"),
            "applicant.citizenship",
        ),
        ("applicant/surname", json!("   "), "applicant.surname"),
        ("applicant/surname", json!(42), "applicant.surname"),
        (
            "applicant/contacts/phone",
            json!("87011234567"),
            "applicant.contacts.phone",
        ),
        (
            "applicant/contacts/email",
            json!("aziz at example"),
            "applicant.contacts.email",
        ),
        (
            "applicant/contacts/channels",
            json!(["sms", "telegram"]),
            "applicant.contacts.channels",
        ),
        ("permit/until", json!("2027-02-30"), "permit.until"),
        ("employer/bin", json!("180240012343"), "employer.bin"),
        ("employer/household", json!("yes"), "employer.household"),
        ("documents", json!({"kind": "passport"}), "documents"),
        ("documents/1", json!("photo"), "documents[1]"),
    ];
    for (path, value, named) in cases {
        let mut v = sample::request();
        set(&mut v, path, value.clone());
        let detail = malformed_detail(&v);
        assert!(detail.starts_with(named), "{path}: {detail}");
        if let Value::String(s) = &value {
            if s.trim().len() > 2 {
                assert!(!detail.contains(s.as_str()), "{path}: {detail}");
            }
        }
    }
}

#[test]
fn a_channel_needs_its_address() {
    let mut v = sample::request();
    remove(&mut v, "applicant/contacts/email");
    assert!(malformed_detail(&v).contains("channels"));
    set(&mut v, "applicant/contacts/channels", json!(["sms", "sms"]));
    assert_eq!(
        parse(&v).unwrap().applicant.contacts.channels,
        [Channel::Sms]
    );
}

#[test]
fn not_json_and_not_an_object() {
    for bytes in [&b"<xml/>"[..], b"", b"[]", b"{\"service\":"] {
        let f = ERequest::parse(bytes).unwrap_err();
        assert_eq!(f.code, ReasonCode::DocumentsMalformed, "{bytes:?}");
    }
}

#[test]
fn iin_and_digests_are_kept_when_ill_formed() {
    let mut v = sample::request();
    set(&mut v, "applicant/iin", json!("900517310007"));
    set(&mut v, "documents/1/sha256", json!("not hex"));
    remove(&mut v, "documents/2/sha256");
    let r = parse(&v).unwrap();
    assert_eq!(
        r.applicant.iin.parsed().unwrap_err(),
        NumberError::CheckDigit
    );
    assert!(r.documents[1].sha256.is_err() && r.documents[2].sha256.is_err());
}

#[test]
fn optional_parts_may_be_absent_or_null() {
    let mut v = sample::request();
    set(&mut v, "employer", Value::Null);
    remove(&mut v, "biometrics");
    remove(&mut v, "payment");
    let r = parse(&v).unwrap();
    assert!(r.employer.is_none() && r.fingerprint_record.is_none());
}

#[test]
fn host_iin_must_be_valid_and_is_never_echoed() {
    let mut v = sample::request();
    v["host"] = json!({"iin": "900517310007", "relation": "spouse"});
    let detail = malformed_detail(&v);
    assert!(
        detail.starts_with("host.iin") && !detail.contains("900517310007"),
        "{detail}"
    );
}

#[test]
fn contacts_are_salvaged_from_a_malformed_document() {
    let mut v = sample::request();
    remove(&mut v, "permit");
    assert!(parse(&v).is_err());
    let (lang, contacts) = salvage_contacts(&serde_json::to_vec(&v).unwrap()).unwrap();
    assert_eq!(lang, Language::Ru);
    assert_eq!(contacts.channels, [Channel::Sms, Channel::Email]);
    assert!(salvage_contacts(b"garbage").is_none());
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = ERequest::parse(&bytes);
        let _ = salvage_contacts(&bytes);
    }

    #[test]
    fn arbitrary_json_at_any_field_never_panics(
        path in prop::sample::select(vec!["service", "subspecies", "applicant",
            "applicant/iin", "applicant/passport", "applicant/contacts",
            "applicant/contacts/channels", "permit", "permit/from", "employer",
            "employer/contract", "documents", "documents/0", "documents/0/sha256",
            "biometrics"]),
        value in crate::domain::envelope::tests::arb_json(),
    ) {
        let mut v = sample::request();
        set(&mut v, path, value);
        let bytes = serde_json::to_vec(&v).unwrap();
        if let Err(f) = ERequest::parse(&bytes) {
            prop_assert_eq!(f.code, ReasonCode::DocumentsMalformed);
        }
        let _ = salvage_contacts(&bytes);
    }
}

/// docs/contract.md: a newer portal may add fields; they are ignored, at any depth.
#[test]
fn fields_the_contract_does_not_have_are_ignored() {
    let mut v = sample::request();
    for path in [
        "visa_type",
        "applicant/nickname",
        "applicant/passport/mrz",
        "documents/1/pages",
    ] {
        set(&mut v, path, json!("anything"));
    }
    let r = parse(&v).expect("parses");
    assert_eq!(r.documents.len(), 3);
}

#[test]
fn null_where_a_required_part_stands_is_missing() {
    for (path, named) in [
        ("applicant", "applicant is missing"),
        ("applicant/passport", "applicant.passport is missing"),
        ("applicant/surname", "applicant.surname is missing"),
        ("employer/household", "employer.household is missing"),
        ("documents", "documents is missing"),
    ] {
        let mut v = sample::request();
        set(&mut v, path, Value::Null);
        assert_eq!(malformed_detail(&v), named, "{path}");
    }
}
