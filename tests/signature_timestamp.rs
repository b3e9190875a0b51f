//! Signature time-stamp tokens (RFC 3161, CAdES-T) through the signature check on an
//! envelope: the committed RSA/ECDSA test PKI's real signatures, stamped by an RSA test TSA
//! of our own (`support::tsa`). With a valid token the signer's chain is judged at its
//! genTime; a token that does not verify refuses with `signature.invalid`.

use crate::support;

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};
use support::tsa::{self, RsaTsa, Token};
use support::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use trp_worker::checks::signature::{check, SignatureInput, TrustStore, Verdict};
use trp_worker::checks::Facts;
use trp_worker::domain::decision::SigningTime;
use trp_worker::domain::envelope::Envelope;
use trp_worker::domain::reason::ReasonCode;

/// Before the fixtures' SUBMITTED_AT (2026-11-24T10:15+05:00).
const BEFORE_SUBMISSION: OffsetDateTime = datetime!(2026-11-24 05:00 UTC);
/// After the fixture CRL revokes leaf-revoked (2026-11-25T07:28:58Z).
const AFTER_REVOCATION: OffsetDateTime = datetime!(2026-11-26 04:00 UTC);

fn our_tsa() -> &'static RsaTsa {
    static TSA: OnceLock<RsaTsa> = OnceLock::new();
    TSA.get_or_init(|| RsaTsa::new("TSA TEST ROOT"))
}

fn rogue_tsa() -> &'static RsaTsa {
    static TSA: OnceLock<RsaTsa> = OnceLock::new();
    TSA.get_or_init(|| RsaTsa::new("ROGUE TSA ROOT"))
}

/// The committed PKI with its CRLs, and our TSA (with its CRL), `require` as given.
fn trust(require: bool) -> TrustStore {
    let tsa = our_tsa();
    trust_with_tsa(&tsa.anchors(), &[tsa.crl()], require)
}

fn envelope(cms: &[u8], submitted_at: Option<&str>) -> Envelope {
    let signature = json!({"method": "eds", "cms": B64.encode(cms)});
    let mut body: Value = serde_json::from_str(&envelope_json(signature)).unwrap();
    if let Some(at) = submitted_at {
        body["submitted_at"] = json!(at);
    }
    Envelope::parse(body.to_string().as_bytes(), 1 << 20).unwrap()
}

fn verdict_of(envelope: &Envelope, trust: &TrustStore) -> Verdict {
    let facts = Facts::default();
    let input = SignatureInput {
        envelope,
        applicant_iin: Some(IIN),
        facts: &facts,
        now: SUBMITTED_AT,
    };
    check(&input, trust, &no_otp())
}

fn verdict(cms: &[u8], trust: &TrustStore) -> Verdict {
    verdict_of(&envelope(cms, None), trust)
}

/// `fixture` stamped by our TSA with `change` applied to a SHA-256 token at `gen_time`.
fn stamped(fixture: &str, gen_time: OffsetDateTime, change: impl FnOnce(&mut Token)) -> Vec<u8> {
    stamped_by(our_tsa(), "tsa", fixture, gen_time, change)
}

fn stamped_by(
    tsa: &RsaTsa,
    signer: &str,
    fixture: &str,
    gen_time: OffsetDateTime,
    change: impl FnOnce(&mut Token),
) -> Vec<u8> {
    let cms = read(fixture);
    let mut token = Token::sha256(&tsa::signature_value(&cms), gen_time);
    change(&mut token);
    let token = tsa::token(&tsa.signer(signer), &token);
    tsa::stamp(&cms, &[token])
}

/// The one failure's code, and whether its detail names the time-stamp.
fn refusal(v: &Verdict) -> (Vec<ReasonCode>, bool) {
    let about_stamp = v.failures.iter().any(|f| f.detail.contains("time-stamp"));
    (codes(&v.failures), about_stamp)
}

#[test]
fn a_valid_token_sets_the_signing_time_to_its_gen_time() {
    let cms = stamped("rsa-detached.p7s", BEFORE_SUBMISSION, |_| {});
    let envelope = envelope(&cms, None);
    let v = verdict_of(&envelope, &trust(false));
    assert_eq!(v.failures, [], "{:?}", v.failures);
    assert!(v.is_decidable(), "{:?}", v.waiting_for);
    let stamp = v.timestamp.clone().expect("the token verified");
    assert_eq!(stamp.gen_time, BEFORE_SUBMISSION);
    assert_eq!(stamp.tsa, "CN=TEST TSA,C=KZ");
    assert_eq!(stamp.imprint_algorithm, "SHA-256");
    assert_eq!(
        v.signing_time(&envelope),
        Some(SigningTime::TimeStamp {
            gen_time: BEFORE_SUBMISSION,
            tsa: "CN=TEST TSA,C=KZ".into()
        })
    );
}

