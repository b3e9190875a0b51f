//! The real NCA RK certificates (`tests/fixtures/nca`, copied from `shared/vectors/nca`; its
//! README says what each proves): every certificate's signature is checked with its
//! issuer's key through the algorithm table webpki uses (`algorithms::SUPPORTED`), matched
//! as webpki matches them; the negative vectors are refused; the real GOST leaf's chain
//! verifies through webpki itself.

use std::path::PathBuf;

use der::{Decode, Encode};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};
use trp_worker::checks::signature::algorithms::SUPPORTED;
use webpki::{anchor_from_trusted_cert, EndEntityCert, KeyUsage};
use x509_cert::Certificate;

fn vector(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nca")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if bytes.starts_with(b"-----BEGIN") {
        CertificateDer::from_pem_slice(&bytes)
            .expect("PEM")
            .to_vec()
    } else {
        bytes
    }
}

/// The AlgorithmIdentifier body as webpki compares it (no SEQUENCE header).
fn body(id: &x509_cert::spki::AlgorithmIdentifierOwned) -> Vec<u8> {
    let mut out = id.oid.to_der().unwrap();
    if let Some(p) = &id.parameters {
        out.extend(p.to_der().unwrap());
    }
    out
}

/// Whether `cert`'s signature verifies with `issuer`'s key through the supported table:
/// every algorithm whose signature id matches, its key id checked by webpki.
fn signed_by(cert: &str, issuer: &str) -> bool {
    let (cert_der, issuer_der) = (vector(cert), vector(issuer));
    let parsed = Certificate::from_der(&cert_der).unwrap();
    let tbs = parsed.tbs_certificate.to_der().unwrap();
    let signature = parsed.signature.raw_bytes();
    let sig_id = body(&parsed.signature_algorithm);
    let issuer_der = CertificateDer::from(issuer_der);
    let issuer_ee = EndEntityCert::try_from(&issuer_der).unwrap();
    SUPPORTED
        .list
        .iter()
        .filter(|alg| alg.signature_alg_id().as_ref() == sig_id.as_slice())
        .any(|alg| issuer_ee.verify_signature(*alg, &tbs, signature).is_ok())
}

#[test]
fn every_real_certificate_verifies_under_its_issuer() {
    for (cert, issuer) in [
        ("root_gost_2022.pem", "root_gost_2022.pem"),
        ("nca_gost_2022.pem", "root_gost_2022.pem"),
        ("test/root_gost_test.crt", "test/root_gost_test.crt"),
        ("test/nca_gost_test.crt", "test/root_gost_test.crt"),
        ("test/gost1.cer", "test/nca_gost2022_test.cer"),
        ("root_rsa.pem", "root_rsa.pem"),
        ("nca_rsa.pem", "root_rsa.pem"),
        ("root_rsa_2020.cer", "root_rsa_2020.cer"),
        ("nca_rsa_2022.cer", "root_rsa_2020.cer"),
    ] {
        assert!(signed_by(cert, issuer), "{cert} under {issuer}");
    }
}

#[test]
fn the_negative_vectors_and_wrong_issuers_are_refused() {
    for (cert, issuer) in [
        (
            "negative/nca_gost_2022.sig-byte-flipped.pem",
            "root_gost_2022.pem",
        ),
        (
            "negative/nca_gost_2022.r-s-swapped.pem",
            "root_gost_2022.pem",
        ),
        (
            "negative/nca_gost_2022.rfc4491-order.pem",
            "root_gost_2022.pem",
        ),
        // Right algorithm, wrong key.
        ("nca_gost_2022.pem", "test/nca_gost2022_test.cer"),
        ("test/gost1.cer", "root_gost_2022.pem"),
        // A 2004 certificate against a 2015 key: no algorithm matches both ids.
        ("test/nca_gost_test.crt", "root_gost_2022.pem"),
    ] {
        assert!(!signed_by(cert, issuer), "{cert} under {issuer}");
    }
}

#[test]
fn the_2004_vector_needs_the_test_s_box() {
    // The same TBS hashed with the CryptoPro S-box (what RFC 4357 signers use) must not
    // verify: the KZ hash is GOST 34.311-95, the TEST parameter set.
    use gost94::{Digest, Gost94CryptoPro, Gost94Test};
    use trp_worker::checks::signature::gost::curve::{Curve, CRYPTOPRO_A, L256};
    use trp_worker::checks::signature::gost::fp::Fp256;
    use trp_worker::checks::signature::gost::verify::{public_key, verify};
    let cert = Certificate::from_der(&vector("test/nca_gost_test.crt")).unwrap();
    let issuer = Certificate::from_der(&vector("test/root_gost_test.crt")).unwrap();
    let key_der = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let key = der::asn1::OctetString::from_der(key_der).unwrap();
    let curve = Curve::<L256, Fp256>::new(&CRYPTOPRO_A, 32).unwrap();
    let q = public_key(&curve, key.as_bytes()).unwrap();
    let tbs = cert.tbs_certificate.to_der().unwrap();
    let sig = cert.signature.raw_bytes();
    assert!(verify(&curve, &q, &Gost94Test::digest(&tbs), sig));
    assert!(!verify(&curve, &q, &Gost94CryptoPro::digest(&tbs), sig));
}

fn at(rfc3339: &str) -> UnixTime {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap();
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(t.unix_timestamp() as u64))
}

#[test]
fn webpki_verifies_the_real_gost_leaf_through_its_ca() {
    // The TEST 2022 root is not available, so its CA is the anchor here.
    let ca = CertificateDer::from(vector("test/nca_gost2022_test.cer"));
    let anchor = anchor_from_trusted_cert(&ca).unwrap();
    let leaf = CertificateDer::from(vector("test/gost1.cer"));
    let leaf = EndEntityCert::try_from(&leaf).unwrap();
    let verify = |when: &str| {
        leaf.verify_for_usage(
            SUPPORTED.list,
            std::slice::from_ref(&anchor),
            &[],
            at(when),
            KeyUsage::required_if_present(&[0x2b, 6, 1, 5, 5, 7, 3, 4]),
            None,
            None,
        )
        .map(|_| ())
    };
    assert_eq!(verify("2025-01-15T00:00:00Z"), Ok(()));
    assert!(matches!(
        verify("2026-11-24T05:15:00Z"),
        Err(webpki::Error::CertExpired { .. })
    ));
}
