//! Envelope parsing: every dead-letter reason, and no panic on any input.

use base64::Engine as _;
use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;

const MAX: usize = 1 << 20;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn eds() -> Value {
    json!({
        "schema": SCHEMA,
        "message_id": "0b6f0c3e-4a55-4a1e-9d0e-5f3c2a7b9e11",
        "application_id": "TRP-2026-000123",
        "submitted_at": "2026-11-24T10:15:00+05:00",
        "document": b64(b"{\"service\":\"trp\"}"),
        "signature": { "method": "eds", "cms": b64(&[0x30, 0x80, 0, 0]) }
    })
}

fn otp() -> Value {
    let mut v = eds();
    v["signature"] = json!({
        "method": "otp",
        "otp_id": "5d1c8a9e-2b7f-4c3a-8f6e-1a2b3c4d5e6f",
        "phone": "+77011234567",
        "issued_at": "2026-11-24T10:13:10+05:00",
        "confirmed_at": "2026-11-24T10:14:02+05:00",
        "mac": b64(&[7; 32])
    });
    v
}

fn parse(v: &Value) -> Result<Envelope, EnvelopeError> {
    Envelope::parse(&serde_json::to_vec(v).unwrap(), MAX)
}

fn reason_of(v: &Value) -> DeadLetterReason {
    parse(v).expect_err("should not parse").reason
}

#[test]
fn contract_examples_parse() {
    let e = parse(&eds()).unwrap();
    assert_eq!(e.application_id.as_ref(), "TRP-2026-000123");
    assert_eq!(e.document, b"{\"service\":\"trp\"}");
    assert_eq!(e.document_sha256, Sha256::digest(b"{\"service\":\"trp\"}"));
    assert!(matches!(e.signature, SignatureClaim::Eds { ref cms } if cms == &[0x30, 0x80, 0, 0]));
    let o = parse(&otp()).unwrap();
    let SignatureClaim::Otp(claim) = o.signature else {
        panic!("otp")
    };
    assert_eq!(claim.phone_raw, "+77011234567");
    assert_eq!(claim.issued_at.raw(), "2026-11-24T10:13:10+05:00");
    assert_eq!(claim.mac, vec![7; 32]);
}

#[test]
fn size_limit_is_checked_first() {
    let body = serde_json::to_vec(&eds()).unwrap();
    let e = Envelope::parse(&body, body.len() - 1).unwrap_err();
    assert_eq!(e.reason, DeadLetterReason::TooLarge);
    assert!(Envelope::parse(&body, body.len()).is_ok());
    assert_eq!(
        Envelope::parse(&[b' '; 40], 8).unwrap_err().reason,
        DeadLetterReason::TooLarge
    );
}

#[test]
fn not_json() {
    for body in [
        &b"not json"[..],
        b"",
        b"[1,2]",
        b"\"x\"",
        b"{\"schema\":",
        &[0xff, 0xfe],
    ] {
        let e = Envelope::parse(body, MAX).unwrap_err();
        assert_eq!(e.reason, DeadLetterReason::NotJson, "{body:?}");
    }
}

#[test]
fn schema() {
    let mut v = eds();
    v["schema"] = json!("trp.application.submitted.v2");
    assert_eq!(reason_of(&v), DeadLetterReason::Schema);
}

#[test]
fn missing_fields_are_named() {
    let top = [
        "schema",
        "message_id",
        "application_id",
        "submitted_at",
        "document",
        "signature",
    ];
    for key in top {
        let mut v = eds();
        v.as_object_mut().unwrap().remove(key);
        let e = parse(&v).unwrap_err();
        assert_eq!(e.reason, DeadLetterReason::MissingField, "{key}");
        assert!(e.detail.contains(key), "{}", e.detail);
    }
    for key in [
        "method",
        "otp_id",
        "phone",
        "issued_at",
        "confirmed_at",
        "mac",
    ] {
        let mut v = otp();
        v["signature"].as_object_mut().unwrap().remove(key);
        let e = parse(&v).unwrap_err();
        assert_eq!(e.reason, DeadLetterReason::MissingField, "{key}");
        assert!(
            e.detail.contains(&format!("signature.{key}")),
            "{}",
            e.detail
        );
    }
    let mut v = eds();
    v["signature"].as_object_mut().unwrap().remove("cms");
    assert_eq!(reason_of(&v), DeadLetterReason::MissingField);
    let mut v = eds();
    v["application_id"] = Value::Null;
    assert_eq!(reason_of(&v), DeadLetterReason::MissingField);
}

