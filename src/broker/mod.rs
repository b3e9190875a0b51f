//! RabbitMQ at the edge: connecting, declaring the topology, consuming the work queue,
//! publishing with confirms, and the dead-letter queue's list and replay.
//!
//! Nothing here reads a message body: bodies go to the handler or back to the broker as
//! they came, and events name a message by its `message_id` only.

pub mod connect;
pub mod consumer;
pub mod dead_letters;
pub mod error;
pub mod names;
mod properties;
pub mod publisher;
pub mod requeue;
mod settle;
pub mod topology;

pub use connect::connect;
pub use consumer::{consume, Consumed, Delivery, Disposition, Flow};
pub use error::BrokerError;
pub use names::Names;
pub use properties::header_str;
pub use publisher::Publisher;
