//! Publishing the worker's own messages (decisions, status events) with publisher
//! confirms, as contract section 1 asks of every message the worker sends.

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, PublisherConfirm};

use super::properties::{confirmed, confirmed_all, PERSISTENT};
use super::{BrokerError, Names};
use crate::domain::messages::{Destination, Outgoing};

const JSON: &str = "application/json";

/// A channel in confirm mode, publishing [`Outgoing`] messages.
///
/// Publishes are not `mandatory`: the decisions and status exchanges fan out to whoever
/// has bound a queue, and a message nobody is bound for is, by the broker's rules for
/// topic exchanges, confirmed and dropped.
#[derive(Debug, Clone)]
pub struct Publisher {
    channel: Channel,
}

impl Publisher {
    /// Puts `channel` in confirm mode. Use a channel of its own: confirms and consumer
    /// acks are separate sequences, but a publisher that blocks on flow control should not
    /// hold up a consumer's acks.
    pub async fn new(channel: Channel) -> Result<Self, BrokerError> {
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        Ok(Self { channel })
    }

    /// Publishes `msg` and waits for the broker's confirm; a nack is an error.
    pub async fn publish(&self, names: &Names, msg: &Outgoing) -> Result<(), BrokerError> {
        let confirm = self.send(names, msg).await?;
        confirmed(confirm.await?, &msg.message_id.to_string())
    }

    /// Publishes every message, then waits for every confirm: one round trip for the lot.
    /// Returns the first failure, after every confirm is in. Since a message published
    /// twice carries the same `message_id` and bytes, the caller may simply publish the
    /// whole batch again.
    pub async fn publish_batch(&self, names: &Names, msgs: &[Outgoing]) -> Result<(), BrokerError> {
        let mut pending = Vec::with_capacity(msgs.len());
        for msg in msgs {
            pending.push((msg.message_id.to_string(), self.send(names, msg).await?));
        }
        confirmed_all(pending).await
    }

    async fn send(&self, names: &Names, msg: &Outgoing) -> Result<PublisherConfirm, BrokerError> {
        let exchange = match msg.destination {
            Destination::Decisions => &names.decisions_exchange,
            Destination::Status => &names.status_exchange,
        };
        let routing_key = names.routing_key(msg);
        let confirm = self
            .channel
            .basic_publish(
                exchange.as_str().into(),
                routing_key.as_str().into(),
                BasicPublishOptions::default(),
                &msg.body,
                properties(msg),
            )
            .await?;
        Ok(confirm)
    }
}

/// The properties contract section 1 asks for.
fn properties(msg: &Outgoing) -> BasicProperties {
    // AMQP timestamps are unsigned seconds; nothing the worker sends predates 1970.
    let timestamp = u64::try_from(msg.timestamp.unix_timestamp()).unwrap_or(0);
    BasicProperties::default()
        .with_delivery_mode(PERSISTENT)
        .with_content_type(JSON.into())
        .with_message_id(msg.message_id.to_string().into())
        .with_type(msg.schema.into())
        .with_timestamp(timestamp)
}
