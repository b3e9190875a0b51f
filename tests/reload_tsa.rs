//! The time-stamping authorities' anchors in the reloaded snapshot: read with the other
//! files, a bad one refused naming `signature.tsa_trust_anchors`, and watched for changes.

use crate::support;

use support::tsa::RsaTsa;
use support::*;
use trp_worker::checks::signature::MissingCrls;
use trp_worker::reload::watch::Fingerprint;
use trp_worker::reload::Sources;

fn sources(tsa: &RsaTsa, tsa_file: std::path::PathBuf) -> Sources {
    Sources {
        trust_anchors: vec![pki("root.pem"), pki("intermediate.pem")],
        crls: vec![
            pki("intermediate.crl"),
            pki("root.crl"),
            tsa.path("root.crl"),
        ],
        missing_crls: MissingCrls::Wait,
        tsa_trust_anchors: vec![tsa_file],
        require_timestamp: false,
        clock_skew: time::Duration::seconds(300),
        rules: config("rules.toml"),
        calendar: config("calendar"),
    }
}

#[test]
fn the_tsa_anchors_are_read_watched_and_named_when_bad() {
    let tsa = RsaTsa::new("RELOAD TSA ROOT");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tsa.pem");
    std::fs::copy(tsa.path("root.pem"), &file).unwrap();
    let sources = sources(&tsa, file.clone());

    let snapshot = sources.read().expect("every file parses");
    assert!(snapshot.trust.timestamps().tsa().is_some());
    let without = Sources {
        tsa_trust_anchors: Vec::new(),
        ..sources.clone()
    };
    let bare = without.read().unwrap();
    assert!(bare.trust.timestamps().tsa().is_none());
    assert_ne!(
        snapshot.trust_version, bare.trust_version,
        "the version covers the TSAs"
    );

    let before = Fingerprint::of(&sources);
    std::fs::write(&file, b"not a certificate").unwrap();
    assert_ne!(Fingerprint::of(&sources), before, "the TSA file is watched");
    let error = sources.read().unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("signature.tsa_trust_anchors: {}", file.display())),
        "{error}"
    );
}
