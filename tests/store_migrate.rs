//! Migrations: replicas starting at once all succeed and the schema exists once; a
//! database migrated by the migrator before refinery upgrades without re-running anything;
//! an edited migration is refused.

use crate::support;

use support::db::TestDb;
use trp_worker::store::migrate::{migrate, HISTORY_TABLE, LEGACY_TABLE, MIGRATIONS};

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
        db.count(&format!("SELECT count(*) FROM {HISTORY_TABLE}"))
            .await,
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

/// What the migrator before refinery wrote, kept here as it was: the first `n` migrations
/// applied, each recorded in `schema_migrations (version, name, applied_at)`.
async fn migrate_as_before_refinery(db: &TestDb, n: usize) {
    db.exec(
        "CREATE TABLE schema_migrations (
             version    integer PRIMARY KEY,
             name       text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await;
    for m in &MIGRATIONS[..n] {
        db.exec(m.sql).await;
        db.exec(&format!(
            "INSERT INTO schema_migrations (version, name, applied_at)
             VALUES ({}, '{}', '2026-01-02 03:04:05+00')",
            m.version, m.name
        ))
        .await;
    }
}

#[tokio::test]
async fn a_database_migrated_before_refinery_upgrades_without_running_anything_twice() {
    let db = TestDb::empty().await;
    let before = MIGRATIONS.len() - 1;
    migrate_as_before_refinery(&db, before).await;
    // Data that a second run of migration 1 or 3 would fail on or lose.
    support::db::seed_sample_registries(&db).await;

    let applied = migrate(&db.pool).await.expect("the upgrade succeeds");
    assert_eq!(
        applied,
        [MIGRATIONS[before].version],
        "only the later one applied"
    );

    let client = db.client().await;
    let history: Vec<(i32, String, String)> = client
        .query(
            &format!("SELECT version, name, applied_on FROM {HISTORY_TABLE} ORDER BY version"),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(history.len(), MIGRATIONS.len());
    for ((version, name, applied_on), m) in history.iter().zip(MIGRATIONS) {
        assert_eq!((*version, name.as_str()), (m.version, m.name));
        let old = (*version as usize) <= before;
        assert_eq!(
            applied_on == "2026-01-02T03:04:05Z",
            old,
            "{name}: the old record's time is kept, the new one's is now ({applied_on})"
        );
    }
    assert_eq!(
        db.count(&format!("SELECT count(*) FROM {LEGACY_TABLE}"))
            .await,
        before as i64,
        "the old history stays as it was"
    );
    assert_eq!(db.count("SELECT count(*) FROM reg_biometrics").await, 1);
    assert_eq!(
        db.count("SELECT count(*) FROM deferred_applications").await,
        0,
        "the later migration's table exists"
    );
    // And again later: nothing to do.
    assert!(migrate(&db.pool).await.unwrap().is_empty());
    db.drop().await;
}

#[tokio::test]
async fn a_database_fully_migrated_before_refinery_has_nothing_to_apply() {
    let db = TestDb::empty().await;
    migrate_as_before_refinery(&db, MIGRATIONS.len()).await;
    assert!(migrate(&db.pool)
        .await
        .expect("the upgrade succeeds")
        .is_empty());
    assert_eq!(
        db.count(&format!("SELECT count(*) FROM {HISTORY_TABLE}"))
            .await,
        MIGRATIONS.len() as i64
    );
    db.drop().await;
}

#[tokio::test]
async fn an_edited_migration_is_refused() {
    let db = TestDb::migrated().await;
    // As if migration 3's file had been edited after it was applied.
    db.exec(&format!(
        "UPDATE {HISTORY_TABLE} SET checksum = '12345' WHERE version = 3"
    ))
    .await;
    let error = migrate(&db.pool).await.expect_err("refused").to_string();
    assert!(
        error.contains("migration V3__registries differs")
            && error.contains("a released migration was edited"),
        "{error}"
    );
    db.drop().await;
}

#[tokio::test]
async fn a_migration_this_build_does_not_have_is_refused() {
    let db = TestDb::migrated().await;
    db.exec(&format!(
        "INSERT INTO {HISTORY_TABLE} VALUES (99, 'from_the_future', '2027-01-01T00:00:00Z', '1')"
    ))
    .await;
    let error = migrate(&db.pool).await.expect_err("refused").to_string();
    assert!(
        error.contains("V99__from_the_future is applied to this database but not in this build"),
        "{error}"
    );
    db.drop().await;
}

#[tokio::test]
async fn an_old_history_naming_an_unknown_migration_is_refused() {
    let db = TestDb::empty().await;
    migrate_as_before_refinery(&db, 1).await;
    db.exec("INSERT INTO schema_migrations (version, name) VALUES (2, 'something_else')")
        .await;
    let error = migrate(&db.pool).await.expect_err("refused").to_string();
    assert!(
        error.contains("records migration 2 (something_else)"),
        "{error}"
    );
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM pg_tables WHERE tablename = '{HISTORY_TABLE}'"
        ))
        .await,
        0,
        "nothing half-written"
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_upgrading_an_old_history_at_once_move_it_once() {
    let db = TestDb::empty().await;
    let before = MIGRATIONS.len() - 1;
    migrate_as_before_refinery(&db, before).await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let pool = db.pool.clone();
        tasks.push(tokio::spawn(async move { migrate(&pool).await }));
    }
    let mut applied = Vec::new();
    for task in tasks {
        applied.push(task.await.expect("task").expect("migrate succeeds"));
    }
    applied.sort();
    let last = vec![MIGRATIONS[before].version];
    assert_eq!(applied, [vec![], vec![], vec![], last], "{applied:?}");
    assert_eq!(
        db.count(&format!("SELECT count(*) FROM {HISTORY_TABLE}"))
            .await,
        MIGRATIONS.len() as i64
    );
    db.drop().await;
}
