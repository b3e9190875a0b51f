//! What `trp-worker dead-letters list|replay` does to the dead-letter queue.
//!
//! RabbitMQ has no read that leaves a queue as it was: a message read and requeued counts a
//! delivery on a quorum queue, and RabbitMQ 4.x drops a message after 20 of them unless the
//! queue says otherwise, so twenty listings would delete every dead letter. So both
//! commands make one pass over the queue instead: they read each message that was there
//! when the pass began, re-publish a copy of it (body and properties as they came, headers
//! included) to the back of the queue, or, when `replay` chose it, to the applications
//! exchange, and acknowledge the original once the broker has confirmed every copy of its
//! round. A copy is a new message to the queue: its delivery count starts afresh, and
//! a full pass leaves the queue in its order. Dead letters that arrive during a pass land
//! among the copies; two passes at once each copy what they read; a pass that stops half
//! way leaves at worst a second copy of a message (the same `message_id`), never a gap.

use std::collections::HashSet;

use lapin::message::BasicGetMessage;
use lapin::options::{
    BasicAckOptions, BasicGetOptions, BasicNackOptions, ConfirmSelectOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel};

use super::properties::{
    carried, confirmed_all, header_str, message_id, send_mandatory, ERROR, ORIGINAL_MESSAGE_ID,
    REASON,
};
use super::{BrokerError, Names};

/// Messages read, copied and confirmed together in one round of a pass.
const ROUND: usize = 256;

/// One dead letter, as `dead-letters list` shows it: never its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub message_id: Option<String>,
    /// `x-trp-reason`: a dead-letter reason code; for a message the broker itself
    /// dead-lettered at the work queue's delivery limit, its `x-first-death-reason`.
    pub reason: Option<String>,
    /// `x-trp-error`: one line saying what was wrong.
    pub error: Option<String>,
    pub body_len: usize,
}

/// The first `limit` dead letters, oldest first. See the module's note on how reading
/// leaves the queue as it was.
pub async fn list(
    channel: &Channel,
    names: &Names,
    limit: usize,
) -> Result<Vec<DeadLetter>, BrokerError> {
    let mut found = Vec::new();
    pass(channel, names, |got| {
        if found.len() < limit {
            let p = &got.delivery.properties;
            found.push(DeadLetter {
                message_id: message_id(p).or_else(|| header_str(p, ORIGINAL_MESSAGE_ID)),
                reason: header_str(p, REASON).or_else(|| header_str(p, "x-first-death-reason")),
                error: header_str(p, ERROR),
                body_len: got.delivery.data.len(),
            });
        }
        Visit::Keep
    })
    .await?;
    Ok(found)
}

/// Re-publishes every dead letter whose `message_id` is one of `message_ids` to the
/// applications exchange with the submitted routing key (body and properties as they came,
/// less the `x-trp-*` headers), and removes it from the dead-letter queue once the broker
/// has confirmed the copy. Returns how many were replayed; the rest stay.
pub async fn replay(
    channel: &Channel,
    names: &Names,
    message_ids: &[String],
) -> Result<usize, BrokerError> {
    let wanted: HashSet<&str> = message_ids.iter().map(String::as_str).collect();
    let mut replayed = 0;
    pass(channel, names, |got| {
        let chosen =
            message_id(&got.delivery.properties).is_some_and(|id| wanted.contains(id.as_str()));
        if chosen {
            replayed += 1;
            Visit::Replay
        } else {
            Visit::Keep
        }
    })
    .await?;
    Ok(replayed)
}

/// What a pass does with one dead letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    /// Back to the end of the dead-letter queue, as it came.
    Keep,
    /// To the applications exchange, without the dead-letter headers.
    Replay,
}

/// Visits each message that is in the dead-letter queue when the pass begins, once, and
/// moves it where `visit` says, in rounds of [`ROUND`].
async fn pass(
    channel: &Channel,
    names: &Names,
    mut visit: impl FnMut(&BasicGetMessage) -> Visit,
) -> Result<(), BrokerError> {
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let mut left = waiting(channel, &names.dead_letter_queue).await?;
    while left > 0 {
        let mut round = Vec::new();
        while round.len() < ROUND && left > 0 {
            let got = channel
                .basic_get(
                    names.dead_letter_queue.as_str().into(),
                    BasicGetOptions { no_ack: false },
                )
                .await?;
            let Some(got) = got else {
                left = 0;
                break;
            };
            left -= 1;
            let target = visit(&got);
            round.push((got, target));
        }
        move_round(channel, names, &round).await?;
    }
    Ok(())
}

/// Publishes each message of the round where it goes, waits for every confirm, then
/// acknowledges the originals; if a copy is not confirmed, the originals go back
/// (requeued, so nothing is lost) and the pass stops with the error.
async fn move_round(
    channel: &Channel,
    names: &Names,
    round: &[(BasicGetMessage, Visit)],
) -> Result<(), BrokerError> {
    let Some(last) = round.last().map(|(got, _)| got.delivery.delivery_tag) else {
        return Ok(());
    };
    let outcome = publish_round(channel, names, round).await;
    match outcome {
        Ok(()) => {
            let all = BasicAckOptions { multiple: true };
            channel.basic_ack(last, all).await?;
            for (got, visit) in round {
                if *visit == Visit::Replay {
                    let id = message_id(&got.delivery.properties).unwrap_or_default();
                    tracing::info!(message_id = %id, "replayed a dead letter");
                }
            }
            Ok(())
        }
        Err(e) => {
            let back = BasicNackOptions {
                multiple: true,
                requeue: true,
            };
            channel.basic_nack(last, back).await?;
            Err(e)
        }
    }
}

async fn publish_round(
    channel: &Channel,
    names: &Names,
    round: &[(BasicGetMessage, Visit)],
) -> Result<(), BrokerError> {
    let mut pending = Vec::with_capacity(round.len());
    for (got, visit) in round {
        let (target, properties) = destination(names, &got.delivery.properties, *visit);
        let confirm = send_mandatory(channel, target, &got.delivery.data, properties).await?;
        let id = message_id(&got.delivery.properties).unwrap_or_default();
        pending.push((id, confirm));
    }
    confirmed_all(pending).await
}

/// Where a visited message goes, and with which properties.
fn destination<'a>(
    names: &'a Names,
    original: &BasicProperties,
    visit: Visit,
) -> ((&'a str, &'a str), BasicProperties) {
    match visit {
        Visit::Keep => (
            ("", names.dead_letter_queue.as_str()),
            carried(original, &[], FieldTable::default()),
        ),
        Visit::Replay => (
            (
                names.applications_exchange.as_str(),
                names.submitted_key.as_str(),
            ),
            carried(original, &["x-trp-"], FieldTable::default()),
        ),
    }
}

/// Messages ready in `queue` now.
async fn waiting(channel: &Channel, queue: &str) -> Result<u32, BrokerError> {
    let options = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let q = channel
        .queue_declare(queue.into(), options, FieldTable::default())
        .await?;
    Ok(q.message_count())
}
