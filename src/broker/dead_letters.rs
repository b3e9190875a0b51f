//! What `trp-worker dead-letters list|replay` does to the dead-letter queue.
//!
//! Both read the queue with `basic.get`, holding what they read unacknowledged (so that
//! the broker does not hand the same message out twice in one pass), and give back what
//! they keep with one `basic.nack(multiple, requeue)` at the end. A quorum queue returns
//! such messages ahead of the rest, in the order they were read, so the queue's order is
//! kept; each one's `x-delivery-count` does go up by one. That count is harmless on the
//! dead-letter queue as long as no `delivery-limit` policy applies to it, which operators
//! must not set (a limit would drop dead letters after as many listings). Two listings at
//! once each see part of the queue. RabbitMQ offers no read that leaves a queue as it was
//! (the management API's "get messages" requeues the same way).

use std::collections::HashSet;

use lapin::message::BasicGetMessage;
use lapin::options::{BasicAckOptions, BasicGetOptions, BasicNackOptions, ConfirmSelectOptions};
use lapin::Channel;

use super::names::SUBMITTED_KEY;
use super::properties::{
    carried, header_str, message_id, publish_mandatory, ERROR, ORIGINAL_MESSAGE_ID, REASON,
};
use super::{BrokerError, Names};

/// One dead letter, as `dead-letters list` shows it: never its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub message_id: Option<String>,
    /// `x-trp-reason`: a dead-letter reason code.
    pub reason: Option<String>,
    /// `x-trp-error`: one line saying what was wrong.
    pub error: Option<String>,
    pub body_len: usize,
}

/// The first `limit` dead letters, oldest first. See the module's note on what reading
/// does to the queue.
pub async fn list(
    channel: &Channel,
    names: &Names,
    limit: usize,
) -> Result<Vec<DeadLetter>, BrokerError> {
    let mut held = Held::default();
    let mut found = Vec::new();
    while found.len() < limit {
        let Some(got) = held.get(channel, names).await? else {
            break;
        };
        let p = &got.delivery.properties;
        found.push(DeadLetter {
            message_id: message_id(p).or_else(|| header_str(p, ORIGINAL_MESSAGE_ID)),
            reason: header_str(p, REASON),
            error: header_str(p, ERROR),
            body_len: got.delivery.data.len(),
        });
    }
    held.give_back(channel).await?;
    Ok(found)
}

/// Re-publishes every dead letter whose `message_id` is one of `message_ids` to the
/// applications exchange with routing key `application.submitted` (body and properties as
/// they came, less the `x-trp-*` headers), and removes it from the dead-letter queue once
/// the broker has confirmed the copy. Returns how many were replayed; the rest stay.
pub async fn replay(
    channel: &Channel,
    names: &Names,
    message_ids: &[String],
) -> Result<usize, BrokerError> {
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let wanted: HashSet<&str> = message_ids.iter().map(String::as_str).collect();
    let mut held = Held::default();
    let outcome = replay_wanted(channel, names, &wanted, &mut held).await;
    // Whatever happened, what was not replayed goes back.
    let given_back = held.give_back(channel).await;
    let replayed = outcome?;
    given_back?;
    Ok(replayed)
}

async fn replay_wanted(
    channel: &Channel,
    names: &Names,
    wanted: &HashSet<&str>,
    held: &mut Held,
) -> Result<usize, BrokerError> {
    let mut replayed = 0;
    while let Some(got) = held.get(channel, names).await? {
        let Some(id) = message_id(&got.delivery.properties) else {
            continue;
        };
        if !wanted.contains(id.as_str()) {
            continue;
        }
        let properties = carried(&got.delivery.properties, &["x-trp-"], Default::default());
        let target = (names.applications_exchange.as_str(), SUBMITTED_KEY);
        publish_mandatory(channel, target, &got.delivery.data, properties, &id).await?;
        got.delivery.acker.ack(BasicAckOptions::default()).await?;
        tracing::info!(message_id = %id, "replayed a dead letter");
        replayed += 1;
    }
    Ok(replayed)
}

/// The dead letters read and not yet given back.
#[derive(Default)]
struct Held {
    last_tag: Option<u64>,
}

impl Held {
    async fn get(
        &mut self,
        channel: &Channel,
        names: &Names,
    ) -> Result<Option<BasicGetMessage>, BrokerError> {
        let got = channel
            .basic_get(
                names.dead_letter_queue.as_str().into(),
                BasicGetOptions { no_ack: false },
            )
            .await?;
        if let Some(got) = &got {
            self.last_tag = Some(got.delivery.delivery_tag);
        }
        Ok(got)
    }

    /// Requeues, in one frame, every read message not acknowledged since.
    async fn give_back(self, channel: &Channel) -> Result<(), BrokerError> {
        if let Some(tag) = self.last_tag {
            let options = BasicNackOptions {
                multiple: true,
                requeue: true,
            };
            channel.basic_nack(tag, options).await?;
        }
        Ok(())
    }
}
