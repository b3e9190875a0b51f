//! The household quota under concurrency: an employer holding 3 valid household permits
//! gets exactly 2 more, however the 10 applications are recorded.

use crate::support;

use std::sync::Arc;

use serde_json::json;

use support::db::{context, document, prepare, seed_sample_registries, TestDb};
use support::{calendar, rules, set};
use trp_worker::domain::decision::Outcome;
use trp_worker::store::commit::{record_batch, Prepared, Recorded};

/// 3 permits that count (one ends on the submission date itself, which is not before it),
/// and 3 that do not: expired the day before, not for household work, another employer.
async fn seed_permits(db: &TestDb) {
    db.exec(
        "INSERT INTO reg_permits VALUES
           ('P-1', '900517310006', '180240012342', true,  '2026-01-01', '2026-12-31'),
           ('P-2', '900517310006', '180240012342', true,  '2026-01-01', '2027-06-30'),
           ('P-3', '900517310006', '180240012342', true,  '2025-11-24', '2026-11-24'),
           ('P-4', '900517310006', '180240012342', true,  '2025-11-23', '2026-11-23'),
           ('P-5', '900517310006', '180240012342', false, '2026-01-01', '2026-12-31'),
           ('P-6', '900517310006', '000000000000', true,  '2026-01-01', '2026-12-31');",
    )
    .await;
}

async fn ten_household_applications(db: &TestDb) -> Vec<Prepared> {
    let doc = document(|v| set(v, "employer/household", json!(true)));
    let mut items = Vec::new();
    for i in 0..10 {
        items.push(prepare(db, &format!("TRP-HH-{i}"), &doc, Vec::new()).await);
    }
    items
}

async fn assert_two_approved(db: &TestDb, recorded: &[Recorded]) {
    let approved = recorded
        .iter()
        .filter(|r| {
            matches!(
                r,
                Recorded::Decided {
                    outcome: Outcome::Approved,
                    ..
                }
            )
        })
        .count();
    assert_eq!(approved, 2, "{recorded:?}");
    assert_eq!(recorded.len(), 10);
    assert_eq!(
        db.count("SELECT count(*) FROM permits WHERE household")
            .await,
        2
    );
    let quota_refusals = db
        .count(
            "SELECT count(*) FROM decisions
             WHERE outcome = 'refused'
               AND reasons @> '[{\"code\": \"eligibility.household_quota\"}]'",
        )
        .await;
    assert_eq!(quota_refusals, 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn ten_replicas_at_once_approve_exactly_two() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    seed_permits(&db).await;
    let items = ten_household_applications(&db).await;
    let shared = Arc::new((rules(), calendar()));
    let barrier = Arc::new(tokio::sync::Barrier::new(items.len()));
    let mut tasks = Vec::new();
    for item in items {
        let (pool, shared, barrier) = (db.pool.clone(), shared.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let ctx = context(&shared.0, &shared.1);
            record_batch(&pool, &[item], &ctx).await.expect("recorded")
        }));
    }
    let mut recorded = Vec::new();
    for task in tasks {
        recorded.extend(task.await.expect("task"));
    }
    assert_two_approved(&db, &recorded).await;
    db.drop().await;
}

#[tokio::test]
async fn one_batch_of_ten_approves_exactly_two() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    seed_permits(&db).await;
    let items = ten_household_applications(&db).await;
    let (rules, calendar) = (rules(), calendar());
    let recorded = record_batch(&db.pool, &items, &context(&rules, &calendar))
        .await
        .expect("recorded");
    // In batch order: the first two are approved.
    assert!(recorded[..2].iter().all(|r| matches!(
        r,
        Recorded::Decided {
            outcome: Outcome::Approved,
            ..
        }
    )));
    assert_two_approved(&db, &recorded).await;
    db.drop().await;
}
