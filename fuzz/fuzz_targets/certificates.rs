//! The trust anchors' loader (`signature.trust_anchors`, `signature.tsa_trust_anchors`): any
//! file, as given and wrapped as one PEM certificate, loads or is a named `TrustError`.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use trp_worker::checks::signature::TrustStore;

fuzz_target!(|data: &[u8]| {
    let _ = TrustStore::from_pem_and_crls(&[("fuzz.pem".to_owned(), data.to_vec())], &[]);
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        base64::engine::general_purpose::STANDARD.encode(data)
    );
    let _ = TrustStore::from_pem_and_crls(&[("fuzz.pem".to_owned(), pem.into_bytes())], &[]);
});
