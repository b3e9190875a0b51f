//! Schema migrations: SQL files under `migrations/`, compiled in, applied by `refinery`
//! (which records a checksum of each and refuses to go on when a released one was edited)
//! in one transaction, under an advisory lock of ours, so that replicas starting at once
//! apply each exactly once and a half-applied schema is never seen.

use deadpool_postgres::Pool;
use refinery_core::Runner;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio_postgres::Client;

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
    Migration {
        version: 6,
        name: "replay_retention",
        sql: include_str!("../../migrations/0006_replay_retention.sql"),
    },
];

/// The key of the advisory lock that serialises migrations ("trp_migr" in ASCII). The
/// household-quota locks use BINs (below 10^12), so the two never meet.
pub const LOCK_KEY: i64 = 0x7472_705F_6D69_6772;

/// refinery's history table: version, name, applied_on (RFC 3339 text) and checksum.
pub const HISTORY_TABLE: &str = "refinery_schema_history";

/// The history our own migrator kept before refinery: `(version, name, applied_at)`,
/// without checksums. It is read once, to fill [`HISTORY_TABLE`], and never written again.
pub const LEGACY_TABLE: &str = "schema_migrations";

/// Applies the migrations not applied yet; returns the versions it applied.
///
/// The lock is a session lock, since refinery opens its own transaction: the connection
/// that holds it is taken out of the pool and closed afterwards, whatever happened, so the
/// lock (and `statement_timeout = 0`) never outlive the run.
pub async fn migrate(pool: &Pool) -> Result<Vec<i32>, StoreError> {
    let mut object = pool.get().await?;
    let result = migrate_locked(&mut object).await;
    drop(deadpool_postgres::Object::take(object));
    let applied = result?;
    if !applied.is_empty() {
        tracing::info!(versions = ?applied, "applied database migrations");
    }
    Ok(applied)
}

async fn migrate_locked(client: &mut Client) -> Result<Vec<i32>, StoreError> {
    // A migration may build an index for longer than `database.statement_timeout_ms`;
    // `lock_timeout` still holds, so one that waits behind another replica is retried.
    client.batch_execute("SET statement_timeout = 0").await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await?;
    adopt_legacy_history(client).await?;
    let report = runner()?.run_async(client).await.map_err(refused)?;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await?;
    report
        .applied_migrations()
        .iter()
        .map(|m| {
            i32::try_from(m.version())
                .map_err(|_| StoreError::Migration(format!("version {} too large", m.version())))
        })
        .collect()
}

/// [`MIGRATIONS`] as refinery takes them: `V<version>__<name>`, applied in one transaction,
/// refusing a recorded migration whose checksum differs from the file's (edited) or that
/// this build does not have (a newer build migrated the database).
fn runner() -> Result<Runner, StoreError> {
    let migrations = MIGRATIONS
        .iter()
        .map(|m| refinery_core::Migration::unapplied(&m.refinery_name(), m.sql))
        .collect::<Result<Vec<_>, _>>()
        .map_err(refused)?;
    let mut runner = Runner::new(&migrations)
        .set_grouped(true)
        .set_abort_divergent(true)
        .set_abort_missing(true);
    runner.set_migration_table_name(HISTORY_TABLE);
    Ok(runner)
}

impl Migration {
    /// The name refinery knows it by, e.g. `V1__applications_decisions_permits`.
    pub fn refinery_name(&self) -> String {
        format!("V{}__{}", self.version, self.name)
    }

    /// The checksum refinery records for it (of its name, version and SQL).
    pub fn checksum(&self) -> Result<u64, StoreError> {
        refinery_core::Migration::unapplied(&self.refinery_name(), self.sql)
            .map(|m| m.checksum())
            .map_err(refused)
    }
}

