//! Many replicas, crashes and restarts: each application gets exactly one decision whatever
//! happens, and the household quota holds when replicas decide one employer's applications
//! at once.

use crate::support;

use std::collections::HashMap;
use std::process::Child;
use std::time::Duration;

use serde_json::{json, Value};

use support::amqp::eventually;
use support::db::document;
use support::set;
use support::worker::{otp_envelope, signal, spawn_binary, World};

const EMPLOYER: &str = "180240012342";

async fn decided(world: &World) -> i64 {
    world.db.count("SELECT count(*) FROM decisions").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_keep_the_household_quota() {
    let world = World::new().await;
    for i in 1..=3 {
        let sql = format!(
            "INSERT INTO reg_permits VALUES ('EXT-{i}', '11111111111{i}', '{EMPLOYER}', true, '2026-01-01', '2027-12-31')"
        );
        world.db.exec(&sql).await;
    }
    let replicas = [
        world.start().await,
        world.start().await,
        world.start().await,
    ];
    let household = document(|v| set(v, "employer/household", json!(true)));
    for i in 0..10 {
        world
            .submit(&otp_envelope(&format!("TRP-Q-{i}"), &household))
            .await;
    }
    let all = eventually(Duration::from_secs(60), || async {
        decided(&world).await == 10
    })
    .await;
    assert!(all, "ten decisions");
    let approved = world
        .db
        .count("SELECT count(*) FROM decisions WHERE outcome = 'approved'")
        .await;
    assert_eq!(approved, 2, "3 held + 2 = the limit of five");
    let quota_refusals = world
        .db
        .count("SELECT count(*) FROM decisions WHERE reasons::text LIKE '%eligibility.household_quota%'")
        .await;
    assert_eq!(quota_refusals, 8);
    for r in replicas {
        r.stop().await;
    }
    world.cleanup().await;
}

/// The real binary, configured like the in-process replicas, its output in `log`.
fn spawn_worker(world: &World, log: &std::path::Path) -> Child {
    let env = world.env_with(&[
        ("TRP__BATCH__MAX_SIZE", "16".into()),
        ("TRP__BATCH__MAX_WAIT_MS", "20".into()),
        // A claim left by the killed worker runs out soon, so the restart re-sends it.
        ("TRP__OUTBOX__LEASE_S", "2".into()),
        // Info lines are written from every runtime thread: a stdout lock held by the main
        // thread would stall the worker (it once did).
        ("TRP__LOG__FILTER", "info".into()),
    ]);
    spawn_binary(&env, log)
}

/// Every decision message on the decisions queue, by application id.
async fn published_decisions(world: &World, expected: usize) -> HashMap<String, Vec<Value>> {
    let queue = world.decisions.clone();
    let mut by_id: HashMap<String, Vec<Value>> = HashMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while by_id.len() < expected && tokio::time::Instant::now() < deadline {
        match world.broker.take(&queue).await {
            Some(got) => {
                let body: Value = serde_json::from_slice(&got.delivery.data).unwrap();
                let id = body["application_id"].as_str().unwrap().to_owned();
                by_id.entry(id).or_default().push(body);
            }
            None => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    // Copies published twice may still be on their way: take what is there now.
    while let Some(got) = world.broker.take(&queue).await {
        let body: Value = serde_json::from_slice(&got.delivery.data).unwrap();
        let id = body["application_id"].as_str().unwrap().to_owned();
        by_id.entry(id).or_default().push(body);
    }
    assert_eq!(by_id.len(), expected, "applications published");
    by_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_in_the_middle_of_a_batch_then_restart() {
    let world = World::new().await;
    let log = tempfile::NamedTempFile::new().unwrap();
    let n = 120;
    let doc = document(|_| {});
    for i in 0..n {
        world
            .submit(&otp_envelope(&format!("TRP-K-{i}"), &doc))
            .await;
    }
    let mut first = spawn_worker(&world, log.path());
    let started = eventually(Duration::from_secs(60), || async {
        decided(&world).await >= 10
    })
    .await;
    assert!(
        started,
        "the first worker decides some: {}",
        std::fs::read_to_string(log.path()).unwrap_or_default()
    );
    first.kill().expect("SIGKILL");
    first.wait().unwrap();
    let at_kill = decided(&world).await;

    let mut second = spawn_worker(&world, log.path());
    let finished = eventually(Duration::from_secs(90), || async {
        decided(&world).await == n
    })
    .await;
    assert!(
        finished,
        "{} of {n} decided after the restart (killed at {at_kill}); log:\n{}",
        decided(&world).await,
        std::fs::read_to_string(log.path()).unwrap_or_default()
    );
    let by_id = published_decisions(&world, n as usize).await;
    for (id, copies) in &by_id {
        // A message sent twice (crash between publishing and recording) is the same message.
        assert!(
            copies.iter().all(|c| c == &copies[0]),
            "{id}: copies differ"
        );
    }
    let permits = world.db.count("SELECT count(*) FROM permits").await;
    let distinct = world
        .db
        .count("SELECT count(DISTINCT number) FROM permits")
        .await;
    assert_eq!(
        (permits, distinct),
        (n, n),
        "every approval has its own permit number"
    );
    second.kill().unwrap();
    second.wait().unwrap();
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_what_is_in_flight_and_exits_0() {
    let world = World::new().await;
    let log = tempfile::NamedTempFile::new().unwrap();
    let n = 60;
    let doc = document(|_| {});
    for i in 0..n {
        world
            .submit(&otp_envelope(&format!("TRP-T-{i}"), &doc))
            .await;
    }
    let mut worker = spawn_worker(&world, log.path());
    let started = eventually(Duration::from_secs(60), || async {
        decided(&world).await >= 5
    })
    .await;
    assert!(
        started,
        "{}",
        std::fs::read_to_string(log.path()).unwrap_or_default()
    );
    signal(&worker, "TERM");
    let status = worker.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "{}",
        std::fs::read_to_string(log.path()).unwrap_or_default()
    );

    // Nothing is left unacknowledged: what was decided is acknowledged, the rest is ready.
    let ready = world.broker.ready(&world.broker.names.work_queue).await as i64;
    assert_eq!(
        decided(&world).await + ready,
        n,
        "every message decided or back in the queue"
    );
    let unsent = world
        .db
        .count("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        .await;
    assert_eq!(unsent, 0, "the outbox was flushed before exit");

    let mut again = spawn_worker(&world, log.path());
    let all = eventually(Duration::from_secs(60), || async {
        decided(&world).await == n
    })
    .await;
    assert!(all);
    again.kill().unwrap();
    again.wait().unwrap();
    world.cleanup().await;
}
