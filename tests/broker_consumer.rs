//! The consumer against a real RabbitMQ: every disposition, the concurrency bounds,
//! shutdown, and a panicking handler.

use crate::support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lapin::Channel;
use support::amqp::{eventually, header, TestBroker};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use trp_worker::broker::topology::DeliveryLimit;
use trp_worker::broker::{consume, BrokerError, Consumed, Delivery, Disposition, Flow};
use trp_worker::domain::dead_letter::{DeadLetterReason, EnvelopeError};
use trp_worker::telemetry::ReasonLabel;

const SOON: Duration = Duration::from_secs(10);

type Running = (
    CancellationToken,
    JoinHandle<Result<Consumed, BrokerError>>,
    Channel,
);

fn start<H, F>(b: &TestBroker, channel: Channel, bounds: (u16, usize), handler: H) -> Running
where
    H: Fn(Delivery) -> F + Clone + Send + 'static,
    F: std::future::Future<Output = Disposition> + Send + 'static,
{
    start_with(b, channel, flow(bounds, 10), handler)
}

fn flow((prefetch, max_in_flight): (u16, usize), delivery_limit: u32) -> Flow {
    Flow {
        prefetch,
        max_in_flight,
        delivery_limit,
        dead_letters: Default::default(),
    }
}

fn start_with<H, F>(b: &TestBroker, channel: Channel, flow: Flow, handler: H) -> Running
where
    H: Fn(Delivery) -> F + Clone + Send + 'static,
    F: std::future::Future<Output = Disposition> + Send + 'static,
{
    let shutdown = CancellationToken::new();
    let (names, token, ours) = (b.names.clone(), shutdown.clone(), channel.clone());
    let task = tokio::spawn(async move { consume(channel, &names, flow, handler, token).await });
    (shutdown, task, ours)
}

/// Stops the consumer, then closes its channel, so that whatever it left unsettled goes
/// back to the queue, and waits until the queue has let go of its consumer (and so taken
/// those deliveries back): what is not in the queue afterwards was settled.
async fn stop(b: &TestBroker, (shutdown, task, channel): Running) {
    shutdown.cancel();
    let outcome = tokio::time::timeout(SOON, task)
        .await
        .expect("stops in time");
    let ended = outcome.expect("no panic").expect("stops cleanly");
    assert_eq!(ended, Consumed::Stopped);
    channel
        .close(200, "OK".into())
        .await
        .expect("channel closes");
    let queue = &b.names.work_queue;
    let released = eventually(SOON, || async { b.consumers(queue).await == 0 }).await;
    assert!(released, "the queue let go of the stopped consumer");
}

/// Waits until the consumer is attached to the work queue.
async fn attached(b: &TestBroker) {
    let queue = &b.names.work_queue;
    let on = eventually(SOON, || async { b.consumers(queue).await == 1 }).await;
    assert!(on, "the consumer is attached to its queue");
}

#[tokio::test]
async fn ack_empties_the_queue() {
    let b = TestBroker::new().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let running = start(&b, b.channel().await, (4, 4), move |d: Delivery| {
        let s = s.clone();
        async move {
            s.lock()
                .unwrap()
                .push((d.message_id, d.redelivery_count, d.body));
            Disposition::Ack
        }
    });
    b.submit(b"{\"a\":1}", "m-1").await;
    assert!(eventually(SOON, || async { seen.lock().unwrap().len() == 1 }).await);
    stop(&b, running).await;
    let got = seen.lock().unwrap().clone();
    assert_eq!(got, vec![(Some("m-1".into()), 0, b"{\"a\":1}".to_vec())]);
    assert_eq!(b.ready(&b.names.work_queue).await, 0);
    assert!(
        b.take(&b.names.work_queue).await.is_none(),
        "nothing unacked"
    );
    b.cleanup().await;
}

#[tokio::test]
async fn dead_letter_keeps_the_body_and_says_why() {
    let b = TestBroker::new().await;
    let body: &[u8] = b"\xff\x00 not json";
    let running = start(&b, b.channel().await, (4, 4), |_d: Delivery| async {
        Disposition::DeadLetter(EnvelopeError::new(
            DeadLetterReason::NotJson,
            "the body is not JSON",
        ))
    });
    b.submit(body, "m-dead").await;
    let dlq = b.names.dead_letter_queue.clone();
    assert!(eventually(SOON, || async { b.ready(&dlq).await == 1 }).await);
    stop(&b, running).await;

    let got = b.take(&dlq).await.expect("a dead letter");
    let p = &got.delivery.properties;
    assert_eq!(got.delivery.data, body, "the same bytes");
    assert_eq!(
        header(p, "x-trp-reason").as_deref(),
        Some("envelope.not_json")
    );
    assert_eq!(
        header(p, "x-trp-error").as_deref(),
        Some("the body is not JSON")
    );
    assert_eq!(
        header(p, "x-trp-original-message-id").as_deref(),
        Some("m-dead")
    );
    assert_eq!(p.message_id().as_ref().map(|s| s.as_str()), Some("m-dead"));
    assert_eq!(
        p.content_type().as_ref().map(|s| s.as_str()),
        Some("application/json")
    );
    assert_eq!(*p.delivery_mode(), Some(2));
    assert!(
        b.take(&b.names.work_queue).await.is_none(),
        "the original is acked"
    );
    b.cleanup().await;
}

