//! Schema migrations: SQL files under `migrations/`, compiled in, applied in order in one
//! transaction under an advisory lock, so that replicas starting at once apply each exactly
//! once and a half-applied schema is never seen.

use deadpool_postgres::Pool;

use super::StoreError;

/// One migration: its version (the file's number) and name, and the SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in the order they apply. A released one is never edited: a change is a
/// new file.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "applications_decisions_permits",
        sql: include_str!("../../migrations/0001_applications_decisions_permits.sql"),
    },
    Migration {
        version: 2,
        name: "outbox_notifications",
        sql: include_str!("../../migrations/0002_outbox_notifications.sql"),
    },
    Migration {
        version: 3,
        name: "registries",
        sql: include_str!("../../migrations/0003_registries.sql"),
    },
    Migration {
        version: 4,
        name: "dispatch_indexes",
        sql: include_str!("../../migrations/0004_dispatch_indexes.sql"),
    },
    Migration {
        version: 5,
        name: "deferred",
        sql: include_str!("../../migrations/0005_deferred.sql"),
    },
];

/// The key of the advisory lock that serialises migrations ("trp_migr" in ASCII). The
/// household-quota locks use BINs (below 10^12), so the two never meet.
pub const LOCK_KEY: i64 = 0x7472_705F_6D69_6772;

/// Applies the migrations not applied yet; returns the versions it applied.
pub async fn migrate(pool: &Pool) -> Result<Vec<i32>, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // A migration may build an index for longer than `database.statement_timeout_ms`;
    // `lock_timeout` still holds, so one that waits behind another replica is retried.
    tx.batch_execute("SET LOCAL statement_timeout = 0").await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    // Under the lock, so two replicas never race to create it.
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    integer PRIMARY KEY,
             name       text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let applied: Vec<i32> = tx
        .query("SELECT version FROM schema_migrations", &[])
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let mut now_applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        tx.batch_execute(m.sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )
        .await?;
        now_applied.push(m.version);
    }
    tx.commit().await?;
    if !now_applied.is_empty() {
        tracing::info!(versions = ?now_applied, "applied database migrations");
    }
    Ok(now_applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_names_match_the_files() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version);
        }
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i32 + 1);
            assert!(!m.sql.trim().is_empty());
        }
    }
}
