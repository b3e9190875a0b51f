//! The outbox: concurrent claimers never share a row; an expired lease is claimed again
//! with the same message id and bytes; sent rows leave the backlog.

use crate::support;

use std::collections::HashSet;
use std::time::Duration;

use support::db::{context, document, prepare, seed_sample_registries, TestDb};
use support::{calendar, rules};
use trp_worker::store::commit::record_batch;
use trp_worker::store::outbox::{backlog, claim, mark_sent};

async fn with_decisions(n: usize) -> TestDb {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let (rules, calendar) = (rules(), calendar());
    let doc = document(|_| {});
    let mut items = Vec::new();
    for i in 0..n {
        items.push(prepare(&db, &format!("TRP-OB-{i}"), &doc, Vec::new()).await);
    }
    record_batch(&db.pool, &items, &context(&rules, &calendar))
        .await
        .expect("recorded");
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_never_share_a_row() {
    let db = with_decisions(20).await; // 60 messages
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let pool = db.pool.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let rows = claim(&pool, 7, Duration::from_secs(60)).await.unwrap();
                if rows.is_empty() {
                    return mine;
                }
                mine.extend(rows.into_iter().map(|r| r.id));
            }
        }));
    }
    let mut seen = HashSet::new();
    for task in tasks {
        for id in task.await.unwrap() {
            assert!(seen.insert(id), "row {id} claimed twice");
        }
    }
    assert_eq!(seen.len(), 60);
    db.drop().await;
}

#[tokio::test]
async fn an_expired_lease_is_claimed_again_with_the_same_bytes() {
    let db = with_decisions(1).await;
    let first = claim(&db.pool, 10, Duration::from_millis(200))
        .await
        .unwrap();
    assert_eq!(first.len(), 3);
    assert!(claim(&db.pool, 10, Duration::from_secs(60))
        .await
        .unwrap()
        .is_empty());
    tokio::time::sleep(Duration::from_millis(400)).await;
    let again = claim(&db.pool, 10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(again, first, "same ids, message ids and bytes");
    let body: serde_json::Value = serde_json::from_slice(&again[1].body).unwrap();
    assert_eq!(body["message_id"], again[1].message_id.to_string());

    assert_eq!(backlog(&db.pool).await.unwrap(), 3 + 4);
    mark_sent(&db.pool, &[again[0].id, again[1].id])
        .await
        .unwrap();
    assert_eq!(backlog(&db.pool).await.unwrap(), 1 + 4);
    tokio::time::sleep(Duration::from_millis(10)).await;
    db.exec("UPDATE outbox SET claimed_until = now() - interval '1 second'")
        .await;
    let rest = claim(&db.pool, 10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(rest.iter().map(|r| r.id).collect::<Vec<_>>(), [again[2].id]);
    db.drop().await;
}
