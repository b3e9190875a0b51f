//! Layering, typing and refusal of settings.

use std::path::Path;

use secrecy::ExposeSecret;

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn defaults() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.toml"))
}

fn load_env(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    load_from(defaults(), &env(pairs))
}

#[test]
fn defaults_load_from_disk_and_built_in() {
    let s = load_env(&[]).unwrap();
    assert_eq!(s.amqp.work_queue, "trp.applications.submitted");
    assert_eq!(s.amqp.max_message_bytes, 1 << 20);
    assert_eq!(s.signature.otp_lifetime_s, 300);
    assert!(s.signature.otp_key.is_none());
    let built_in = load_from(Path::new("/nonexistent/default.toml"), &[]).unwrap();
    assert_eq!(built_in.amqp.work_queue, s.amqp.work_queue);
}

#[test]
fn environment_overrides_typed_like_the_default() {
    let s = load_env(&[
        ("TRP__AMQP__PREFETCH", "7"),
        ("TRP__AMQP__URL", "amqp://a:5672, amqp://b:5672"),
        ("TRP__AMQP__WORK_QUEUE", "q1"),
        ("TRP__SIGNATURE__TRUST_ANCHORS", "/a.pem,/b.pem"),
        ("TRP__SMTP__TLS", "starttls"),
        ("TRP__SIGNATURE__OTP_KEY", "c2VjcmV0"),
        ("TRP__SMS__TOKEN", "tok"),
        ("UNRELATED", "x"),
    ])
    .unwrap();
    assert_eq!(s.amqp.prefetch, 7);
    assert_eq!(s.amqp.url, ["amqp://a:5672", "amqp://b:5672"]);
    assert_eq!(s.amqp.work_queue, "q1");
    assert_eq!(s.signature.trust_anchors.len(), 2);
    assert_eq!(s.smtp.tls, SmtpTls::Starttls);
    assert_eq!(s.sms.token.as_ref().unwrap().expose_secret(), "tok");
    let key = s.signature.otp_key_bytes().unwrap().unwrap();
    assert_eq!(key.expose_secret(), b"secret");
}

#[test]
fn secrets_never_print() {
    let s = load_env(&[
        ("TRP__SMS__TOKEN", "tok-123"),
        ("TRP__DATABASE__PASSWORD", "pw-456"),
    ])
    .unwrap();
    let debug = format!("{s:?}");
    assert!(
        !debug.contains("tok-123") && !debug.contains("pw-456"),
        "{debug}"
    );
}

#[test]
fn bad_settings_are_named() {
    let cases: [(&[(&str, &str)], &str); 8] = [
        (&[("TRP__AMQP__PREFETCH", "many")], "TRP__AMQP__PREFETCH"),
        (&[("TRP__AMQP__PREFETCH", "0")], "amqp.prefetch"),
        (&[("TRP__AMQP__PREFETCH", "70000")], "amqp.prefetch"),
        (&[("TRP__AMQP__NOPE", "1")], "TRP__AMQP__NOPE"),
        (&[("TRP__NOPE__URL", "1")], "TRP__NOPE__URL"),
        (&[("TRP__SMTP__TLS", "ssl")], "smtp.tls"),
        (&[("TRP__SIGNATURE__OTP_KEY", "***")], "signature.otp_key"),
        (&[("TRP__NOTIFICATIONS__BATCH", "0")], "notifications.batch"),
    ];
    for (pairs, named) in cases {
        let err = load_env(pairs).unwrap_err().to_string();
        assert!(err.contains(named), "{pairs:?}: {err}");
        assert!(!err.contains('\n'));
    }
}

#[test]
fn trp_config_is_layered_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("site.toml");
    std::fs::write(
        &file,
        "[amqp]\nurl = \"amqp://x\"\nprefetch = 3\n[http]\nport = 9000\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let s = load_env(&[("TRP_CONFIG", path), ("TRP__HTTP__PORT", "9100")]).unwrap();
    assert_eq!(s.amqp.url, ["amqp://x"]);
    assert_eq!(s.amqp.prefetch, 3);
    assert_eq!(s.http.port, 9100, "the environment wins over the file");

    std::fs::write(&file, "[amqp]\nprefech = 3\n").unwrap();
    let err = load_env(&[("TRP_CONFIG", path)]).unwrap_err().to_string();
    assert!(err.contains("amqp.prefech"), "{err}");

    std::fs::write(&file, "[sms]\ntoken = \"in-a-file\"\n").unwrap();
    let err = load_env(&[("TRP_CONFIG", path)]).unwrap_err().to_string();
    assert!(
        err.contains("sms.token") && err.contains("TRP__SMS__TOKEN"),
        "{err}"
    );
    assert!(!err.contains("in-a-file"));

    let err = load_env(&[("TRP_CONFIG", "/nonexistent.toml")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("TRP_CONFIG"), "{err}");
}
