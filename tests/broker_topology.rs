//! The topology is declared idempotently: replicas starting at once do not trip on it.

use crate::support;

use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use support::amqp::{self, TestBroker};
use trp_worker::broker::topology::{self, DeliveryLimit};

const LIMIT: DeliveryLimit = DeliveryLimit::Declared(10);

#[tokio::test]
async fn declaring_twice_from_two_connections_at_once_is_fine() {
    let b = TestBroker::new().await;
    let (one, two) = (amqp::connection().await, amqp::connection().await);
    let (c1, c2) = (
        one.create_channel().await.unwrap(),
        two.create_channel().await.unwrap(),
    );
    let (r1, r2) = tokio::join!(
        topology::declare(&c1, &b.names, LIMIT),
        topology::declare(&c2, &b.names, LIMIT)
    );
    r1.expect("first declaration");
    r2.expect("second declaration");
    topology::declare(&c1, &b.names, LIMIT)
        .await
        .expect("a third declaration");

    // The work queue is bound: a submitted application lands in it.
    b.submit(b"{}", "m-1").await;
    assert_eq!(b.ready(&b.names.work_queue).await, 1);
    b.cleanup().await;
}

#[tokio::test]
async fn queues_are_quorum_queues() {
    let b = TestBroker::new().await;
    let channel = b.channel().await;
    // Re-declaring as a classic queue must be refused: the queue is a quorum queue.
    let classic = channel
        .queue_declare(
            b.names.dead_letter_queue.as_str().into(),
            QueueDeclareOptions::durable(),
            FieldTable::default(),
        )
        .await;
    assert!(
        classic.is_err(),
        "a classic declaration of a quorum queue fails"
    );
    b.cleanup().await;
}

#[tokio::test]
async fn a_work_queue_declared_before_the_limit_is_reported_with_the_remedy() {
    let names =
        trp_worker::broker::Names::with_prefix(&format!("t{}", uuid::Uuid::new_v4().simple()));
    let connection = amqp::connection().await;
    let channel = connection.create_channel().await.unwrap();
    // As an older worker declared it: a quorum queue without a delivery limit.
    let mut quorum = FieldTable::default();
    quorum.insert(
        "x-queue-type".into(),
        lapin::types::AMQPValue::LongString("quorum".into()),
    );
    channel
        .queue_declare(
            names.work_queue.as_str().into(),
            QueueDeclareOptions::durable(),
            quorum,
        )
        .await
        .unwrap();

    let refused = topology::declare(&channel, &names, LIMIT)
        .await
        .expect_err("other arguments are refused");
    let message = refused.to_string();
    assert!(!refused.is_transient(), "an operator must act: {message}");
    for remedy in [
        names.work_queue.as_str(),
        "amqp.delivery_limit_by_policy = true",
        "shovel",
        "docs/operations.md",
    ] {
        assert!(message.contains(remedy), "{message}");
    }
    // With the limit left to a policy, the same queue is accepted as it is.
    let channel = connection.create_channel().await.unwrap();
    topology::declare(&channel, &names, DeliveryLimit::ByPolicy)
        .await
        .expect("declared by policy");
    amqp::delete_topology(&channel, &names).await;
}
