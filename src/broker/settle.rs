//! Settling one delivery as its handler decided: ack; dead-letter then ack; requeue, or
//! dead-letter once the delivery limit is reached; or hand back without counting.

use std::time::Duration;

use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicNackOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use tokio::sync::OwnedSemaphorePermit;
use tokio_util::sync::CancellationToken;

use super::consumer::{Disposition, Flow};
use super::properties::{
    carried, header_u64, long_string, message_id, publish_mandatory, DELIVERY_COUNT, ERROR,
    FAILED_DELIVERIES, ORIGINAL_MESSAGE_ID, REASON,
};
use super::Names;
use crate::domain::dead_letter::{DeadLetterReason, EnvelopeError};
use crate::telemetry::ReasonLabel;

/// How long a delivery waits before it is requeued when the dead-letter queue refused it.
const DEAD_LETTER_RETRY_AFTER: Duration = Duration::from_secs(5);

/// Deliveries of a message before this one that count toward the delivery limit: the
/// queue's `x-delivery-count`, plus what a hand-back carried over in `x-trp-failed-deliveries`
/// (a re-published copy starts the queue's count afresh).
pub(crate) fn failed_before(properties: &BasicProperties) -> u64 {
    let counted = header_u64(properties, DELIVERY_COUNT).unwrap_or(0);
    let carried = header_u64(properties, FAILED_DELIVERIES).unwrap_or(0);
    counted.saturating_add(carried)
}

/// What settling needs: the consumer's channel (in confirm mode), where dead letters and
/// handed-back deliveries go, the delivery limit, the token that cuts a retry's wait short,
/// the one that pauses the consumer on an outage, and the one that says the consumer is
/// cancelled.
pub(crate) struct Settle {
    channel: Channel,
    work_queue: String,
    dead_letter_queue: String,
    delivery_limit: u32,
    dead_letters: Family<ReasonLabel, Counter>,
    stop: CancellationToken,
    pause: CancellationToken,
    /// Cancelled once the broker has confirmed our consumer's cancel (or the channel is
    /// gone): from then on a copy published to the work queue cannot come back to it.
    consumer_gone: CancellationToken,
}

impl Settle {
    pub(crate) fn new(
        channel: Channel,
        names: &Names,
        flow: &Flow,
        stop: CancellationToken,
        pause: CancellationToken,
        consumer_gone: CancellationToken,
    ) -> Self {
        Self {
            channel,
            work_queue: names.work_queue.clone(),
            dead_letter_queue: names.dead_letter_queue.clone(),
            delivery_limit: flow.delivery_limit.max(1),
            dead_letters: flow.dead_letters.clone(),
            stop,
            pause,
            consumer_gone,
        }
    }

