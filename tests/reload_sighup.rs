//! SIGHUP to the real binary (contract section 8): the worker reads its files again and
//! goes on with the new CRL, without a restart; SIGTERM still stops it cleanly afterwards.

use crate::support;

use std::time::Duration;

use support::amqp::eventually;
use support::db::document;
use support::test_ca::TestCa;
use support::worker::{free_port, http_get, signal, spawn_binary, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_crls_of_the_running_binary() {
    let world = World::new().await;
    let ca = TestCa::with_fresh_crls();
    let port = free_port();
    let log = tempfile::NamedTempFile::new().unwrap();
    let crls = format!(
        "{},{}",
        ca.path("intermediate.crl").display(),
        ca.path("root.crl").display()
    );
    let mut worker = spawn_binary(
        &world.env_with(&[
            ("TRP__HTTP__PORT", port.to_string()),
            ("TRP__SIGNATURE__TRUST_ANCHORS", ca.anchors()),
            ("TRP__SIGNATURE__CRLS", crls),
            ("TRP__RELOAD__POLL_MS", "0".into()),
            ("TRP__LOG__FILTER", "info".into()),
        ]),
        log.path(),
    );
    let log_text = || std::fs::read_to_string(log.path()).unwrap_or_default();

    let doc = document(|_| {});
    world
        .submit(&ca.envelope("TRP-HUP-1", &doc, "leaf-a"))
        .await;
    let before = world.decision("TRP-HUP-1").await;
    assert_eq!(before["outcome"], "approved", "{before}\n{}", log_text());

    ca.revoke_and_publish("leaf-a");
    signal(&worker, "HUP");
    let reloaded = eventually(Duration::from_secs(20), || async {
        http_get(port, "/metrics")
            .await
            .contains("trp_reloads_total{result=\"ok\"} 1")
    })
    .await;
    assert!(reloaded, "{}", log_text());

    world
        .submit(&ca.envelope("TRP-HUP-2", &doc, "leaf-a"))
        .await;
    let after = world.decision("TRP-HUP-2").await;
    assert_eq!(after["outcome"], "refused", "{after}");
    assert_eq!(after["reasons"][0]["code"], "signature.revoked", "{after}");
    assert!(
        worker.try_wait().unwrap().is_none(),
        "still the same process"
    );

    signal(&worker, "TERM");
    let status = worker.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{}", log_text());
    assert!(
        log_text().contains("reloaded the trust anchors, CRLs, rules and calendar"),
        "{}",
        log_text()
    );
    world.cleanup().await;
}
