//! Properties of the GOST verifier on a real NCA signature (nca_gost_2022 under
//! root_gost_2022): a byte flipped anywhere in the signature, the key or the message never
//! verifies, and no input makes it panic.

use std::path::PathBuf;

use der::{Decode, Encode};
use proptest::prelude::*;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use trp_worker::checks::signature::gost::algorithms::Kind;
use x509_cert::Certificate;

fn cert(name: &str) -> Certificate {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nca")
        .join(name);
    let pem = std::fs::read(&path).unwrap();
    Certificate::from_der(&CertificateDer::from_pem_slice(&pem).unwrap()).unwrap()
}

/// (key, message, signature) of a real GOST 2015-512 signature.
fn real() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let leaf = cert("nca_gost_2022.pem");
    let root = cert("root_gost_2022.pem");
    let key = root
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key;
    (
        key.raw_bytes().to_vec(),
        leaf.tbs_certificate.to_der().unwrap(),
        leaf.signature.raw_bytes().to_vec(),
    )
}

#[test]
fn the_real_signature_verifies() {
    let (key, message, signature) = real();
    assert!(Kind::Gost2015_512.verify(&key, &message, &signature));
    assert!(!Kind::Gost2015_256.verify(&key, &message, &signature));
    assert!(!Kind::Gost2004.verify(&key, &message, &signature));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_flipped_byte_never_verifies(part in 0usize..3, at in any::<usize>(), mask in 1u8..=255) {
        let (mut key, mut message, mut signature) = real();
        let target = match part { 0 => &mut key, 1 => &mut message, _ => &mut signature };
        let i = at % target.len();
        target[i] ^= mask;
        prop_assert!(!Kind::Gost2015_512.verify(&key, &message, &signature));
    }

    #[test]
    fn arbitrary_input_does_not_panic(
        key in proptest::collection::vec(any::<u8>(), 0..200),
        message in proptest::collection::vec(any::<u8>(), 0..64),
        signature in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        for kind in [Kind::Gost2015_512, Kind::Gost2015_256, Kind::Gost2004] {
            prop_assert!(!kind.verify(&key, &message, &signature));
        }
    }

    #[test]
    fn a_well_formed_key_with_arbitrary_numbers_does_not_panic(
        xy in proptest::collection::vec(any::<u8>(), 128),
        signature in proptest::collection::vec(any::<u8>(), 128),
    ) {
        let mut key = vec![0x04, 0x81, 0x80];
        key.extend(&xy);
        // Random x, y are almost never on the curve; the real key with a random signature
        // runs the whole verification.
        prop_assert!(!Kind::Gost2015_512.verify(&key, b"m", &signature));
        let (real_key, message, _) = real();
        prop_assert!(!Kind::Gost2015_512.verify(&real_key, &message, &signature));
    }
}