#[test]
fn invalid_fields_never_echo_the_value() {
    let cases: [(&str, Value); 7] = [
        ("application_id", json!("TRP 2026/1")),
        ("application_id", json!(123)),
        ("message_id", json!("not-a-uuid")),
        ("submitted_at", json!("2026-11-24 10:15")),
        ("submitted_at", json!("2026-11-24T10:15:00")),
        ("signature", json!("eds")),
        ("document", json!({"a": 1})),
    ];
    for (key, value) in cases {
        let mut v = eds();
        v[key] = value.clone();
        let e = parse(&v).unwrap_err();
        assert_eq!(e.reason, DeadLetterReason::InvalidField, "{key} = {value}");
        if let Value::String(s) = &value {
            assert!(!e.detail.contains(s.as_str()), "{}", e.detail);
        }
    }
    let mut v = otp();
    v["signature"]["method"] = json!("sms");
    assert_eq!(reason_of(&v), DeadLetterReason::InvalidField);
    let mut v = otp();
    v["signature"]["phone"] = json!("87011234567");
    let e = parse(&v).unwrap_err();
    assert_eq!(e.reason, DeadLetterReason::InvalidField);
    assert!(!e.detail.contains("87011234567"));
}

#[test]
fn base64_must_be_standard_with_padding() {
    for bad in ["abc", "ab==x", "a-_b", "YWJj\n", "YW Jj", "YQ"] {
        let mut v = eds();
        v["document"] = json!(bad);
        assert_eq!(reason_of(&v), DeadLetterReason::Base64, "{bad:?}");
    }
    let mut v = eds();
    v["signature"]["cms"] = json!("***");
    assert_eq!(reason_of(&v), DeadLetterReason::Base64);
    let mut v = otp();
    v["signature"]["mac"] = json!("YQ");
    assert_eq!(reason_of(&v), DeadLetterReason::Base64);
}

#[test]
fn property_message_id_must_match_when_present() {
    let e = parse(&eds()).unwrap();
    assert!(e.check_property_message_id(None).is_ok());
    assert!(e
        .check_property_message_id(Some("0b6f0c3e-4a55-4a1e-9d0e-5f3c2a7b9e11"))
        .is_ok());
    let bad = e.check_property_message_id(Some("5d1c8a9e-2b7f-4c3a-8f6e-1a2b3c4d5e6f"));
    assert_eq!(bad.unwrap_err().reason, DeadLetterReason::InvalidField);
}

#[test]
fn detail_is_one_line() {
    let e = EnvelopeError::new(DeadLetterReason::Schema, "a\nb\r\nc");
    assert!(!e.detail.contains(['\n', '\r']));
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Envelope::parse(&body, MAX);
    }

    #[test]
    fn arbitrary_json_fields_never_panic(
        key in prop::sample::select(vec!["schema", "message_id", "application_id",
            "submitted_at", "document", "signature"]),
        value in arb_json(),
    ) {
        let mut v = otp();
        v[key] = value.clone();
        let _ = parse(&v);
        let mut v = otp();
        v["signature"][key] = value;
        let _ = parse(&v);
    }
}

pub(crate) fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn submitted_at_may_lie_after_the_arrival_by_the_skew_and_no_more() {
    let envelope = parse(&eds()).unwrap();
    let submitted = envelope.submitted_at();
    let skew = std::time::Duration::from_secs(300);
    let at = |seconds: i64| submitted - time::Duration::seconds(seconds);
    // Arrived after it was submitted, or up to the skew before: accepted.
    for arrived in [at(-86_400), at(0), at(300)] {
        assert_eq!(envelope.check_submitted_by(arrived, skew), Ok(()));
    }
    let e = envelope.check_submitted_by(at(301), skew).unwrap_err();
    assert_eq!(e.reason, DeadLetterReason::InvalidField);
    assert!(
        e.detail.starts_with("submitted_at lies 301 s after"),
        "{}",
        e.detail
    );
    assert!(
        e.detail.contains("signature.clock_skew_s (300 s)"),
        "{}",
        e.detail
    );
}
