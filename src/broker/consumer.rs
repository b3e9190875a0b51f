//! The work-queue consumer: deliveries in, a bounded number of handlers at once, and each
//! delivery settled (ack, dead letter, retry) only once its handler is done.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use lapin::options::{
    BasicCancelOptions, BasicConsumeOptions, BasicQosOptions, ConfirmSelectOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Consumer};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::properties::message_id;
use super::settle::{failed_before, Settle};
use super::{BrokerError, Names};
use crate::domain::dead_letter::EnvelopeError;
use crate::telemetry::ReasonLabel;

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
    /// Processing failed (a permanent database error, a bug, a panic): requeue it after
    /// `after`. This counts toward the delivery limit: the failure that reaches it sends
    /// the message to the dead-letter queue as `delivery_limit`, with `error` (one line,
    /// no personal data) as its `x-trp-error`.
    Retry { after: Duration, error: String },
    /// Not processed, through no fault of its own: the database is unreachable. The
    /// delivery is handed back without counting toward the limit (a copy is re-published to
    /// the work queue and the original acknowledged), and the consumer pauses: it takes no
    /// more deliveries, hands back those it holds, and returns [`Consumed::Paused`] so that
    /// its caller resumes once the database answers again.
    Outage { error: String },
}

/// How a call to [`consume`] ended without a failure of the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumed {
    /// `shutdown` was cancelled.
    Stopped,
    /// A handler reported an outage; consume again once it is over.
    Paused,
}

/// How much the consumer takes at once, and when a failing message is given up.
#[derive(Debug, Clone)]
pub struct Flow {
    /// Unacknowledged deliveries (`basic.qos`); 0 means no limit to AMQP, so configuration
    /// refuses it.
    pub prefetch: u16,
    /// Handlers running at once (0 is taken as 1).
    pub max_in_flight: usize,
    /// Failed deliveries after which a message is dead-lettered (`amqp.delivery_limit`).
    pub delivery_limit: u32,
    /// Counts dead letters by reason, once the dead-letter queue has confirmed each.
    pub dead_letters: Family<ReasonLabel, Counter>,
}

/// One delivery as the handler sees it, free of lapin's types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub delivery_tag: u64,
    /// The AMQP `message_id` property, which the contract says equals the body's.
    pub message_id: Option<String>,
    /// Deliveries of this message before this one that count toward the delivery limit:
    /// the quorum queue's `x-delivery-count` (0 on the first delivery), plus those carried
    /// over when the message was handed back during an outage.
    pub redelivery_count: u64,
    pub redelivered: bool,
    pub body: Vec<u8>,
}

/// Consumes the work queue until `shutdown` is cancelled or the channel fails.
///
/// At most `flow.prefetch` deliveries are unacknowledged and at most `flow.max_in_flight`
/// handlers run at once. A handler that returns `Retry` gives its slot up while its
/// delivery waits out the delay. On shutdown, and on a pause, the consumer is cancelled
/// first, deliveries the broker had already sent but no handler had taken are handed back
/// without counting, retries still waiting are requeued at once, and every running handler
/// is awaited and its delivery settled before this returns `Ok`. A channel or connection
/// that fails returns `Err`, after the running handlers finish (their acks are then lost
/// and the broker redelivers, which the idempotent intake absorbs).
pub async fn consume<H, F>(
    channel: Channel,
    names: &Names,
    flow: Flow,
    handler: H,
    shutdown: CancellationToken,
) -> Result<Consumed, BrokerError>
where
    H: Fn(Delivery) -> F + Clone + Send + 'static,
    F: Future<Output = Disposition> + Send + 'static,
{
    let (mut consumer, tag) = subscribe(&channel, names, flow.prefetch).await?;
    tracing::info!(queue = %names.work_queue, prefetch = flow.prefetch, max_in_flight = flow.max_in_flight, delivery_limit = flow.delivery_limit, "consuming");
    // Cancelled on shutdown and on failure alike: retries waiting out their delay requeue now.
    let stop = shutdown.child_token();
    let pause = CancellationToken::new();
    let consumer_gone = CancellationToken::new();
    let settle = Arc::new(Settle::new(
        channel.clone(),
        names,
        &flow,
        stop.clone(),
        pause.clone(),
        consumer_gone.clone(),
    ));
    let semaphore = Arc::new(Semaphore::new(flow.max_in_flight.max(1)));
    let tracker = TaskTracker::new();
    let stops = Stops {
        shutdown: &shutdown,
        pause: &pause,
    };
    let outcome = receive(&mut consumer, &semaphore, &tracker, &settle, handler, stops).await;
    if matches!(outcome, Ok(Consumed::Paused)) {
        tracing::warn!(queue = %names.work_queue, "paused: taking no deliveries until the database answers");
    }
    stop.cancel();
    if outcome.is_ok() {
        cancel(&channel, &mut consumer, &tag, &settle).await;
    }
    // Outage deliveries wait for this before they are handed back (`Settle::settle`).
    consumer_gone.cancel();
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

/// What ends [`receive`] without a failure.
#[derive(Clone, Copy)]
struct Stops<'a> {
    shutdown: &'a CancellationToken,
    /// Cancelled by the first delivery settled as an outage.
    pause: &'a CancellationToken,
}

impl Stops<'_> {
    /// Waits for either; shutdown wins when both are set.
    async fn stopped(self) -> Consumed {
        tokio::select! {
            biased;
            () = self.shutdown.cancelled() => Consumed::Stopped,
            () = self.pause.cancelled() => Consumed::Paused,
        }
    }
}

/// Takes deliveries while a handler slot is free, until shutdown, a pause or failure.
async fn receive<H, F>(
    consumer: &mut Consumer,
    semaphore: &Arc<Semaphore>,
    tracker: &TaskTracker,
    settle: &Arc<Settle>,
    // Owned, not borrowed: a borrowed `H` would make the whole future require `H: Sync`.
    handler: H,
    stops: Stops<'_>,
) -> Result<Consumed, BrokerError>
where
    H: Fn(Delivery) -> F + Clone + Send + 'static,
    F: Future<Output = Disposition> + Send + 'static,
{
    loop {
        // A slot first, so that deliveries wait in lapin's buffer rather than in tasks.
        let permit = tokio::select! {
            biased;
            stopped = stops.stopped() => return Ok(stopped),
            permit = semaphore.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let next = tokio::select! {
            biased;
            stopped = stops.stopped() => return Ok(stopped),
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
        redelivery_count: failed_before(&delivery.properties),
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
                error: "the handler panicked".into(),
            }
        }
    };
    settle.settle(delivery, disposition, permit).await;
}

/// Stops deliveries, then hands back, without counting, those the broker had sent but no
/// handler took.
async fn cancel(channel: &Channel, consumer: &mut Consumer, tag: &str, settle: &Settle) {
    if let Err(e) = channel
        .basic_cancel(tag.into(), BasicCancelOptions::default())
        .await
    {
        tracing::warn!(error = %e, "could not cancel the consumer; the broker requeues on close");
        return;
    }
    // After cancel-ok the stream yields what was buffered, then ends; the limit is only a
    // guard against a stream that never ends, since the broker requeues on close anyway.
    let give_back_buffered = async {
        while let Some(Ok(delivery)) = consumer.next().await {
            if !settle.give_back(&delivery).await {
                return;
            }
        }
    };
    if tokio::time::timeout(BUFFER_DRAIN_LIMIT, give_back_buffered)
        .await
        .is_err()
    {
        tracing::warn!(
            "buffered deliveries not all handed back; the broker requeues them on close"
        );
    }
}
