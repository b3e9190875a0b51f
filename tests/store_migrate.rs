//! Migrations: replicas starting at once all succeed and the schema exists once.

mod support;

use support::db::TestDb;
use trp_worker::store::migrate::{migrate, MIGRATIONS};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_concurrent_migrations_all_succeed_and_apply_once() {
    let db = TestDb::empty().await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let pool = db.pool.clone();
        tasks.push(tokio::spawn(async move { migrate(&pool).await }));
    }
    let mut applied = Vec::new();
    for task in tasks {
        applied.push(task.await.expect("task").expect("migrate succeeds"));
    }
    // Exactly one of them applied everything; the others found nothing to do.
    let all: Vec<i32> = MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(
        applied.iter().filter(|a| **a == all).count(),
        1,
        "{applied:?}"
    );
    assert_eq!(
        applied.iter().filter(|a| a.is_empty()).count(),
        3,
        "{applied:?}"
    );
    assert_eq!(
        db.count("SELECT count(*) FROM schema_migrations").await,
        MIGRATIONS.len() as i64
    );
    for table in [
        "applications",
        "decisions",
        "permits",
        "outbox",
        "notifications",
        "reg_biometrics",
        "reg_invalid_documents",
        "reg_mobile_citizens",
        "reg_permits",
    ] {
        let n = db
            .count(&format!(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = '{table}'"
            ))
            .await;
        assert_eq!(n, 1, "{table}");
    }
    // And again later: nothing to do.
    assert!(migrate(&db.pool).await.unwrap().is_empty());
    db.drop().await;
}
