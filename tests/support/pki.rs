//! Shared helpers for the signature tests: the committed test PKI (tests/pki/make.sh) and
//! a verifier run at the contract's sample instant.
#![allow(dead_code)] // each test binary uses a different part

use std::path::PathBuf;

use time::macros::datetime;
use time::OffsetDateTime;
use trp_worker::checks::signature::eds::{verify, EdsInput};
use trp_worker::checks::signature::{MissingCrls, OtpKey, OtpSettings, Timestamps, TrustStore};
use trp_worker::domain::reason::{Failure, ReasonCode};

/// The contract's sample IIN, which every test leaf carries.
pub const IIN: &str = "900517310006";
/// The contract's sample submission instant.
pub const SUBMITTED_AT: OffsetDateTime = datetime!(2026-11-24 10:15 +5);

pub fn pki(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pki")
        .join(name)
}

pub fn read(name: &str) -> Vec<u8> {
    std::fs::read(pki(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn document() -> Vec<u8> {
    read("document.json")
}

/// Root and intermediate configured, with both CAs' CRLs (every CA on a signer's path has
/// one, so no revocation status waits).
pub fn trust() -> TrustStore {
    trp_worker::files::trust_store(
        &[pki("root.pem"), pki("intermediate.pem")],
        &[pki("intermediate.crl"), pki("root.crl")],
    )
    .expect("the test trust store loads")
}

/// A committed PKI file as the trust store takes it: its name and its bytes.
pub fn named(name: &str) -> (String, Vec<u8>) {
    (name.to_owned(), read(name))
}

/// [`trust`] with time-stamping authorities: the committed root and intermediate with both
/// CAs' CRLs and `more_crls` (a TSA's own, for one), the TSAs' anchors `tsa_anchors`, and
/// `require` as `signature.require_timestamp`; the clock skew is the default 300 s.
pub fn trust_with_tsa(
    tsa_anchors: &[(String, Vec<u8>)],
    more_crls: &[(String, Vec<u8>)],
    require: bool,
) -> TrustStore {
    let anchors = ["root.pem", "intermediate.pem"].map(named);
    let crls = [named("intermediate.crl"), named("root.crl")];
    let crls = [&crls[..], more_crls].concat();
    let tsa = Timestamps::tsa_from_pem_and_crls(tsa_anchors, &crls, MissingCrls::Wait)
        .expect("the TSAs' store loads");
    TrustStore::from_pem_and_crls(&anchors, &crls)
        .expect("the test trust store loads")
        .with_timestamps(Timestamps::new(
            Some(tsa),
            require,
            time::Duration::seconds(300),
        ))
}

/// OTP settings without a key: every OTP fails, for tests of EDS signatures.
pub fn no_otp() -> OtpSettings {
    OtpSettings {
        key: OtpKey::new(Vec::new()),
        lifetime: OtpSettings::DEFAULT_LIFETIME,
    }
}

pub fn failures(cms: &[u8], document: &[u8], trust: &TrustStore) -> Vec<Failure> {
    failures_at(cms, document, trust, SUBMITTED_AT, Some(IIN))
}

pub fn failures_at(
    cms: &[u8],
    document: &[u8],
    trust: &TrustStore,
    at: OffsetDateTime,
    iin: Option<&str>,
) -> Vec<Failure> {
    let input = EdsInput {
        cms,
        document,
        submitted_at: at,
        applicant_iin: iin,
    };
    verify(&input, trust)
}

pub fn codes(failures: &[Failure]) -> Vec<ReasonCode> {
    failures.iter().map(|f| f.code).collect()
}

/// A `trp.application.submitted.v1` body for the sample document with this signature.
pub fn envelope_json(signature: serde_json::Value) -> String {
    use base64::Engine as _;
    serde_json::json!({
        "schema": "trp.application.submitted.v1",
        "message_id": "0b6f0c3e-4a55-4a1e-9d0e-5f3c2a7b9e11",
        "application_id": "TRP-2026-000123",
        "submitted_at": "2026-11-24T10:15:00+05:00",
        "document": base64::engine::general_purpose::STANDARD.encode(document()),
        "signature": signature,
    })
    .to_string()
}

/// Re-encodes DER with indefinite lengths on every constructed value, as streaming signing
/// tools do, and splits primitive OCTET STRINGs of more than 4 bytes into segments.
pub fn to_indefinite_ber(der: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = der;
    while !rest.is_empty() {
        let (identifier, content, after) = split_tlv(rest);
        if identifier & 0x20 != 0 {
            out.extend([identifier, 0x80]);
            out.extend(to_indefinite_ber(content));
            out.extend([0, 0]);
        } else if identifier == 0x04 && content.len() > 4 {
            out.extend([0x24, 0x80]);
            for chunk in content.chunks(4) {
                out.extend([0x04, chunk.len() as u8]);
                out.extend(chunk);
            }
            out.extend([0, 0]);
        } else {
            out.extend(&rest[..rest.len() - after.len()]);
        }
        rest = after;
    }
    out
}

/// One DER TLV with a low tag number: identifier, content, and what follows it.
fn split_tlv(der: &[u8]) -> (u8, &[u8], &[u8]) {
    assert!(
        der[0] & 0x1f != 0x1f,
        "high tag numbers are not needed here"
    );
    let (len, header) = match der[1] {
        n if n < 0x80 => (usize::from(n), 2),
        n => {
            let count = usize::from(n & 0x7f);
            let len = der[2..2 + count]
                .iter()
                .fold(0, |acc, &b| (acc << 8) | usize::from(b));
            (len, 2 + count)
        }
    };
    (der[0], &der[header..header + len], &der[header + len..])
}
