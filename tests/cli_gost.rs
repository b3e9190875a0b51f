//! `trp-worker certificate verify` on the real NCA RK GOST certificates (`tests/fixtures/nca`,
//! copied from `shared/vectors/nca`): CA certificates are checked as CAs (path to the
//! configured root, validity at `--at`), through the same GOST algorithms as every signer.

use std::path::PathBuf;
use std::process::{Command, Output};

fn vector(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nca")
        .join(name)
        .display()
        .to_string()
}

fn verify(anchor: &str, cert: &str, at: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trp-worker"))
        .args(["certificate", "verify", &vector(cert), "--at", at])
        .env("TRP__SIGNATURE__TRUST_ANCHORS", vector(anchor))
        .env_remove("TRP__SIGNATURE__CRLS")
        .env_remove("TRP__SIGNATURE__OTP_KEY")
        .output()
        .expect("the binary runs")
}

fn verdict(o: &Output) -> (Option<i32>, String) {
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).trim().to_owned(),
    )
}

const AT: &str = "2026-11-24T10:15:00+05:00";

#[test]
fn the_real_gost_2022_ca_and_root_are_valid() {
    for cert in ["nca_gost_2022.pem", "root_gost_2022.pem"] {
        let out = verify("root_gost_2022.pem", cert, AT);
        assert_eq!(verdict(&out), (Some(0), "valid".into()), "{cert}");
    }
}

#[test]
fn the_real_gost_2004_test_ca_is_valid_in_its_time_and_expired_after() {
    let (anchor, cert) = ("test/root_gost_test.crt", "test/nca_gost_test.crt");
    let out = verify(anchor, cert, "2020-06-01T00:00:00Z");
    assert_eq!(verdict(&out), (Some(0), "valid".into()));
    let (code, text) = verdict(&verify(anchor, cert, AT));
    assert_eq!(code, Some(1));
    assert!(text.starts_with("refused: signature.expired: "), "{text}");
}

#[test]
fn tampered_certificates_and_wrong_anchors_are_untrusted() {
    for (anchor, cert) in [
        (
            "root_gost_2022.pem",
            "negative/nca_gost_2022.sig-byte-flipped.pem",
        ),
        (
            "root_gost_2022.pem",
            "negative/nca_gost_2022.r-s-swapped.pem",
        ),
        (
            "root_gost_2022.pem",
            "negative/nca_gost_2022.rfc4491-order.pem",
        ),
        ("test/root_gost_test.crt", "nca_gost_2022.pem"),
    ] {
        let (code, text) = verdict(&verify(anchor, cert, AT));
        assert_eq!(code, Some(1), "{cert}");
        assert!(
            text.starts_with("refused: signature.untrusted: "),
            "{cert}: {text}"
        );
    }
}
