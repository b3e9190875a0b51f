//! The worker's part of contract section 1, declared at start. Every declaration is
//! idempotent, so any number of replicas may declare at once.

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, ExchangeKind};

use super::names::{Names, SUBMITTED_KEY};
use super::BrokerError;

/// Declares the three topic exchanges, the work queue bound with `application.submitted`,
/// and the dead-letter queue. Both queues are quorum queues (replicated, and they count
/// redeliveries in `x-delivery-count`).
///
/// A queue that already exists with other arguments (say, a classic queue of the same
/// name) makes the broker close the channel with `PRECONDITION_FAILED`: an operator's
/// matter, reported as a permanent error.
pub async fn declare(channel: &Channel, names: &Names) -> Result<(), BrokerError> {
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
    for queue in [&names.work_queue, &names.dead_letter_queue] {
        channel
            .queue_declare(
                queue.as_str().into(),
                QueueDeclareOptions::durable(),
                quorum(),
            )
            .await?;
    }
    channel
        .queue_bind(
            names.work_queue.as_str().into(),
            names.applications_exchange.as_str().into(),
            SUBMITTED_KEY.into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    Ok(())
}

fn quorum() -> FieldTable {
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    arguments
}
