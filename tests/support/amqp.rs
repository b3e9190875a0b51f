//! A real RabbitMQ for the broker tests: each test gets its own exchange and queue names,
//! so tests run in parallel on one broker, and removes them at the end.

use std::future::Future;
use std::time::Duration;

use lapin::message::BasicGetMessage;
use lapin::options::{
    BasicAckOptions, BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions,
    ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel, Connection};

use trp_worker::broker::topology::DeliveryLimit;
use trp_worker::broker::{self, topology, Names};

/// The broker of `scripts/services.sh`, or `TRP_TEST_AMQP_URL`.
pub fn url() -> String {
    std::env::var("TRP_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

pub async fn connection() -> Connection {
    broker::connect(&[url()], "trp-worker tests")
        .await
        .expect("RabbitMQ answers (bash scripts/services.sh)")
}

/// One test's names, its connection, and the topology declared.
pub struct TestBroker {
    pub names: Names,
    pub connection: Connection,
    pub channel: Channel,
    extra_queues: Vec<String>,
}

impl TestBroker {
    pub async fn new() -> Self {
        Self::with_limit(DeliveryLimit::Declared(10)).await
    }

    /// The test's topology with the work queue's delivery limit `limit`.
    pub async fn with_limit(limit: DeliveryLimit) -> Self {
        Self::on(connection().await, limit).await
    }

    /// The test's topology on `connection` (e.g. to a node of the cluster).
    pub async fn on(connection: Connection, limit: DeliveryLimit) -> Self {
        let names = Names::with_prefix(&format!("t{}", uuid::Uuid::new_v4().simple()));
        let channel = connection.create_channel().await.expect("channel");
        topology::declare(&channel, &names, limit)
            .await
            .expect("topology");
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .expect("confirm mode");
        Self {
            names,
            connection,
            channel,
            extra_queues: Vec::new(),
        }
    }

    /// Speaks over `connection` from now on (e.g. to a node the test will not stop); what
    /// was declared stays.
    pub async fn move_to(&mut self, connection: Connection) {
        let channel = connection.create_channel().await.expect("channel");
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .expect("confirm mode");
        let old = std::mem::replace(&mut self.connection, connection);
        self.channel = channel;
        let _ = old.close(200, "OK".into()).await;
    }

    /// A new channel on the test's connection.
    pub async fn channel(&self) -> Channel {
        self.connection.create_channel().await.expect("channel")
    }

    /// Publishes `body` as the portal would: to the applications exchange, confirmed.
    pub async fn submit(&self, body: &[u8], message_id: &str) {
        let properties = BasicProperties::default()
            .with_message_id(message_id.into())
            .with_content_type("application/json".into())
            .with_delivery_mode(2);
        let exchange = self.names.applications_exchange.clone();
        self.publish(&exchange, "application.submitted", body, properties)
            .await;
    }

    pub async fn publish(
        &self,
        exchange: &str,
        key: &str,
        body: &[u8],
        properties: BasicProperties,
    ) {
        let options = BasicPublishOptions {
            mandatory: true,
            ..BasicPublishOptions::default()
        };
        let confirmation = self
            .channel
            .basic_publish(exchange.into(), key.into(), options, body, properties)
            .await
            .expect("publish")
            .await
            .expect("confirm");
        assert!(confirmation.is_ack(), "broker took the message");
        assert!(confirmation.take_message().is_none(), "message was routed");
    }

    /// A durable classic queue of the test's own, bound to `exchange` with `key`.
    pub async fn bind_queue(&mut self, exchange: &str, key: &str) -> String {
        self.bind_queue_with(exchange, key, FieldTable::default())
            .await
    }

    /// [`Self::bind_queue`], declared with `arguments` (e.g. `x-queue-type` quorum).
    pub async fn bind_queue_with(
        &mut self,
        exchange: &str,
        key: &str,
        arguments: FieldTable,
    ) -> String {
        let name = format!("{}.{}", self.names.work_queue, self.extra_queues.len());
        let options = QueueDeclareOptions::durable();
        self.channel
            .queue_declare(name.as_str().into(), options, arguments)
            .await
            .expect("queue");
        self.channel
            .queue_bind(
                name.as_str().into(),
                exchange.into(),
                key.into(),
                Default::default(),
                FieldTable::default(),
            )
            .await
            .expect("bind");
        self.extra_queues.push(name.clone());
        name
    }

    /// Messages ready in `queue` (not those delivered and unacknowledged).
    pub async fn ready(&self, queue: &str) -> u32 {
        self.inspect(queue).await.message_count()
    }

    /// Consumers attached to `queue`. The queue drops a closed channel's consumer in the
    /// same step as it takes back that channel's unacknowledged deliveries, so none left
    /// means those deliveries are counted as ready again.
    pub async fn consumers(&self, queue: &str) -> u32 {
        self.inspect(queue).await.consumer_count()
    }

    async fn inspect(&self, queue: &str) -> lapin::Queue {
        let channel = self.channel().await;
        let options = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let q = channel
            .queue_declare(queue.into(), options, FieldTable::default())
            .await
            .expect("queue exists");
        let _ = channel.close(200, "OK".into()).await;
        q
    }

    /// Takes one message off `queue` and acknowledges it.
    pub async fn take(&self, queue: &str) -> Option<BasicGetMessage> {
        let got = self
            .channel
            .basic_get(queue.into(), BasicGetOptions { no_ack: false })
            .await
            .expect("basic.get")?;
        got.delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .expect("ack");
        Some(got)
    }

    /// Deletes what the test declared.
    pub async fn cleanup(self) {
        for queue in &self.extra_queues {
            let _ = self
                .channel
                .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                .await;
        }
        delete_topology(&self.channel, &self.names).await;
        let _ = self.connection.close(200, "OK".into()).await;
    }
}

/// Deletes the queues and exchanges of `names`, whatever is left of them.
pub async fn delete_topology(channel: &Channel, names: &Names) {
    for queue in [&names.work_queue, &names.dead_letter_queue] {
        let _ = channel
            .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
            .await;
    }
    for exchange in [
        &names.applications_exchange,
        &names.decisions_exchange,
        &names.status_exchange,
    ] {
        let _ = channel
            .exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
            .await;
    }
}

/// A header's text, whichever string type it came as.
pub fn header(properties: &BasicProperties, key: &str) -> Option<String> {
    match properties.headers().as_ref()?.inner().get(key)? {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.to_string()),
        other => panic!("{key} is {other:?}"),
    }
}

/// Polls `check` until it holds, for at most `within`.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
