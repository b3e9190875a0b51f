//! Stale and missing CRLs (contract section 8), on a worker running against the real
//! RabbitMQ and PostgreSQL: an application whose signer's revocation status rests on a CRL
//! past its nextUpdate, or on a CA without a CRL, is neither approved nor refused; it waits
//! in PostgreSQL, acknowledged, and is decided once (approved, or refused if the fresh CRL
//! revokes it) after a fresh CRL is loaded, with no dead letter and /readyz ready.

use crate::support;

use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use support::amqp::eventually;
use support::db::document;
use support::test_ca::{TestCa, INTERMEDIATE_DN, ROOT_DN};
use support::worker::{http_get, Replica, World};

async fn start(world: &World, ca: &TestCa, crls: &[&str]) -> Replica {
    let crls: Vec<String> = crls
        .iter()
        .map(|c| ca.path(&format!("{c}.crl")).display().to_string())
        .collect();
    world
        .start_with(&[
            ("TRP__SIGNATURE__TRUST_ANCHORS", ca.anchors()),
            ("TRP__SIGNATURE__CRLS", crls.join(",")),
            ("TRP__RELOAD__POLL_MS", "0".into()),
        ])
        .await
}

async fn metrics(replica: &Replica) -> String {
    http_get(replica.running.http_addr.port(), "/metrics").await
}

async fn deferred(world: &World) -> i64 {
    world
        .db
        .count("SELECT count(*) FROM deferred_applications")
        .await
}

async fn waits(world: &World, replica: &Replica, n: i64) {
    let line = format!("trp_deferred_applications {n}");
    let all = eventually(Duration::from_secs(30), || async {
        deferred(world).await == n && metrics(replica).await.lines().any(|l| l == line)
    })
    .await;
    assert!(
        all,
        "{} rows\n{}",
        deferred(world).await,
        metrics(replica).await
    );
}

async fn waiting_for(world: &World, id: &str) -> Vec<String> {
    let client = world.db.client().await;
    let row = client
        .query_one(
            "SELECT waiting_for FROM deferred_applications WHERE application_id = $1",
            &[&id],
        )
        .await
        .unwrap();
    row.get(0)
}

fn both(ca: &TestCa) -> [Value; 2] {
    let doc = document(|_| {});
    [
        ca.envelope("TRP-ST-A", &doc, "leaf-a"),
        ca.envelope("TRP-ST-B", &doc, "leaf-b"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_on_a_stale_crl_waits_and_is_decided_once_after_a_fresh_one() {
    let world = World::new().await;
    let ca = TestCa::new();
    let now = OffsetDateTime::now_utc();
    let stale = (now - time::Duration::days(1))
        .replace_nanosecond(0)
        .unwrap();
    ca.write_crl("root", now + time::Duration::days(30));
    ca.write_crl("intermediate", stale);
    let replica = start(&world, &ca, &["intermediate", "root"]).await;
    let gauge = |at: OffsetDateTime| {
        format!(
            "trp_crl_next_update_timestamp_seconds{{issuer=\"{INTERMEDIATE_DN}\"}} {}",
            at.unix_timestamp()
        )
    };
    let text = metrics(&replica).await;
    assert!(text.lines().any(|l| l == gauge(stale)), "{text}");

    for envelope in both(&ca) {
        world.submit(&envelope).await;
    }
    waits(&world, &replica, 2).await;
    assert_eq!(waiting_for(&world, "TRP-ST-A").await, [INTERMEDIATE_DN]);
    assert_eq!(world.db.count("SELECT count(*) FROM decisions").await, 0);
    let work_queue = world.broker.names.work_queue.clone();
    assert_eq!(world.broker.ready(&work_queue).await, 0, "acknowledged");
    assert!(http_get(replica.running.http_addr.port(), "/readyz")
        .await
        .starts_with("HTTP/1.1 200"));

    // A fresh CRL that revokes leaf-b, loaded by a reload.
    ca.revoke("leaf-b");
    let fresh = (now + time::Duration::days(7))
        .replace_nanosecond(0)
        .unwrap();
    ca.write_crl("intermediate", fresh);
    let reloader = replica.running.reloader.clone();
    tokio::task::spawn_blocking(move || reloader.reload())
        .await
        .unwrap()
        .expect("the fresh CRL parses");

    let a = world.decision("TRP-ST-A").await;
    assert_eq!(a["outcome"], "approved", "{a}");
    let b = world.decision("TRP-ST-B").await;
    assert_eq!(b["outcome"], "refused", "{b}");
    assert_eq!(b["reasons"][0]["code"], "signature.revoked", "{b}");
    waits(&world, &replica, 0).await;
    assert_eq!(world.db.count("SELECT count(*) FROM decisions").await, 2);
    let dead = world.broker.names.dead_letter_queue.clone();
    assert_eq!(world.broker.ready(&dead).await, 0, "no dead letter");
    let text = metrics(&replica).await;
    assert!(text.lines().any(|l| l == gauge(fresh)), "{text}");
    // Decided once: no second decision message for either (a copy would follow at once).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let decisions = world.decisions.clone();
    for id in ["TRP-ST-A", "TRP-ST-B"] {
        assert_eq!(world.wait_for(&decisions, id, 1).await.len(), 1, "{id}");
    }
    replica.stop().await;
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_without_a_crl_is_waited_for_by_default() {
    let world = World::new().await;
    let ca = TestCa::new();
    ca.write_crl(
        "intermediate",
        OffsetDateTime::now_utc() + time::Duration::days(30),
    );
    let replica = start(&world, &ca, &["intermediate"]).await;
    let [a, _] = both(&ca);
    world.submit(&a).await;
    waits(&world, &replica, 1).await;
    assert_eq!(waiting_for(&world, "TRP-ST-A").await, [ROOT_DN]);
    assert_eq!(world.db.count("SELECT count(*) FROM decisions").await, 0);
    replica.stop().await;
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_allow_missing_crls_and_no_crl_applications_are_decided() {
    let world = World::new().await;
    let ca = TestCa::new();
    let replica = world
        .start_with(&[
            ("TRP__SIGNATURE__TRUST_ANCHORS", ca.anchors()),
            ("TRP__SIGNATURE__CRLS", String::new()),
            ("TRP__SIGNATURE__ALLOW_MISSING_CRLS", "true".into()),
        ])
        .await;
    let [a, _] = both(&ca);
    world.submit(&a).await;
    let decided = world.decision("TRP-ST-A").await;
    assert_eq!(decided["outcome"], "approved", "{decided}");
    assert_eq!(deferred(&world).await, 0);
    replica.stop().await;
    world.cleanup().await;
}
