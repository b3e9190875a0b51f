//! Reload without restart (contract section 8), on a worker running against the real
//! RabbitMQ and PostgreSQL: a certificate revoked after start is refused from the first
//! application after its CRL is loaded, whether the reload comes from the function SIGHUP
//! calls or from the file changing; a corrupt CRL keeps the files in force and is counted
//! once. `reload_sighup.rs` sends a real SIGHUP to the real binary.

use crate::support;

use std::time::Duration;

use serde_json::Value;

use support::amqp::eventually;
use support::db::document;
use support::test_ca::TestCa;
use support::worker::{http_get, Replica, World};

/// A replica trusting `ca` and reading its CRL files; `poll_ms` 0: only SIGHUP reloads.
async fn start(world: &World, ca: &TestCa, poll_ms: u32) -> Replica {
    let crls = format!(
        "{},{}",
        ca.path("intermediate.crl").display(),
        ca.path("root.crl").display()
    );
    world
        .start_with(&[
            ("TRP__SIGNATURE__TRUST_ANCHORS", ca.anchors()),
            ("TRP__SIGNATURE__CRLS", crls),
            ("TRP__RELOAD__POLL_MS", poll_ms.to_string()),
        ])
        .await
}

async fn submit(world: &World, ca: &TestCa, id: &str) -> Value {
    world
        .submit(&ca.envelope(id, &document(|_| {}), "leaf-a"))
        .await;
    world.decision(id).await
}

fn codes(decision: &Value) -> Vec<String> {
    decision["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn metrics(replica: &Replica) -> String {
    http_get(replica.running.http_addr.port(), "/metrics").await
}

async fn trust_version(world: &World, id: &str) -> String {
    let client = world.db.client().await;
    let row = client
        .query_one(
            "SELECT trust_version FROM decisions WHERE application_id = $1",
            &[&id],
        )
        .await
        .unwrap();
    row.get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_revoked_after_start_is_refused_after_the_reload_sighup_calls() {
    let world = World::new().await;
    let ca = TestCa::with_fresh_crls();
    let replica = start(&world, &ca, 0).await;
    let before = submit(&world, &ca, "TRP-RL-1").await;
    assert_eq!(before["outcome"], "approved", "{before}");

    ca.revoke_and_publish("leaf-a");
    let reloader = replica.running.reloader.clone();
    tokio::task::spawn_blocking(move || reloader.reload())
        .await
        .unwrap()
        .expect("the new files parse");

    let after = submit(&world, &ca, "TRP-RL-2").await;
    assert_eq!(after["outcome"], "refused", "{after}");
    assert_eq!(codes(&after), ["signature.revoked"]);
    let text = metrics(&replica).await;
    assert!(
        text.contains("trp_reloads_total{result=\"ok\"} 1"),
        "{text}"
    );
    let (v1, v2) = (
        trust_version(&world, "TRP-RL-1").await,
        trust_version(&world, "TRP-RL-2").await,
    );
    assert_ne!(
        v1, v2,
        "each decision records the trust store it was made under"
    );
    assert_eq!(v2, replica.running.reloader.files().current().trust_version);
    replica.stop().await;
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_crl_file_is_reloaded_by_itself() {
    let world = World::new().await;
    let ca = TestCa::with_fresh_crls();
    let replica = start(&world, &ca, 100).await;
    let before = submit(&world, &ca, "TRP-RL-3").await;
    assert_eq!(before["outcome"], "approved", "{before}");

    ca.revoke_and_publish("leaf-a");
    let reloaded = eventually(Duration::from_secs(20), || async {
        metrics(&replica)
            .await
            .contains("trp_reloads_total{result=\"ok\"} 1")
    })
    .await;
    assert!(reloaded, "{}", metrics(&replica).await);

    let after = submit(&world, &ca, "TRP-RL-4").await;
    assert_eq!(after["outcome"], "refused", "{after}");
    assert_eq!(codes(&after), ["signature.revoked"]);
    replica.stop().await;
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_crl_keeps_the_files_in_force_and_is_counted_once() {
    let world = World::new().await;
    let ca = TestCa::with_fresh_crls();
    let replica = start(&world, &ca, 100).await;
    let in_force = replica
        .running
        .reloader
        .files()
        .current()
        .trust_version
        .clone();

    // The leaf is revoked, but the CRL saying so is cut short: the old set stays.
    ca.revoke_and_publish("leaf-a");
    let crl = ca.path("intermediate.crl");
    let text = std::fs::read_to_string(&crl).unwrap();
    let corrupt = ca.path("intermediate.crl.corrupt");
    std::fs::write(&corrupt, &text[..text.len() / 2]).unwrap();
    std::fs::rename(&corrupt, &crl).unwrap();

    let counted = eventually(Duration::from_secs(20), || async {
        metrics(&replica)
            .await
            .contains("trp_reloads_total{result=\"error\"} 1")
    })
    .await;
    assert!(counted, "{}", metrics(&replica).await);
    // Ten more looks at the unchanged file: still one error, no reload.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let text = metrics(&replica).await;
    assert!(
        text.contains("trp_reloads_total{result=\"error\"} 1"),
        "{text}"
    );
    assert!(!text.contains("trp_reloads_total{result=\"ok\"}"), "{text}");
    assert_eq!(
        replica.running.reloader.files().current().trust_version,
        in_force
    );

    // The function SIGHUP calls refuses it too, naming the setting and the file.
    let reloader = replica.running.reloader.clone();
    let error = tokio::task::spawn_blocking(move || reloader.reload())
        .await
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(&format!("signature.crls: {}: ", crl.display())),
        "{error}"
    );

    let decided = submit(&world, &ca, "TRP-RL-5").await;
    assert_eq!(
        decided["outcome"], "approved",
        "decided under the files in force: {decided}"
    );
    assert!(http_get(replica.running.http_addr.port(), "/readyz")
        .await
        .starts_with("HTTP/1.1 200"));
    replica.stop().await;
    world.cleanup().await;
}
