//! The EDS branch against signatures made by `openssl cms -sign` (tests/pki/make.sh):
//! every algorithm and shape that must pass, and every code with a case that earns it.

use crate::support;

use support::*;
use trp_worker::domain::reason::ReasonCode::{self, *};

fn check(fixture: &str) -> Vec<ReasonCode> {
    codes(&failures(&read(fixture), &document(), &trust()))
}

#[test]
fn good_signatures_pass() {
    for fixture in [
        "rsa-detached.p7s",
        "rsa-detached-noattr.p7s",
        "rsa-attached.p7s",
        "rsa-attached-noattr.p7s",
        "p256-detached.p7s",
        "p256-detached-noattr.p7s",
        "p256-attached.p7s",
        "rsa-keyid.p7s",
        "noeku-detached.p7s",
    ] {
        assert_eq!(
            failures(&read(fixture), &document(), &trust()),
            [],
            "{fixture}"
        );
    }
}

#[test]
fn ber_with_indefinite_lengths_passes() {
    // As `openssl cms -sign -stream` writes it.
    assert_eq!(check("rsa-ber-stream.p7s"), []);
    // And every DER fixture re-encoded with indefinite lengths and segmented OCTET STRINGs.
    for fixture in [
        "rsa-detached.p7s",
        "p256-attached.p7s",
        "rsa-attached-noattr.p7s",
    ] {
        let ber = to_indefinite_ber(&read(fixture));
        assert_ne!(ber, read(fixture));
        assert_eq!(
            failures(&ber, &document(), &trust()),
            [],
            "{fixture} as BER"
        );
    }
}

#[test]
fn a_signature_over_another_document_is_invalid() {
    assert_eq!(check("rsa-other-document.p7s"), [SignatureInvalid]);
    // Without signed attributes the signature itself is over the content.
    let noattr = read("rsa-detached-noattr.p7s");
    assert_eq!(
        codes(&failures(&noattr, &read("other.json"), &trust())),
        [SignatureInvalid]
    );
}

#[test]
fn attached_content_must_be_the_document() {
    let found = failures(&read("rsa-attached-other.p7s"), &document(), &trust());
    assert_eq!(codes(&found), [SignatureInvalid]);
    assert!(found[0].detail.contains("attached content"), "{found:?}");
}

#[test]
fn garbage_and_truncated_cms_are_invalid() {
    let good = read("rsa-detached.p7s");
    let mut inputs: Vec<Vec<u8>> = vec![Vec::new(), b"not a signature".to_vec(), vec![0x30, 0x80]];
    inputs.extend([1, 10, 100, good.len() / 2, good.len() - 1].map(|n| good[..n].to_vec()));
    inputs.push([good.clone(), vec![0]].concat());
    for input in inputs {
        assert_eq!(
            codes(&failures(&input, &document(), &trust())),
            [SignatureInvalid]
        );
    }
}

#[test]
fn a_signed_data_without_signer_is_invalid() {
    use cms::content_info::ContentInfo;
    use cms::signed_data::{SignedData, SignerInfos};
    use der::{Any, Decode, Encode};
    let mut info = ContentInfo::from_der(&read("rsa-attached.p7s")).unwrap();
    let mut data: SignedData = info.content.decode_as().unwrap();
    data.signer_infos = SignerInfos(Default::default());
    info.content = Any::encode_from(&data).unwrap();
    let found = failures(&info.to_der().unwrap(), &document(), &trust());
    assert_eq!(codes(&found), [SignatureInvalid]);
    assert!(found[0].detail.contains("no signer"), "{found:?}");
}

#[test]
fn a_tampered_signature_value_is_invalid() {
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    use der::asn1::{OctetString, SetOfVec};
    use der::{Any, Decode, Encode};
    for fixture in ["rsa-detached.p7s", "p256-detached-noattr.p7s"] {
        let mut info = ContentInfo::from_der(&read(fixture)).unwrap();
        let mut data: SignedData = info.content.decode_as().unwrap();
        let mut signer = data.signer_infos.0.get(0).unwrap().clone();
        let mut value = signer.signature.as_bytes().to_vec();
        let last = value.len() - 3;
        value[last] ^= 0x01;
        signer.signature = OctetString::new(value).unwrap();
        data.signer_infos.0 = SetOfVec::try_from(vec![signer]).unwrap();
        info.content = Any::encode_from(&data).unwrap();
        let found = failures(&info.to_der().unwrap(), &document(), &trust());
        assert_eq!(codes(&found), [SignatureInvalid], "{fixture}");
        assert!(found[0].detail.contains("does not verify"), "{found:?}");
    }
}

