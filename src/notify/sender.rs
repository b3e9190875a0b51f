//! The sender loop of one channel: claim due notifications under a lease, send them, record
//! what came of each. [`Sender::step`] is one round, which tests drive one at a time;
//! [`Sender::run`] repeats it until shutdown, finishing the round in progress.

use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use futures_util::future::join_all;
use tokio_util::sync::CancellationToken;

use super::email::{self, Mailer};
use super::outcome::Outcome;
use super::sms::SmsGateway;
use crate::config::Notifications;
use crate::domain::request::Channel;
use crate::retry::Backoff;
use crate::store::notifications::{self, Notification, Record};
use crate::store::{outbox, StoreError};
use crate::telemetry::{Metrics, NotificationLabels};

/// How often an idle sender looks for due notifications.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// How often the `trp_outbox_backlog` gauge is refreshed (two counts in the database).
const BACKLOG_EVERY: Duration = Duration::from_secs(5);
/// Time for recording the result after the send's own timeout, within the lease.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// Where a channel's notifications go: one variant per real peer.
#[derive(Clone)]
pub enum Peer {
    Sms(SmsGateway, Duration),
    Email(Mailer),
}

impl Peer {
    pub fn channel(&self) -> Channel {
        match self {
            Self::Sms(..) => Channel::Sms,
            Self::Email(_) => Channel::Email,
        }
    }

    /// The longest one send may take; the loop cuts it off there.
    pub fn timeout(&self) -> Duration {
        match self {
            Self::Sms(_, timeout) => *timeout,
            Self::Email(_) => email::TIMEOUT,
        }
    }

    async fn send(&self, n: &Notification) -> Outcome {
        let send = async {
            match self {
                Self::Sms(gateway, _) => gateway.send(n).await,
                Self::Email(mailer) => mailer.send(n).await,
            }
        };
        let label = self.channel().as_str();
        tokio::time::timeout(self.timeout(), send)
            .await
            .unwrap_or_else(|_| Outcome::retry(format!("{label}: timed out")))
    }
}

/// The retry policy and the size of a round, from `notifications.*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub backoff: Backoff,
    /// A notification not delivered this long after it was recorded fails for good.
    pub max_age: Duration,
    /// Notifications claimed (and sent concurrently) per round.
    pub batch: i64,
    /// How long a claim lasts: longer than one round can take.
    pub lease: Duration,
}

impl Policy {
    pub fn new(settings: &Notifications, send_timeout: Duration) -> Self {
        let secs = |s: u32| Duration::from_secs(s.into());
        Self {
            backoff: Backoff::new(secs(settings.retry_base_s), secs(settings.retry_max_s)),
            max_age: secs(settings.max_age_h.saturating_mul(3600)),
            batch: i64::from(settings.batch),
            lease: send_timeout + LEASE_MARGIN,
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// Nothing was due.
    EmptyQueue,
    Done {
        sent: usize,
        retried: usize,
        failed: usize,
    },
}

/// The sender of one channel.
#[derive(Clone)]
pub struct Sender {
    pub pool: Pool,
    pub peer: Peer,
    pub policy: Policy,
    pub metrics: Metrics,
}

impl Sender {
    /// Claims the due notifications of this channel, sends them concurrently, records each.
    /// A database error leaves the rest to the lease: they are claimed again after it.
    pub async fn step(&self) -> Result<StepOutcome, StoreError> {
        let p = &self.policy;
        let claimed =
            notifications::claim(&self.pool, self.peer.channel(), p.batch, p.lease, p.max_age)
                .await?;
        if claimed.is_empty() {
            return Ok(StepOutcome::EmptyQueue);
        }
        let (mut sent, mut retried, mut failed) = (0, 0, 0);
        let mut first_error = None;
        for result in join_all(claimed.iter().map(|n| self.deliver(n))).await {
            match result {
                Ok(Outcome::Sent) => sent += 1,
                Ok(Outcome::RetryLater { .. }) => retried += 1,
                Ok(Outcome::FailedForGood { .. }) => failed += 1,
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(StepOutcome::Done {
                sent,
                retried,
                failed,
            }),
        }
    }

    /// Sends `n` (unless it is past its maximum age) and records the outcome.
    async fn deliver(&self, n: &Notification) -> Result<Outcome, StoreError> {
        let outcome = if n.expired {
            Outcome::failed(self.expiry_reason(n))
        } else {
            self.peer.send(n).await
        };
        let after = self
            .policy
            .backoff
            .delay(u32::try_from(n.attempts).unwrap_or(0), &mut rand::rng());
        let record = match (&outcome, n.expired) {
            (Outcome::Sent, _) => Record::Sent,
            (Outcome::RetryLater { reason }, _) => Record::Retry {
                after,
                error: reason,
            },
            (Outcome::FailedForGood { reason }, true) => Record::Expired { error: reason },
            (Outcome::FailedForGood { reason }, false) => Record::Failed { error: reason },
        };
        notifications::record(&self.pool, n.id, record).await?;
        self.report(n, &outcome, after);
        Ok(outcome)
    }

    fn expiry_reason(&self, n: &Notification) -> String {
        let hours = self.policy.max_age.as_secs() / 3600;
        let last = n.last_error.as_deref().unwrap_or("none");
        format!(
            "expired: not delivered within {hours} h ({} attempts; last error: {last})",
            n.attempts
        )
    }

    /// One named event per outcome: a log line (ids only, never the address) and a count.
    fn report(&self, n: &Notification, outcome: &Outcome, after: Duration) {
        let channel = self.peer.channel().as_str();
        let labels = NotificationLabels {
            channel,
            result: outcome.label(),
        };
        self.metrics.notifications.get_or_create(&labels).inc();
        let (id, app, attempt) = (n.id, n.application_id.as_str(), n.attempts + 1);
        match outcome {
            Outcome::Sent => {
                tracing::info!(notification_id = %id, application_id = app, channel, attempt, "notification sent")
            }
            Outcome::RetryLater { reason } => {
                tracing::warn!(notification_id = %id, application_id = app, channel, attempt, reason, retry_in_s = after.as_secs(), "notification not sent; will retry")
            }
            Outcome::FailedForGood { reason } => {
                tracing::error!(notification_id = %id, application_id = app, channel, attempt, reason, "notification failed for good")
            }
        }
    }

    /// Runs rounds until `shutdown`, which is looked at only between rounds: a send in
    /// progress finishes and is recorded.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut backlog_at: Option<Instant> = None;
        while !shutdown.is_cancelled() {
            let idle = match self.step().await {
                Ok(StepOutcome::EmptyQueue) => true,
                Ok(StepOutcome::Done { .. }) => false,
                Err(e) => {
                    tracing::warn!(channel = self.peer.channel().as_str(), error = %e, "notifications unreachable; retrying");
                    true
                }
            };
            if backlog_at.is_none_or(|at| at.elapsed() >= BACKLOG_EVERY) {
                if let Ok(n) = outbox::backlog(&self.pool).await {
                    self.metrics.outbox_backlog.set(n);
                }
                backlog_at = Some(Instant::now());
            }
            if idle {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                }
            }
        }
    }
}
