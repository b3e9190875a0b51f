//! Applications waiting for a fresh CRL (`deferred_applications`): their delivery as it
//! came, kept until this or another replica holds fresh CRLs for the CAs they wait for and
//! publishes them again to the work queue.

use deadpool_postgres::{Pool, Transaction};
use uuid::Uuid;

use super::StoreError;

/// Keeps a delivery; the same message kept twice is kept once.
pub const INSERT: &str = "INSERT INTO deferred_applications
                     (message_id, application_id, body, waiting_for)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (message_id) DO NOTHING";

/// The oldest rows that need only CAs whose CRLs are fresh ($2), or, where a CA without a
/// CRL is allowed ($4), none whose CRL is stale ($3); locked for this transaction, skipping
/// rows another replica is releasing.
pub const CLAIM: &str = "SELECT message_id, application_id, body, waiting_for
                 FROM deferred_applications
                 WHERE CASE WHEN $4 THEN NOT (waiting_for && $3::text[])
                            ELSE waiting_for <@ $2::text[] END
                 ORDER BY deferred_at
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED";

pub const DELETE: &str = "DELETE FROM deferred_applications WHERE message_id = ANY($1)";

pub const COUNT: &str = "SELECT count(*) FROM deferred_applications";

/// One waiting application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferred {
    pub message_id: Uuid,
    pub application_id: String,
    /// The delivery's body, byte for byte.
    pub body: Vec<u8>,
    /// The CAs (distinguished names) whose CRL was missing or stale.
    pub waiting_for: Vec<String>,
}

/// Keeps `deferred` until it is released.
pub async fn insert(pool: &Pool, deferred: &Deferred) -> Result<(), StoreError> {
    let client = pool.get().await?;
    let statement = client.prepare_cached(INSERT).await?;
    client
        .execute(
            &statement,
            &[
                &deferred.message_id,
                &deferred.application_id,
                &deferred.body,
                &deferred.waiting_for,
            ],
        )
        .await?;
    Ok(())
}

/// Which CAs a release may count on: what one replica's CRLs say now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Current {
    /// CAs whose every CRL is fresh.
    pub fresh: Vec<String>,
    /// CAs with a stale CRL.
    pub stale: Vec<String>,
    /// Whether a CA without a CRL counts as revoking nothing (`signature.allow_missing_crls`).
    pub allow_missing: bool,
}

/// Up to `limit` waiting applications that `current` lets through, oldest first, locked
/// until `tx` ends.
pub async fn claim(
    tx: &Transaction<'_>,
    limit: i64,
    current: &Current,
) -> Result<Vec<Deferred>, StoreError> {
    let rows = tx
        .query(
            CLAIM,
            &[
                &limit,
                &current.fresh,
                &current.stale,
                &current.allow_missing,
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Deferred {
            message_id: r.get(0),
            application_id: r.get(1),
            body: r.get(2),
            waiting_for: r.get(3),
        })
        .collect())
}

/// Deletes the rows of `message_ids` (released).
pub async fn delete(tx: &Transaction<'_>, message_ids: &[Uuid]) -> Result<u64, StoreError> {
    Ok(tx.execute(DELETE, &[&message_ids]).await?)
}

/// How many applications wait (`trp_deferred_applications`).
pub async fn count(pool: &Pool) -> Result<i64, StoreError> {
    let client = pool.get().await?;
    Ok(client.query_one(COUNT, &[]).await?.get(0))
}
