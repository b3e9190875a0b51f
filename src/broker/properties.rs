//! AMQP properties and headers shared by the consumer, the dead letters and the publisher:
//! reading header values, carrying a message's properties over to a re-publish, and
//! awaiting a publisher confirm.

use lapin::options::BasicPublishOptions;
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel, Confirmation, PublisherConfirm};

use super::BrokerError;

pub(crate) const PERSISTENT: u8 = 2;
pub(crate) const REASON: &str = "x-trp-reason";
pub(crate) const ERROR: &str = "x-trp-error";
pub(crate) const ORIGINAL_MESSAGE_ID: &str = "x-trp-original-message-id";
/// Failed deliveries carried over when a message is handed back by re-publishing it.
pub(crate) const FAILED_DELIVERIES: &str = "x-trp-failed-deliveries";
/// Set by quorum queues on every redelivery; meaningless once a message is re-published.
pub(crate) const DELIVERY_COUNT: &str = "x-delivery-count";

pub(crate) fn long_string(s: &str) -> AMQPValue {
    AMQPValue::LongString(s.into())
}

pub(crate) fn message_id(properties: &BasicProperties) -> Option<String> {
    properties.message_id().as_ref().map(|id| id.to_string())
}

/// A header as text, whichever string type the publisher chose.
pub fn header_str(properties: &BasicProperties, key: &str) -> Option<String> {
    match properties.headers().as_ref()?.inner().get(key)? {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.to_string()),
        _ => None,
    }
}

/// A header as a count, whichever integer type the broker chose (RabbitMQ sends
/// `x-delivery-count` as a signed 64-bit integer).
pub(crate) fn header_u64(properties: &BasicProperties, key: &str) -> Option<u64> {
    let value = properties.headers().as_ref()?.inner().get(key)?;
    let n: i128 = match *value {
        AMQPValue::ShortShortInt(n) => n.into(),
        AMQPValue::ShortShortUInt(n) => n.into(),
        AMQPValue::ShortInt(n) => n.into(),
        AMQPValue::ShortUInt(n) => n.into(),
        AMQPValue::LongInt(n) => n.into(),
        AMQPValue::LongUInt(n) => n.into(),
        AMQPValue::LongLongInt(n) => n.into(),
        AMQPValue::Timestamp(n) => n.into(),
        _ => return None,
    };
    u64::try_from(n).ok()
}

/// A `BasicProperties::with_*` setter of a string property.
type SetString = fn(BasicProperties, ShortString) -> BasicProperties;

/// The properties a re-published message keeps from `original`, made persistent, with
/// the headers whose names start with one of `drop` removed and `extra` added.
///
/// Left behind on purpose: `user_id` (RabbitMQ refuses a `user_id` other than the
/// publishing connection's), `expiration` (a dead letter must not expire), `reply_to`,
/// `priority`, and `x-delivery-count` (the queue it goes to keeps its own count).
pub(crate) fn carried(
    original: &BasicProperties,
    drop: &[&str],
    extra: FieldTable,
) -> BasicProperties {
    let mut p = BasicProperties::default().with_delivery_mode(PERSISTENT);
    let strings: [(&Option<ShortString>, SetString); 6] = [
        (original.content_type(), BasicProperties::with_content_type),
        (
            original.content_encoding(),
            BasicProperties::with_content_encoding,
        ),
        (original.message_id(), BasicProperties::with_message_id),
        (
            original.correlation_id(),
            BasicProperties::with_correlation_id,
        ),
        (original.kind(), BasicProperties::with_type),
        (original.app_id(), BasicProperties::with_app_id),
    ];
    for (value, set) in strings {
        if let Some(value) = value {
            p = set(p, value.clone());
        }
    }
    if let Some(timestamp) = *original.timestamp() {
        p = p.with_timestamp(timestamp);
    }
    let mut headers = FieldTable::default();
    if let Some(old) = original.headers() {
        for (key, value) in old.inner() {
            let k = key.as_str();
            if k != DELIVERY_COUNT && !drop.iter().any(|d| k.starts_with(d)) {
                headers.insert(key.clone(), value.clone());
            }
        }
    }
    for (key, value) in extra.inner() {
        headers.insert(key.clone(), value.clone());
    }
    p.with_headers(headers)
}

