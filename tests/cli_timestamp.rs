//! `trp-worker timestamp verify <token> [--data <file>]` as an operator runs it: the TSA
//! anchors and CRLs from the environment; exit 0 valid, 1 refused, 2 configuration.

use crate::support;

use std::process::{Command, Output};

use support::tsa::{self, RsaTsa, Token};
use support::*;
use time::macros::datetime;

fn worker(args: &[&str], tsa: Option<&RsaTsa>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trp-worker"));
    let anchors = format!(
        "{},{}",
        pki("root.pem").display(),
        pki("intermediate.pem").display()
    );
    cmd.args(args)
        .env_remove("TRP__SIGNATURE__OTP_KEY")
        .env_remove("TRP__SIGNATURE__TSA_TRUST_ANCHORS")
        .env("TRP__SIGNATURE__TRUST_ANCHORS", anchors);
    if let Some(tsa) = tsa {
        cmd.env(
            "TRP__SIGNATURE__TSA_TRUST_ANCHORS",
            tsa.path("root.pem").display().to_string(),
        )
        .env(
            "TRP__SIGNATURE__CRLS",
            tsa.path("root.crl").display().to_string(),
        );
    }
    cmd.output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A token over `data` by `signer` of `tsa`, written to `<name>` in a temporary directory
/// (PEM when `pem`), with `data` beside it.
fn files(
    tsa: &RsaTsa,
    signer: &str,
    data: &[u8],
    pem: bool,
) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let token = Token::sha256(data, datetime!(2026-11-24 05:00 UTC));
    let der = tsa::token(&tsa.signer(signer), &token);
    let token_path = dir.path().join("token");
    let bytes = if pem {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
        format!("-----BEGIN PKCS7-----\n{b64}\n-----END PKCS7-----\n").into_bytes()
    } else {
        der
    };
    std::fs::write(&token_path, bytes).unwrap();
    let data_path = dir.path().join("data");
    std::fs::write(&data_path, data).unwrap();
    let (t, d) = (
        token_path.display().to_string(),
        data_path.display().to_string(),
    );
    (dir, t, d)
}

#[test]
fn a_valid_token_prints_the_tsa_gen_time_and_imprint() {
    let tsa = RsaTsa::new("CLI TSA ROOT");
    for pem in [false, true] {
        let (_dir, token, data) = files(&tsa, "tsa", b"signature bytes", pem);
        let out = worker(
            &["timestamp", "verify", &token, "--data", &data],
            Some(&tsa),
        );
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(text.contains("tsa: CN=TEST TSA,C=KZ\n"), "{text}");
        assert!(text.contains("genTime: 2026-11-24T05:00:00Z\n"), "{text}");
        assert!(text.contains("imprint: SHA-256 "), "{text}");
        assert!(text.contains("data: the imprint is the hash of"), "{text}");
        assert!(text.ends_with("valid\n"), "{text}");
        // Without --data, the token alone.
        let alone = worker(&["timestamp", "verify", &token], Some(&tsa));
        assert_eq!(alone.status.code(), Some(0));
        assert!(!stdout(&alone).contains("data:"));
    }
}

#[test]
fn other_data_an_untrusted_tsa_or_no_eku_refuse_with_exit_1() {
    let tsa = RsaTsa::new("CLI TSA ROOT");
    let (dir, token, _) = files(&tsa, "tsa", b"signature bytes", false);
    let other = dir.path().join("other");
    std::fs::write(&other, b"other bytes").unwrap();
    let other = other.display().to_string();
    let out = worker(
        &["timestamp", "verify", &token, "--data", &other],
        Some(&tsa),
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("data: the imprint is not the hash of"),
        "{text}"
    );
    assert!(text.contains("refused: signature.invalid: "), "{text}");

    let rogue = RsaTsa::new("CLI ROGUE ROOT");
    let (_d, rogue_token, _) = files(&rogue, "tsa", b"signature bytes", false);
    let out = worker(&["timestamp", "verify", &rogue_token], Some(&tsa));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("refused: signature.invalid: the time-stamp token"));

    let (_e, no_eku, _) = files(&tsa, "noeku", b"signature bytes", false);
    let out = worker(&["timestamp", "verify", &no_eku], Some(&tsa));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("timeStamping"), "{}", stdout(&out));

    let garbage = dir.path().join("garbage");
    std::fs::write(&garbage, b"\x30\x80\x01").unwrap();
    let out = worker(
        &["timestamp", "verify", &garbage.display().to_string()],
        Some(&tsa),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("refused: signature.invalid:"));
}

#[test]
fn no_tsa_configured_or_bad_usage_exits_2() {
    let tsa = RsaTsa::new("CLI TSA ROOT");
    let (_dir, token, _) = files(&tsa, "tsa", b"signature bytes", false);
    let out = worker(&["timestamp", "verify", &token], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("signature.tsa_trust_anchors"), "{err}");
    let usage = worker(&["timestamp", "verify"], Some(&tsa));
    assert_eq!(usage.status.code(), Some(2));
}