    /// Settles `delivery`. Failures are logged, not returned: a delivery that could not be
    /// settled stays unacknowledged, and the broker redelivers it once the channel closes.
    pub(crate) async fn settle(
        &self,
        delivery: Delivery,
        disposition: Disposition,
        permit: OwnedSemaphorePermit,
    ) {
        let id = message_id(&delivery.properties).unwrap_or_default();
        let sent = match disposition {
            Disposition::Ack => delivery.acker.ack(BasicAckOptions::default()).await,
            Disposition::DeadLetter(e) => {
                drop(permit);
                self.dead_letter(&delivery, &e, &id).await
            }
            Disposition::Retry { after, error } => {
                // A delivery waiting to be retried holds no handler slot.
                drop(permit);
                let failures = failed_before(&delivery.properties).saturating_add(1);
                if failures >= u64::from(self.delivery_limit) {
                    let e = EnvelopeError::new(
                        DeadLetterReason::DeliveryLimit,
                        format!("processing failed {failures} times; the last time: {error}"),
                    );
                    self.dead_letter(&delivery, &e, &id).await
                } else {
                    self.wait(after).await;
                    tracing::info!(message_id = %id, failures, "requeued for a retry");
                    requeue(&delivery).await
                }
            }
            Disposition::Outage { error } => {
                drop(permit);
                if !self.pause.is_cancelled() {
                    tracing::warn!(message_id = %id, error = %error, "outage: pausing the consumer");
                }
                self.pause.cancel();
                // Not before our consumer is cancelled: a copy published while it still
                // consumes may be delivered to it after it stopped taking, and lapin
                // rejects such a delivery back to the queue, counted (seen in
                // tests/broker_consumer.rs about one run in four).
                self.consumer_gone.cancelled().await;
                self.give_back(&delivery).await;
                Ok(true)
            }
        };
        match sent {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(message_id = %id, "delivery not settled: its channel is closed")
            }
            Err(e) => tracing::warn!(message_id = %id, error = %e, "delivery not settled"),
        }
    }

    /// Waits `after`, or less if the consumer stops meanwhile (then requeue at once).
    async fn wait(&self, after: Duration) {
        tokio::select! {
            () = tokio::time::sleep(after) => {}
            () = self.stop.cancelled() => {}
        }
    }

    /// Hands `delivery` back to the work queue without counting a delivery: a copy (body
    /// and properties as they came, with the failures counted so far in
    /// `x-trp-failed-deliveries`) is published to the work queue, and the original
    /// acknowledged once the broker has confirmed the copy. A requeue would count toward
    /// the limit on a quorum queue. If the copy is not confirmed, the original is requeued
    /// after all: counted, but not lost. Returns whether the channel still took the ack or
    /// requeue.
    pub(crate) async fn give_back(&self, delivery: &Delivery) -> bool {
        let id = message_id(&delivery.properties).unwrap_or_default();
        let mut headers = FieldTable::default();
        let failures = failed_before(&delivery.properties);
        headers.insert(
            FAILED_DELIVERIES.into(),
            AMQPValue::LongLongInt(i64::try_from(failures).unwrap_or(i64::MAX)),
        );
        let properties = carried(&delivery.properties, &[FAILED_DELIVERIES], headers);
        let target = ("", self.work_queue.as_str());
        let settled =
            match publish_mandatory(&self.channel, target, &delivery.data, properties, &id).await {
                Ok(()) => delivery.acker.ack(BasicAckOptions::default()).await,
                Err(e) => {
                    tracing::warn!(message_id = %id, error = %e, "could not hand back; requeued");
                    requeue(delivery).await
                }
            };
        matches!(settled, Ok(true))
    }

    /// Publishes the original body and properties to the dead-letter queue, and acks the
    /// original only once the broker has confirmed the copy; otherwise requeues it, so
    /// that nothing is lost when the dead-letter queue cannot take it.
    async fn dead_letter(
        &self,
        delivery: &Delivery,
        e: &EnvelopeError,
        id: &str,
    ) -> lapin::Result<bool> {
        let mut headers = FieldTable::default();
        headers.insert(REASON.into(), long_string(e.reason.as_str()));
        headers.insert(ERROR.into(), long_string(&e.detail));
        headers.insert(ORIGINAL_MESSAGE_ID.into(), long_string(id));
        let properties = carried(&delivery.properties, &[], headers);
        let target = ("", self.dead_letter_queue.as_str());
        match publish_mandatory(&self.channel, target, &delivery.data, properties, id).await {
            Ok(()) => {
                let label = ReasonLabel {
                    reason: e.reason.as_str(),
                };
                self.dead_letters.get_or_create(&label).inc();
                tracing::warn!(message_id = %id, reason = %e.reason, error = %e.detail, "dead-lettered");
                delivery.acker.ack(BasicAckOptions::default()).await
            }
            Err(err) => {
                tracing::error!(message_id = %id, error = %err, "could not dead-letter; requeued");
                // Not at once: a dead-letter queue that refuses would make a tight loop.
                self.wait(DEAD_LETTER_RETRY_AFTER).await;
                requeue(delivery).await
            }
        }
    }
}

async fn requeue(delivery: &Delivery) -> lapin::Result<bool> {
    let options = BasicNackOptions {
        requeue: true,
        ..BasicNackOptions::default()
    };
    delivery.acker.nack(options).await
}
