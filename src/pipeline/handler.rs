//! One delivery, from bytes to disposition: parse the envelope (or dead-letter it), parse
//! the document, look the application up with its batch-mates (already taken in? its
//! registry facts), check the signature in the blocking pool, and hand the application to
//! the batcher, which decides and commits it; acknowledge only after that commit.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use crate::broker::consumer::{Delivery, Disposition, PANIC_RETRY_AFTER};
use crate::checks::signature::{self, OtpSettings, SignatureInput, Verdict};
use crate::checks::Facts;
use crate::domain::dead_letter::{DeadLetterReason, EnvelopeError};
use crate::domain::envelope::{Envelope, SignatureClaim};
use crate::domain::request::ERequest;
use crate::reload::{Files, Snapshot};
use crate::retry::Backoff;
use crate::store::commit::{Prepared, Recorded};
use crate::store::StoreError;
use crate::telemetry::{CodeLabel, MethodLabel, Metrics, OutcomeLabel};

use super::batcher::{Batcher, Stopped};
use super::commit::{Checked, ItemResult};
use super::deferred::Deferrals;
use super::prepare::{Found, Gatherer, Lookup};
use super::verify::{Lost, SignaturePool};

/// Each item gets its own result; a transient error reaches every item of the batch (hence
/// the `Arc`).
pub type Committer = Batcher<Checked, ItemResult, Arc<StoreError>>;

/// What every delivery needs; cheap to clone into each handler task.
#[derive(Clone)]
pub struct Handler {
    /// Reads, per batch of deliveries, what was taken in already and the registry facts.
    pub gather: Gatherer,
    /// Where signature checks run: off the runtime's threads, a bounded number at once.
    pub signatures: SignaturePool,
    /// The trust store, rules and calendar in force: one snapshot per application.
    pub files: Arc<Files>,
    pub otp: Arc<OtpSettings>,
    /// Where applications wait whose revocation status rests on a stale or missing CRL.
    pub deferrals: Deferrals,
    pub max_message_bytes: usize,
    /// How far `submitted_at` may lie after the message's arrival (`signature.clock_skew_s`).
    pub clock_skew: Duration,
    pub committer: Committer,
    pub metrics: Metrics,
    /// Delay before a delivery that hit a transient failure is tried again.
    pub retry: Backoff,
}

impl Handler {
    pub async fn handle(&self, delivery: Delivery) -> Disposition {
        let started = std::time::Instant::now();
        self.metrics.messages_consumed.inc();
        let disposition = self.process(&delivery).await;
        self.metrics
            .processing_seconds
            .observe(started.elapsed().as_secs_f64());
        disposition
    }

    async fn process(&self, delivery: &Delivery) -> Disposition {
        let received_at = OffsetDateTime::now_utc();
        let envelope = match self.parse(delivery, received_at) {
            Ok(envelope) => envelope,
            Err(error) => return self.dead_letter(error, None),
        };
        let id = envelope.application_id.clone();
        let document = ERequest::parse(&envelope.document);
        let lookup = Lookup::of(&envelope, document.as_ref().ok());
        let facts = match self.gather.submit(lookup).await {
            Ok(Ok(Ok(Found::New(facts)))) => facts,
            // Decided before: answered from the database, without checking it again.
            Ok(Ok(Ok(Found::Known(recorded)))) => return self.recorded(&id, recorded),
            Ok(Ok(Err(e)) | Err(e)) => return self.retry_later(&id, delivery, &e),
            Err(stopped) => return stopped_now(&id, stopped),
        };
        let applicant_iin = document
            .as_ref()
            .ok()
            .map(|r| r.applicant.iin.raw().to_owned());
        let (envelope, facts, verdict, snapshot) =
            match self.check(envelope, applicant_iin, facts).await {
                Ok(checked) => checked,
                Err(lost) => return not_checked(&id, lost),
            };
        if !verdict.is_decidable() {
            return self.deferrals.defer(&envelope, delivery, &verdict).await;
        }
        let signing_time = verdict.signing_time(&envelope);
        let prepared = Prepared {
            envelope,
            document,
            signature: verdict.failures,
            signing_time,
            facts,
            received_at,
        };
        match self.committer.submit(Checked { prepared, snapshot }).await {
            Ok(Ok(Ok(recorded))) => self.recorded(&id, recorded),
            Ok(Ok(Err(e)) | Err(e)) => self.retry_later(&id, delivery, &e),
            Err(stopped) => stopped_now(&id, stopped),
        }
    }

