//! `trp-worker certificate verify` and `trp-worker signature check` as an operator runs them:
//! configuration from the environment, exit 0 valid, 1 refused, 2 configuration.

use crate::support;

use std::path::PathBuf;
use std::process::{Command, Output};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use support::*;

fn worker(args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trp-worker"));
    cmd.args(args)
        .env_remove("TRP__SIGNATURE__OTP_KEY")
        .env(
            "TRP__SIGNATURE__TRUST_ANCHORS",
            format!(
                "{},{}",
                pki("root.pem").display(),
                pki("intermediate.pem").display()
            ),
        )
        .env(
            "TRP__SIGNATURE__CRLS",
            format!(
                "{},{}",
                pki("intermediate.crl").display(),
                pki("root.crl").display()
            ),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn verify_at(leaf: &str, at: &str) -> Output {
    let cert = pki(leaf).display().to_string();
    worker(&["certificate", "verify", &cert, "--at", at], &[])
}

#[test]
fn certificate_verify_prints_the_verdict_and_code() {
    let at = "2026-11-24T10:15:00+05:00";
    let good = verify_at("leaf-p256.pem", at);
    assert_eq!(
        (good.status.code(), stdout(&good).trim()),
        (Some(0), "valid")
    );
    for (leaf, code) in [
        ("leaf-expired.pem", "signature.expired"),
        ("leaf-revoked.pem", "signature.revoked"),
        ("leaf-keyenc.pem", "signature.key_usage"),
        ("leaf-rogue.pem", "signature.untrusted"),
    ] {
        let out = verify_at(leaf, at);
        assert_eq!(out.status.code(), Some(1), "{leaf}");
        assert!(
            stdout(&out).starts_with(&format!("refused: {code}: ")),
            "{leaf}: {}",
            stdout(&out)
        );
    }
    let before_expiry = verify_at("leaf-expired.pem", "2025-01-01T00:00:00Z");
    assert_eq!(before_expiry.status.code(), Some(0));
}

#[test]
fn bad_configuration_exits_2_naming_the_setting() {
    let cert = pki("leaf-rsa.pem").display().to_string();
    let args = ["certificate", "verify", cert.as_str()];
    let unset = worker(&args, &[("TRP__SIGNATURE__TRUST_ANCHORS", String::new())]);
    assert_eq!(unset.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unset.stderr).starts_with("signature.trust_anchors"));
    let bad_crl = worker(
        &args,
        &[("TRP__SIGNATURE__CRLS", "/nonexistent.crl".into())],
    );
    assert_eq!(bad_crl.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad_crl.stderr).starts_with("signature.crls: /nonexistent.crl")
    );
    assert_eq!(
        worker(&["certificate", "verify", &cert, "--at", "soon"], &[])
            .status
            .code(),
        Some(2)
    );
}

fn envelope_file(name: &str, signature: serde_json::Value) -> PathBuf {
    let path = std::env::temp_dir().join(format!("trp-cli-{}-{name}.json", std::process::id()));
    std::fs::write(&path, envelope_json(signature)).unwrap();
    path
}

fn check_envelope(path: &PathBuf, env: &[(&str, String)]) -> Output {
    let out = worker(&["signature", "check", &path.display().to_string()], env);
    let _ = std::fs::remove_file(path);
    out
}

#[test]
fn signature_check_runs_the_check_on_an_envelope() {
    let eds =
        |fixture: &str| serde_json::json!({"method": "eds", "cms": B64.encode(read(fixture))});
    let good = check_envelope(&envelope_file("good", eds("rsa-attached.p7s")), &[]);
    assert_eq!(
        (good.status.code(), stdout(&good).trim()),
        (Some(0), "valid")
    );
    let bad = check_envelope(&envelope_file("other", eds("rsa-other-document.p7s")), &[]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stdout(&bad).starts_with("refused: signature.invalid: "),
        "{}",
        stdout(&bad)
    );
}

#[test]
fn an_otp_envelope_needs_the_otp_key() {
    let otp = serde_json::json!({
        "method": "otp", "otp_id": "5d1c8a9e-2b7f-4c3a-8f6e-1a2b3c4d5e6f", "phone": "+77011234567",
        "issued_at": "2026-11-24T10:13:10+05:00", "confirmed_at": "2026-11-24T10:14:02+05:00",
        "mac": B64.encode([0u8; 32]),
    });
    let no_key = check_envelope(&envelope_file("otp-nokey", otp.clone()), &[]);
    assert_eq!(no_key.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_key.stderr).starts_with("signature.otp_key"));
    let key = [("TRP__SIGNATURE__OTP_KEY", B64.encode(b"some key"))];
    let wrong_mac = check_envelope(&envelope_file("otp-key", otp), &key);
    assert_eq!(wrong_mac.status.code(), Some(1));
    assert!(
        stdout(&wrong_mac).contains("refused: signature.otp_invalid"),
        "{}",
        stdout(&wrong_mac)
    );
}

/// A CA on the path without a CRL: the revocation status cannot be decided. Both commands
/// say so on an `undecided:` line and exit 1, as for a refusal; a certificate refused for
/// another reason is refused too.
#[test]
fn a_missing_crl_leaves_the_revocation_status_undecided() {
    let only_intermediate = [(
        "TRP__SIGNATURE__CRLS",
        pki("intermediate.crl").display().to_string(),
    )];
    let cert = pki("leaf-p256.pem").display().to_string();
    let args = [
        "certificate",
        "verify",
        &cert,
        "--at",
        "2026-11-24T10:15:00+05:00",
    ];
    let out = worker(&args, &only_intermediate);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).trim(),
        "undecided: the revocation status cannot be decided: no CRL is configured for CN=TRP TEST ROOT,C=KZ"
    );
    let eds = serde_json::json!({"method": "eds", "cms": B64.encode(read("rsa-attached.p7s"))});
    let checked = check_envelope(&envelope_file("undecided", eds), &only_intermediate);
    assert_eq!(checked.status.code(), Some(1));
    assert!(
        stdout(&checked).starts_with("undecided: "),
        "{}",
        stdout(&checked)
    );
    let allowed = worker(
        &args,
        &[
            only_intermediate[0].clone(),
            ("TRP__SIGNATURE__ALLOW_MISSING_CRLS", "true".into()),
        ],
    );
    assert_eq!(
        (allowed.status.code(), stdout(&allowed).trim()),
        (Some(0), "valid")
    );
}
