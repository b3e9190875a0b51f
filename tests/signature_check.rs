//! `signature::check` on parsed envelopes: the EDS and OTP branches through the one entry
//! point the decision uses.

use crate::support;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use support::*;
use trp_worker::checks::signature::{check, OtpKey, OtpSettings, SignatureInput};
use trp_worker::checks::Facts;
use trp_worker::domain::envelope::Envelope;
use trp_worker::domain::reason::ReasonCode::{self, *};

const OTP_KEY: &[u8] = b"a test attestation key";

fn envelope(signature: Value) -> Envelope {
    Envelope::parse(envelope_json(signature).as_bytes(), 1 << 20).expect("a good envelope")
}

fn otp_settings() -> OtpSettings {
    OtpSettings {
        key: OtpKey::new(OTP_KEY.to_vec()),
        lifetime: OtpSettings::DEFAULT_LIFETIME,
    }
}

fn run(envelope: &Envelope, iin: Option<&str>, facts: &Facts) -> Vec<ReasonCode> {
    let input = SignatureInput {
        envelope,
        applicant_iin: iin,
        facts,
        now: SUBMITTED_AT,
    };
    let verdict = check(&input, &trust(), &otp_settings());
    assert_eq!(
        verdict.waiting_for,
        [],
        "both CAs' CRLs are configured and fresh"
    );
    codes(&verdict.failures)
}

fn otp_signature(confirmed_at: &str) -> Value {
    let (id, phone, issued) = (
        "5d1c8a9e-2b7f-4c3a-8f6e-1a2b3c4d5e6f",
        "+77011234567",
        "2026-11-24T10:13:10+05:00",
    );
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(document()));
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(OTP_KEY).unwrap();
    mac.update(format!("{id}\n{phone}\n{issued}\n{confirmed_at}\n{digest}").as_bytes());
    json!({
        "method": "otp", "otp_id": id, "phone": phone, "issued_at": issued,
        "confirmed_at": confirmed_at, "mac": B64.encode(mac.finalize().into_bytes()),
    })
}

#[test]
fn an_eds_envelope_is_checked() {
    let good = envelope(json!({"method": "eds", "cms": B64.encode(read("p256-detached.p7s"))}));
    assert_eq!(run(&good, Some(IIN), &Facts::default()), []);
    assert_eq!(
        run(&good, Some("870412300015"), &Facts::default()),
        [SignatureSignerMismatch]
    );
    let revoked =
        envelope(json!({"method": "eds", "cms": B64.encode(read("revoked-detached.p7s"))}));
    assert_eq!(
        run(&revoked, Some(IIN), &Facts::default()),
        [SignatureRevoked]
    );
}

#[test]
fn an_otp_envelope_is_checked() {
    let facts = Facts {
        phone_holder_iin: Some(IIN.to_owned()),
        ..Facts::default()
    };
    let good = envelope(otp_signature("2026-11-24T10:14:02+05:00"));
    assert_eq!(run(&good, Some(IIN), &facts), []);
    assert_eq!(
        run(&good, Some(IIN), &Facts::default()),
        [SignaturePhoneNotRegistered]
    );
    let late = envelope(otp_signature("2026-11-24T10:20:00+05:00"));
    assert_eq!(
        run(&late, Some(IIN), &facts),
        [SignatureOtpInvalid, SignatureOtpExpired]
    );
}
