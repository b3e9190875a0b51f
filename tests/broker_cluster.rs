//! The worker on a three-node RabbitMQ cluster (`scripts/cluster.sh`) loses the node that
//! leads its work queue while applications flow, and gets it back: every application is
//! decided exactly once, every decision and status message arrives (a repeat only as the
//! same message), nothing is dead-lettered and nothing is left unacknowledged.
//!
//! It needs the cluster: `bash scripts/cluster.sh start` (scripts/test.sh starts it). Without
//! it the test fails and says so.

use crate::support;

use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lapin::types::{AMQPValue, FieldTable};
use serde_json::Value;

use trp_worker::broker::{self, topology::DeliveryLimit};

use support::amqp::{eventually, TestBroker};
use support::db::document;
use support::worker::{otp_envelope, Replica, World};

/// The nodes of scripts/cluster.sh and their AMQP ports.
const NODES: [(&str, u16); 3] = [("trp1", 5681), ("trp2", 5682), ("trp3", 5683)];

/// A bound on what the test submits while the node is away (5 every 200 ms until it is back).
const MAX_SUBMITTED: usize = 600;

fn url(port: u16) -> String {
    format!("amqp://guest:guest@127.0.0.1:{port}/%2f")
}

/// `amqp.url` for a replica: `first`'s node, then the others.
fn urls_from(first: &str) -> String {
    let mut nodes = NODES.to_vec();
    nodes.sort_by_key(|(name, _)| *name != first);
    let urls: Vec<String> = nodes.iter().map(|(_, port)| url(*port)).collect();
    urls.join(",")
}

