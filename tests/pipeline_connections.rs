//! Lost connections: the worker reports not ready while the broker is away, reconnects with
//! backoff, and loses nothing when the broker or the database drops it.

use crate::support;

use std::process::Command;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use support::amqp::eventually;
use support::db::document;
use support::worker::{http_get, otp_envelope, settings, World};
use trp_worker::worker::{self, Loaded};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_ready_while_the_broker_is_unreachable_and_stops_cleanly() {
    let world = World::new().await;
    let mut env = world.env();
    // Nothing listens on port 1 of loopback: every connect is refused at once.
    env.push((
        "TRP__AMQP__URL".into(),
        "amqp://guest:guest@127.0.0.1:1/%2f".into(),
    ));
    let settings = settings(&env);
    let loaded = Loaded::from_settings(&settings).unwrap();
    let shutdown = CancellationToken::new();
    let running = worker::start(settings, loaded, shutdown.clone())
        .await
        .unwrap();
    let port = running.http_addr.port();
    assert!(http_get(port, "/healthz").await.starts_with("HTTP/1.1 200"));
    let reported = eventually(Duration::from_secs(10), || async {
        http_get(port, "/readyz")
            .await
            .contains("not ready: broker, consuming")
    })
    .await;
    assert!(reported, "{}", http_get(port, "/readyz").await);
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), running.done)
        .await
        .expect("shutdown interrupts the reconnect backoff")
        .unwrap()
        .expect("stopped as asked");
    world.cleanup().await;
}

/// The broker's connections whose client-given name holds `work_queue` (the worker names
/// its connection for its queue), as `rabbitmqctl` lists them.
fn connection_pids(work_queue: &str) -> Vec<String> {
    let out = Command::new("rabbitmqctl")
        .args(["-s", "list_connections", "pid", "client_properties"])
        .output()
        .expect("rabbitmqctl is installed: apt-get install -y rabbitmq-server (or run scripts/services.sh)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(work_queue))
        .filter_map(|l| l.split('\t').next().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_when_the_broker_drops_it() {
    let world = World::new().await;
    let replica = world.start().await;
    let queue = world.broker.names.work_queue.clone();
    let connected = eventually(Duration::from_secs(20), || async {
        !connection_pids(&queue).is_empty()
    })
    .await;
    assert!(connected);
    let before = connection_pids(&queue);
    for pid in &before {
        let closed = Command::new("rabbitmqctl")
            .args(["-q", "close_connection", pid, "closed by the test"])
            .status()
            .unwrap();
        assert!(closed.success());
    }
    let reconnected = eventually(Duration::from_secs(30), || async {
        let now = connection_pids(&queue);
        !now.is_empty() && now.iter().all(|p| !before.contains(p))
    })
    .await;
    assert!(reconnected, "a new connection replaces the closed one");
    world
        .submit(&otp_envelope("TRP-R-1", &document(|_| {})))
        .await;
    assert_eq!(world.decision("TRP-R-1").await["outcome"], "approved");
    replica.stop().await;
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_the_database_dropping_its_connections() {
    let world = World::new().await;
    let replica = world.start().await;
    world
        .submit(&otp_envelope("TRP-P-1", &document(|_| {})))
        .await;
    assert_eq!(world.decision("TRP-P-1").await["outcome"], "approved");
    let kill = format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
        world.db.name
    );
    world.db.exec(&kill).await;
    for i in 2..=4 {
        world
            .submit(&otp_envelope(&format!("TRP-P-{i}"), &document(|_| {})))
            .await;
    }
    for i in 2..=4 {
        assert_eq!(
            world.decision(&format!("TRP-P-{i}")).await["outcome"],
            "approved"
        );
    }
    assert_eq!(world.db.count("SELECT count(*) FROM decisions").await, 4);
    replica.stop().await;
    world.cleanup().await;
}
