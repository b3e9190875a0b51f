//! The CMS signature (DER or BER) through the whole signature check, as the worker runs it:
//! the input is the envelope's `signature.cms`, over the contract's sample document, judged
//! against the test PKI's trust store and CRLs (tests/fixtures/pki). Any bytes end in a
//! verdict, never a panic or a hang.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;
use trp_worker::checks::facts::Facts;
use trp_worker::checks::signature::{self, OtpKey, OtpSettings, SignatureInput, TrustStore};
use trp_worker::domain::envelope::Envelope;
use trp_worker::domain::sample;

fn pki(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/pki")
        .join(name)
}

static TRUST: LazyLock<TrustStore> = LazyLock::new(|| {
    trp_worker::files::trust_store(
        &[pki("root.pem"), pki("intermediate.pem")],
        &[pki("intermediate.crl"), pki("root.crl")],
    )
    .expect("the test PKI loads")
});
static DOCUMENT: LazyLock<Vec<u8>> =
    LazyLock::new(|| serde_json::to_vec(&sample::request()).expect("the sample serialises"));
static FACTS: LazyLock<Facts> = LazyLock::new(Facts::sample);

fuzz_target!(|data: &[u8]| {
    let cms = base64::engine::general_purpose::STANDARD.encode(data);
    let body = sample::envelope(
        "TRP-FUZZ-1",
        &DOCUMENT,
        serde_json::json!({"method": "eds", "cms": cms}),
    );
    let Ok(envelope) = Envelope::parse(&serde_json::to_vec(&body).unwrap(), 16 << 20) else {
        return;
    };
    let otp = OtpSettings {
        key: OtpKey::new(b"fuzz".to_vec()),
        lifetime: OtpSettings::DEFAULT_LIFETIME,
    };
    let input = SignatureInput {
        envelope: &envelope,
        applicant_iin: Some("900517310006"),
        facts: &FACTS,
        now: datetime!(2026-11-24 10:15:00 +5),
    };
    let _ = signature::check(&input, &TRUST, &otp);
});
