//! The worker's part of contract section 1, declared at start. Every declaration is
//! idempotent, so any number of replicas may declare at once.

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, ErrorKind, ExchangeKind};

use super::names::Names;
use super::BrokerError;

/// Where the work queue's delivery limit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryLimit {
    /// Declared with the queue: `x-delivery-limit` (`amqp.delivery_limit`), and the
    /// dead-letter queue as the queue's dead-letter target for what the broker drops.
    Declared(u32),
    /// Set by an operator's policy (`amqp.delivery_limit_by_policy`): the queue is declared
    /// without those arguments, so that a queue declared before them is accepted as it is.
    ByPolicy,
}

/// Declares the three topic exchanges, the work queue bound with the submitted key, and
/// the dead-letter queue. Both queues are quorum queues (replicated, and they count
/// redeliveries in `x-delivery-count`).
///
/// The work queue carries an explicit delivery limit so that it behaves alike on RabbitMQ
/// 3.x (no limit unless declared) and 4.x (20 unless declared); the worker itself
/// dead-letters a message on its last allowed failure, with the reason `delivery_limit`, so
/// the broker's own limit (and its dead-lettering, with an `x-death` header) is a backstop
/// for deliveries no handler settled, such as a worker killed mid-way every time.
///
/// A queue that already exists with other arguments (one declared before the delivery
/// limit, or a classic queue of the same name) makes the broker refuse with
/// `PRECONDITION_FAILED`: [`BrokerError::QueueArguments`], which names the remedy.
pub async fn declare(
    channel: &Channel,
    names: &Names,
    limit: DeliveryLimit,
) -> Result<(), BrokerError> {
    for exchange in [
        &names.applications_exchange,
        &names.decisions_exchange,
        &names.status_exchange,
    ] {
        let options = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        channel
            .exchange_declare(
                exchange.as_str().into(),
                ExchangeKind::Topic,
                options,
                FieldTable::default(),
            )
            .await?;
    }
    let queues = [
        (&names.work_queue, work_queue_arguments(names, limit)),
        (&names.dead_letter_queue, quorum()),
    ];
    for (queue, arguments) in queues {
        channel
            .queue_declare(
                queue.as_str().into(),
                QueueDeclareOptions::durable(),
                arguments,
            )
            .await
            .map_err(|e| refused_arguments(e, queue, limit))?;
    }
    channel
        .queue_bind(
            names.work_queue.as_str().into(),
            names.applications_exchange.as_str().into(),
            names.submitted_key.as_str().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    Ok(())
}

/// The work queue's arguments: a quorum queue, and, unless a policy sets them, its
/// delivery limit and where the broker dead-letters what it drops at that limit.
pub fn work_queue_arguments(names: &Names, limit: DeliveryLimit) -> FieldTable {
    let mut arguments = quorum();
    if let DeliveryLimit::Declared(n) = limit {
        arguments.insert("x-delivery-limit".into(), AMQPValue::LongLongInt(n.into()));
        arguments.insert(
            "x-dead-letter-exchange".into(),
            AMQPValue::LongString("".into()),
        );
        arguments.insert(
            "x-dead-letter-routing-key".into(),
            AMQPValue::LongString(names.dead_letter_queue.as_str().into()),
        );
    }
    arguments
}

fn quorum() -> FieldTable {
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    arguments
}

/// `PRECONDITION_FAILED` on a queue declaration means the queue exists with other
/// arguments: an operator's matter, with a remedy to name.
fn refused_arguments(e: lapin::Error, queue: &str, limit: DeliveryLimit) -> BrokerError {
    let refused = matches!(e.kind(), ErrorKind::ProtocolError(amqp)
        if matches!(amqp.kind(), AMQPErrorKind::Soft(AMQPSoftError::PRECONDITIONFAILED)));
    if !refused {
        return e.into();
    }
    let remedy = match limit {
        DeliveryLimit::Declared(_) => {
            "it was declared earlier with other arguments (before the delivery limit, or as \
             a classic queue); arguments cannot change in place: either put the limit in a \
             policy and set amqp.delivery_limit_by_policy = true, or move to a new queue \
             (amqp.work_queue) and shovel the old one into it (docs/operations.md, \
             \"The work queue's delivery limit\")"
        }
        DeliveryLimit::ByPolicy => {
            "it exists with other arguments than a plain quorum queue; see docs/operations.md, \
             \"The work queue's delivery limit\""
        }
    };
    BrokerError::QueueArguments {
        queue: queue.to_owned(),
        reply: e.to_string(),
        remedy,
    }
}
