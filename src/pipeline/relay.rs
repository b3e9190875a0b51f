//! The outbox relay: claims recorded messages (replicas share them without blocking, `SKIP
//! LOCKED` and a lease), publishes them with publisher confirms, and marks them sent. A crash
//! between publishing and marking leaves the lease to run out; the message then goes out
//! again with the same `message_id` and bytes.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::broker::names::Names;
use crate::broker::publisher::Publisher;
use crate::broker::BrokerError;
use crate::domain::messages::{Outgoing, DECISION_SCHEMA, STATUS_SCHEMA};
use crate::store::outbox::{self, OutboxRow};
use crate::store::StoreError;

/// How often an idle relay looks for work it was not told of (another replica's leftovers).
const IDLE_POLL: Duration = Duration::from_millis(500);

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
    pub batch: i64,
    pub lease: Duration,
    /// Woken after each commit, so a decision goes out at once rather than at the next poll.
    pub wake: Arc<Notify>,
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
    /// Publishes one claimed batch; returns how many messages went out.
    pub async fn round(&self, publisher: &Publisher) -> Result<usize, RelayError> {
        let rows = outbox::claim(&self.pool, self.batch, self.lease).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let messages: Vec<Outgoing> = rows.into_iter().filter_map(to_outgoing).collect();
        publisher.publish_batch(&self.names, &messages).await?;
        outbox::mark_sent(&self.pool, &ids).await?;
        Ok(ids.len())
    }

    /// Runs rounds until `shutdown`, then flushes what is already recorded. A database
    /// failure waits and tries again (the messages stay in the outbox); a broker failure
    /// ends the run, for the caller to reconnect.
    pub async fn run(
        &self,
        publisher: &Publisher,
        shutdown: CancellationToken,
    ) -> Result<(), BrokerError> {
        loop {
            match self.round(publisher).await {
                Ok(0) => {}
                Ok(_) => continue,
                Err(RelayError::Broker(e)) => return Err(e),
                Err(RelayError::Store(e)) => {
                    tracing::warn!(error = %e, "outbox unreachable; retrying");
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(IDLE_POLL) => {}
            }
        }
        loop {
            match self.round(publisher).await {
                Ok(0) | Err(RelayError::Store(_)) => return Ok(()),
                Ok(_) => {}
                Err(RelayError::Broker(e)) => return Err(e),
            }
        }
    }
}
