//! Proves the verifier against fresh signatures from `openssl cms -sign`, made at test time
//! with the test PKI's keys. Where `openssl` is not installed the test fails, saying how to
//! install it (`scripts/services.sh` does): a check that did not run is not a pass.

mod support;

use std::process::Command;

use support::*;

/// What a missing `openssl` fails with.
const INSTALL: &str =
    "openssl is not installed: apt-get install -y openssl (or run scripts/services.sh)";

/// `openssl cms -sign` over the test document with `leaf`'s key; panics when it cannot
/// run or fails, with openssl's own words.
fn openssl_sign(leaf: &str, extra: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().join("sig.p7s");
    let run = Command::new("openssl")
        .args([
            "cms", "-sign", "-binary", "-md", "sha256", "-outform", "DER", "-in",
        ])
        .arg(pki("document.json"))
        .arg("-signer")
        .arg(pki(&format!("{leaf}.pem")))
        .arg("-inkey")
        .arg(pki(&format!("{leaf}.key")))
        .arg("-out")
        .arg(&out)
        .args(extra)
        .output()
        .expect(INSTALL);
    assert!(
        run.status.success(),
        "openssl cms -sign {leaf} {extra:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read(&out).expect("openssl wrote the signature")
}

#[test]
fn fresh_openssl_signatures_verify() {
    for leaf in ["leaf-rsa", "leaf-p256"] {
        for extra in [
            &[][..],
            &["-noattr"],
            &["-nodetach"],
            &["-nodetach", "-stream"],
        ] {
            let cms = openssl_sign(leaf, extra);
            assert_eq!(
                failures(&cms, &document(), &trust()),
                [],
                "{leaf} {extra:?}"
            );
            let other = failures(&cms, b"{}", &trust());
            assert_eq!(
                other.len(),
                1,
                "{leaf} {extra:?} over another document: {other:?}"
            );
        }
    }
}
