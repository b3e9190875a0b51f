//! The outbox relay. What this replica commits reaches it from memory ([`super::dispatch`])
//! and is published at once, with publisher confirms, then marked sent in one statement.
//! Rows whose lease ran out (a replica that died, a queue that was full, a broker that was
//! down) are found by a scan (`SKIP LOCKED` and a lease, so replicas share them) and go out
//! the same way. A crash between publishing and marking leaves the lease to run out; the
//! message then goes out again with the same `message_id` and bytes.

use std::time::Duration;

use tokio::sync::{mpsc, Mutex};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::dispatch::{gather, Fresh};
use crate::broker::names::Names;
use crate::broker::publisher::Publisher;
use crate::broker::BrokerError;
use crate::domain::messages::{Outgoing, DECISION_SCHEMA, STATUS_SCHEMA};
use crate::store::outbox::{self, OutboxRow};
use crate::store::StoreError;

/// How often the relay scans for rows whose lease ran out.
const SCAN_EVERY: Duration = Duration::from_secs(2);
/// Time a publish from memory must have left under the lease to be started (at most half
/// the lease).
const PUBLISH_MARGIN: Duration = Duration::from_secs(5);
/// Most messages published from memory in one round.
const ROUND_MAX: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Broker(#[from] BrokerError),
}

pub struct Relay {
    pub pool: deadpool_postgres::Pool,
    pub names: Names,
    /// Rows one scan claims.
    pub batch: i64,
    /// How long a scan's claim lasts.
    pub lease: Duration,
    /// What this replica committed, from the committer; kept across broker sessions.
    pub fresh: Mutex<mpsc::Receiver<Fresh<OutboxRow>>>,
}

/// The stored row as a message to publish; the schema is one of ours, or the row is skipped.
fn to_outgoing(row: OutboxRow) -> Option<Outgoing> {
    let schema = match row.schema.as_str() {
        DECISION_SCHEMA => DECISION_SCHEMA,
        STATUS_SCHEMA => STATUS_SCHEMA,
        _ => return None,
    };
    Some(Outgoing {
        message_id: row.message_id,
        destination: row.destination,
        routing_key: row.routing_key,
        schema,
        timestamp: row.timestamp,
        body: row.body,
    })
}

impl Relay {
    pub fn new(
        pool: deadpool_postgres::Pool,
        names: Names,
        batch: i64,
        lease: Duration,
        fresh: mpsc::Receiver<Fresh<OutboxRow>>,
    ) -> Self {
        Self {
            pool,
            names,
            batch,
            lease,
            fresh: Mutex::new(fresh),
        }
    }

    /// Publishes `rows` and marks them sent; returns how many went out.
    async fn publish(
        &self,
        publisher: &Publisher,
        rows: Vec<OutboxRow>,
    ) -> Result<usize, RelayError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let messages: Vec<Outgoing> = rows.into_iter().filter_map(to_outgoing).collect();
        if let Err(e) = publisher.publish_batch(&self.names, &messages).await {
            // Free them for the next scan (this replica's after it reconnects, or another's)
            // rather than wait for the lease; if the database is down too, the lease does it.
            if let Err(store) = outbox::release(&self.pool, &ids).await {
                tracing::warn!(error = %store, "could not release unpublished outbox rows");
            }
            return Err(e.into());
        }
        outbox::mark_sent(&self.pool, &ids).await?;
        Ok(ids.len())
    }

    /// Claims one batch of rows whose lease ran out and publishes it; returns how many
    /// messages went out.
    pub async fn round(&self, publisher: &Publisher) -> Result<usize, RelayError> {
        let rows = outbox::claim(&self.pool, self.batch, self.lease).await?;
        self.publish(publisher, rows).await
    }

    /// Publishes what this replica committed, from memory, as it comes, and scans for
    /// rows whose lease ran out every [`SCAN_EVERY`], until `shutdown`; then publishes
    /// what is already queued or due. A database failure is retried (the messages stay in
    /// the outbox); a broker failure ends the run, for the caller to reconnect.
    pub async fn run(
        &self,
        publisher: &Publisher,
        shutdown: CancellationToken,
    ) -> Result<(), BrokerError> {
        let mut fresh = self.fresh.lock().await;
        let margin = PUBLISH_MARGIN.min(self.lease / 2);
        let mut scan_at = Instant::now();
        let mut open = true;
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep_until(scan_at) => {
                    let found = self.settle(self.round(publisher).await)?;
                    scan_at = Instant::now() + if found > 0 { Duration::ZERO } else { SCAN_EVERY };
                }
                got = fresh.recv(), if open => match got {
                    Some(first) => {
                        let (rows, _) = gather(first, &mut fresh, ROUND_MAX, margin);
                        self.settle(self.publish(publisher, rows).await)?;
                    }
                    None => open = false,
                },
            }
        }
        while let Ok(first) = fresh.try_recv() {
            let (rows, _) = gather(first, &mut fresh, ROUND_MAX, margin);
            self.settle(self.publish(publisher, rows).await)?;
        }
        while self.settle(self.round(publisher).await)? > 0 {}
        Ok(())
    }

    /// A broker failure ends the run; a database failure is logged and counts as nothing
    /// published (what was not marked sent goes out again after its lease).
    fn settle(&self, result: Result<usize, RelayError>) -> Result<usize, BrokerError> {
        match result {
            Ok(n) => Ok(n),
            Err(RelayError::Broker(e)) => Err(e),
            Err(RelayError::Store(e)) => {
                tracing::warn!(error = %e, "outbox unreachable; its rows wait for their lease");
                Ok(0)
            }
        }
    }
}
