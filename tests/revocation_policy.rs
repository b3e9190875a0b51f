//! The revocation policy at start (contract section 8): running with no CRL at all needs
//! `signature.allow_missing_crls = true`, which is logged; without it start-up stops with a
//! message naming the setting. The nextUpdate gauge is set from the CRLs loaded.

use crate::support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use support::pki;
use support::worker::settings;
use trp_worker::reload::{Files, Reloader};
use trp_worker::telemetry::Metrics;

/// The settings of a worker with the test PKI's anchors and `crls`, and `extra`.
fn env(crls: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let anchors = format!(
        "{},{}",
        pki("root.pem").display(),
        pki("intermediate.pem").display()
    );
    let mut env = vec![
        ("TRP__SIGNATURE__TRUST_ANCHORS".to_owned(), anchors),
        ("TRP__SIGNATURE__CRLS".to_owned(), crls.to_owned()),
    ];
    env.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    env
}

/// What `tracing` writes while `f` runs on this thread.
fn logged<T>(f: impl FnOnce() -> T) -> (T, String) {
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    (out, text)
}

#[test]
fn no_crl_at_all_needs_the_setting_that_says_so_and_is_logged() {
    let refused = Files::load(&settings(&env("", &[])))
        .err()
        .expect("refused");
    assert!(
        refused
            .to_string()
            .starts_with("signature.crls: no CRL configured"),
        "{refused}"
    );
    let allow = [("TRP__SIGNATURE__ALLOW_MISSING_CRLS", "true")];
    let (files, log) = logged(|| Files::load(&settings(&env("", &allow))));
    assert!(files.is_ok());
    assert!(
        log.contains("signature.allow_missing_crls = true and no CRL configured"),
        "{log}"
    );
    let (_, quiet) = logged(|| {
        let crls = format!(
            "{},{}",
            pki("intermediate.crl").display(),
            pki("root.crl").display()
        );
        Files::load(&settings(&env(&crls, &[]))).unwrap()
    });
    assert!(!quiet.contains("allow_missing_crls"), "{quiet}");
}

#[test]
fn the_next_update_gauge_shows_each_cas_crl() {
    let crls = format!(
        "{},{}",
        pki("intermediate.crl").display(),
        pki("root.crl").display()
    );
    let files = Arc::new(Files::load(&settings(&env(&crls, &[]))).unwrap());
    let metrics = Metrics::new();
    let _reloader = Reloader::new(files, metrics.clone());
    let text = metrics.encode();
    // `openssl crl -nextupdate` of the fixtures: Nov 20 07:28:58 2046 GMT.
    for issuer in ["CN=TRP TEST INTERMEDIATE,C=KZ", "CN=TRP TEST ROOT,C=KZ"] {
        let line =
            format!("trp_crl_next_update_timestamp_seconds{{issuer=\"{issuer}\"}} 2426311738");
        assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
    }
}
