//! The work-queue consumer: deliveries in, a bounded number of handlers at once, and each
//! delivery settled (ack, dead letter, retry) only once its handler is done.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use lapin::options::{
    BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Consumer};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::properties::{header_u64, message_id, DELIVERY_COUNT};
use super::settle::Settle;
use super::{BrokerError, Names};
use crate::domain::dead_letter::EnvelopeError;

/// How long a delivery whose handler panicked waits before it is requeued, so that a
/// message that always panics does not spin the worker.
pub const PANIC_RETRY_AFTER: Duration = Duration::from_secs(1);

/// How long shutdown waits for the consumer's buffer to be handed back.
const BUFFER_DRAIN_LIMIT: Duration = Duration::from_secs(5);

/// What the handler decided for a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Done: everything it caused is durable.
    Ack,
    /// It can never be processed: to the dead-letter queue, body intact, with its reason.
    DeadLetter(EnvelopeError),
    /// Not now (a database or a registry is down): requeue it after `after`.
    Retry { after: Duration },
}

/// One delivery as the handler sees it, free of lapin's types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub delivery_tag: u64,
    /// The AMQP `message_id` property, which the contract says equals the body's.
    pub message_id: Option<String>,
    /// How often the broker delivered it before (the quorum queue's `x-delivery-count`;
    /// 0 on the first delivery).
    pub redelivery_count: u64,
    pub redelivered: bool,
    pub body: Vec<u8>,
}

/// Consumes the work queue until `shutdown` is cancelled or the channel fails.
///
/// At most `prefetch` deliveries are unacknowledged and at most `max_in_flight` handlers
/// run at once (`prefetch` 0 means no limit to AMQP, so configuration should refuse it;
/// `max_in_flight` 0 is taken as 1). A handler that returns `Retry` gives its slot up
/// while its delivery waits out the delay. On shutdown the consumer is cancelled first,
/// deliveries the broker had already sent but no handler had taken are requeued at once,
/// retries still waiting are requeued at once, and every running handler is awaited and
/// its delivery settled before this returns `Ok`. A channel or connection
/// that fails returns `Err`, after the running handlers finish (their acks are then lost
/// and the broker redelivers, which the idempotent intake absorbs).
pub async fn consume<H, F>(
    channel: Channel,
    names: &Names,
    prefetch: u16,
    max_in_flight: usize,
    handler: H,
    shutdown: CancellationToken,
) -> Result<(), BrokerError>
where
    H: Fn(Delivery) -> F + Clone + Send + 'static,
    F: Future<Output = Disposition> + Send + 'static,
{
    let (mut consumer, tag) = subscribe(&channel, names, prefetch).await?;
    tracing::info!(queue = %names.work_queue, prefetch, max_in_flight, "consuming");
    // Cancelled on shutdown and on failure alike: retries waiting out their delay requeue now.
    let stop = shutdown.child_token();
    let settle = Arc::new(Settle::new(channel.clone(), names, stop.clone()));
    let semaphore = Arc::new(Semaphore::new(max_in_flight.max(1)));
    let tracker = TaskTracker::new();
    let outcome = receive(
        &mut consumer,
        &semaphore,
        &tracker,
        &settle,
        handler,
        &shutdown,
    )
    .await;
    stop.cancel();
    if outcome.is_ok() {
        cancel(&channel, &mut consumer, &tag).await;
    }
    tracker.close();
    tracker.wait().await;
    tracing::info!(queue = %names.work_queue, ok = outcome.is_ok(), "stopped consuming");
    outcome
}

