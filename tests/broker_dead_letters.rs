//! `dead-letters list` and `replay` against a real dead-letter queue.

use crate::support;

use lapin::types::{AMQPValue, FieldTable};
use lapin::BasicProperties;
use support::amqp::{header, TestBroker};
use trp_worker::broker::dead_letters::{self, DeadLetter};

/// Puts a dead letter in the queue as the consumer would.
async fn dead_letter(b: &TestBroker, id: &str, reason: &str, body: &[u8]) {
    let mut headers = FieldTable::default();
    for (k, v) in [
        ("x-trp-reason", reason),
        ("x-trp-error", "why"),
        ("x-trp-original-message-id", id),
        ("x-portal", "kept"),
    ] {
        headers.insert(k.into(), AMQPValue::LongString(v.into()));
    }
    let properties = BasicProperties::default()
        .with_message_id(id.into())
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_headers(headers);
    let dlq = b.names.dead_letter_queue.clone();
    b.publish("", &dlq, body, properties).await;
}

fn expected(id: &str, reason: &str, body_len: usize) -> DeadLetter {
    DeadLetter {
        message_id: Some(id.into()),
        reason: Some(reason.into()),
        error: Some("why".into()),
        body_len,
    }
}

#[tokio::test]
async fn list_shows_them_in_order_and_leaves_them_there() {
    let b = TestBroker::new().await;
    dead_letter(&b, "a", "envelope.not_json", b"aaa").await;
    dead_letter(&b, "b", "envelope.schema", b"bbbb").await;
    dead_letter(&b, "c", "conflict", b"c").await;
    let channel = b.channel().await;
    let all = vec![
        expected("a", "envelope.not_json", 3),
        expected("b", "envelope.schema", 4),
        expected("c", "conflict", 1),
    ];
    assert_eq!(
        dead_letters::list(&channel, &b.names, 10).await.unwrap(),
        all
    );
    assert_eq!(
        dead_letters::list(&channel, &b.names, 10).await.unwrap(),
        all
    );
    assert_eq!(
        dead_letters::list(&channel, &b.names, 2).await.unwrap(),
        all[..2]
    );
    // The broker counts requeued messages a moment after the nack: wait for all three.
    let dlq = b.names.dead_letter_queue.clone();
    let all_back = support::amqp::eventually(std::time::Duration::from_secs(10), || async {
        b.ready(&dlq).await == 3
    });
    assert!(
        all_back.await,
        "listing leaves every dead letter in the queue"
    );
    b.cleanup().await;
}

#[tokio::test]
async fn replay_republishes_the_chosen_ones_to_the_work_queue() {
    let b = TestBroker::new().await;
    dead_letter(&b, "a", "envelope.not_json", b"aaa").await;
    dead_letter(&b, "b", "conflict", b"\xffbody b").await;
    dead_letter(&b, "c", "conflict", b"c").await;
    let channel = b.channel().await;
    let chosen = ["b".to_string(), "unknown".to_string()];
    let replayed = dead_letters::replay(&channel, &b.names, &chosen)
        .await
        .unwrap();
    assert_eq!(replayed, 1);

    let left = dead_letters::list(&channel, &b.names, 10).await.unwrap();
    assert_eq!(
        left,
        vec![
            expected("a", "envelope.not_json", 3),
            expected("c", "conflict", 1)
        ]
    );
    let got = b.take(&b.names.work_queue).await.expect("replayed");
    let p = &got.delivery.properties;
    assert_eq!(got.delivery.data, b"\xffbody b", "the body intact");
    assert_eq!(got.delivery.routing_key.as_str(), "application.submitted");
    assert_eq!(p.message_id().as_ref().map(|s| s.as_str()), Some("b"));
    assert_eq!(
        p.content_type().as_ref().map(|s| s.as_str()),
        Some("application/json")
    );
    assert_eq!(
        header(p, "x-trp-reason"),
        None,
        "the dead-letter headers are gone"
    );
    assert_eq!(header(p, "x-portal").as_deref(), Some("kept"));
    assert!(b.take(&b.names.work_queue).await.is_none());
    b.cleanup().await;
}

#[tokio::test]
async fn listing_many_times_burns_no_delivery() {
    let b = TestBroker::new().await;
    dead_letter(&b, "a", "envelope.not_json", b"aaa").await;
    dead_letter(&b, "b", "delivery_limit", b"bb").await;
    let channel = b.channel().await;
    for _ in 0..25 {
        assert_eq!(
            dead_letters::list(&channel, &b.names, 10)
                .await
                .unwrap()
                .len(),
            2
        );
    }
    // RabbitMQ 4.x drops a quorum queue's message after 20 deliveries: a listing that
    // requeued would have counted 25 by now.
    let dlq = b.names.dead_letter_queue.clone();
    for id in ["a", "b"] {
        let got = b.take(&dlq).await.expect("still there, in order");
        let p = &got.delivery.properties;
        assert_eq!(p.message_id().as_ref().map(|s| s.as_str()), Some(id));
        assert_eq!(header_count(p).unwrap_or(0), 0, "never delivered before");
        assert_eq!(header(p, "x-portal").as_deref(), Some("kept"));
    }
    b.cleanup().await;
}

fn header_count(p: &BasicProperties) -> Option<i64> {
    match p.headers().as_ref()?.inner().get("x-delivery-count")? {
        AMQPValue::LongLongInt(n) => Some(*n),
        AMQPValue::LongInt(n) => Some((*n).into()),
        other => panic!("x-delivery-count {other:?}"),
    }
}
