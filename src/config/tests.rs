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

#[test]
fn plain_smtp_is_refused_toward_a_host_that_is_not_loopback() {
    let err = load_env(&[("TRP__SMTP__HOST", "mail.example.org")])
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("smtp.tls is none"), "{err}");
    assert!(err.contains("smtp.allow_plaintext_remote"), "{err}");
    assert!(!err.contains('\n'));
    for host in ["127.0.0.1", "127.0.1.1", "localhost", "::1", "[::1]"] {
        assert!(load_env(&[("TRP__SMTP__HOST", host)]).is_ok(), "{host}");
    }
    let allowed = load_env(&[
        ("TRP__SMTP__HOST", "mail.example.org"),
        ("TRP__SMTP__ALLOW_PLAINTEXT_REMOTE", "true"),
    ]);
    assert!(allowed.is_ok());
    for tls in ["starttls", "tls"] {
        let s = load_env(&[
            ("TRP__SMTP__HOST", "mail.example.org"),
            ("TRP__SMTP__TLS", tls),
        ]);
        assert!(s.is_ok(), "{tls}");
    }
}

#[test]
fn database_timeouts_and_tls_are_checked_at_load() {
    let s = load_env(&[]).unwrap();
    let shipped = crate::store::pool::Options::new(s.database.pool_size);
    let d = &s.database;
    assert_eq!(
        u64::from(d.connect_timeout_s),
        shipped.connect_timeout.as_secs()
    );
    assert_eq!(
        u128::from(d.statement_timeout_ms),
        shipped.statement_timeout.as_millis()
    );
    assert_eq!(
        u128::from(d.lock_timeout_ms),
        shipped.lock_timeout.as_millis()
    );
    assert_eq!(
        u128::from(d.pool_wait_timeout_ms),
        shipped.wait_timeout.as_millis()
    );
    assert_eq!(d.tls, DatabaseTls::Disable);
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[("TRP__DATABASE__LOCK_TIMEOUT_MS", "0")],
            "database.lock_timeout_ms",
        ),
        (
            &[("TRP__DATABASE__STATEMENT_TIMEOUT_MS", "0")],
            "database.statement_timeout_ms",
        ),
        (
            &[("TRP__DATABASE__CONNECT_TIMEOUT_S", "0")],
            "database.connect_timeout_s",
        ),
        (
            &[("TRP__DATABASE__POOL_WAIT_TIMEOUT_MS", "0")],
            "database.pool_wait_timeout_ms",
        ),
        (&[("TRP__DATABASE__TLS", "verify-ca")], "database.tls"),
        (
            &[("TRP__DATABASE__TLS", "verify-full")],
            "database.tls_ca_file",
        ),
    ];
    for (pairs, named) in cases {
        let err = load_env(pairs).unwrap_err().to_string();
        assert!(err.starts_with(named), "{pairs:?}: {err}");
    }
    let err = load_env(&[
        ("TRP__DATABASE__TLS", "verify-full"),
        ("TRP__DATABASE__TLS_CA_FILE", "/nonexistent/ca.pem"),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("database.tls_ca_file: /nonexistent/ca.pem"),
        "{err}"
    );
    let err = load_env(&[("TRP__SMTP__TLS_CA_FILE", "Cargo.toml")])
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("smtp.tls_ca_file: Cargo.toml: no PEM"),
        "{err}"
    );
}
