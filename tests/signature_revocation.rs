//! Whether a signer's revocation status can be decided (`checks::signature::revocation`),
//! pure, on the committed test PKI: every CA on the path needs a CRL (unless allowed
//! otherwise) that is not past its nextUpdate; the verdict keeps that apart from refusals.

use crate::support;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::json;
use support::*;
use time::macros::datetime;
use time::OffsetDateTime;
use trp_worker::checks::signature::{check, MissingCrls, OtpKey, OtpSettings, SignatureInput};
use trp_worker::checks::signature::{TrustStore, Verdict};
use trp_worker::checks::Facts;
use trp_worker::domain::envelope::Envelope;
use trp_worker::domain::reason::ReasonCode;

const ROOT: &str = "CN=TRP TEST ROOT,C=KZ";
const INTERMEDIATE: &str = "CN=TRP TEST INTERMEDIATE,C=KZ";
/// After the fixtures' CRLs' nextUpdate (2046-11-20T07:28:58Z).
const LATER: OffsetDateTime = datetime!(2047-01-01 0:00 UTC);

fn store(crls: &[&str], missing: MissingCrls) -> TrustStore {
    let crls: Vec<_> = crls.iter().map(|c| pki(c)).collect();
    trp_worker::files::trust_store(&[pki("root.pem"), pki("intermediate.pem")], &crls)
        .unwrap()
        .with_missing_crls(missing)
}

fn verdict(fixture: &str, trust: &TrustStore, now: OffsetDateTime) -> Verdict {
    let signature = json!({"method": "eds", "cms": B64.encode(read(fixture))});
    let envelope = Envelope::parse(envelope_json(signature).as_bytes(), 1 << 20).unwrap();
    let facts = Facts::default();
    let input = SignatureInput {
        envelope: &envelope,
        applicant_iin: Some(IIN),
        facts: &facts,
        now,
    };
    let otp = OtpSettings {
        key: OtpKey::new(Vec::new()),
        lifetime: OtpSettings::DEFAULT_LIFETIME,
    };
    check(&input, trust, &otp)
}

fn waiting(v: &Verdict) -> Vec<(&str, bool)> {
    v.waiting_for
        .iter()
        .map(|g| (g.issuer.as_str(), g.next_update.is_some()))
        .collect()
}

#[test]
fn fresh_crls_of_every_ca_decide() {
    let trust = store(&["intermediate.crl", "root.crl"], MissingCrls::Wait);
    let v = verdict("rsa-detached.p7s", &trust, SUBMITTED_AT);
    assert_eq!(v, Verdict::default());
    assert!(v.is_decidable());
}

#[test]
fn a_stale_crl_leaves_the_status_undecided_beside_the_failures() {
    let trust = store(&["intermediate.crl", "root.crl"], MissingCrls::Wait);
    let v = verdict("rsa-detached.p7s", &trust, LATER);
    assert_eq!(waiting(&v), [(INTERMEDIATE, true), (ROOT, true)]);
    assert_eq!(v.failures, [], "failures are reported apart");
    assert!(!v.is_decidable());
    assert_eq!(
        v.waiting_for[0].next_update,
        Some(datetime!(2046-11-20 07:28:58 UTC))
    );
    // A revoked leaf on a stale CRL is not refused on it either: it waits too.
    let revoked = verdict("revoked-detached.p7s", &trust, LATER);
    assert!(!revoked.is_decidable());
    let codes: Vec<ReasonCode> = revoked.failures.iter().map(|f| f.code).collect();
    assert_eq!(codes, [ReasonCode::SignatureRevoked]);
}

#[test]
fn a_ca_without_a_crl_is_waited_for_unless_allowed() {
    let wait = store(&["intermediate.crl"], MissingCrls::Wait);
    let v = verdict("rsa-detached.p7s", &wait, SUBMITTED_AT);
    assert_eq!(waiting(&v), [(ROOT, false)]);
    assert_eq!(
        v.waiting_for[0].to_string(),
        "no CRL is configured for CN=TRP TEST ROOT,C=KZ"
    );
    let allow = store(&["intermediate.crl"], MissingCrls::Allow);
    assert!(verdict("rsa-detached.p7s", &allow, SUBMITTED_AT).is_decidable());
    let none = store(&[], MissingCrls::Allow);
    assert!(verdict("rsa-detached.p7s", &none, SUBMITTED_AT).is_decidable());
    // A stale CRL still waits where missing ones are allowed.
    assert!(!verdict("rsa-detached.p7s", &allow, LATER).is_decidable());
}

#[test]
fn an_untrusted_chain_waits_for_nothing() {
    let trust = store(&[], MissingCrls::Wait);
    let v = verdict("rogue-detached.p7s", &trust, SUBMITTED_AT);
    assert!(v.is_decidable());
    let codes: Vec<ReasonCode> = v.failures.iter().map(|f| f.code).collect();
    assert_eq!(codes, [ReasonCode::SignatureUntrusted]);
}

#[test]
fn a_ca_is_current_when_its_crls_are_fresh() {
    let trust = store(&["intermediate.crl"], MissingCrls::Wait);
    let revocation = trust.revocation();
    assert!(revocation.is_current(INTERMEDIATE, SUBMITTED_AT));
    assert!(!revocation.is_current(INTERMEDIATE, LATER));
    assert!(
        !revocation.is_current(ROOT, SUBMITTED_AT),
        "no CRL, not allowed"
    );
    assert_eq!(
        revocation.issuers_at(LATER),
        (vec![], vec![INTERMEDIATE.to_owned()])
    );
}