#[tokio::test]
async fn retry_redelivers_with_a_count() {
    let b = TestBroker::new().await;
    let counts = Arc::new(Mutex::new(Vec::new()));
    let c = counts.clone();
    let running = start(&b, b.channel().await, (4, 4), move |d: Delivery| {
        let c = c.clone();
        async move {
            c.lock().unwrap().push((d.redelivery_count, d.redelivered));
            if d.redelivery_count == 0 {
                Disposition::Retry {
                    after: Duration::from_millis(100),
                    error: "try again".into(),
                }
            } else {
                Disposition::Ack
            }
        }
    });
    b.submit(b"{}", "m-retry").await;
    assert!(eventually(SOON, || async { counts.lock().unwrap().len() == 2 }).await);
    stop(&b, running).await;
    assert_eq!(*counts.lock().unwrap(), vec![(0, false), (1, true)]);
    assert!(b.take(&b.names.work_queue).await.is_none());
    b.cleanup().await;
}

/// Runs `n` messages through a consumer with `bounds`; returns the most handlers seen at once.
async fn most_at_once(bounds: (u16, usize), n: usize) -> usize {
    let b = TestBroker::new().await;
    for i in 0..n {
        b.submit(b"{}", &format!("m-{i}")).await;
    }
    let (now, most, done) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let counters = (now.clone(), most.clone(), done.clone());
    let running = start(&b, b.channel().await, bounds, move |_d: Delivery| {
        let (now, most, done) = counters.clone();
        async move {
            let running = now.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(running, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(40)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            done.fetch_add(1, Ordering::SeqCst);
            Disposition::Ack
        }
    });
    assert!(eventually(SOON, || async { done.load(Ordering::SeqCst) == n }).await);
    stop(&b, running).await;
    assert_eq!(b.ready(&b.names.work_queue).await, 0);
    b.cleanup().await;
    most.load(Ordering::SeqCst)
}

#[tokio::test]
async fn max_in_flight_bounds_the_handlers() {
    let most = most_at_once((10, 3), 24).await;
    assert!((2..=3).contains(&most), "at most 3 at once, saw {most}");
}

#[tokio::test]
async fn prefetch_bounds_the_handlers() {
    let most = most_at_once((2, 16), 20).await;
    assert!((1..=2).contains(&most), "at most 2 unacked, saw {most}");
}

#[tokio::test]
async fn shutdown_waits_for_the_handler_in_flight_and_acks() {
    let b = TestBroker::new().await;
    let (started, finished) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let flags = (started.clone(), finished.clone());
    let running = start(&b, b.channel().await, (4, 4), move |_d: Delivery| {
        let (started, finished) = flags.clone();
        async move {
            started.store(true, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(800)).await;
            finished.store(true, Ordering::SeqCst);
            Disposition::Ack
        }
    });
    b.submit(b"{}", "m-slow").await;
    assert!(eventually(SOON, || async { started.load(Ordering::SeqCst) }).await);
    assert!(!finished.load(Ordering::SeqCst));
    stop(&b, running).await;
    assert!(
        finished.load(Ordering::SeqCst),
        "the handler ran to its end"
    );
    assert_eq!(b.ready(&b.names.work_queue).await, 0, "acked, not requeued");
    assert!(b.take(&b.names.work_queue).await.is_none());
    b.cleanup().await;
}

#[tokio::test]
async fn shutdown_requeues_at_once_a_retry_that_waits() {
    let b = TestBroker::new().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let running = start(&b, b.channel().await, (4, 4), move |_d: Delivery| {
        c.fetch_add(1, Ordering::SeqCst);
        async {
            Disposition::Retry {
                after: Duration::from_secs(3600),
                error: "later".into(),
            }
        }
    });
    b.submit(b"{}", "m-later").await;
    assert!(eventually(SOON, || async { calls.load(Ordering::SeqCst) == 1 }).await);
    stop(&b, running).await;
    let queue = &b.names.work_queue;
    assert!(
        eventually(SOON, || async { b.ready(queue).await == 1 }).await,
        "requeued"
    );
    b.cleanup().await;
}

#[tokio::test]
async fn a_panicking_handler_does_not_stall_the_consumer() {
    let b = TestBroker::new().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let running = start(&b, b.channel().await, (2, 1), move |d: Delivery| {
        let s = s.clone();
        async move {
            if d.body == b"panic" && d.redelivery_count == 0 {
                panic!("a bug in the handler");
            }
            s.lock().unwrap().push((d.body, d.redelivery_count));
            Disposition::Ack
        }
    });
    b.submit(b"panic", "m-panic").await;
    b.submit(b"fine", "m-fine").await;
    assert!(eventually(SOON, || async { seen.lock().unwrap().len() == 2 }).await);
    stop(&b, running).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[0],
        (b"fine".to_vec(), 0),
        "handled while the other waits"
    );
    assert_eq!(seen[1], (b"panic".to_vec(), 1), "retried after the panic");
    b.cleanup().await;
}

