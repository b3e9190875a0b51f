//! The outbox: messages recorded with their decisions under the committing replica's lease,
//! published as stored (same `message_id`, same bytes) and then marked sent. A row whose
//! lease runs out (a relay that died, a broker that was down) is claimed by the next scan,
//! of any replica, under a lease of its own.

use std::time::Duration;

use deadpool_postgres::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreError;
use crate::domain::messages::Destination;

/// The scan: unsent messages whose lease is free, oldest first (`outbox_unsent`). Public,
/// like the statements below, for the test that checks each one's plan.
pub const CLAIM: &str = "UPDATE outbox SET claimed_until = now() + make_interval(secs => $2)
             WHERE id IN (
                 SELECT id FROM outbox
                 WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
                 ORDER BY id
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED)
             RETURNING id, message_id, application_id, destination, routing_key, type,
                       \"timestamp\", body";

/// Published messages (`outbox_pkey`).
pub const MARK_SENT: &str = "UPDATE outbox SET sent_at = now(), claimed_until = NULL
             WHERE id = ANY($1) AND sent_at IS NULL";

/// The backlog: two counts over the partial indexes of what is not sent yet.
pub const BACKLOG: &str = "SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL)
                  + (SELECT count(*) FROM notifications WHERE state = 'pending')";

/// One stored message, ready to publish: the owned form of
/// [`crate::domain::messages::Outgoing`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub message_id: Uuid,
    pub application_id: String,
    pub destination: Destination,
    pub routing_key: String,
    /// The schema name, sent as the AMQP `type`.
    pub schema: String,
    pub timestamp: OffsetDateTime,
    pub body: Vec<u8>,
}

/// Claims up to `limit` unsent messages whose lease is free, oldest first, for `lease`.
/// Concurrent claimers never get the same row (`FOR UPDATE SKIP LOCKED`).
pub async fn claim(pool: &Pool, limit: i64, lease: Duration) -> Result<Vec<OutboxRow>, StoreError> {
    let client = pool.get().await?;
    let statement = client.prepare_cached(CLAIM).await?;
    let rows = client
        .query(&statement, &[&limit, &lease.as_secs_f64()])
        .await?;
    let mut claimed = rows
        .iter()
        .map(|r| {
            let destination: String = r.get(3);
            Ok(OutboxRow {
                id: r.get(0),
                message_id: r.get(1),
                application_id: r.get(2),
                destination: Destination::parse(&destination).ok_or_else(|| {
                    StoreError::Unexpected(format!("outbox destination {destination:?}"))
                })?,
                routing_key: r.get(4),
                schema: r.get(5),
                timestamp: r.get(6),
                body: r.get(7),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    claimed.sort_by_key(|row| row.id);
    Ok(claimed)
}

/// Marks messages published (the broker confirmed them).
pub async fn mark_sent(pool: &Pool, ids: &[i64]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let client = pool.get().await?;
    client.execute(MARK_SENT, &[&ids]).await?;
    Ok(())
}

/// Gives up a claim on messages that could not be published, so the next scan takes them.
pub async fn release(pool: &Pool, ids: &[i64]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE outbox SET claimed_until = NULL WHERE id = ANY($1) AND sent_at IS NULL",
            &[&ids],
        )
        .await?;
    Ok(())
}

/// Messages not yet published plus notifications still pending (`trp_outbox_backlog`).
/// Both counts read only the partial indexes of unsent rows (`outbox_unsent`,
/// `notifications_due`), so their cost follows the backlog, not the tables' history.
pub async fn backlog(pool: &Pool) -> Result<i64, StoreError> {
    let client = pool.get().await?;
    let row = client.query_one(BACKLOG, &[]).await?;
    Ok(row.get(0))
}
