//! Notifications to send: claimed by the senders under a lease (`FOR UPDATE SKIP LOCKED`,
//! so replicas share the work), then recorded as sent, retried later or failed for good.
//! All times are the database's `now()`, so every replica agrees on one clock.

use std::time::Duration;

use deadpool_postgres::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreError;
use crate::domain::request::Channel;

/// The scan: pending notifications of one channel that are due, oldest due first
/// (`notifications_due`). Public, like [`RECORD`], for the test that checks its plan.
pub const CLAIM: &str =
    "UPDATE notifications SET next_attempt_at = now() + make_interval(secs => $3)
             WHERE id IN (
                 SELECT id FROM notifications
                 WHERE state = 'pending' AND channel = $1 AND next_attempt_at <= now()
                 ORDER BY next_attempt_at
                 LIMIT $2
                 FOR UPDATE SKIP LOCKED)
             RETURNING id, application_id, kind, address, subject, body_text, body_html,
                       attempts, last_error, created_at,
                       created_at <= now() - make_interval(secs => $4)";

/// One round's results (`notifications_pkey`).
pub const RECORD: &str = "UPDATE notifications n SET state = r.state,
                 attempts = n.attempts + r.attempted,
                 last_error = r.error,
                 sent_at = CASE WHEN r.state = 'sent' THEN now() ELSE n.sent_at END,
                 next_attempt_at = CASE WHEN r.state = 'pending'
                     THEN now() + make_interval(secs => r.after) ELSE n.next_attempt_at END
             FROM unnest($1::uuid[], $2::text[], $3::int[], $4::float8[], $5::text[])
                 AS r(id, state, attempted, after, error)
             WHERE n.id = r.id AND n.state = 'pending'";

/// One claimed notification, with what a sender needs to deliver it.
#[derive(Clone, PartialEq, Eq)]
pub struct Notification {
    /// The SMS `Idempotency-Key` and `reference`, the e-mail `Message-ID`.
    pub id: Uuid,
    pub application_id: String,
    pub kind: String,
    pub channel: Channel,
    /// The phone or e-mail address: personal data, never logged.
    pub address: String,
    pub subject: Option<String>,
    pub body_text: String,
    pub body_html: Option<String>,
    /// Attempts recorded so far (the backoff of the next retry grows with it).
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    /// Older than the maximum age when claimed: to be failed for good, not sent.
    pub expired: bool,
}

/// Without the address and the texts (personal data).
impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.id)
            .field("application_id", &self.application_id)
            .field("kind", &self.kind)
            .field("channel", &self.channel)
            .field("attempts", &self.attempts)
            .field("expired", &self.expired)
            .finish_non_exhaustive()
    }
}

/// Claims up to `limit` pending notifications of `channel` that are due, oldest due first,
/// by moving their `next_attempt_at` past `lease`: a sender that dies mid-send leaves them
/// to be claimed again once the lease is over. Rows older than `max_age` come back with
/// `expired` set.
pub async fn claim(
    pool: &Pool,
    channel: Channel,
    limit: i64,
    lease: Duration,
    max_age: Duration,
) -> Result<Vec<Notification>, StoreError> {
    let client = pool.get().await?;
    let statement = client.prepare_cached(CLAIM).await?;
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] = [
        &channel.as_str(),
        &limit,
        &lease.as_secs_f64(),
        &max_age.as_secs_f64(),
    ];
    let rows = client.query(&statement, &params).await?;
    Ok(rows
        .iter()
        .map(|r| Notification {
            id: r.get(0),
            application_id: r.get(1),
            kind: r.get(2),
            channel,
            address: r.get(3),
            subject: r.get(4),
            body_text: r.get(5),
            body_html: r.get(6),
            attempts: r.get(7),
            last_error: r.get(8),
            created_at: r.get(9),
            expired: r.get(10),
        })
        .collect())
}

/// What to write after an attempt (or after deciding not to make one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record<'a> {
    Sent,
    /// The attempt failed; the next one is due after `after`.
    Retry {
        after: Duration,
        error: &'a str,
    },
    /// The attempt failed for good.
    Failed {
        error: &'a str,
    },
    /// Past the maximum age: failed for good without another attempt.
    Expired {
        error: &'a str,
    },
}

impl Record<'_> {
    /// The row's new state, the attempts it adds, the delay before the next one (retry
    /// only) and the error to keep.
    fn columns(&self) -> (&'static str, i32, f64, Option<&str>) {
        match *self {
            Self::Sent => ("sent", 1, 0.0, None),
            Self::Retry { after, error } => ("pending", 1, after.as_secs_f64(), Some(error)),
            Self::Failed { error } => ("failed", 1, 0.0, Some(error)),
            Self::Expired { error } => ("failed", 0, 0.0, Some(error)),
        }
    }
}

/// Records the results of one round in one statement. Only a pending row changes, so a
/// late result (a sender whose lease ran out while another one finished) cannot undo
/// `sent`. Returns how many rows changed.
pub async fn record_all(pool: &Pool, results: &[(Uuid, Record<'_>)]) -> Result<u64, StoreError> {
    if results.is_empty() {
        return Ok(0);
    }
    let mut ids = Vec::with_capacity(results.len());
    let mut states = Vec::with_capacity(results.len());
    let mut attempted = Vec::with_capacity(results.len());
    let mut after = Vec::with_capacity(results.len());
    let mut errors = Vec::with_capacity(results.len());
    for (id, record) in results {
        let (state, attempts, delay, error) = record.columns();
        ids.push(*id);
        states.push(state);
        attempted.push(attempts);
        after.push(delay);
        errors.push(error);
    }
    let client = pool.get().await?;
    let statement = client.prepare_cached(RECORD).await?;
    let changed = client
        .execute(&statement, &[&ids, &states, &attempted, &after, &errors])
        .await?;
    Ok(changed)
}
