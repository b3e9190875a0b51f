//! Public-key operations per verification, counted: each algorithm of the table wrapped in a
//! counter, the committed openssl test PKI (RSA-2048 root and intermediate, an RSA-2048 and
//! a P-256 leaf), the whole EDS branch. docs/performance.md quotes these counts.

use std::sync::atomic::{AtomicUsize, Ordering};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{
    alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm,
};
use time::macros::datetime;

use super::*;
use crate::checks::signature::eds::{verify, EdsInput};

#[derive(Debug)]
struct Counting {
    inner: &'static dyn SignatureVerificationAlgorithm,
    calls: AtomicUsize,
}

impl SignatureVerificationAlgorithm for Counting {
    fn verify_signature(&self, key: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), InvalidSignature> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.verify_signature(key, msg, sig)
    }
    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.public_key_alg_id()
    }
    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.signature_alg_id()
    }
}

/// The supported table, each algorithm counting its calls (leaked: the table is `'static`).
struct Counters {
    counters: &'static [Counting],
    table: &'static [&'static dyn SignatureVerificationAlgorithm],
}

impl Counters {
    fn new() -> Self {
        let counters: &'static [Counting] = SUPPORTED
            .list
            .iter()
            .map(|&inner| Counting {
                inner,
                calls: AtomicUsize::new(0),
            })
            .collect::<Vec<_>>()
            .leak();
        let table = counters
            .iter()
            .map(|c| c as &'static dyn SignatureVerificationAlgorithm)
            .collect::<Vec<_>>()
            .leak();
        Self { counters, table }
    }

    /// (RSA PKCS#1 SHA-256, ECDSA P-256 SHA-256, any other) operations since the last take.
    fn take(&self) -> (usize, usize, usize) {
        let mut ops = (0, 0, 0);
        for c in self.counters {
            let n = c.calls.swap(0, Ordering::SeqCst);
            match c.inner.signature_alg_id() {
                id if id == alg_id::RSA_PKCS1_SHA256 => ops.0 += n,
                id if id == alg_id::ECDSA_SHA256 => ops.1 += n,
                _ => ops.2 += n,
            }
        }
        ops
    }
}

/// A file of the committed test PKI (tests/fixtures/pki), compiled in: the checks read no
/// files, their tests neither.
fn fixture(name: &str) -> (String, Vec<u8>) {
    let bytes: &[u8] = match name {
        "root.pem" => include_bytes!("../../../tests/fixtures/pki/root.pem"),
        "intermediate.pem" => include_bytes!("../../../tests/fixtures/pki/intermediate.pem"),
        "leaf-rsa.pem" => include_bytes!("../../../tests/fixtures/pki/leaf-rsa.pem"),
        "root.crl" => include_bytes!("../../../tests/fixtures/pki/root.crl"),
        "intermediate.crl" => include_bytes!("../../../tests/fixtures/pki/intermediate.crl"),
        "document.json" => include_bytes!("../../../tests/fixtures/pki/document.json"),
        "rsa-detached.p7s" => include_bytes!("../../../tests/fixtures/pki/rsa-detached.p7s"),
        "p256-detached.p7s" => include_bytes!("../../../tests/fixtures/pki/p256-detached.p7s"),
        _ => panic!("{name} is not a fixture of this test"),
    };
    (name.to_owned(), bytes.to_vec())
}

/// A store over counted algorithms, and the operations its load cost.
fn counted_store(certs: &[&str], crls: &[&str]) -> (TrustStore, Counters, (usize, usize, usize)) {
    let counters = Counters::new();
    let certs: Vec<_> = certs.iter().map(|n| fixture(n)).collect();
    let crls: Vec<_> = crls.iter().map(|n| fixture(n)).collect();
    let store = TrustStore::with_algorithms(counters.table, &certs, &crls).expect("test PKI loads");
    let load = counters.take();
    (store, counters, load)
}

/// The operations one verification of `cms` (detached, over the sample document) costs;
/// it must pass.
fn per_verification(store: &TrustStore, counters: &Counters, cms: &str) -> (usize, usize, usize) {
    let (_, cms) = fixture(cms);
    let (_, document) = fixture("document.json");
    let input = EdsInput {
        cms: &cms,
        document: &document,
        submitted_at: datetime!(2026-11-24 10:15 +5),
        applicant_iin: Some("900517310006"),
    };
    assert_eq!(verify(&input, store), [], "verifies");
    let first = counters.take();
    assert_eq!(verify(&input, store), []);
    assert_eq!(counters.take(), first, "the same on every verification");
    first
}

const CONFIGURED: &[&str] = &["root.pem", "intermediate.pem"];

#[test]
fn webpki_alone_verifies_four_signatures_per_application() {
    // What every application cost before the store remembered signatures: the CMS signer,
    // the leaf (by the intermediate), the intermediate (by the root) and the intermediate's
    // CRL (by the intermediate), verified again by webpki on every chain.
    let (mut store, counters, _) = counted_store(CONFIGURED, &["intermediate.crl"]);
    store.algorithms = verified_once::remembering(counters.table, &[], &[]);
    assert_eq!(
        per_verification(&store, &counters, "rsa-detached.p7s"),
        (4, 0, 0)
    );
    assert_eq!(
        per_verification(&store, &counters, "p256-detached.p7s"),
        (3, 1, 0)
    );
    // The root's CRL adds one more: it is consulted for the intermediate.
    let (mut store, counters, _) = counted_store(CONFIGURED, &["intermediate.crl", "root.crl"]);
    store.algorithms = verified_once::remembering(counters.table, &[], &[]);
    assert_eq!(
        per_verification(&store, &counters, "rsa-detached.p7s"),
        (5, 0, 0)
    );
}

#[test]
fn an_application_costs_the_cms_signer_and_the_leaf() {
    for crls in [&["intermediate.crl"][..], &["intermediate.crl", "root.crl"]] {
        let (store, counters, load) = counted_store(CONFIGURED, crls);
        // At load: the intermediate by the root, and each CRL by its issuer.
        assert_eq!(load, (1 + crls.len(), 0, 0), "{crls:?}");
        let rsa = per_verification(&store, &counters, "rsa-detached.p7s");
        assert_eq!(rsa, (2, 0, 0), "{crls:?}");
        let p256 = per_verification(&store, &counters, "p256-detached.p7s");
        assert_eq!(p256, (1, 1, 0), "{crls:?}");
    }
}

#[test]
fn an_intermediate_carried_only_in_the_cms_is_verified_every_time() {
    // Only the root configured: the intermediate comes from the CMS, and so its signature
    // and its CRL's are verified on every application.
    let (store, counters, load) = counted_store(&["root.pem"], &["intermediate.crl"]);
    assert_eq!(load, (0, 0, 0), "the CRL's issuer is not configured");
    let rsa = per_verification(&store, &counters, "rsa-detached.p7s");
    assert_eq!(rsa, (4, 0, 0));
}

#[test]
fn a_remembered_signature_is_only_taken_for_the_same_bytes() {
    let (store, counters, _) = counted_store(CONFIGURED, &["intermediate.crl"]);
    let (_, pem) = fixture("intermediate.pem");
    let der = CertificateDer::from_pem_slice(&pem).unwrap();
    let cert = x509_cert::Certificate::from_der(der.as_ref()).unwrap();
    let (_, root_pem) = fixture("root.pem");
    let root = CertificateDer::from_pem_slice(&root_pem).unwrap();
    let root = x509_cert::Certificate::from_der(root.as_ref()).unwrap();
    let key = root
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .as_bytes()
        .unwrap();
    let tbs = der::Encode::to_der(&cert.tbs_certificate).unwrap();
    let signature = cert.signature.as_bytes().unwrap();
    let rsa = store
        .algorithms
        .iter()
        .find(|a| a.signature_alg_id() == alg_id::RSA_PKCS1_SHA256)
        .unwrap();
    assert!(rsa.verify_signature(key, &tbs, signature).is_ok());
    assert_eq!(counters.take(), (0, 0, 0), "remembered");
    let mut other = tbs.clone();
    *other.last_mut().unwrap() ^= 1;
    assert!(rsa.verify_signature(key, &other, signature).is_err());
    assert_eq!(
        counters.take(),
        (1, 0, 0),
        "another message is verified, and fails"
    );
    let (_, leaf_pem) = fixture("leaf-rsa.pem");
    let leaf = CertificateDer::from_pem_slice(&leaf_pem).unwrap();
    let leaf = x509_cert::Certificate::from_der(leaf.as_ref()).unwrap();
    let leaf_key = leaf
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .as_bytes()
        .unwrap();
    assert!(rsa.verify_signature(leaf_key, &tbs, signature).is_err());
    assert_eq!(
        counters.take(),
        (1, 0, 0),
        "another key is verified, and fails"
    );
}
