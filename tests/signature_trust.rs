//! Loading the trust store: what is a root, what is an intermediate, and errors that name
//! the setting and the file.

use crate::support;

use support::*;
use trp_worker::checks::signature::TrustStore;

#[test]
fn a_missing_file_names_the_setting_and_the_file() {
    let err = trp_worker::files::trust_store(&[pki("nowhere.pem")], &[]).unwrap_err();
    assert_eq!(err.setting, "signature.trust_anchors");
    assert!(
        err.to_string().starts_with("signature.trust_anchors: "),
        "{err}"
    );
    assert!(err.to_string().contains("nowhere.pem"), "{err}");
    let err =
        trp_worker::files::trust_store(&[pki("root.pem")], &[pki("nowhere.crl")]).unwrap_err();
    assert_eq!(err.setting, "signature.crls");
    assert!(err.to_string().contains("nowhere.crl"), "{err}");
}

#[test]
fn bad_files_are_errors() {
    let garbage = ("junk.pem".to_owned(), b"hello".to_vec());
    let err = TrustStore::from_pem_and_crls(std::slice::from_ref(&garbage), &[]).unwrap_err();
    assert_eq!(
        (err.setting, err.file.as_str()),
        ("signature.trust_anchors", "junk.pem")
    );
    let bad_pem = (
        "bad.pem".to_owned(),
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec(),
    );
    let err = TrustStore::from_pem_and_crls(&[bad_pem], &[]).unwrap_err();
    assert_eq!(err.file, "bad.pem");
    let err = TrustStore::from_pem_and_crls(&[named("root.pem")], &[garbage]).unwrap_err();
    assert_eq!(
        (err.setting, err.file.as_str()),
        ("signature.crls", "junk.pem")
    );
    // A CRL given where certificates belong holds no certificate.
    let err = TrustStore::from_pem_and_crls(&[named("intermediate.crl")], &[]).unwrap_err();
    assert_eq!(err.setting, "signature.trust_anchors");
}

#[test]
fn an_intermediate_alone_is_no_root() {
    let err = TrustStore::from_pem_and_crls(&[named("intermediate.pem")], &[]).unwrap_err();
    assert!(err.why.contains("no root"), "{err}");
}

#[test]
fn crls_load_as_pem_or_der() {
    let roots = [named("root.pem"), named("intermediate.pem")];
    for crl in ["intermediate.crl", "intermediate.crl.der", "root.crl"] {
        TrustStore::from_pem_and_crls(&roots, &[named(crl)]).unwrap_or_else(|e| panic!("{e}"));
    }
    // The DER CRL revokes just as the PEM one does.
    let der = TrustStore::from_pem_and_crls(&roots, &[named("intermediate.crl.der")]).unwrap();
    let found = failures(&read("revoked-detached.p7s"), &document(), &der);
    assert_eq!(
        codes(&found),
        [trp_worker::domain::reason::ReasonCode::SignatureRevoked]
    );
}

#[test]
fn without_the_crl_a_revoked_certificate_is_not_known_to_be_revoked() {
    let no_crl =
        trp_worker::files::trust_store(&[pki("root.pem"), pki("intermediate.pem")], &[]).unwrap();
    assert_eq!(
        failures(&read("revoked-detached.p7s"), &document(), &no_crl),
        []
    );
}

#[test]
fn the_version_follows_the_files() {
    let a = trust().version();
    assert_eq!(a.len(), 64);
    assert_eq!(a, trust().version());
    let without_crl =
        trp_worker::files::trust_store(&[pki("root.pem"), pki("intermediate.pem")], &[]).unwrap();
    assert_ne!(a, without_crl.version());
}

#[test]
fn a_bundle_of_several_certificates_in_one_file_loads() {
    let bundle = [read("root.pem"), read("intermediate.pem")].concat();
    let store = TrustStore::from_pem_and_crls(
        &[("bundle.pem".into(), bundle)],
        &[named("intermediate.crl")],
    )
    .unwrap();
    assert_eq!(
        failures(&read("p256-detached.p7s"), &document(), &store),
        []
    );
}
