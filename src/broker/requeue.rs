//! Publishing an application's original message to the work queue again (a deferred
//! application whose CRLs are fresh now): same bytes, same `message_id`, persistent,
//! straight to the queue through the default exchange, confirmed.

use lapin::options::ConfirmSelectOptions;
use lapin::{BasicProperties, Channel};

use super::properties::{publish_mandatory, PERSISTENT};
use super::BrokerError;

/// One message to put back: its `message_id` and body as they first came.
#[derive(Debug, Clone, Copy)]
pub struct Original<'a> {
    pub message_id: &'a str,
    pub body: &'a [u8],
}

/// Puts `channel` in confirm mode and publishes each message to `work_queue`, waiting for
/// each confirm; a nack, or no such queue, is an error (what was confirmed before stays
/// published: the worker's intake drops a second copy as a duplicate).
pub async fn requeue(
    channel: &Channel,
    work_queue: &str,
    messages: &[Original<'_>],
) -> Result<(), BrokerError> {
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    for m in messages {
        let properties = BasicProperties::default()
            .with_delivery_mode(PERSISTENT)
            .with_content_type("application/json".into())
            .with_message_id(m.message_id.into());
        publish_mandatory(channel, ("", work_queue), m.body, properties, m.message_id).await?;
    }
    Ok(())
}
