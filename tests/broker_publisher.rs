//! The publisher sets every property contract section 1 asks for, and waits for confirms.

use crate::support;

use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions};
use lapin::types::FieldTable;
use support::amqp::TestBroker;
use time::macros::datetime;
use trp_worker::broker::Publisher;
use trp_worker::domain::messages::{Destination, Outgoing, DECISION_SCHEMA, STATUS_SCHEMA};
use uuid::Uuid;

fn outgoing(destination: Destination, routing_key: &str, schema: &'static str) -> Outgoing {
    let message_id = Uuid::new_v4();
    Outgoing {
        message_id,
        destination,
        routing_key: routing_key.into(),
        schema,
        timestamp: datetime!(2026-11-24 10:15:00.412 +5),
        body: format!("{{\"message_id\":\"{message_id}\"}}").into_bytes(),
    }
}

#[tokio::test]
async fn publish_sets_every_property() {
    let mut b = TestBroker::new().await;
    let decisions = b.names.decisions_exchange.clone();
    let queue = b.bind_queue(&decisions, "decision.#").await;
    let publisher = Publisher::new(b.channel().await)
        .await
        .expect("confirm mode");
    let msg = outgoing(Destination::Decisions, "decision.refused", DECISION_SCHEMA);
    publisher.publish(&b.names, &msg).await.expect("confirmed");

    let channel = b.channel().await;
    let mut raw = channel
        .basic_consume(
            queue.as_str().into(),
            "raw".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let got = raw.next().await.expect("a message").expect("no error");
    let p = &got.properties;
    assert_eq!(got.routing_key.as_str(), "decision.refused");
    assert_eq!(got.data, msg.body);
    let id = msg.message_id.to_string();
    assert_eq!(
        p.message_id().as_ref().map(|s| s.as_str()),
        Some(id.as_str())
    );
    assert_eq!(
        p.kind().as_ref().map(|s| s.as_str()),
        Some("trp.decision.v1")
    );
    assert_eq!(*p.timestamp(), Some(1_795_497_300));
    assert_eq!(
        p.content_type().as_ref().map(|s| s.as_str()),
        Some("application/json")
    );
    assert_eq!(*p.delivery_mode(), Some(2));
    got.acker.ack(BasicAckOptions::default()).await.unwrap();
    b.cleanup().await;
}

#[tokio::test]
async fn publish_batch_sends_them_all_to_their_exchanges() {
    let mut b = TestBroker::new().await;
    let status = b.names.status_exchange.clone();
    let queue = b.bind_queue(&status, "status.*").await;
    let publisher = Publisher::new(b.channel().await)
        .await
        .expect("confirm mode");
    let msgs: Vec<_> = (0..20)
        .map(|_| outgoing(Destination::Status, "status.received", STATUS_SCHEMA))
        .collect();
    publisher
        .publish_batch(&b.names, &msgs)
        .await
        .expect("all confirmed");
    assert_eq!(b.ready(&queue).await, 20);
    for msg in &msgs {
        let got = b.take(&queue).await.expect("in order");
        assert_eq!(got.delivery.data, msg.body);
    }
    b.cleanup().await;
}

#[tokio::test]
async fn publishing_to_a_missing_exchange_is_an_error() {
    let b = TestBroker::new().await;
    let publisher = Publisher::new(b.channel().await)
        .await
        .expect("confirm mode");
    let mut names = b.names.clone();
    names.decisions_exchange = format!("{}.missing", names.decisions_exchange);
    let msg = outgoing(Destination::Decisions, "decision.approved", DECISION_SCHEMA);
    let e = publisher
        .publish(&names, &msg)
        .await
        .expect_err("no such exchange");
    assert!(!e.is_transient(), "{e}");
    b.cleanup().await;
}