#[test]
fn a_certificate_outside_its_validity_is_expired() {
    assert_eq!(check("expired-detached.p7s"), [SignatureExpired]);
    // Valid at a submission inside its validity (ends 2025-12-31)...
    let at = time::macros::datetime!(2025-06-01 12:00 +5);
    let cms = read("expired-detached-noattr.p7s");
    assert_eq!(failures_at(&cms, &document(), &trust(), at, Some(IIN)), []);
    // ... unless the signature states a signing time (openssl's signingTime: when the
    // fixture was made, after the certificate expired).
    let cms = read("expired-detached.p7s");
    let found = failures_at(&cms, &document(), &trust(), at, Some(IIN));
    assert_eq!(codes(&found), [SignatureExpired]);
    assert!(found[0].detail.contains("signingTime"), "{found:?}");
    // Not yet valid: the test PKI starts on 2020-01-01.
    let early = time::macros::datetime!(2019-12-31 12:00 UTC);
    let found = failures_at(
        &read("rsa-detached.p7s"),
        &document(),
        &trust(),
        early,
        Some(IIN),
    );
    assert_eq!(codes(&found), [SignatureExpired]);
}

#[test]
fn key_encipherment_only_is_key_usage() {
    assert_eq!(check("keyenc-detached.p7s"), [SignatureKeyUsage]);
}

#[test]
fn an_extended_key_usage_without_email_protection_is_key_usage() {
    assert_eq!(check("clientauth-detached.p7s"), [SignatureKeyUsage]);
}

#[test]
fn two_signers_are_invalid() {
    let found = failures(&read("two-signers.p7s"), &document(), &trust());
    assert_eq!(codes(&found), [SignatureInvalid]);
    assert!(found[0].detail.contains("2 signers"), "{found:?}");
}

#[test]
fn a_revoked_certificate_is_revoked() {
    assert_eq!(check("revoked-detached.p7s"), [SignatureRevoked]);
    // Revoked before the submission or after: the CRL says nothing of when, and the
    // worker keeps the CRL it was given; documented in docs/signatures.md.
}

#[test]
fn a_chain_to_an_unconfigured_root_is_untrusted() {
    let found = failures(&read("rogue-detached.p7s"), &document(), &trust());
    assert_eq!(codes(&found), [SignatureUntrusted]);
    assert!(found[0].detail.contains("trust anchor"), "{found:?}");
}

#[test]
fn intermediates_may_come_from_the_signature() {
    // Only the root configured: the intermediate travels in the SignedData.
    let root_only = trp_worker::files::trust_store(&[pki("root.pem")], &[]).unwrap();
    assert_eq!(
        failures(&read("rsa-detached.p7s"), &document(), &root_only),
        []
    );
}

#[test]
fn another_persons_certificate_is_signer_mismatch() {
    let cms = read("p256-detached.p7s");
    let other = "870412300015";
    let found = failures_at(&cms, &document(), &trust(), SUBMITTED_AT, Some(other));
    assert_eq!(codes(&found), [SignatureSignerMismatch]);
    // The detail must not echo the certificate's IIN (another person's data).
    assert!(!found[0].detail.contains(IIN), "{found:?}");
    // Without a readable document there is nothing to compare.
    assert_eq!(
        failures_at(&cms, &document(), &trust(), SUBMITTED_AT, None),
        []
    );
}

#[test]
fn every_failure_of_one_signature_is_reported() {
    // Expired, and another document, and not the applicant: three codes at once.
    let cms = read("expired-detached.p7s");
    let found = failures_at(&cms, b"other", &trust(), SUBMITTED_AT, Some("870412300015"));
    assert_eq!(
        codes(&found),
        [SignatureInvalid, SignatureExpired, SignatureSignerMismatch]
    );
}

#[test]
fn the_iin_must_match_exactly() {
    use der::Decode;
    use rustls_pki_types::pem::PemObject;
    use trp_worker::checks::signature::certificate::check_signer_iin;
    let cert = |name: &str| {
        let der = rustls_pki_types::CertificateDer::from_pem_slice(&read(name)).unwrap();
        x509_cert::Certificate::from_der(&der).unwrap()
    };
    let leaf = cert("leaf-rsa.pem");
    assert_eq!(check_signer_iin(&leaf, IIN), None);
    for near in [
        "90051731000",
        "9005173100061",
        "",
        " 900517310006",
        "IIN900517310006",
    ] {
        let found = check_signer_iin(&leaf, near).expect(near);
        assert_eq!(found.code, SignatureSignerMismatch);
    }
    // A certificate with no serialNumber in its subject names nobody.
    let found = check_signer_iin(&cert("root.pem"), IIN).unwrap();
    assert!(found.detail.contains("no IIN"), "{found:?}");
}

#[test]
fn the_trust_store_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<trp_worker::checks::signature::TrustStore>();
    let trust = std::sync::Arc::new(trust());
    let cms = read("p256-detached.p7s");
    std::thread::scope(|s| {
        for _ in 0..4 {
            let trust = std::sync::Arc::clone(&trust);
            let cms = &cms;
            s.spawn(move || assert_eq!(failures(cms, &document(), &trust), []));
        }
    });
}
