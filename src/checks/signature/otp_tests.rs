use base64::Engine as _;
use hmac::{Hmac, Mac};
use time::macros::datetime;

use super::*;
use crate::domain::ids::Phone;
use crate::domain::instant::Instant;

const IIN: &str = "900517310006";
const KEY: &[u8] = b"portal attestation key for tests";

fn claim(issued: &str, confirmed: &str) -> OtpClaim {
    OtpClaim {
        otp_id: "5d1c8a9e-2b7f-4c3a-8f6e-1a2b3c4d5e6f".into(),
        phone_raw: "+77011234567".into(),
        phone: Phone::parse("+77011234567").unwrap(),
        issued_at: Instant::parse(issued).unwrap(),
        confirmed_at: Instant::parse(confirmed).unwrap(),
        mac: Vec::new(),
    }
}

/// A MAC computed independently of `mac_message`, from the contract's wording.
fn sign(claim: &mut OtpClaim, document: &[u8]) {
    let text = format!(
        "{}\n{}\n{}\n{}\n{}",
        claim.otp_id,
        claim.phone_raw,
        claim.issued_at.raw(),
        claim.confirmed_at.raw(),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(document))
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(KEY).unwrap();
    mac.update(text.as_bytes());
    claim.mac = mac.finalize().into_bytes().to_vec();
}

fn settings() -> OtpSettings {
    OtpSettings {
        key: OtpKey::new(KEY.to_vec()),
        lifetime: OtpSettings::DEFAULT_LIFETIME,
    }
}

fn run(claim: &OtpClaim, holder: Option<&str>, applicant: Option<&str>) -> Vec<ReasonCode> {
    let digest = Sha256::digest(b"the document");
    let input = OtpInput {
        claim,
        document_sha256: &digest,
        submitted_at: datetime!(2026-11-24 10:15 +5),
        applicant_iin: applicant,
        phone_holder_iin: holder,
    };
    verify(&input, &settings())
        .into_iter()
        .map(|f| f.code)
        .collect()
}

fn signed(issued: &str, confirmed: &str) -> OtpClaim {
    let mut c = claim(issued, confirmed);
    sign(&mut c, b"the document");
    c
}

const ISSUED: &str = "2026-11-24T10:13:10+05:00";
const CONFIRMED: &str = "2026-11-24T10:14:02+05:00";

#[test]
fn a_good_attestation_passes() {
    assert_eq!(run(&signed(ISSUED, CONFIRMED), Some(IIN), Some(IIN)), []);
}

#[test]
fn a_wrong_mac_is_otp_invalid() {
    let mut c = signed(ISSUED, CONFIRMED);
    c.mac[0] ^= 1;
    assert_eq!(
        run(&c, Some(IIN), Some(IIN)),
        [ReasonCode::SignatureOtpInvalid]
    );
    c.mac.truncate(16);
    assert_eq!(
        run(&c, Some(IIN), Some(IIN)),
        [ReasonCode::SignatureOtpInvalid]
    );
    let mut other = claim(ISSUED, CONFIRMED);
    sign(&mut other, b"another document");
    assert_eq!(
        run(&other, Some(IIN), Some(IIN)),
        [ReasonCode::SignatureOtpInvalid]
    );
}

#[test]
fn the_mac_covers_the_strings_as_written() {
    // The same instants written in UTC: equal moments, other strings, so another MAC.
    let mut c = signed(ISSUED, CONFIRMED);
    c.issued_at = Instant::parse("2026-11-24T05:13:10Z").unwrap();
    assert_eq!(
        run(&c, Some(IIN), Some(IIN)),
        [ReasonCode::SignatureOtpInvalid]
    );
}

#[test]
fn the_lifetime_is_inclusive() {
    let at_limit = signed("2026-11-24T10:09:00+05:00", "2026-11-24T10:14:00+05:00");
    assert_eq!(run(&at_limit, Some(IIN), Some(IIN)), []);
    let over = signed("2026-11-24T10:08:59+05:00", "2026-11-24T10:14:00+05:00");
    assert_eq!(
        run(&over, Some(IIN), Some(IIN)),
        [ReasonCode::SignatureOtpExpired]
    );
}

#[test]
fn confirmed_before_issued_or_after_submission_is_otp_invalid() {
    let backwards = signed(CONFIRMED, ISSUED);
    assert_eq!(
        run(&backwards, Some(IIN), Some(IIN)),
        [ReasonCode::SignatureOtpInvalid]
    );
    let late = signed("2026-11-24T10:14:30+05:00", "2026-11-24T10:15:01+05:00");
    assert_eq!(
        run(&late, Some(IIN), Some(IIN)),
        [ReasonCode::SignatureOtpInvalid]
    );
}

#[test]
fn the_phone_must_be_the_applicants() {
    let c = signed(ISSUED, CONFIRMED);
    let not = [ReasonCode::SignaturePhoneNotRegistered];
    assert_eq!(run(&c, Some("870412300015"), Some(IIN)), not);
    assert_eq!(run(&c, None, Some(IIN)), not);
    // Without the applicant's IIN (unreadable document) the comparison is skipped.
    assert_eq!(run(&c, None, None), []);
}

#[test]
fn every_failure_is_reported() {
    let mut c = signed("2026-11-24T10:00:00+05:00", "2026-11-24T10:14:00+05:00");
    c.mac[5] ^= 0x80;
    assert_eq!(
        run(&c, None, Some(IIN)),
        [
            ReasonCode::SignatureOtpInvalid,
            ReasonCode::SignatureOtpExpired,
            ReasonCode::SignaturePhoneNotRegistered
        ]
    );
}

#[test]
fn the_key_never_prints() {
    let encoded = base64::engine::general_purpose::STANDARD.encode(KEY);
    let key = OtpKey::from_base64(&encoded).unwrap();
    let shown = format!("{key:?} {:?}", settings());
    assert!(!shown.contains("portal"), "{shown}");
    assert!(!shown.contains(&encoded), "{shown}");
    assert_eq!(
        OtpKey::from_base64("not base64!").unwrap_err(),
        OtpKeyError::NotBase64
    );
    assert_eq!(OtpKey::from_base64("").unwrap_err(), OtpKeyError::Empty);
}