    /// Runs the signature check in the pool, under the snapshot in force now, which goes
    /// on to the commit; the envelope and facts travel there and back.
    async fn check(
        &self,
        envelope: Envelope,
        applicant_iin: Option<String>,
        facts: Facts,
    ) -> Result<(Envelope, Facts, Verdict, Arc<Snapshot>), Lost> {
        let method = match envelope.signature {
            SignatureClaim::Eds { .. } => "eds",
            SignatureClaim::Otp(_) => "otp",
        };
        self.metrics
            .signature_checks
            .get_or_create(&MethodLabel { method })
            .inc();
        let (snapshot, otp) = (self.files.current(), self.otp.clone());
        self.signatures
            .run(move || {
                let input = SignatureInput {
                    envelope: &envelope,
                    applicant_iin: applicant_iin.as_deref(),
                    facts: &facts,
                    now: OffsetDateTime::now_utc(),
                };
                let verdict = signature::check(&input, &snapshot.trust, &otp);
                (envelope, facts, verdict, snapshot)
            })
            .await
    }

    fn parse(
        &self,
        delivery: &Delivery,
        received_at: OffsetDateTime,
    ) -> Result<Envelope, EnvelopeError> {
        let envelope = Envelope::parse(&delivery.body, self.max_message_bytes)?;
        envelope.check_property_message_id(delivery.message_id.as_deref())?;
        envelope.check_submitted_by(received_at, self.clock_skew)?;
        Ok(envelope)
    }

    fn recorded(&self, id: &impl std::fmt::Display, recorded: Recorded) -> Disposition {
        match recorded {
            Recorded::Decided {
                outcome,
                codes,
                overdue,
                ..
            } => {
                if overdue {
                    self.metrics.decisions_overdue.inc();
                }
                let label = OutcomeLabel {
                    outcome: outcome.as_str(),
                };
                self.metrics.decisions.get_or_create(&label).inc();
                for code in codes {
                    let label = CodeLabel {
                        code: code.as_str(),
                    };
                    self.metrics.check_failures.get_or_create(&label).inc();
                }
                tracing::info!(application_id = %id, outcome = outcome.as_str(), "decided");
                Disposition::Ack
            }
            Recorded::Duplicate => {
                self.metrics.duplicates.inc();
                tracing::info!(application_id = %id, "duplicate dropped");
                Disposition::Ack
            }
            Recorded::Conflict => {
                let error = EnvelopeError::new(
                    DeadLetterReason::Conflict,
                    "application_id was taken in before with another document; the first decision stands",
                );
                self.dead_letter(error, Some(id.to_string()))
            }
        }
    }

    /// The consumer dead-letters it (and counts it, once the dead-letter queue confirms).
    fn dead_letter(&self, error: EnvelopeError, id: Option<String>) -> Disposition {
        tracing::info!(
            application_id = id.as_deref().unwrap_or("-"),
            reason = error.reason.as_str(),
            "not processable; to the dead-letter queue"
        );
        Disposition::DeadLetter(error)
    }

    /// The database failed this delivery. Out of reach: handed back uncounted, and the
    /// consumer pauses. Anything else (a lost race, a permanent error): retried after a
    /// backoff, counting toward the delivery limit.
    fn retry_later(
        &self,
        id: &impl std::fmt::Display,
        delivery: &Delivery,
        e: &StoreError,
    ) -> Disposition {
        if e.is_outage() {
            tracing::warn!(application_id = %id, error = %e, "database out of reach; handed back");
            return Disposition::Outage {
                error: e.to_string(),
            };
        }
        let attempt = u32::try_from(delivery.redelivery_count).unwrap_or(u32::MAX);
        let after = self.retry.delay(attempt, &mut rand::rng());
        tracing::warn!(application_id = %id, error = %e, retry_in_ms = after.as_millis() as u64, "not decided now; requeued");
        Disposition::Retry {
            after,
            error: e.to_string(),
        }
    }
}

/// The signature check panicked (or the runtime is stopping): the delivery is retried after
/// a pause, as the consumer retries a handler that panicked.
fn not_checked(id: &impl std::fmt::Display, lost: Lost) -> Disposition {
    tracing::error!(application_id = %id, error = %lost, "signature not checked; the delivery will be retried");
    Disposition::Retry {
        after: PANIC_RETRY_AFTER,
        error: format!("signature not checked: {lost}"),
    }
}

/// A batching task is gone (the worker is stopping): handed back at once, uncounted.
fn stopped_now(id: &impl std::fmt::Display, stopped: Stopped) -> Disposition {
    tracing::warn!(application_id = %id, error = %stopped, "not decided; handed back");
    Disposition::Outage {
        error: stopped.to_string(),
    }
}
