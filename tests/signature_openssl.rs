//! Proves the verifier against fresh signatures from `openssl cms -sign`, made at test time
//! with the test PKI's keys. Skipped (passing, with a note) where `openssl` is not installed.

mod support;

use std::process::Command;

use support::*;

fn openssl_sign(leaf: &str, extra: &[&str]) -> Option<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!(
        "trp-sig-{}-{leaf}-{}",
        std::process::id(),
        extra.join("")
    ));
    std::fs::create_dir_all(&dir).ok()?;
    let out = dir.join("sig.p7s");
    let status = Command::new("openssl")
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
        .status()
        .ok()?;
    let bytes = status.success().then(|| std::fs::read(&out).ok()).flatten();
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

#[test]
fn fresh_openssl_signatures_verify() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("openssl not installed: fresh-signature test skipped");
        return;
    }
    for leaf in ["leaf-rsa", "leaf-p256"] {
        for extra in [
            &[][..],
            &["-noattr"],
            &["-nodetach"],
            &["-nodetach", "-stream"],
        ] {
            let cms = openssl_sign(leaf, extra).expect("openssl cms -sign works");
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