/// Publishes with `mandatory` set and waits for the broker's confirm: a nack, or a return
/// because no queue took it, is an error. The channel must be in confirm mode.
pub(crate) async fn publish_mandatory(
    channel: &Channel,
    target: (&str, &str),
    body: &[u8],
    properties: BasicProperties,
    message_id: &str,
) -> Result<(), BrokerError> {
    let confirm = send_mandatory(channel, target, body, properties).await?;
    confirmed(confirm.await?, message_id)
}

/// Publishes with `mandatory` set; the confirm is the caller's to await.
pub(crate) async fn send_mandatory(
    channel: &Channel,
    (exchange, routing_key): (&str, &str),
    body: &[u8],
    properties: BasicProperties,
) -> Result<PublisherConfirm, BrokerError> {
    let options = BasicPublishOptions {
        mandatory: true,
        ..BasicPublishOptions::default()
    };
    let confirm = channel
        .basic_publish(
            exchange.into(),
            routing_key.into(),
            options,
            body,
            properties,
        )
        .await?;
    Ok(confirm)
}

/// Awaits every confirm of a batch published in one go (`message_id`, confirm); logs each
/// failure and returns the first, once every confirm is in.
pub(crate) async fn confirmed_all(
    pending: Vec<(String, PublisherConfirm)>,
) -> Result<(), BrokerError> {
    let mut first_error = None;
    for (message_id, confirm) in pending {
        let outcome = match confirm.await {
            Ok(confirmation) => confirmed(confirmation, &message_id),
            Err(e) => Err(e.into()),
        };
        if let Err(e) = outcome {
            tracing::warn!(message_id = %message_id, error = %e, "publish not confirmed");
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// What a publisher confirm means for the message `message_id`.
pub(crate) fn confirmed(confirmation: Confirmation, message_id: &str) -> Result<(), BrokerError> {
    match confirmation {
        Confirmation::Ack(None) => Ok(()),
        Confirmation::Ack(Some(returned)) => Err(BrokerError::Unroutable {
            message_id: message_id.to_owned(),
            reply: returned.reply_text.to_string(),
        }),
        Confirmation::Nack(_) => Err(BrokerError::Nacked {
            message_id: message_id.to_owned(),
        }),
        // Every channel that publishes here is put in confirm mode first.
        Confirmation::NotRequested => {
            debug_assert!(false, "publish on a channel without confirms");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn original() -> BasicProperties {
        let mut headers = FieldTable::default();
        headers.insert(DELIVERY_COUNT.into(), AMQPValue::LongLongInt(3));
        headers.insert(REASON.into(), long_string("envelope.schema"));
        headers.insert("x-portal".into(), long_string("kept"));
        BasicProperties::default()
            .with_message_id("m-1".into())
            .with_content_type("application/json".into())
            .with_type("trp.application.submitted.v1".into())
            .with_timestamp(1_795_497_300)
            .with_user_id("portal".into())
            .with_expiration("60000".into())
            .with_headers(headers)
    }

    #[test]
    fn carried_keeps_what_identifies_the_message_and_drops_what_would_hurt() {
        let mut extra = FieldTable::default();
        extra.insert(ERROR.into(), long_string("why"));
        let p = carried(&original(), &["x-trp-"], extra);
        assert_eq!(message_id(&p).as_deref(), Some("m-1"));
        assert_eq!(
            p.content_type().as_ref().map(|s| s.as_str()),
            Some("application/json")
        );
        assert_eq!(
            p.kind().as_ref().map(|s| s.as_str()),
            Some("trp.application.submitted.v1")
        );
        assert_eq!(*p.timestamp(), Some(1_795_497_300));
        assert_eq!(*p.delivery_mode(), Some(PERSISTENT));
        assert_eq!((p.user_id(), p.expiration()), (&None, &None));
        assert_eq!(header_u64(&p, DELIVERY_COUNT), None);
        assert_eq!(header_str(&p, REASON), None, "dropped by prefix");
        assert_eq!(
            header_str(&p, ERROR).as_deref(),
            Some("why"),
            "added after the drop"
        );
        assert_eq!(header_str(&p, "x-portal").as_deref(), Some("kept"));
    }

    #[test]
    fn counts_read_from_any_integer_type() {
        assert_eq!(header_u64(&original(), DELIVERY_COUNT), Some(3));
        let mut headers = FieldTable::default();
        headers.insert(DELIVERY_COUNT.into(), AMQPValue::LongInt(-1));
        let negative = BasicProperties::default().with_headers(headers);
        assert_eq!(header_u64(&negative, DELIVERY_COUNT), None);
    }
}