/// A database migrated before refinery has [`LEGACY_TABLE`] and no [`HISTORY_TABLE`]: the
/// latter is created and filled, in one transaction, with a row for each recorded version
/// (its name and time as recorded, the checksum of this build's file), so that nothing
/// applies twice. The legacy table stays as it was. Old rows had no checksum: an edit made
/// before this upgrade cannot be seen; every edit after it is.
async fn adopt_legacy_history(client: &mut Client) -> Result<(), StoreError> {
    let row = client
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL",
            &[&LEGACY_TABLE, &HISTORY_TABLE],
        )
        .await?;
    let (legacy, history): (bool, bool) = (row.get(0), row.get(1));
    if !legacy || history {
        return Ok(());
    }
    let tx = client.transaction().await?;
    tx.batch_execute(&format!(
        "CREATE TABLE {HISTORY_TABLE} (
             version    int4 PRIMARY KEY,
             name       varchar(255),
             applied_on varchar(255),
             checksum   varchar(255)
         )"
    ))
    .await?;
    let recorded = tx
        .query(
            &format!("SELECT version, name, applied_at FROM {LEGACY_TABLE} ORDER BY version"),
            &[],
        )
        .await?;
    for row in recorded {
        let (version, name, at): (i32, String, OffsetDateTime) =
            (row.get(0), row.get(1), row.get(2));
        let known = MIGRATIONS
            .iter()
            .find(|m| m.version == version && m.name == name)
            .ok_or_else(|| {
                StoreError::Migration(format!(
                    "{LEGACY_TABLE} records migration {version} ({name}), which this build \
                     does not have: the database was migrated by another build"
                ))
            })?;
        let applied_on = at
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .map_err(|e| StoreError::Migration(format!("{LEGACY_TABLE}: {e}")))?;
        tx.execute(
            &format!(
                "INSERT INTO {HISTORY_TABLE} (version, name, applied_on, checksum)
                 VALUES ($1, $2, $3, $4)"
            ),
            &[&version, &name, &applied_on, &known.checksum()?.to_string()],
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(
        from = LEGACY_TABLE,
        to = HISTORY_TABLE,
        "migration history moved to refinery's table"
    );
    Ok(())
}

/// refinery's refusal in words that say what to do.
fn refused(e: refinery_core::Error) -> StoreError {
    use refinery_core::error::Kind;
    let message = match e.kind() {
        Kind::DivergentVersion(applied, ours) => format!(
            "migration {ours} differs from the one applied to this database \
             (recorded checksum {}, the file's {}): a released migration was edited; \
             restore it and put the change in a new migration",
            applied.checksum(),
            ours.checksum()
        ),
        Kind::MissingVersion(applied) => format!(
            "migration {applied} is applied to this database but not in this build: \
             it was migrated by a newer build"
        ),
        Kind::Connection(what, cause) => match cause.downcast_ref::<tokio_postgres::Error>() {
            Some(db) => format!("{what}: {}", super::error::describe(db)),
            None => format!("{what}: {cause}"),
        },
        other => other.to_string(),
    };
    StoreError::Migration(message)
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

    /// The mapping from the files (`NNNN_<name>.sql`) to refinery's names (`V<N>__<name>`)
    /// is explicit: every file is in [`MIGRATIONS`] under its number and name, with its
    /// bytes, and nothing else is.
    #[test]
    fn every_file_in_migrations_is_listed_under_its_number_and_name() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<(i32, String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .map(|p| {
                let stem = p.file_stem().unwrap().to_str().unwrap().to_owned();
                let (number, name) = stem.split_once('_').expect("NNNN_<name>.sql");
                let sql = std::fs::read_to_string(&p).unwrap();
                (number.parse().unwrap(), name.to_owned(), sql)
            })
            .collect();
        files.sort();
        let listed: Vec<(i32, String, String)> = MIGRATIONS
            .iter()
            .map(|m| (m.version, m.name.to_owned(), m.sql.to_owned()))
            .collect();
        assert_eq!(files, listed);
        assert_eq!(
            MIGRATIONS[0].refinery_name(),
            "V1__applications_decisions_permits"
        );
    }

    #[test]
    fn the_checksum_changes_with_the_sql() {
        let m = MIGRATIONS[2];
        let edited = Migration {
            sql: "CREATE TABLE edited ();",
            ..m
        };
        assert_eq!(m.checksum().unwrap(), m.checksum().unwrap());
        assert_ne!(m.checksum().unwrap(), edited.checksum().unwrap());
    }
}
