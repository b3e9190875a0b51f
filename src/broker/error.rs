//! What can go wrong talking to the broker, and whether trying again can help.

use lapin::protocol::{AMQPErrorKind, AMQPHardError, AMQPSoftError};
use lapin::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("no broker URL is configured (amqp.url)")]
    NoUrl,
    /// Every URL was tried; `source` is the last one's failure.
    #[error("could not connect to any of {tried} broker URL(s); the last: {source}")]
    Connect {
        tried: usize,
        #[source]
        source: lapin::Error,
    },
    #[error("broker operation failed: {0}")]
    Amqp(#[from] lapin::Error),
    /// The broker refused to take a published message (a publisher-confirm nack).
    #[error("the broker refused message {message_id}")]
    Nacked { message_id: String },
    /// A mandatory publish that no queue was bound to take.
    #[error("message {message_id} could not be routed: {reply}")]
    Unroutable { message_id: String, reply: String },
    /// A queue exists with other arguments than the worker declares: an operator must act.
    #[error("queue {queue} cannot be declared: {reply}; {remedy}")]
    QueueArguments {
        queue: String,
        reply: String,
        remedy: &'static str,
    },
    /// The broker cancelled our consumer (the queue was deleted, or its node went away).
    #[error("the broker cancelled the consumer of {queue}")]
    ConsumerCancelled { queue: String },
}

impl BrokerError {
    /// True where reconnecting and trying again can succeed (the broker restarted, a node
    /// left the cluster); false where an operator must act first (credentials, a queue
    /// declared with other arguments, a missing queue).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::NoUrl | Self::Unroutable { .. } | Self::QueueArguments { .. } => false,
            Self::Nacked { .. } | Self::ConsumerCancelled { .. } => true,
            Self::Connect { source, .. } | Self::Amqp(source) => lapin_is_transient(source),
        }
    }
}

fn lapin_is_transient(e: &lapin::Error) -> bool {
    match e.kind() {
        ErrorKind::IOError(_)
        | ErrorKind::MissingHeartbeatError
        | ErrorKind::InvalidChannel(_)
        | ErrorKind::InvalidChannelState(..)
        | ErrorKind::InvalidConnectionState(_)
        | ErrorKind::ChannelsLimitReached => true,
        ErrorKind::ProtocolError(amqp) => match amqp.kind() {
            AMQPErrorKind::Soft(soft) => matches!(soft, AMQPSoftError::RESOURCELOCKED),
            AMQPErrorKind::Hard(hard) => matches!(
                hard,
                AMQPHardError::CONNECTIONFORCED
                    | AMQPHardError::RESOURCEERROR
                    | AMQPHardError::INTERNALERROR
                    | AMQPHardError::CHANNELERROR
            ),
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_connection_is_transient() {
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let e = BrokerError::Connect {
            tried: 2,
            source: lapin::Error::from(io),
        };
        assert!(e.is_transient());
        assert!(!BrokerError::NoUrl.is_transient());
    }
}