#[test]
fn without_a_token_the_signing_time_is_submitted_at() {
    let envelope = envelope(&read("rsa-detached.p7s"), None);
    let v = verdict_of(&envelope, &trust(false));
    assert_eq!(v, Verdict::default());
    assert_eq!(
        v.signing_time(&envelope),
        Some(SigningTime::SubmittedAt(SUBMITTED_AT))
    );
}

#[test]
fn an_ess_v1_token_verifies_too() {
    let cms = stamped("p256-detached.p7s", BEFORE_SUBMISSION, |t| t.ess_v2 = false);
    let v = verdict(&cms, &trust(false));
    assert_eq!(v.failures, []);
    assert!(v.timestamp.is_some());
}

#[test]
fn a_certificate_expired_after_gen_time_is_valid() {
    let fixture = "expired-detached-noattr.p7s";
    let unstamped = verdict(&read(fixture), &trust(false));
    assert_eq!(codes(&unstamped.failures), [ReasonCode::SignatureExpired]);
    // leaf-expired is valid until 2025-12-31T23:59:59Z.
    let cms = stamped(fixture, datetime!(2025-06-01 12:00 UTC), |_| {});
    let v = verdict(&cms, &trust(false));
    assert_eq!(v.failures, [], "{:?}", v.failures);
}

#[test]
fn a_token_after_the_certificate_expired_refuses_it_as_expired() {
    let cms = stamped("expired-detached-noattr.p7s", BEFORE_SUBMISSION, |_| {});
    let v = verdict(&cms, &trust(false));
    assert_eq!(codes(&v.failures), [ReasonCode::SignatureExpired]);
    assert!(v.failures[0].detail.contains("genTime"), "{:?}", v.failures);
}

#[test]
fn a_certificate_revoked_after_gen_time_is_valid() {
    let later = Some("2026-11-26T10:00:00+05:00");
    let unstamped = verdict_of(
        &envelope(&read("revoked-detached.p7s"), later),
        &trust(false),
    );
    assert_eq!(codes(&unstamped.failures), [ReasonCode::SignatureRevoked]);
    let cms = stamped("revoked-detached.p7s", BEFORE_SUBMISSION, |_| {});
    let v = verdict_of(&envelope(&cms, later), &trust(false));
    assert_eq!(v.failures, [], "{:?}", v.failures);
    assert!(v.is_decidable());
}

#[test]
fn a_certificate_revoked_before_gen_time_is_revoked() {
    let later = Some("2026-11-26T10:00:00+05:00");
    let cms = stamped("revoked-detached.p7s", AFTER_REVOCATION, |_| {});
    let v = verdict_of(&envelope(&cms, later), &trust(false));
    assert_eq!(codes(&v.failures), [ReasonCode::SignatureRevoked]);
    assert!(v.failures[0]
        .detail
        .contains("revoked 2026-11-25T07:28:58Z"));
}

#[test]
fn an_imprint_over_other_bytes_is_invalid() {
    let cms = stamped("rsa-detached.p7s", BEFORE_SUBMISSION, |t| {
        t.imprint = <sha2::Sha256 as sha2::Digest>::digest(b"other bytes").to_vec();
    });
    let v = verdict(&cms, &trust(false));
    assert_eq!(refusal(&v), (vec![ReasonCode::SignatureInvalid], true));
    assert!(v.failures[0].detail.contains("message imprint"));
    assert_eq!(v.timestamp, None);
}

#[test]
fn a_token_by_an_untrusted_tsa_is_invalid() {
    let cms = stamped_by(
        rogue_tsa(),
        "tsa",
        "rsa-detached.p7s",
        BEFORE_SUBMISSION,
        |_| {},
    );
    let v = verdict(&cms, &trust(false));
    assert_eq!(refusal(&v), (vec![ReasonCode::SignatureInvalid], true));
    assert!(
        v.failures[0].detail.contains("trust anchor"),
        "{:?}",
        v.failures
    );
}

