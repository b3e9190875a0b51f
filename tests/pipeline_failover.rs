//! A PostgreSQL failover as the worker sees it: while applications flow, every connection
//! drops at once and the server stops answering (the primary is gone), then a server answers
//! again at the same address (the promoted standby behind the service's name). Statements
//! are retried, every application is decided exactly once and published, nothing is
//! dead-lettered.

use crate::support;

use std::time::Duration;

use support::amqp::eventually;
use support::db::document;
use support::tcp_gate::TcpGate;
use support::worker::{http_get, otp_envelope, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failover_mid_run_loses_no_decision() {
    let world = World::new().await;
    let gate = TcpGate::start("127.0.0.1:5432".parse().unwrap()).await;
    let replica = world
        .start_with(&[
            ("TRP__DATABASE__URL", gate.postgres_url(&world.db.url)),
            ("TRP__AMQP__RETRY_BASE_MS", "10".into()),
            ("TRP__AMQP__RETRY_MAX_MS", "200".into()),
        ])
        .await;
    let port = replica.running.http_addr.port();
    let n = 200;
    let wal = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint";
    let wal_before = world.db.count(wal).await;
    let doc = document(|_| {});
    for i in 0..n {
        world
            .submit(&otp_envelope(&format!("TRP-F-{i}"), &doc))
            .await;
    }
    // The test counts through its own connection, not through the gate.
    let decided = || world.db.count("SELECT count(*) FROM decisions");
    let flowing = eventually(Duration::from_secs(60), || async { decided().await >= 20 }).await;
    assert!(
        flowing,
        "applications are being decided before the failover"
    );

    gate.shut();
    let at_cut = decided().await;
    let noticed = eventually(Duration::from_secs(30), || async {
        http_get(port, "/readyz").await.contains("not ready")
    })
    .await;
    assert!(noticed, "/readyz says not ready while no database answers");
    gate.open();

    let finished = eventually(Duration::from_secs(90), || async { decided().await == n }).await;
    assert!(
        finished,
        "{} of {n} decided after the failover",
        decided().await
    );
    let distinct = world
        .db
        .count("SELECT count(DISTINCT application_id) FROM decisions")
        .await;
    assert_eq!(distinct, n, "one decision per application");
    for i in 0..n {
        world.decision(&format!("TRP-F-{i}")).await;
    }
    let dlq = world.broker.names.dead_letter_queue.clone();
    assert_eq!(world.broker.ready(&dlq).await, 0, "nothing dead-lettered");
    let wal_per_decision = (world.db.count(wal).await - wal_before) / n;
    let duplicates = replica.running.metrics.duplicates.get();
    replica.stop().await;
    // The figures docs/scaling.md quotes (run with --no-capture to see them).
    eprintln!(
        "failover: cut at {at_cut} of {n} decided; deliveries seen again {duplicates}; \
         WAL {wal_per_decision} bytes per decision (the whole server's, the machine is shared)"
    );
    world.cleanup().await;
}
