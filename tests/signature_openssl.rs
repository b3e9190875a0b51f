//! Proves the verifier against fresh signatures from `openssl cms -sign`, made at test time
//! with the test PKI's keys. Where `openssl` is not installed the test fails, saying how to
//! install it (`scripts/services.sh` does): a check that did not run is not a pass.

use crate::support;

use support::*;

/// `openssl cms -sign` over the test document with `leaf`'s key; panics when it cannot
/// run or fails, with openssl's own words, or, where openssl is missing, with the command
/// that installs it.
fn openssl_sign(leaf: &str, extra: &[&str]) -> Vec<u8> {
    let (cert, key) = (pki(&format!("{leaf}.pem")), pki(&format!("{leaf}.key")));
    openssl::cms_sign(&pki("document.json"), &cert, &key, extra)
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
