//! Every wait on PostgreSQL is bounded: a lock held elsewhere, a statement that runs too
//! long and a pool with no free connection each become a transient error (a retry) within
//! the configured time instead of a stall, and a worker stuck behind such a lock still
//! stops within its grace period.

use crate::support;

use std::time::{Duration, Instant};

use serde_json::json;
use tokio_postgres::NoTls;

use support::db::{context, document, prepare, seed_sample_registries, TestDb};
use support::worker::{otp_envelope, World};
use support::{calendar, rules, set};
use trp_worker::store::commit::record_batch;
use trp_worker::store::pool::{build, Options};
use trp_worker::store::StoreError;

/// The sample employer's BIN, as the household-quota lock is keyed (its 12 digits).
const EMPLOYER_LOCK: i64 = 180_240_012_342;

/// A session of its own holding the sample employer's advisory lock, as a replica stuck
/// mid-commit would. Dropped, it lets go.
async fn hold_employer_lock(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.expect("connect");
    tokio::spawn(connection);
    client
        .execute("SELECT pg_advisory_lock($1)", &[&EMPLOYER_LOCK])
        .await
        .expect("lock taken");
    client
}

fn household_document() -> Vec<u8> {
    document(|v| set(v, "employer/household", json!(true)))
}

fn short(lock_ms: u64, statement_ms: u64, size: usize) -> Options {
    Options {
        lock_timeout: Duration::from_millis(lock_ms),
        statement_timeout: Duration::from_millis(statement_ms),
        wait_timeout: Duration::from_millis(300),
        ..Options::new(size)
    }
}

fn assert_transient(e: &StoreError, code: &str) {
    assert!(e.is_transient(), "{e}");
    assert!(e.to_string().contains(code), "{e}");
}

#[tokio::test]
async fn a_held_employer_lock_yields_a_retry_not_a_stall() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let item = prepare(&db, "TRP-LOCK-1", &household_document(), Vec::new()).await;
    let holder = hold_employer_lock(&db.url).await;
    let pool = build(&db.url, None, &short(300, 30_000, 2)).expect("pool");
    let (rules, calendar) = (rules(), calendar());

    let started = Instant::now();
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        record_batch(
            &pool,
            std::slice::from_ref(&item),
            &context(&rules, &calendar),
        ),
    )
    .await
    .expect("record_batch returns instead of waiting for the lock");
    let e = result.expect_err("the lock is held elsewhere");
    assert_transient(&e, "55P03");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(db.count("SELECT count(*) FROM decisions").await, 0);

    // Once the lock is let go, the retry goes through.
    drop(holder);
    let recorded = record_batch(&pool, &[item], &context(&rules, &calendar))
        .await
        .expect("recorded once the lock is free");
    assert_eq!(recorded.len(), 1);
    assert_eq!(db.count("SELECT count(*) FROM decisions").await, 1);
    pool.close();
    db.drop().await;
}

#[tokio::test]
async fn a_statement_past_its_timeout_is_cancelled_and_transient() {
    let db = TestDb::empty().await;
    let pool = build(&db.url, None, &short(5_000, 200, 1)).expect("pool");
    let client = pool.get().await.expect("connection");
    let started = Instant::now();
    let e = client
        .simple_query("SELECT pg_sleep(10)")
        .await
        .map(drop)
        .map_err(StoreError::from)
        .expect_err("cancelled by statement_timeout");
    assert_transient(&e, "57014");
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(client);
    pool.close();
    db.drop().await;
}

#[tokio::test]
async fn a_pool_with_no_free_connection_answers_within_its_wait_timeout() {
    let db = TestDb::empty().await;
    let pool = build(&db.url, None, &short(5_000, 30_000, 1)).expect("pool");
    let busy = pool.get().await.expect("the only connection");
    let started = Instant::now();
    let e = StoreError::from(pool.get().await.expect_err("none free"));
    assert!(e.is_transient(), "{e}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    drop(busy);
    pool.close();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_behind_a_held_lock_retries_and_stops_within_its_grace_period() {
    let world = World::new().await;
    let holder = hold_employer_lock(&world.db.url).await;
    let grace = Duration::from_secs(5);
    let replica = world
        .start_with(&[
            ("TRP__DATABASE__LOCK_TIMEOUT_MS", "300".into()),
            ("TRP__SHUTDOWN__GRACE_S", grace.as_secs().to_string()),
        ])
        .await;
    world
        .submit(&otp_envelope("TRP-LOCK-W1", &household_document()))
        .await;

    // Taken, refused the lock, put back and taken again: a retry, not a handler stuck.
    let metrics = replica.running.metrics.clone();
    let retried = support::amqp::eventually(Duration::from_secs(30), || {
        let consumed = metrics.messages_consumed.get();
        async move { consumed >= 2 }
    })
    .await;
    assert!(
        retried,
        "delivered {} time(s)",
        metrics.messages_consumed.get()
    );
    assert_eq!(world.db.count("SELECT count(*) FROM decisions").await, 0);

    let started = Instant::now();
    replica.shutdown.cancel();
    tokio::time::timeout(grace, replica.running.done)
        .await
        .expect("stops within the grace period")
        .expect("the worker task ends cleanly")
        .expect("the worker did not stop by itself");
    assert!(started.elapsed() < grace, "{:?}", started.elapsed());
    drop(holder);
    world.cleanup().await;
}
