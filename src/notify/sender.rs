//! The sender loop of one channel. Notifications this replica just committed reach it from
//! memory ([`crate::pipeline::dispatch`]) under the lease they were written with, and are
//! sent at once; a scan claims, under a lease, those whose lease ran out or whose retry is
//! due. Each round sends concurrently and records every result in one statement.
//! [`Sender::step`] is one scan round, which tests drive one at a time; [`Sender::run`]
//! does both until shutdown, finishing the round in progress.

use std::time::Duration;

use deadpool_postgres::Pool;
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::email::{self, Mailer};
use super::outcome::Outcome;
use super::sms::SmsGateway;
use crate::config::Notifications;
use crate::domain::request::Channel;
use crate::pipeline::dispatch::{gather, Fresh};
use crate::retry::Backoff;
use crate::store::notifications::{self, Notification, Record};
use crate::store::StoreError;
use crate::telemetry::{Metrics, NotificationLabels};

/// How often a sender scans for notifications whose lease ran out or whose retry is due.
const SCAN_EVERY: Duration = Duration::from_secs(1);
/// Time for recording the result after the send's own timeout, within the lease.
const LEASE_MARGIN: Duration = Duration::from_secs(30);
/// Most notifications taken from memory for one round.
const ROUND_MAX: usize = 256;

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
    /// One scan round: claims the due notifications of this channel (lease run out, retry
    /// due), sends them concurrently, records the results.
    pub async fn step(&self) -> Result<StepOutcome, StoreError> {
        let p = &self.policy;
        let claimed =
            notifications::claim(&self.pool, self.peer.channel(), p.batch, p.lease, p.max_age)
                .await?;
        self.deliver(&claimed).await
    }

    /// Sends notifications this replica committed, still under the lease they were written
    /// with, and records the results.
    pub async fn send_fresh(&self, rows: &[Notification]) -> Result<StepOutcome, StoreError> {
        self.deliver(rows).await
    }

    /// Sends `rows` (at most `policy.batch` at once; those past the maximum age are failed
    /// unsent) and records every result in one statement. A database error leaves them to
    /// the lease: they are claimed again after it and sent under the same key.
    async fn deliver(&self, rows: &[Notification]) -> Result<StepOutcome, StoreError> {
        if rows.is_empty() {
            return Ok(StepOutcome::EmptyQueue);
        }
        let at_once = usize::try_from(self.policy.batch).unwrap_or(1).max(1);
        // Built first, then streamed: a closure that returns these futures would trip the
        // compiler's `Send` inference for the spawned sender task.
        let attempts: Vec<_> = rows
            .iter()
            .enumerate()
            .map(|(i, n)| async move { (i, self.attempt(n).await) })
            .collect();
        let outcomes: Vec<(usize, Outcome)> = futures_util::stream::iter(attempts)
            .buffer_unordered(at_once)
            .collect()
            .await;
        let afters: Vec<Duration> = {
            let mut rng = rand::rng();
            outcomes
                .iter()
                .map(|(i, _)| {
                    let attempts = u32::try_from(rows[*i].attempts).unwrap_or(0);
                    self.policy.backoff.delay(attempts, &mut rng)
                })
                .collect()
        };
        let records: Vec<_> = outcomes
            .iter()
            .zip(&afters)
            .map(|((i, outcome), after)| (rows[*i].id, record(outcome, rows[*i].expired, *after)))
            .collect();
        notifications::record_all(&self.pool, &records).await?;
        let (mut sent, mut retried, mut failed) = (0, 0, 0);
        for ((i, outcome), after) in outcomes.iter().zip(afters) {
            self.report(&rows[*i], outcome, after);
            match outcome {
                Outcome::Sent => sent += 1,
                Outcome::RetryLater { .. } => retried += 1,
                Outcome::FailedForGood { .. } => failed += 1,
            }
        }
        Ok(StepOutcome::Done {
            sent,
            retried,
            failed,
        })
    }

    /// One attempt at `n`, or none when it is past its maximum age.
    async fn attempt(&self, n: &Notification) -> Outcome {
        if n.expired {
            Outcome::failed(self.expiry_reason(n))
        } else {
            self.peer.send(n).await
        }
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

    /// Sends what reaches it from `fresh` as it comes, and scans every [`SCAN_EVERY`],
    /// until `shutdown`, which is looked at only between rounds: a send in progress
    /// finishes and is recorded. Then it sends what still comes from `fresh` (the
    /// applications in flight at shutdown), until the committer drops its end.
    pub async fn run(
        self,
        mut fresh: mpsc::Receiver<Fresh<Notification>>,
        shutdown: CancellationToken,
    ) {
        let margin = self.peer.timeout() + LEASE_MARGIN / 2;
        let mut scan_at = Instant::now();
        let mut open = true;
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep_until(scan_at) => {
                    let found = matches!(self.logged(self.step().await), Some(StepOutcome::Done { .. }));
                    scan_at = Instant::now() + if found { Duration::ZERO } else { SCAN_EVERY };
                }
                got = fresh.recv(), if open => match got {
                    Some(first) => {
                        let (rows, _) = gather(first, &mut fresh, ROUND_MAX, margin);
                        self.logged(self.send_fresh(&rows).await);
                    }
                    None => open = false,
                },
            }
        }
        while let Some(first) = fresh.recv().await {
            let (rows, _) = gather(first, &mut fresh, ROUND_MAX, margin);
            self.logged(self.send_fresh(&rows).await);
        }
    }

    fn logged(&self, result: Result<StepOutcome, StoreError>) -> Option<StepOutcome> {
        match result {
            Ok(outcome) => Some(outcome),
            Err(e) => {
                let channel = self.peer.channel().as_str();
                tracing::warn!(channel, error = %e, "notifications unreachable; they wait for their lease");
                None
            }
        }
    }
}

/// What to record for `outcome`.
fn record(outcome: &Outcome, expired: bool, after: Duration) -> Record<'_> {
    match (outcome, expired) {
        (Outcome::Sent, _) => Record::Sent,
        (Outcome::RetryLater { reason }, _) => Record::Retry {
            after,
            error: reason,
        },
        (Outcome::FailedForGood { reason }, true) => Record::Expired { error: reason },
        (Outcome::FailedForGood { reason }, false) => Record::Failed { error: reason },
    }
}
