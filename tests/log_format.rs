//! Logs (docs/operations.md, "Logs"): with `log.format = "json"` the real binary writes one
//! JSON object per line, each event's fields at the top level, the application named by
//! its `application_id` and never by personal data; the production example sets JSON.

use crate::support;

use std::path::Path;

use serde_json::Value;

use support::db::document;
use support::worker::{otp_envelope, signal, spawn_binary, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line_with_the_application_id_and_no_personal_data() {
    let world = World::new().await;
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut worker = spawn_binary(
        &world.env_with(&[
            ("TRP__LOG__FILTER", "info".into()),
            ("TRP__LOG__FORMAT", "json".into()),
        ]),
        log.path(),
    );
    world
        .submit(&otp_envelope("TRP-LOG-1", &document(|_| {})))
        .await;
    let decision = world.decision("TRP-LOG-1").await;
    signal(&worker, "TERM");
    let status = tokio::task::spawn_blocking(move || worker.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));

    let text = std::fs::read_to_string(log.path()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for line in &lines {
        for key in ["timestamp", "level", "message"] {
            assert!(line[key].is_string(), "{key} in {line}");
        }
    }
    let decided = lines
        .iter()
        .find(|l| l["message"] == "decided")
        .unwrap_or_else(|| panic!("a `decided` line in\n{text}"));
    assert_eq!(decided["application_id"], "TRP-LOG-1", "{decided}");
    assert_eq!(decided["outcome"], decision["outcome"], "{decided}");
    for personal in [
        "900517310006",
        "77011234567",
        "aziz",
        "KARIMOV",
        "FA1234567",
    ] {
        assert!(!text.contains(personal), "{personal} in the log:\n{text}");
    }
    world.cleanup().await;
}

#[test]
fn the_production_example_logs_json() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = root.join("config/production.example.toml");
    // The example's paths are placeholders; the CA file is read at load, so a real one
    // stands in for it.
    let env = [
        ("TRP_CONFIG".to_owned(), example.display().to_string()),
        (
            "TRP__DATABASE__TLS_CA_FILE".to_owned(),
            support::pki("root.pem").display().to_string(),
        ),
    ];
    let settings = trp_worker::config::load_from(&root.join("config/default.toml"), &env)
        .expect("the production example loads over the defaults");
    assert_eq!(settings.log.format, trp_worker::config::LogFormat::Json);
    let defaults = trp_worker::config::load_from(&root.join("config/default.toml"), &[]).unwrap();
    assert_eq!(defaults.log.format, trp_worker::config::LogFormat::Text);
}
