//! Applications that wait for a fresh CRL (contract section 8): the signature check found
//! that the signer's revocation status rests on a CRL past its `nextUpdate`, or on a CA with
//! no CRL, so the application is neither approved nor refused now.
//!
//! [`Deferrals::defer`] keeps the delivery, as it came, in PostgreSQL and acknowledges it:
//! it waits there durably and burns no delivery of the work queue's limit. [`run`] (one
//! task per replica, after each successful reload and every [`RELEASE_EVERY`]) takes the
//! rows whose CAs all have fresh CRLs in this replica, publishes each original message to
//! the work queue again (same bytes and `message_id`, confirmed) and deletes the rows in the
//! transaction that locked them. A copy published twice (a crash between the confirm and
//! the commit) is dropped as a duplicate by the intake.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::broker::consumer::{Delivery, Disposition};
use crate::broker::requeue::{requeue, Original};
use crate::checks::signature::{MissingCrls, Verdict};
use crate::domain::envelope::Envelope;
use crate::reload::{self, Files};
use crate::retry::Backoff;
use crate::store::deferred::{self, Current, Deferred};
use crate::store::StoreError;
use crate::telemetry::Metrics;

/// How often waiting applications are looked at besides after each reload: a CRL loaded
/// fresh at start, or a CA whose CRL another replica reloaded first.
pub const RELEASE_EVERY: Duration = Duration::from_secs(60);

/// Rows one release pass takes.
const RELEASE_BATCH: i64 = 100;

/// Keeps applications that cannot be decided yet.
#[derive(Clone)]
pub struct Deferrals {
    pub pool: Pool,
    pub metrics: Metrics,
    /// Delay before a delivery is tried again when it cannot be kept (database down).
    pub retry: Backoff,
}

impl Deferrals {
    /// Keeps `delivery` until the CRLs `verdict` waits for are fresh, and acknowledges it;
    /// when it cannot be kept, it is handed back (database out of reach) or retried like
    /// any delivery the database refused.
    pub async fn defer(
        &self,
        envelope: &Envelope,
        delivery: &Delivery,
        verdict: &Verdict,
    ) -> Disposition {
        let id = &envelope.application_id;
        let waiting_for: Vec<String> = verdict
            .waiting_for
            .iter()
            .map(|g| g.issuer.clone())
            .collect();
        let row = Deferred {
            message_id: envelope.message_id,
            application_id: id.to_string(),
            body: delivery.body.clone(),
            waiting_for,
        };
        match deferred::insert(&self.pool, &row).await {
            Ok(()) => {
                self.metrics.deferred_applications.inc();
                let why: Vec<String> = verdict.waiting_for.iter().map(|g| g.to_string()).collect();
                tracing::warn!(application_id = %id, waiting_for = %why.join("; "), "not decided: the revocation status needs a fresh CRL; the application waits");
                Disposition::Ack
            }
            Err(e) if e.is_outage() => {
                tracing::warn!(application_id = %id, error = %e, "cannot keep an application that waits for a CRL: the database is out of reach; handed back");
                Disposition::Outage {
                    error: e.to_string(),
                }
            }
            Err(e) => {
                let attempt = u32::try_from(delivery.redelivery_count).unwrap_or(u32::MAX);
                let after = self.retry.delay(attempt, &mut rand::rng());
                tracing::warn!(application_id = %id, error = %e, retry_in_ms = after.as_millis() as u64, "cannot keep an application that waits for a CRL; requeued");
                Disposition::Retry {
                    after,
                    error: format!("cannot keep it while it waits for a CRL: {e}"),
                }
            }
        }
    }
}

/// What a release pass needs.
#[derive(Clone)]
pub struct Release {
    pub pool: Pool,
    pub files: Arc<Files>,
    /// `amqp.url`: a pass that has something to publish connects, publishes and closes.
    pub broker_urls: Vec<String>,
    pub work_queue: String,
    pub metrics: Metrics,
}

/// Why a release pass stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Broker(#[from] crate::broker::BrokerError),
}

impl Release {
    /// One pass: publishes again, and deletes, the waiting applications (up to
    /// [`RELEASE_BATCH`]) whose CAs all have what a revocation check needs now in this
    /// replica's snapshot. Returns how many.
    pub async fn once(&self) -> Result<usize, ReleaseError> {
        let snapshot = self.files.current();
        let now = OffsetDateTime::now_utc();
        let revocation = snapshot.trust.revocation();
        let (fresh, stale) = revocation.issuers_at(now);
        let current = Current {
            fresh,
            stale,
            allow_missing: revocation.missing() == MissingCrls::Allow,
        };
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        let ready: Vec<Deferred> = deferred::claim(&tx, RELEASE_BATCH, &current)
            .await?
            .into_iter()
            .filter(|d| reload::is_current(&snapshot, &d.waiting_for, now))
            .collect();
        if ready.is_empty() {
            return Ok(0);
        }
        let ids: Vec<String> = ready.iter().map(|d| d.message_id.to_string()).collect();
        let originals: Vec<Original<'_>> = ready
            .iter()
            .zip(&ids)
            .map(|(d, id)| Original {
                message_id: id,
                body: &d.body,
            })
            .collect();
        let name = format!("trp-worker release {}", self.work_queue);
        let connection = crate::broker::connect(&self.broker_urls, &name).await?;
        let published = async {
            let channel = connection.create_channel().await?;
            requeue(&channel, &self.work_queue, &originals).await
        }
        .await;
        let _ = connection.close(200, "released".into()).await;
        published?;
        let message_ids: Vec<uuid::Uuid> = ready.iter().map(|d| d.message_id).collect();
        deferred::delete(&tx, &message_ids).await?;
        tx.commit().await.map_err(StoreError::from)?;
        for d in &ready {
            tracing::info!(application_id = %d.application_id, "CRLs fresh again: the waiting application goes back to the work queue");
        }
        Ok(ready.len())
    }
}

/// Releases what can be released after each successful reload (`reloaded`) and every
/// [`RELEASE_EVERY`], and keeps `trp_deferred_applications` current, until `shutdown`.
pub async fn run(release: Release, reloaded: Arc<Notify>, shutdown: CancellationToken) {
    loop {
        loop {
            match release.once().await {
                Ok(n) if n as i64 == RELEASE_BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "waiting applications not released now");
                    break;
                }
            }
        }
        match deferred::count(&release.pool).await {
            Ok(n) => {
                release.metrics.deferred_applications.set(n);
            }
            Err(e) => tracing::debug!(error = %e, "waiting applications not counted"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = reloaded.notified() => {}
            _ = tokio::time::sleep(RELEASE_EVERY) => {}
        }
    }
}