#[tokio::test]
async fn a_deleted_queue_ends_the_consumer_with_an_error() {
    let b = TestBroker::new().await;
    let (shutdown, task, _channel) = start(&b, b.channel().await, (4, 4), |_d: Delivery| async {
        Disposition::Ack
    });
    attached(&b).await;
    let channel = b.channel().await;
    channel
        .queue_delete(b.names.work_queue.as_str().into(), Default::default())
        .await
        .unwrap();
    let outcome = tokio::time::timeout(SOON, task)
        .await
        .expect("ends")
        .unwrap();
    let e = outcome.expect_err("the consumer is gone");
    assert!(e.is_transient(), "{e}");
    shutdown.cancel();
    b.cleanup().await;
}

#[tokio::test]
async fn shutdown_hands_back_deliveries_no_handler_took() {
    let b = TestBroker::new().await;
    for i in 0..5 {
        b.submit(b"{}", &format!("m-{i}")).await;
    }
    let (started, done) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let counters = (started.clone(), done.clone());
    // Five prefetched, one handler at a time: four wait in the consumer's buffer.
    let running = start(&b, b.channel().await, (10, 1), move |_d: Delivery| {
        let (started, done) = counters.clone();
        async move {
            started.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(2000)).await;
            done.fetch_add(1, Ordering::SeqCst);
            Disposition::Ack
        }
    });
    assert!(eventually(SOON, || async { started.load(Ordering::SeqCst) == 1 }).await);
    running.0.cancel();
    // Handed back at once, while the handler in flight is still at work, so that another
    // replica can take them meanwhile.
    let queue = &b.names.work_queue;
    let handed_back = eventually(Duration::from_millis(1000), || async {
        b.ready(queue).await == 4
    });
    assert!(handed_back.await, "the buffered four are back in the queue");
    assert_eq!(
        done.load(Ordering::SeqCst),
        0,
        "the handler is still running"
    );
    stop(&b, running).await;
    assert_eq!(
        started.load(Ordering::SeqCst),
        1,
        "no handler started after shutdown"
    );
    assert_eq!(done.load(Ordering::SeqCst), 1);
    assert_eq!(b.ready(queue).await, 4);
    b.cleanup().await;
}

#[tokio::test]
async fn a_closed_channel_ends_the_consumer_with_an_error() {
    let b = TestBroker::new().await;
    let (shutdown, task, channel) = start(&b, b.channel().await, (4, 4), |_d: Delivery| async {
        Disposition::Ack
    });
    attached(&b).await;
    channel
        .close(320, "closed by the test".into())
        .await
        .unwrap();
    let outcome = tokio::time::timeout(SOON, task)
        .await
        .expect("ends")
        .unwrap();
    let e = outcome.expect_err("the channel is gone");
    assert!(e.is_transient(), "{e}");
    shutdown.cancel();
    b.cleanup().await;
}