/// Runs `scripts/cluster.sh` with `args`; its standard output.
fn cluster(args: &[&str]) -> String {
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/cluster.sh"))
        .args(args)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "scripts/cluster.sh {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A node stopped by the test; started again when dropped, should the test fail first.
struct Stopped(&'static str);

impl Stopped {
    fn node(name: &'static str) -> Self {
        cluster(&["stop", name]);
        Self(name)
    }

    fn start(self) {
        cluster(&["start", self.0]);
        std::mem::forget(self);
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/cluster.sh"))
            .args(["start", self.0])
            .status();
    }
}

async fn connect(urls: &[String]) -> lapin::Connection {
    broker::connect(urls, "trp-worker cluster test")
        .await
        .expect("the three-node cluster answers: run `bash scripts/cluster.sh start` (scripts/test.sh does)")
}

fn quorum() -> FieldTable {
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    arguments
}

fn consumed(replica: &Replica) -> u64 {
    replica.running.metrics.messages_consumed.get()
}

async fn decided(world: &World) -> i64 {
    world.db.count("SELECT count(*) FROM decisions").await
}

async fn submit(world: &World, from: usize, to: usize) {
    let doc = document(|_| {});
    for i in from..to {
        world
            .submit(&otp_envelope(&format!("TRP-C-{i}"), &doc))
            .await;
    }
}

/// Every message on `queue`, by `key` of its body: (message_id, body) of each copy.
async fn drain(
    world: &World,
    queue: &str,
    key: fn(&Value) -> String,
) -> HashMap<String, Vec<(String, Value)>> {
    let mut seen: HashMap<String, Vec<(String, Value)>> = HashMap::new();
    while let Some(got) = world.broker.take(queue).await {
        let body: Value = serde_json::from_slice(&got.delivery.data).expect("JSON");
        let id = got
            .delivery
            .properties
            .message_id()
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        seen.entry(key(&body)).or_default().push((id, body));
    }
    seen
}

/// Every one of `expected` keys on `queue` (90 s at most), each copy of one key the same message.
async fn all_once(world: &World, queue: &str, expected: usize, key: fn(&Value) -> String) -> usize {
    let mut seen: HashMap<String, Vec<(String, Value)>> = HashMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        for (k, copies) in drain(world, queue, key).await {
            seen.entry(k).or_default().extend(copies);
        }
        if seen.len() >= expected || tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let all = seen.len() >= expected;
    assert!(all, "{} of {expected} on {queue}", seen.len());
    assert_eq!(seen.len(), expected, "nothing else on {queue}");
    let mut repeats = 0;
    for (k, copies) in &seen {
        let (id, body) = &copies[0];
        assert!(!id.is_empty(), "{k}: a message_id");
        for (other_id, other_body) in &copies[1..] {
            assert_eq!(
                (other_id, other_body),
                (id, body),
                "{k}: a repeat is the same message"
            );
        }
        repeats += copies.len() - 1;
    }
    repeats
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_work_queue_leader_stops_and_comes_back() {
    let all: Vec<String> = NODES.iter().map(|(_, port)| url(*port)).collect();
    let broker = TestBroker::on(connect(&all).await, DeliveryLimit::Declared(10)).await;
    let mut world = World::with_broker(broker, quorum()).await;
    let work_queue = world.broker.names.work_queue.clone();
    let members = cluster(&["members", &work_queue]);
    assert_eq!(
        members, "trp1 trp2 trp3",
        "the work queue has a member on every node"
    );
    let leader = NODES
        .iter()
        .map(|(name, _)| *name)
        .find(|name| *name == cluster(&["leader", &work_queue]))
        .expect("the leader is one of the three");
    // The test itself speaks to a node that stays up.
    let (_, stays) = NODES.iter().find(|(name, _)| *name != leader).unwrap();
    world.broker.move_to(connect(&[url(*stays)]).await).await;

    // One replica connected to the leader (it loses its connection), one to another node.
    let prefetch = ("TRP__AMQP__PREFETCH", "8".to_owned());
    let in_flight = ("TRP__AMQP__MAX_IN_FLIGHT", "8".to_owned());
    let on_leader = world
        .start_with(&[
            ("TRP__AMQP__URL", urls_from(leader)),
            prefetch.clone(),
            in_flight.clone(),
        ])
        .await;
    let (elsewhere, _) = NODES.iter().find(|(name, _)| *name != leader).unwrap();
    let other = world
        .start_with(&[
            ("TRP__AMQP__URL", urls_from(elsewhere)),
            prefetch,
            in_flight,
        ])
        .await;

    submit(&world, 0, 50).await;
    let flowing = eventually(Duration::from_secs(60), || async {
        decided(&world).await >= 20
    })
    .await;
    assert!(flowing, "applications are being decided before the stop");
    let connections = world
        .db
        .count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        .await;

    // Applications keep arriving (through a node that stays up) from before the stop until
    // the node is back, so some are in flight when it goes away.
    let back = AtomicBool::new(false);
    let submitting = async {
        let mut next = 50;
        while !back.load(Ordering::Relaxed) && next < MAX_SUBMITTED {
            submit(&world, next, next + 5).await;
            next += 5;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        next
    };
    let cycle = async {
        let at_stop = (decided(&world).await, consumed(&on_leader));
        let began = tokio::time::Instant::now();
        let stopped = tokio::task::spawn_blocking(move || Stopped::node(leader))
            .await
            .unwrap();
        let queue = work_queue.clone();
        let new_leader = tokio::task::spawn_blocking(move || cluster(&["leader", &queue]))
            .await
            .unwrap();
        assert_ne!(new_leader, leader, "another node leads the work queue");
        let resumed = eventually(Duration::from_secs(60), || async {
            consumed(&on_leader) > at_stop.1
        })
        .await;
        assert!(
            resumed,
            "the replica that was on the stopped node consumes again"
        );
        let resumed_after = began.elapsed();
        tokio::task::spawn_blocking(move || stopped.start())
            .await
            .unwrap();
        back.store(true, Ordering::Relaxed);
        (at_stop.0, new_leader, resumed_after)
    };
    let (after, (at_stop, new_leader, resumed_after)) = tokio::join!(submitting, cycle);

    let n = after as i64;
    let finished = eventually(Duration::from_secs(90), || async {
        decided(&world).await == n
    })
    .await;
    assert!(finished, "{} of {n} decided", decided(&world).await);
    let once = world
        .db
        .count("SELECT count(DISTINCT application_id) FROM decisions")
        .await;
    assert_eq!(once, n, "one decision per application");

    let decisions = world.decisions.clone();
    let status = world.status.clone();
    let decision_repeats = all_once(&world, &decisions, after, |b| {
        b["application_id"].as_str().unwrap_or("").to_owned()
    })
    .await;
    // received, then approved: two status events per application.
    let status_repeats = all_once(&world, &status, 2 * after, |b| {
        format!(
            "{}/{}",
            b["application_id"].as_str().unwrap_or(""),
            b["state"].as_str().unwrap_or("")
        )
    })
    .await;

    let duplicates =
        on_leader.running.metrics.duplicates.get() + other.running.metrics.duplicates.get();
    on_leader.stop().await;
    other.stop().await;
    let dead = world.broker.names.dead_letter_queue.clone();
    assert_eq!(world.broker.ready(&dead).await, 0, "nothing dead-lettered");
    // No consumer is left, so anything unacknowledged would be ready again.
    assert_eq!(world.broker.consumers(&work_queue).await, 0);
    assert_eq!(
        world.broker.ready(&work_queue).await,
        0,
        "nothing left unacknowledged"
    );
    let unsent = world
        .db
        .count("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        .await;
    assert_eq!(unsent, 0, "the outbox is empty");
    // The figures docs/scaling.md quotes (run with --nocapture to see them).
    eprintln!(
        "cluster: {leader} stopped at {at_stop} decided of {n} submitted in all; new leader \
         {new_leader}; its replica consumed again {resumed_after:?} after the stop began; \
         deliveries seen again {duplicates}; decision repeats {decision_repeats}; \
         status repeats {status_repeats}; database connections while flowing \
         (two replicas at pool_size 8, and the test's) {connections}"
    );
    world.cleanup().await;
}
