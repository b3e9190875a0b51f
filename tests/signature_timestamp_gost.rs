//! Time-stamp tokens in the national CA's GOST algorithms: a GOST test TSA (2015-512,
//! 2015-256 and 34.310-2004 keys, EKU timeStamping critical) stamping GOST signatures of
//! the GOST test PKI (`support::gost_pki`), imprints in Streebog-512, -256 and GOST
//! 34.311-95, through the signature check on an envelope.

use crate::support;

use std::sync::LazyLock;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};
use support::gost_cms::{cms, CmsOptions};
use support::gost_pki::{self, certificate, crl, name, Key, Profile};
use support::tsa::{self, Token};
use support::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use trp_worker::checks::signature::gost::algorithms::Kind;
use trp_worker::checks::signature::{check, MissingCrls, OtpKey, OtpSettings, SignatureInput};
use trp_worker::checks::signature::{Timestamps, TrustStore, Verdict};
use trp_worker::checks::Facts;
use trp_worker::domain::envelope::Envelope;
use trp_worker::domain::reason::ReasonCode;

const REVOKED_SERIAL: u8 = 40;
const KINDS: [Kind; 3] = [Kind::Gost2015_512, Kind::Gost2015_256, Kind::Gost2004];

struct Pki {
    trust: TrustStore,
    /// (certificate, key) of the applicant's good and revoked leaves.
    good: (Vec<u8>, Key),
    revoked: (Vec<u8>, Key),
    /// (TSA certificate, key) by algorithm, and one without timeStamping.
    tsas: Vec<(Vec<u8>, Key)>,
    no_eku: (Vec<u8>, Key),
}

static PKI: LazyLock<Pki> = LazyLock::new(|| {
    let root_key = Key::new(Kind::Gost2015_512, "ts root");
    let root_name = name("TEST NCA GOST ROOT", None);
    let by_root = (&root_name, &root_key);
    let root = certificate(1, &root_name, &root_key, by_root, &Profile::ca());
    let applicant = name("KARIMOV AZIZ", Some(&format!("IIN{IIN}")));
    let person = Profile {
        from_year: 2025,
        ..Profile::person()
    };
    let good_key = Key::new(Kind::Gost2015_512, "good");
    let good = certificate(30, &applicant, &good_key, by_root, &person);
    let revoked_key = Key::new(Kind::Gost2015_512, "revoked");
    let revoked = certificate(REVOKED_SERIAL, &applicant, &revoked_key, by_root, &person);
    // The TSA's own root, and TSA leaves in each algorithm.
    let tsa_root_key = Key::new(Kind::Gost2015_512, "tsa root");
    let tsa_root_name = name("TEST NCA TSA ROOT", None);
    let by_tsa_root = (&tsa_root_name, &tsa_root_key);
    let tsa_root = certificate(
        1,
        &tsa_root_name,
        &tsa_root_key,
        by_tsa_root,
        &Profile::ca(),
    );
    let tsa_profile = Profile {
        eku: false,
        from_year: 2020,
        until_year: 2045,
        ..Profile::person()
    };
    let tsa_leaf = |serial: u8, kind: Kind, eku: bool| {
        let key = Key::new(kind, &format!("tsa {serial}"));
        let leaf_name = name(&format!("TEST NCA TSA {serial}"), None);
        let plain = certificate(serial, &leaf_name, &key, by_tsa_root, &tsa_profile);
        (tsa::with_time_stamping(&plain, &tsa_root_key, eku), key)
    };
    let tsas = KINDS
        .iter()
        .zip(10u8..)
        .map(|(kind, serial)| tsa_leaf(serial, *kind, true))
        .collect();
    let no_eku = tsa_leaf(20, Kind::Gost2015_512, false);
    let crls = vec![
        ("root.crl".to_string(), crl(by_root, &[REVOKED_SERIAL])),
        ("tsa.crl".to_string(), crl(by_tsa_root, &[])),
    ];
    let anchors = vec![("root.pem".to_string(), gost_pki::pem(&root))];
    let tsa_anchors = vec![("tsa.pem".to_string(), gost_pki::pem(&tsa_root))];
    let tsa_store =
        Timestamps::tsa_from_pem_and_crls(&tsa_anchors, &crls, MissingCrls::Wait).unwrap();
    let trust = TrustStore::from_pem_and_crls(&anchors, &crls)
        .unwrap()
        .with_timestamps(Timestamps::new(
            Some(tsa_store),
            false,
            Duration::seconds(300),
        ));
    Pki {
        trust,
        good: (good, good_key),
        revoked: (revoked, revoked_key),
        tsas,
        no_eku,
    }
});

/// The imprint algorithm OID of a GOST kind's hash, as NCA names it in a CMS.
fn hash_oid(kind: Kind) -> der::asn1::ObjectIdentifier {
    let oid = match kind {
        Kind::Gost2015_512 => "1.2.398.3.10.1.3.3",
        Kind::Gost2015_256 => "1.2.398.3.10.1.3.2",
        Kind::Gost2004 => "1.2.398.3.10.1.3.1",
    };
    der::asn1::ObjectIdentifier::new_unwrap(oid)
}

