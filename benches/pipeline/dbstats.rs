//! Where the database's CPU goes, from PostgreSQL's own counters of the bench's database:
//! index entries read per decision by index (a queue claim that walks dead or other
//! channels' entries shows here) and autovacuum runs, over a drain. PostgreSQL publishes
//! these counters within about a second, so the figures lag by up to that much.

use std::collections::HashMap;

use tokio_postgres::NoTls;

/// Index entries read so far, by index, and autovacuum runs.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    reads: HashMap<String, i64>,
    autovacuums: i64,
}

pub async fn snapshot(url: &str) -> anyhow::Result<Snapshot> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    let rows = client
        .query(
            "SELECT indexrelname::text, idx_tup_read FROM pg_stat_user_indexes",
            &[],
        )
        .await?;
    let reads = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let autovacuums: i64 = client
        .query_one(
            "SELECT coalesce(sum(autovacuum_count), 0)::bigint FROM pg_stat_user_tables",
            &[],
        )
        .await?
        .get(0);
    Ok(Snapshot { reads, autovacuums })
}

/// The indexes read most between `before` and `after`, per decision, and the autovacuum
/// runs in between, as one line.
pub fn summary(before: &Snapshot, after: &Snapshot, decisions: usize) -> String {
    let mut reads: Vec<(&String, i64)> = after
        .reads
        .iter()
        .map(|(name, n)| (name, n - before.reads.get(name).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    reads.sort_by_key(|(_, n)| -n);
    let top: Vec<String> = reads
        .iter()
        .take(4)
        .map(|(name, n)| format!("`{name}` {:.0}", *n as f64 / decisions.max(1) as f64))
        .collect();
    format!(
        "index entries read per decision: {}; autovacuum runs during the drain: {}",
        top.join(", "),
        after.autovacuums - before.autovacuums
    )
}