#[tokio::test]
async fn a_message_that_always_fails_is_dead_lettered_at_the_limit_and_the_next_flows() {
    let b = TestBroker::with_limit(DeliveryLimit::Declared(3)).await;
    let tries = Arc::new(Mutex::new(Vec::new()));
    let acked = Arc::new(AtomicUsize::new(0));
    let (t, a) = (tries.clone(), acked.clone());
    let flow = flow((4, 4), 3);
    let dead_letters = flow.dead_letters.clone();
    let running = start_with(&b, b.channel().await, flow, move |d: Delivery| {
        let (t, a) = (t.clone(), a.clone());
        async move {
            if d.body == b"poison" {
                t.lock().unwrap().push(d.redelivery_count);
                Disposition::Retry {
                    after: Duration::from_millis(10),
                    error: "the store said no".into(),
                }
            } else {
                a.fetch_add(1, Ordering::SeqCst);
                Disposition::Ack
            }
        }
    });
    b.submit(b"poison", "m-poison").await;
    b.submit(b"good", "m-good").await;
    let dlq = b.names.dead_letter_queue.clone();
    assert!(eventually(SOON, || async { b.ready(&dlq).await == 1 }).await);
    assert!(eventually(SOON, || async { acked.load(Ordering::SeqCst) == 1 }).await);
    stop(&b, running).await;
    assert_eq!(
        *tries.lock().unwrap(),
        vec![0, 1, 2],
        "three deliveries, no more"
    );
    let got = b.take(&dlq).await.unwrap();
    let p = &got.delivery.properties;
    assert_eq!(got.delivery.data, b"poison", "the body intact");
    assert_eq!(header(p, "x-trp-reason").as_deref(), Some("delivery_limit"));
    assert_eq!(
        header(p, "x-trp-error").as_deref(),
        Some("processing failed 3 times; the last time: the store said no")
    );
    let label = ReasonLabel {
        reason: "delivery_limit",
    };
    assert_eq!(dead_letters.get_or_create(&label).get(), 1);
    assert!(b.take(&b.names.work_queue).await.is_none());
    b.cleanup().await;
}

#[tokio::test]
async fn an_outage_hands_the_delivery_back_uncounted_and_pauses() {
    let b = TestBroker::new().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let handler = move |d: Delivery| {
        let s = s.clone();
        async move {
            let n = {
                let mut seen = s.lock().unwrap();
                seen.push(d.redelivery_count);
                seen.len()
            };
            match n {
                // A failure that counts, then an outage that must not, then done.
                1 => Disposition::Retry {
                    after: Duration::from_millis(10),
                    error: "lost a race".into(),
                },
                2 => Disposition::Outage {
                    error: "database down".into(),
                },
                _ => Disposition::Ack,
            }
        }
    };
    b.submit(b"{}", "m-outage").await;
    let (_shutdown, task, channel) = start(&b, b.channel().await, (4, 4), handler.clone());
    let ended = tokio::time::timeout(SOON, task).await.expect("pauses");
    assert_eq!(ended.unwrap().unwrap(), Consumed::Paused);
    assert_eq!(*seen.lock().unwrap(), vec![0, 1]);
    // Paused: no consumer left on the queue, and the delivery back in it, ready (not held
    // by this channel, whose closing would return it counted).
    let queue = b.names.work_queue.clone();
    let handed_back = eventually(SOON, || async {
        b.consumers(&queue).await == 0 && b.ready(&queue).await == 1
    });
    assert!(handed_back.await, "handed back to the queue");
    channel.close(200, "OK".into()).await.unwrap();

    // Consuming again (the database is back): the copy carries one counted failure, not two.
    let running = start(&b, b.channel().await, (4, 4), handler);
    assert!(eventually(SOON, || async { seen.lock().unwrap().len() == 3 }).await);
    stop(&b, running).await;
    assert_eq!(*seen.lock().unwrap(), vec![0, 1, 1]);
    assert!(b.take(&b.names.work_queue).await.is_none(), "acked");
    b.cleanup().await;
}

#[tokio::test]
async fn the_broker_dead_letters_at_its_own_limit_what_no_handler_settled() {
    // A worker killed while it holds the message, again and again: the broker's backstop.
    let b = TestBroker::with_limit(DeliveryLimit::Declared(2)).await;
    b.submit(b"crashes the worker", "m-crash").await;
    let queue = b.names.work_queue.clone();
    let dlq = b.names.dead_letter_queue.clone();
    for _ in 0..3 {
        let channel = b.channel().await;
        let got = channel
            .basic_get(queue.as_str().into(), Default::default())
            .await
            .unwrap();
        assert!(got.is_some(), "delivered again");
        // Closing the channel with the message unacknowledged returns it, counted.
        channel.close(200, "OK".into()).await.unwrap();
        if eventually(Duration::from_secs(2), || async {
            b.ready(&dlq).await == 1
        })
        .await
        {
            break;
        }
    }
    assert!(eventually(SOON, || async { b.ready(&dlq).await == 1 }).await);
    let got = b.take(&dlq).await.unwrap();
    assert_eq!(got.delivery.data, b"crashes the worker");
    assert_eq!(
        header(&got.delivery.properties, "x-first-death-reason").as_deref(),
        Some("delivery_limit")
    );
    b.cleanup().await;
}
