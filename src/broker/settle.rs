//! Settling one delivery as its handler decided: ack, dead-letter then ack, or requeue.

use std::time::Duration;

use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicNackOptions};
use lapin::types::FieldTable;
use lapin::Channel;
use tokio::sync::OwnedSemaphorePermit;
use tokio_util::sync::CancellationToken;

use super::consumer::Disposition;
use super::properties::{
    carried, long_string, message_id, publish_mandatory, ERROR, ORIGINAL_MESSAGE_ID, REASON,
};
use super::Names;
use crate::domain::dead_letter::EnvelopeError;

/// How long a delivery waits before it is requeued when the dead-letter queue refused it.
const DEAD_LETTER_RETRY_AFTER: Duration = Duration::from_secs(5);

/// What settling needs: the consumer's channel (in confirm mode), where dead letters go,
/// and the token that cuts a retry's wait short.
pub(crate) struct Settle {
    channel: Channel,
    dead_letter_queue: String,
    stop: CancellationToken,
}

impl Settle {
    pub(crate) fn new(channel: Channel, names: &Names, stop: CancellationToken) -> Self {
        Self {
            channel,
            dead_letter_queue: names.dead_letter_queue.clone(),
            stop,
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
            Disposition::Retry { after } => {
                // A delivery waiting to be retried holds no handler slot.
                drop(permit);
                self.wait(after).await;
                tracing::info!(message_id = %id, "requeued for a retry");
                requeue(&delivery).await
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
                tracing::warn!(message_id = %id, reason = %e.reason, "dead-lettered");
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