#[test]
fn a_tsa_certificate_without_time_stamping_is_invalid() {
    let cms = stamped_by(
        our_tsa(),
        "noeku",
        "rsa-detached.p7s",
        BEFORE_SUBMISSION,
        |_| {},
    );
    let v = verdict(&cms, &trust(false));
    assert_eq!(refusal(&v), (vec![ReasonCode::SignatureInvalid], true));
    assert!(
        v.failures[0].detail.contains("timeStamping"),
        "{:?}",
        v.failures
    );
}

#[test]
fn a_flipped_token_signature_is_invalid() {
    let cms = stamped("rsa-detached.p7s", BEFORE_SUBMISSION, |t| {
        t.flip_signature = true
    });
    let v = verdict(&cms, &trust(false));
    assert_eq!(refusal(&v), (vec![ReasonCode::SignatureInvalid], true));
    assert!(v.failures[0].detail.contains("signature does not verify"));
}

#[test]
fn a_gen_time_after_submission_plus_skew_is_invalid() {
    let cms = stamped(
        "rsa-detached.p7s",
        SUBMITTED_AT + Duration::seconds(301),
        |_| {},
    );
    let v = verdict(&cms, &trust(false));
    assert_eq!(refusal(&v), (vec![ReasonCode::SignatureInvalid], true));
    // Within the skew it is the signing time.
    let cms = stamped(
        "rsa-detached.p7s",
        SUBMITTED_AT + Duration::seconds(300),
        |_| {},
    );
    assert_eq!(verdict(&cms, &trust(false)).failures, []);
}

#[test]
fn hostile_or_doubled_tokens_are_named_refusals() {
    let cms = read("rsa-detached.p7s");
    let garbage = vec![0x04, 0x03, 0x30, 0x80, 0x00];
    let truncated = {
        let mut token = tsa::token(
            &our_tsa().signer("tsa"),
            &Token::sha256(&tsa::signature_value(&cms), BEFORE_SUBMISSION),
        );
        token.truncate(token.len() / 2);
        let mut value = vec![0x04, 0x82];
        value.extend(u16::try_from(token.len()).unwrap().to_be_bytes());
        value.extend(token);
        value
    };
    for value in [garbage, truncated] {
        let v = verdict(&tsa::stamp(&cms, &[value]), &trust(false));
        assert_eq!(refusal(&v), (vec![ReasonCode::SignatureInvalid], true));
    }
    let token = tsa::token(
        &our_tsa().signer("tsa"),
        &Token::sha256(&tsa::signature_value(&cms), BEFORE_SUBMISSION),
    );
    let mut other = Token::sha256(&tsa::signature_value(&cms), BEFORE_SUBMISSION);
    other.ess_v2 = false;
    let second = tsa::token(&our_tsa().signer("tsa"), &other);
    let v = verdict(&tsa::stamp(&cms, &[token, second]), &trust(false));
    assert_eq!(refusal(&v), (vec![ReasonCode::SignatureInvalid], true));
}

#[test]
fn require_timestamp_refuses_unstamped_signatures_only_when_on() {
    let unstamped = read("rsa-detached.p7s");
    let v = verdict(&unstamped, &trust(true));
    assert_eq!(refusal(&v), (vec![ReasonCode::SignatureInvalid], true));
    assert!(v.failures[0].detail.contains("require_timestamp"));
    assert_eq!(verdict(&unstamped, &trust(false)).failures, []);
    let cms = stamped("rsa-detached.p7s", BEFORE_SUBMISSION, |_| {});
    assert_eq!(verdict(&cms, &trust(true)).failures, []);
}

#[test]
fn a_token_without_configured_tsas_is_invalid() {
    let cms = stamped("rsa-detached.p7s", BEFORE_SUBMISSION, |_| {});
    let bare = trp_worker::files::trust_store(
        &[pki("root.pem"), pki("intermediate.pem")],
        &[pki("intermediate.crl"), pki("root.crl")],
    )
    .unwrap();
    let v = verdict(&cms, &bare);
    assert_eq!(refusal(&v), (vec![ReasonCode::SignatureInvalid], true));
    assert!(v.failures[0].detail.contains("signature.tsa_trust_anchors"));
}

#[test]
fn a_tsa_without_a_crl_waits_like_any_chain() {
    let cms = stamped("rsa-detached.p7s", BEFORE_SUBMISSION, |_| {});
    let trust = trust_with_tsa(&our_tsa().anchors(), &[], false);
    let v = verdict(&cms, &trust);
    assert!(!v.is_decidable());
    let issuers: Vec<&str> = v.waiting_for.iter().map(|g| g.issuer.as_str()).collect();
    assert_eq!(issuers, ["CN=TSA TEST ROOT,C=KZ"]);
}