/// Sets the prefetch, puts the channel in confirm mode and starts consuming the work queue
/// under a tag of our own.
async fn subscribe(
    channel: &Channel,
    names: &Names,
    prefetch: u16,
) -> Result<(Consumer, String), BrokerError> {
    channel
        .basic_qos(prefetch, BasicQosOptions::default())
        .await?;
    // Dead letters are published on this channel and must be confirmed before the ack.
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let tag = format!("trp-worker-{}", uuid::Uuid::new_v4());
    let consumer = channel
        .basic_consume(
            names.work_queue.as_str().into(),
            tag.as_str().into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    Ok((consumer, tag))
}

/// Takes deliveries while a handler slot is free, until shutdown or failure.
async fn receive<H, F>(
    consumer: &mut Consumer,
    semaphore: &Arc<Semaphore>,
    tracker: &TaskTracker,
    settle: &Arc<Settle>,
    // Owned, not borrowed: a borrowed `H` would make the whole future require `H: Sync`.
    handler: H,
    shutdown: &CancellationToken,
) -> Result<(), BrokerError>
where
    H: Fn(Delivery) -> F + Clone + Send + 'static,
    F: Future<Output = Disposition> + Send + 'static,
{
    loop {
        // A slot first, so that deliveries wait in lapin's buffer rather than in tasks.
        let permit = tokio::select! {
            biased;
            () = shutdown.cancelled() => return Ok(()),
            permit = semaphore.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let next = tokio::select! {
            biased;
            () = shutdown.cancelled() => return Ok(()),
            next = consumer.next() => next,
        };
        match next {
            Some(Ok(delivery)) => {
                tracker.spawn(handle(settle.clone(), handler.clone(), delivery, permit));
            }
            Some(Err(e)) => return Err(e.into()),
            None => {
                return Err(BrokerError::ConsumerCancelled {
                    queue: consumer.queue().to_string(),
                })
            }
        }
    }
}

/// Runs the handler in a task of its own, so that a panic ends that task only, then
/// settles the delivery.
async fn handle<H, F>(
    settle: Arc<Settle>,
    handler: H,
    delivery: lapin::message::Delivery,
    permit: OwnedSemaphorePermit,
) where
    H: Fn(Delivery) -> F + Send + 'static,
    F: Future<Output = Disposition> + Send + 'static,
{
    let ours = Delivery {
        delivery_tag: delivery.delivery_tag,
        message_id: message_id(&delivery.properties),
        redelivery_count: header_u64(&delivery.properties, DELIVERY_COUNT).unwrap_or(0),
        redelivered: delivery.redelivered,
        // A copy, since a dead letter must carry the original bytes whatever the handler did.
        body: delivery.data.clone(),
    };
    let id = ours.message_id.clone().unwrap_or_default();
    let disposition = match tokio::spawn(async move { handler(ours).await }).await {
        Ok(disposition) => disposition,
        Err(e) => {
            tracing::error!(message_id = %id, panicked = e.is_panic(), "handler failed; the delivery will be retried");
            Disposition::Retry {
                after: PANIC_RETRY_AFTER,
            }
        }
    };
    settle.settle(delivery, disposition, permit).await;
}

/// Stops deliveries, then requeues those the broker had sent but no handler took.
async fn cancel(channel: &Channel, consumer: &mut Consumer, tag: &str) {
    if let Err(e) = channel
        .basic_cancel(tag.into(), BasicCancelOptions::default())
        .await
    {
        tracing::warn!(error = %e, "could not cancel the consumer; the broker requeues on close");
        return;
    }
    // After cancel-ok the stream yields what was buffered, then ends; the limit is only a
    // guard against a stream that never ends, since the broker requeues on close anyway.
    let requeue_buffered = async {
        while let Some(Ok(delivery)) = consumer.next().await {
            let requeue = BasicNackOptions {
                requeue: true,
                ..BasicNackOptions::default()
            };
            if let Err(e) = delivery.acker.nack(requeue).await {
                tracing::warn!(error = %e, "could not requeue a buffered delivery");
                return;
            }
        }
    };
    if tokio::time::timeout(BUFFER_DRAIN_LIMIT, requeue_buffered)
        .await
        .is_err()
    {
        tracing::warn!("buffered deliveries not all requeued; the broker requeues them on close");
    }
}
