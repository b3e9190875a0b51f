//! The worker under failures that are nobody's fault and messages that always fail
//! (contract section 1): a poison message is dead-lettered at the delivery limit while the
//! rest flow; a database outage longer than the limit's worth of retries burns nothing;
//! an envelope dated after its arrival is refused.

use crate::support;

use std::time::Duration;

use serde_json::json;

use support::amqp::{eventually, header};
use support::db::document;
use support::tcp_gate::TcpGate;
use support::worker::{http_get, otp_envelope, World};

/// Settings that make retries quick and the limit small, so the tests run in seconds.
fn quick(limit: u32) -> Vec<(&'static str, String)> {
    vec![
        ("TRP__AMQP__DELIVERY_LIMIT", limit.to_string()),
        ("TRP__AMQP__RETRY_BASE_MS", "10".into()),
        ("TRP__AMQP__RETRY_MAX_MS", "50".into()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_message_is_dead_lettered_at_the_limit_and_the_rest_flow() {
    let world = World::with_limit(3).await;
    let replica = world.start_with(&quick(3)).await;
    // 2025 has no calendar file: the decision's due date cannot be computed, every time.
    let mut poison = otp_envelope("TRP-POISON-1", &document(|_| {}));
    poison["submitted_at"] = json!("2025-06-02T10:00:00+05:00");
    world.submit(&poison).await;
    world
        .submit(&otp_envelope("TRP-AFTER-1", &document(|_| {})))
        .await;

    assert_eq!(world.decision("TRP-AFTER-1").await["outcome"], "approved");
    let dlq = world.broker.names.dead_letter_queue.clone();
    let port = replica.running.http_addr.port();
    let counted = eventually(Duration::from_secs(30), || async {
        http_get(port, "/metrics")
            .await
            .contains("trp_dead_letters_total{reason=\"delivery_limit\"} 1")
    });
    assert!(counted.await, "{}", http_get(port, "/metrics").await);
    let got = world.broker.take(&dlq).await.expect("dead-lettered");
    let p = &got.delivery.properties;
    assert_eq!(header(p, "x-trp-reason").as_deref(), Some("delivery_limit"));
    let error = header(p, "x-trp-error").unwrap_or_default();
    assert!(
        error.contains("failed 3 times") && error.contains("calendar"),
        "{error}"
    );
    assert_eq!(got.delivery.data, serde_json::to_vec(&poison).unwrap());
    assert!(
        world.broker.take(&dlq).await.is_none(),
        "dead-lettered once"
    );
    let decided = "SELECT count(*) FROM decisions WHERE application_id = 'TRP-POISON-1'";
    assert_eq!(world.db.count(decided).await, 0);
    replica.stop().await;
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_burns_no_delivery_and_the_worker_resumes_by_itself() {
    let world = World::with_limit(2).await;
    let gate = TcpGate::start("127.0.0.1:5432".parse().unwrap()).await;
    let mut settings = quick(2);
    settings.push(("TRP__DATABASE__URL", gate.postgres_url(&world.db.url)));
    let replica = world.start_with(&settings).await;
    let port = replica.running.http_addr.port();
    world
        .submit(&otp_envelope("TRP-OUT-0", &document(|_| {})))
        .await;
    assert_eq!(world.decision("TRP-OUT-0").await["outcome"], "approved");

    gate.shut();
    for id in ["TRP-OUT-1", "TRP-OUT-2", "TRP-OUT-3"] {
        world.submit(&otp_envelope(id, &document(|_| {}))).await;
    }
    // Far longer than two deliveries' worth of retries (50 ms at most each).
    let unready = eventually(Duration::from_secs(20), || async {
        http_get(port, "/readyz").await.contains("not ready")
    });
    assert!(unready.await, "/readyz says the worker is not ready");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let dlq = world.broker.names.dead_letter_queue.clone();
    assert_eq!(world.broker.ready(&dlq).await, 0, "nothing dead-lettered");

    gate.open();
    for id in ["TRP-OUT-1", "TRP-OUT-2", "TRP-OUT-3"] {
        assert_eq!(world.decision(id).await["outcome"], "approved", "{id}");
    }
    let decisions = "SELECT count(*) FROM decisions";
    assert_eq!(world.db.count(decisions).await, 4, "each decided once");
    assert_eq!(world.broker.ready(&dlq).await, 0, "nothing dead-lettered");
    let ready = eventually(Duration::from_secs(20), || async {
        http_get(port, "/readyz").await.starts_with("HTTP/1.1 200")
    });
    assert!(ready.await, "ready again");
    let metrics = http_get(port, "/metrics").await;
    assert!(!metrics.contains("trp_dead_letters_total{"), "{metrics}");
    replica.stop().await;
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_dated_after_its_arrival_is_an_envelope_error() {
    let world = World::new().await;
    let replica = world
        .start_with(&[("TRP__SIGNATURE__CLOCK_SKEW_S", "60".into())])
        .await;
    let ahead = time::OffsetDateTime::now_utc() + time::Duration::minutes(10);
    let mut future = otp_envelope("TRP-SKEW-1", &document(|_| {}));
    future["submitted_at"] = json!(ahead
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap());
    world.submit(&future).await;
    let dlq = world.broker.names.dead_letter_queue.clone();
    let arrived = eventually(Duration::from_secs(30), || async {
        world.broker.ready(&dlq).await == 1
    });
    assert!(arrived.await, "dead-lettered");
    let got = world.broker.take(&dlq).await.unwrap();
    let p = &got.delivery.properties;
    assert_eq!(
        header(p, "x-trp-reason").as_deref(),
        Some("envelope.invalid_field")
    );
    let error = header(p, "x-trp-error").unwrap_or_default();
    assert!(
        error.contains("submitted_at") && error.contains("signature.clock_skew_s"),
        "{error}"
    );
    replica.stop().await;
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_work_queue_with_other_arguments_stops_the_worker_with_the_remedy() {
    // The world's queue carries a limit of 10; this worker would declare 3.
    let world = World::new().await;
    let replica = world.start_with(&quick(3)).await;
    let ended = tokio::time::timeout(Duration::from_secs(30), replica.running.done)
        .await
        .expect("stops by itself")
        .expect("no panic");
    let Err(trp_worker::worker::Fatal::Configuration(message)) = ended else {
        panic!("a configuration error: {ended:?}");
    };
    assert!(
        message.contains("amqp.delivery_limit_by_policy") && message.contains("docs/operations.md"),
        "{message}"
    );
    world.cleanup().await;
}
