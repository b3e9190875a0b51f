//! Verifications per second of the EDS branch (detached, with signed attributes): the whole
//! path, parse, signer signature, chain with CRLs, key usage and IIN. Criterion's `thrpt`
//! line is verifications per second. RSA and P-256 use the committed openssl test PKI; the
//! GOST rows a GOST test PKI built here (tests/support/gost_pki.rs), root and intermediate
//! GOST 2015-512, the leaf of each algorithm: two GOST verifications per application (CMS
//! signer, leaf); the intermediate's and the CRL's signatures are verified once, at load
//! (`verified_once`).
//! `gost_signature` times one bare GOST verification per algorithm; `raw_verify` one bare
//! RSA-2048 and one P-256 verification by ring, the library webpki and the CMS path use
//! (the CMS signer's signature over its signed attributes), beside `openssl speed`.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use der::Encode;
use rustls_pki_types::SignatureVerificationAlgorithm;
use time::macros::datetime;
use trp_worker::checks::signature::eds::{verify, EdsInput};
use trp_worker::checks::signature::gost::algorithms::Kind;
use trp_worker::checks::signature::signed_data;
use trp_worker::checks::signature::TrustStore;

#[path = "../tests/support/gost_cms.rs"]
mod gost_cms;
#[path = "../tests/support/gost_pki.rs"]
mod gost_pki;

use gost_pki::{certificate, crl, name, Key, Profile};

const IIN: &str = "900517310006";

fn pki(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pki")
        .join(name)
}

/// A signer: its name, its certificate (DER) and its key.
type Signer = (&'static str, Vec<u8>, Key);

/// A GOST trust store and a signer certificate (with its key) of each algorithm.
fn gost_pki() -> (TrustStore, Vec<Signer>) {
    let root_key = Key::new(Kind::Gost2015_512, "root");
    let root_name = name("BENCH ROOT", None);
    let root = certificate(
        1,
        &root_name,
        &root_key,
        (&root_name, &root_key),
        &Profile::ca(),
    );
    let ca_key = Key::new(Kind::Gost2015_512, "ca");
    let ca_name = name("BENCH CA", None);
    let ca = certificate(
        2,
        &ca_name,
        &ca_key,
        (&root_name, &root_key),
        &Profile::ca(),
    );
    let person = name("BENCH PERSON", Some(&format!("IIN{IIN}")));
    let leaves = [
        ("gost2015_512", Kind::Gost2015_512),
        ("gost2015_256", Kind::Gost2015_256),
        ("gost2004", Kind::Gost2004),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (label, kind))| {
        let key = Key::new(kind, label);
        let serial = 10 + i as u8;
        let cert = certificate(
            serial,
            &person,
            &key,
            (&ca_name, &ca_key),
            &Profile::person(),
        );
        (label, cert, key)
    })
    .collect();
    let trust = TrustStore::from_pem_and_crls(
        &[
            ("root".into(), gost_pki::pem(&root)),
            ("ca".into(), gost_pki::pem(&ca)),
        ],
        &[("crl".into(), crl((&ca_name, &ca_key), &[99]))],
    )
    .expect("GOST PKI loads");
    (trust, leaves)
}

fn input<'a>(cms: &'a [u8], document: &'a [u8]) -> EdsInput<'a> {
    EdsInput {
        cms,
        document,
        submitted_at: datetime!(2026-11-24 10:15 +5),
        applicant_iin: Some(IIN),
    }
}

fn bench(c: &mut Criterion) {
    let trust = trp_worker::files::trust_store(
        &[pki("root.pem"), pki("intermediate.pem")],
        &[pki("intermediate.crl")],
    )
    .expect("test PKI loads");
    let document = std::fs::read(pki("document.json")).expect("document");
    let mut group = c.benchmark_group("eds_verify");
    group.throughput(Throughput::Elements(1));
    for (name, fixture) in [
        ("rsa2048", "rsa-detached.p7s"),
        ("p256", "p256-detached.p7s"),
    ] {
        let cms = std::fs::read(pki(fixture)).expect("fixture");
        assert!(
            verify(&input(&cms, &document), &trust).is_empty(),
            "{name} verifies"
        );
        group.bench_function(name, |b| b.iter(|| verify(&input(&cms, &document), &trust)));
    }
    let (gost_trust, leaves) = gost_pki();
    for (name, cert, key) in &leaves {
        let options = gost_cms::CmsOptions::default();
        let cms = gost_cms::cms(cert, key, &document, &options);
        assert!(
            verify(&input(&cms, &document), &gost_trust).is_empty(),
            "{name} verifies"
        );
        group.bench_function(*name, |b| {
            b.iter(|| verify(&input(&cms, &document), &gost_trust))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("gost_signature");
    group.throughput(Throughput::Elements(1));
    for (name, _, key) in &leaves {
        let public = trp_worker::checks::signature::gost::test_signer::public_key(key.kind, &key.d)
            .expect("public key");
        let signature = key.sign(&document);
        assert!(key.kind.verify(&public, &document, &signature));
        group.bench_function(*name, |b| {
            b.iter(|| key.kind.verify(&public, &document, &signature))
        });
    }
    group.finish();
}

/// One bare verification of a CMS signer's signature (over its signed attributes) with the
/// algorithm object webpki and the CMS path use: the library's raw speed on this machine.
fn raw(c: &mut Criterion) {
    let mut group = c.benchmark_group("raw_verify");
    group.throughput(Throughput::Elements(1));
    let rows: [(&str, &str, &dyn SignatureVerificationAlgorithm); 2] = [
        (
            "rsa2048",
            "rsa-detached.p7s",
            webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
        ),
        (
            "p256",
            "p256-detached.p7s",
            webpki::aws_lc_rs::ECDSA_P256_SHA256,
        ),
    ];
    for (name, fixture, algorithm) in rows {
        let signed = signed_data::parse(&std::fs::read(pki(fixture)).expect("fixture"))
            .expect("a SignedData");
        let attrs = signed
            .signer
            .signed_attrs
            .as_ref()
            .expect("signed attributes");
        let message = attrs.to_der().expect("DER");
        let spki = &signed.signer_cert.tbs_certificate.subject_public_key_info;
        let key = spki.subject_public_key.as_bytes().expect("key").to_vec();
        let signature = signed.signer.signature.as_bytes().to_vec();
        assert!(algorithm
            .verify_signature(&key, &message, &signature)
            .is_ok());
        group.bench_function(name, |b| {
            b.iter(|| algorithm.verify_signature(&key, &message, &signature))
        });
    }
    group.finish();
}

criterion_group!(benches, bench, raw);
criterion_main!(benches);
