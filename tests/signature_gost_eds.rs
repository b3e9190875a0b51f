//! End to end with the national CA's GOST algorithms: a test PKI with NCA OIDs (root,
//! intermediate, person leaves with SERIALNUMBER=IIN..., a CRL; `support::gost_pki`) and CMS
//! signatures over the e-request, detached and attached, with and without signed
//! attributes, BER with indefinite lengths: approved when good, each signature code when not.

use crate::support;

use std::sync::LazyLock;

use support::gost_cms::{cms, CmsOptions};
use support::gost_pki::{self, certificate, crl, name, Key, Profile};
use support::*;
use trp_worker::checks::signature::gost::algorithms::Kind;
use trp_worker::checks::signature::TrustStore;
use trp_worker::domain::decision::Outcome;
use trp_worker::domain::reason::ReasonCode::{self, *};

struct Pki {
    trust: TrustStore,
    intermediate: Vec<u8>,
    /// (leaf certificate, its key) by name.
    leaves: Vec<(&'static str, Vec<u8>, Key)>,
}

impl Pki {
    fn leaf(&self, which: &str) -> (&[u8], &Key) {
        let (_, cert, key) = self.leaves.iter().find(|(n, _, _)| *n == which).unwrap();
        (cert, key)
    }
}

const REVOKED_SERIAL: u8 = 40;

static PKI: LazyLock<Pki> = LazyLock::new(|| {
    let root_key = Key::new(Kind::Gost2015_512, "root");
    let root_name = name("TEST NCA GOST ROOT", None);
    let root = certificate(
        1,
        &root_name,
        &root_key,
        (&root_name, &root_key),
        &Profile::ca(),
    );
    let inter_key = Key::new(Kind::Gost2015_512, "intermediate");
    let inter_name = name("TEST NCA GOST 2022", None);
    let intermediate = certificate(
        2,
        &inter_name,
        &inter_key,
        (&root_name, &root_key),
        &Profile::ca(),
    );
    // Two more CAs with 256-bit and 2004 keys, so that webpki checks those algorithms in
    // the chain (leaf signatures) and in a CRL, not only in the CMS.
    let ca = |label: &str, serial: u8, kind: Kind| {
        let key = Key::new(kind, label);
        let ca_name = name(label, None);
        let cert = certificate(
            serial,
            &ca_name,
            &key,
            (&root_name, &root_key),
            &Profile::ca(),
        );
        (ca_name, key, cert)
    };
    let (name256, key256, ca256) = ca("TEST NCA GOST 256", 3, Kind::Gost2015_256);
    let (name2004, key2004, ca2004) = ca("TEST NCA GOST 2004", 4, Kind::Gost2004);
    let rogue_key = Key::new(Kind::Gost2015_512, "rogue root");
    let rogue_name = name("ROGUE ROOT", None);
    let by512 = (&inter_name, &inter_key);
    let applicant = name("KARIMOV AZIZ", Some(&format!("IIN{IIN}")));
    let other = name("OTHER", Some("IIN870412300015"));
    let person = Profile::person;
    let expired = Profile {
        from_year: 2023,
        until_year: 2025,
        ..person()
    };
    let keyenc = Profile {
        usages: x509_cert::ext::pkix::KeyUsages::KeyEncipherment,
        ..person()
    };
    let table = [
        (
            "gost512",
            10,
            Kind::Gost2015_512,
            &applicant,
            person(),
            by512,
        ),
        (
            "gost256",
            11,
            Kind::Gost2015_256,
            &applicant,
            person(),
            by512,
        ),
        ("gost2004", 12, Kind::Gost2004, &applicant, person(), by512),
        (
            "gost256-by-256",
            13,
            Kind::Gost2015_256,
            &applicant,
            person(),
            (&name256, &key256),
        ),
        (
            "gost2004-by-2004",
            14,
            Kind::Gost2004,
            &applicant,
            person(),
            (&name2004, &key2004),
        ),
        (
            "revoked-by-2004",
            15,
            Kind::Gost2004,
            &applicant,
            person(),
            (&name2004, &key2004),
        ),
        (
            "expired",
            20,
            Kind::Gost2015_512,
            &applicant,
            expired,
            by512,
        ),
        ("keyenc", 30, Kind::Gost2015_512, &applicant, keyenc, by512),
        (
            "revoked",
            REVOKED_SERIAL,
            Kind::Gost2015_512,
            &applicant,
            person(),
            by512,
        ),
        (
            "other-person",
            50,
            Kind::Gost2015_512,
            &other,
            person(),
            by512,
        ),
        (
            "rogue",
            60,
            Kind::Gost2015_512,
            &applicant,
            person(),
            (&rogue_name, &rogue_key),
        ),
    ];
    let leaves = table
        .into_iter()
        .map(|(label, serial, kind, subject, profile, by)| {
            let key = Key::new(kind, label);
            (label, certificate(serial, subject, &key, by, &profile), key)
        })
        .collect();
    let trust = TrustStore::from_pem_and_crls(
        &[
            ("root.pem".into(), gost_pki::pem(&root)),
            ("intermediate.pem".into(), gost_pki::pem(&intermediate)),
            ("ca256.pem".into(), gost_pki::pem(&ca256)),
            ("ca2004.pem".into(), gost_pki::pem(&ca2004)),
        ],
        &[
            ("intermediate.crl".into(), crl(by512, &[REVOKED_SERIAL])),
            ("ca2004.crl".into(), crl((&name2004, &key2004), &[15])),
        ],
    )
    .expect("the GOST trust store loads");
    Pki {
        trust,
        intermediate,
        leaves,
    }
});

fn codes_of(leaf: &str, options: &CmsOptions) -> Vec<ReasonCode> {
    let (cert, key) = PKI.leaf(leaf);
    let signature = cms(cert, key, &document(), options);
    codes(&failures(&signature, &document(), &PKI.trust))
}

#[test]
fn every_gost_algorithm_signs_a_good_request() {
    for leaf in [
        "gost512",
        "gost256",
        "gost2004",
        "gost256-by-256",
        "gost2004-by-2004",
    ] {
        for options in [
            CmsOptions::default(),
            CmsOptions {
                attached: true,
                ..CmsOptions::default()
            },
            CmsOptions {
                no_signed_attributes: true,
                ..CmsOptions::default()
            },
            CmsOptions {
                attached: true,
                no_signed_attributes: true,
                ..CmsOptions::default()
            },
        ] {
            assert_eq!(codes_of(leaf, &options), [], "{leaf}");
        }
    }
}

#[test]
fn ber_with_indefinite_lengths_is_accepted() {
    for leaf in ["gost512", "gost2004"] {
        let (cert, key) = PKI.leaf(leaf);
        let options = CmsOptions {
            attached: true,
            ..CmsOptions::default()
        };
        let ber = to_indefinite_ber(&cms(cert, key, &document(), &options));
        assert_eq!(
            codes(&failures(&ber, &document(), &PKI.trust)),
            [],
            "{leaf}"
        );
    }
}

#[test]
fn an_intermediate_carried_in_the_signature_is_used() {
    let (cert, key) = PKI.leaf("gost512");
    let options = CmsOptions {
        extra_certs: vec![PKI.intermediate.clone()],
        ..CmsOptions::default()
    };
    let signature = cms(cert, key, &document(), &options);
    let root_only =
        TrustStore::from_pem_and_crls(&[("root.pem".into(), gost_pki::pem(&root_cert()))], &[])
            .unwrap();
    assert_eq!(codes(&failures(&signature, &document(), &root_only)), []);
}

fn root_cert() -> Vec<u8> {
    let key = Key::new(Kind::Gost2015_512, "root");
    let root_name = name("TEST NCA GOST ROOT", None);
    certificate(1, &root_name, &key, (&root_name, &key), &Profile::ca())
}

#[test]
fn each_failure_gets_its_code() {
    let default = CmsOptions::default();
    assert_eq!(codes_of("expired", &default), [SignatureExpired]);
    assert_eq!(codes_of("revoked", &default), [SignatureRevoked]);
    assert_eq!(codes_of("revoked-by-2004", &default), [SignatureRevoked]);
    assert_eq!(codes_of("keyenc", &default), [SignatureKeyUsage]);
    assert_eq!(codes_of("rogue", &default), [SignatureUntrusted]);
    assert_eq!(
        codes_of("other-person", &default),
        [SignatureSignerMismatch]
    );
}

#[test]
fn a_signature_over_anything_else_is_invalid() {
    let (cert, key) = PKI.leaf("gost512");
    // Over another document.
    let other = cms(
        cert,
        key,
        b"{\"another\": \"document\"}",
        &CmsOptions::default(),
    );
    assert_eq!(
        codes(&failures(&other, &document(), &PKI.trust)),
        [SignatureInvalid]
    );
    let other = CmsOptions {
        no_signed_attributes: true,
        ..CmsOptions::default()
    };
    let other = cms(cert, key, b"another", &other);
    assert_eq!(
        codes(&failures(&other, &document(), &PKI.trust)),
        [SignatureInvalid]
    );
    // A messageDigest in SHA-256 (not the signer's GOST hash), or in the wrong GOST hash.
    let sha256 = <sha2::Sha256 as sha2::Digest>::digest(document()).to_vec();
    let wrong = CmsOptions {
        message_digest: Some(sha256),
        ..CmsOptions::default()
    };
    assert_eq!(codes_of("gost512", &wrong), [SignatureInvalid]);
    let streebog256 = Kind::Gost2015_256.hash().digest(&document());
    let wrong = CmsOptions {
        message_digest: Some(streebog256),
        ..CmsOptions::default()
    };
    assert_eq!(codes_of("gost512", &wrong), [SignatureInvalid]);
    // One byte of the signature value flipped.
    let good = cms(cert, key, &document(), &CmsOptions::default());
    let parsed = trp_worker::checks::signature::signed_data::parse(&good).unwrap();
    let value = parsed.signer.signature.as_bytes();
    let at = good.windows(value.len()).position(|w| w == value).unwrap();
    let mut flipped = good.clone();
    flipped[at + 10] ^= 1;
    assert_eq!(
        codes(&failures(&flipped, &document(), &PKI.trust)),
        [SignatureInvalid]
    );
}

#[test]
fn the_sample_request_signed_with_gost_is_approved_and_a_bad_signature_refused() {
    let request = serde_json::to_vec(&trp_worker::domain::sample::request()).unwrap();
    let decide = |leaf: &str| {
        let (cert, key) = PKI.leaf(leaf);
        let signature = cms(cert, key, &request, &CmsOptions::default());
        let found = failures(&signature, &request, &PKI.trust);
        decide_bytes(&request, found, &facts(), &rules())
    };
    let approved = decide("gost512");
    assert_eq!(
        approved.outcome,
        Outcome::Approved,
        "{:?}",
        approved.reasons
    );
    let refused = decide("revoked");
    assert_eq!(refused.outcome, Outcome::Refused);
    assert_eq!(
        refused.reasons.iter().map(|r| r.code).collect::<Vec<_>>(),
        [SignatureRevoked]
    );
}

fn utc(year: i32, month: time::Month, day: u8) -> x509_cert::time::Time {
    let at = time::Date::from_calendar_date(year, month, day)
        .unwrap()
        .midnight()
        .assume_utc();
    let since = std::time::Duration::from_secs(at.unix_timestamp() as u64);
    x509_cert::time::Time::UtcTime(der::asn1::UtcTime::from_unix_duration(since).unwrap())
}

#[test]
fn a_signing_time_outside_the_certificates_validity_is_refused() {
    // The leaves are valid from 2026-01-01 until 2028-01-01.
    let within = CmsOptions {
        signing_time: Some(utc(2026, time::Month::November, 24)),
        ..CmsOptions::default()
    };
    assert_eq!(codes_of("gost512", &within), []);
    let before = CmsOptions {
        signing_time: Some(utc(2025, time::Month::December, 31)),
        ..CmsOptions::default()
    };
    assert_eq!(codes_of("gost512", &before), [SignatureExpired]);
    let (cert, key) = PKI.leaf("gost512");
    let signature = cms(cert, key, &document(), &before);
    let failure = failures(&signature, &document(), &PKI.trust).remove(0);
    assert!(
        failure.detail.contains("signingTime 2025-12-31T00:00:00Z"),
        "{}",
        failure.detail
    );
}
