//! One delivery, from bytes to disposition: parse the envelope (or dead-letter it), parse
//! the document, read the registry facts, check the signature, and hand the application to
//! the batcher, which decides and commits it; acknowledge only after that commit.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use crate::broker::consumer::{Delivery, Disposition};
use crate::checks::signature::{self, OtpSettings, SignatureInput, TrustStore};
use crate::domain::dead_letter::{DeadLetterReason, EnvelopeError};
use crate::domain::envelope::Envelope;
use crate::domain::request::ERequest;
use crate::retry::Backoff;
use crate::store::commit::{Prepared, Recorded};
use crate::store::StoreError;
use crate::telemetry::{CodeLabel, Metrics, OutcomeLabel, ReasonLabel};

use super::batcher::Batcher;
use super::commit::ItemResult;

/// Each item gets its own result; a transient error reaches every item of the batch (hence
/// the `Arc`).
pub type Committer = Batcher<Prepared, ItemResult, Arc<StoreError>>;

/// What every delivery needs; cheap to clone into each handler task.
#[derive(Clone)]
pub struct Handler {
    pub pool: deadpool_postgres::Pool,
    pub trust: Arc<TrustStore>,
    pub otp: Arc<OtpSettings>,
    pub max_message_bytes: usize,
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
        let envelope = match self.parse(delivery) {
            Ok(envelope) => envelope,
            Err(error) => return self.dead_letter(error, None),
        };
        let id = envelope.application_id.clone();
        let document = ERequest::parse(&envelope.document);
        let facts = {
            let client = match self.pool.get().await {
                Ok(client) => client,
                Err(e) => return self.retry_later(&id, delivery, &StoreError::from(e)),
            };
            match crate::store::facts::load(&client, &envelope, document.as_ref().ok()).await {
                Ok(facts) => facts,
                Err(e) => return self.retry_later(&id, delivery, &e),
            }
        };
        let input = SignatureInput {
            envelope: &envelope,
            applicant_iin: document.as_ref().ok().map(|r| r.applicant.iin.raw()),
            facts: &facts,
        };
        let signature = signature::check(&input, &self.trust, &self.otp);
        let prepared = Prepared {
            envelope,
            document,
            signature,
            facts,
            received_at,
        };
        match self.committer.submit(prepared).await {
            Ok(Ok(Ok(recorded))) => self.recorded(&id, recorded),
            Ok(Ok(Err(e)) | Err(e)) => self.retry_later(&id, delivery, &e),
            Err(stopped) => {
                tracing::warn!(application_id = %id, error = %stopped, "not committed; requeued");
                Disposition::Retry {
                    after: Duration::ZERO,
                }
            }
        }
    }

    fn parse(&self, delivery: &Delivery) -> Result<Envelope, EnvelopeError> {
        let envelope = Envelope::parse(&delivery.body, self.max_message_bytes)?;
        envelope.check_property_message_id(delivery.message_id.as_deref())?;
        Ok(envelope)
    }

    fn recorded(&self, id: &impl std::fmt::Display, recorded: Recorded) -> Disposition {
        match recorded {
            Recorded::Decided { outcome, codes, .. } => {
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

    fn dead_letter(&self, error: EnvelopeError, id: Option<String>) -> Disposition {
        let label = ReasonLabel {
            reason: error.reason.as_str(),
        };
        self.metrics.dead_letters.get_or_create(&label).inc();
        tracing::warn!(
            application_id = id.as_deref().unwrap_or("-"),
            reason = error.reason.as_str(),
            error = %error.detail,
            "dead-lettered"
        );
        Disposition::DeadLetter(error)
    }

    fn retry_later(
        &self,
        id: &impl std::fmt::Display,
        delivery: &Delivery,
        e: &StoreError,
    ) -> Disposition {
        let attempt = u32::try_from(delivery.redelivery_count).unwrap_or(u32::MAX);
        let after = self.retry.delay(attempt, &mut rand::rng());
        tracing::warn!(application_id = %id, error = %e, retry_in_ms = after.as_millis() as u64, "not decided now; requeued");
        Disposition::Retry { after }
    }
}
