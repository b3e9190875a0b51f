//! The topology is declared idempotently: replicas starting at once do not trip on it.

mod support;

use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use support::amqp::{self, TestBroker};
use trp_worker::broker::topology;

#[tokio::test]
async fn declaring_twice_from_two_connections_at_once_is_fine() {
    let b = TestBroker::new().await;
    let (one, two) = (amqp::connection().await, amqp::connection().await);
    let (c1, c2) = (
        one.create_channel().await.unwrap(),
        two.create_channel().await.unwrap(),
    );
    let (r1, r2) = tokio::join!(
        topology::declare(&c1, &b.names),
        topology::declare(&c2, &b.names)
    );
    r1.expect("first declaration");
    r2.expect("second declaration");
    topology::declare(&c1, &b.names)
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