/// The applicant's CMS by `leaf`, stamped at `gen_time` by `tsa` with an imprint in the
/// TSA key's hash; `change` alters the token.
fn stamped(
    leaf: &(Vec<u8>, Key),
    tsa: &(Vec<u8>, Key),
    gen_time: OffsetDateTime,
    change: impl FnOnce(&mut Token),
) -> Vec<u8> {
    let signed = cms(&leaf.0, &leaf.1, &document(), &CmsOptions::default());
    let value = tsa::signature_value(&signed);
    let mut token = Token {
        gen_time,
        imprint_algorithm: hash_oid(tsa.1.kind),
        imprint: tsa.1.kind.hash().digest(&value),
        ess_v2: true,
        flip_signature: false,
    };
    change(&mut token);
    let token = tsa::token(&tsa::gost_signer(tsa.0.clone(), tsa.1.clone()), &token);
    tsa::stamp(&signed, &[token])
}

/// Submitted 2026-11-24T10:15+05:00, checked then.
fn verdict(cms: &[u8]) -> Verdict {
    let signature = json!({"method": "eds", "cms": B64.encode(cms)});
    let body: Value = serde_json::from_str(&envelope_json(signature)).unwrap();
    let envelope = Envelope::parse(body.to_string().as_bytes(), 1 << 20).unwrap();
    let facts = Facts::default();
    let input = SignatureInput {
        envelope: &envelope,
        applicant_iin: Some(IIN),
        facts: &facts,
        now: SUBMITTED_AT,
    };
    let otp = OtpSettings {
        key: OtpKey::new(Vec::new()),
        lifetime: OtpSettings::DEFAULT_LIFETIME,
    };
    check(&input, &PKI.trust, &otp)
}

fn about_stamp(v: &Verdict) -> (Vec<ReasonCode>, bool) {
    let named = v.failures.iter().any(|f| f.detail.contains("time-stamp"));
    (codes(&v.failures), named)
}

const GEN_TIME: OffsetDateTime = datetime!(2026-11-24 05:00 UTC);

#[test]
fn tokens_of_every_gost_algorithm_set_the_signing_time() {
    let names = ["Streebog-512", "Streebog-256", "GOST 34.311-95"];
    for (tsa, algorithm) in PKI.tsas.iter().zip(names) {
        let v = verdict(&stamped(&PKI.good, tsa, GEN_TIME, |_| {}));
        assert_eq!(v.failures, [], "{algorithm}: {:?}", v.failures);
        let stamp = v.timestamp.expect("the token verified");
        assert_eq!(stamp.gen_time, GEN_TIME);
        assert_eq!(stamp.imprint_algorithm, algorithm);
        assert!(stamp.tsa.contains("TEST NCA TSA"), "{}", stamp.tsa);
    }
}

#[test]
fn revoked_before_gen_time_is_revoked_and_after_it_valid() {
    // The CRL revokes the leaf on 2026-01-01; the leaf is valid from 2025-01-01.
    let before = stamped(&PKI.revoked, &PKI.tsas[0], GEN_TIME, |_| {});
    assert_eq!(
        codes(&verdict(&before).failures),
        [ReasonCode::SignatureRevoked]
    );
    let after = stamped(
        &PKI.revoked,
        &PKI.tsas[0],
        datetime!(2025-06-01 0:00 UTC),
        |_| {},
    );
    let v = verdict(&after);
    assert_eq!(v.failures, [], "{:?}", v.failures);
}

#[test]
fn flipped_tokens_of_every_gost_algorithm_are_invalid() {
    for tsa in &PKI.tsas {
        let v = verdict(&stamped(&PKI.good, tsa, GEN_TIME, |t| {
            t.flip_signature = true
        }));
        assert_eq!(about_stamp(&v), (vec![ReasonCode::SignatureInvalid], true));
    }
}

#[test]
fn an_imprint_in_another_hash_or_over_other_bytes_is_invalid() {
    // A Streebog-256 imprint labelled Streebog-512.
    let wrong_hash = stamped(&PKI.good, &PKI.tsas[0], GEN_TIME, |t| {
        t.imprint = Kind::Gost2015_256.hash().digest(b"x");
    });
    let v = verdict(&wrong_hash);
    assert_eq!(about_stamp(&v), (vec![ReasonCode::SignatureInvalid], true));
    let other = stamped(&PKI.good, &PKI.tsas[2], GEN_TIME, |t| {
        t.imprint = Kind::Gost2004.hash().digest(b"other bytes");
    });
    assert_eq!(
        about_stamp(&verdict(&other)),
        (vec![ReasonCode::SignatureInvalid], true)
    );
}

#[test]
fn a_gost_tsa_without_time_stamping_is_invalid() {
    let v = verdict(&stamped(&PKI.good, &PKI.no_eku, GEN_TIME, |_| {}));
    assert_eq!(about_stamp(&v), (vec![ReasonCode::SignatureInvalid], true));
    assert!(v.failures[0].detail.contains("timeStamping"));
}
